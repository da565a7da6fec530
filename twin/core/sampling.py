"""Distribution specs and block-buffered samplers.

Every random duration, size or count in the twin is a :class:`DistSpec`. A sampler draws its
numbers from a named stream in blocks (one numpy call per block) and hands them out one at a
time, so the event loop pays one C-level ``next`` per draw.

>>> import numpy as np
>>> draw = make_sampler(DistSpec(kind="exponential", mean=2.0), np.random.default_rng(1))
>>> draw() > 0
True
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twin.core.buffers import doubles
from twin.errors import ConfigError

BLOCK_SIZE = 1024

DIST_KINDS = (
    "fixed",
    "exponential",
    "lognormal",
    "gamma",
    "normal",
    "uniform",
    "empirical",
    "geometric",
    "poisson",
    "negbin",
)


@dataclass
class DistSpec:
    """A distribution by ``kind`` and its parameters; which fields matter depends on the kind.

    - fixed: ``mean`` (a constant)
    - exponential: ``mean``
    - lognormal, gamma: ``mean`` and ``cv`` (coefficient of variation)
    - normal: ``mean``, ``sd``, truncated to [``low``, ``high``] (``high`` <= ``low`` means no
      upper bound)
    - uniform: ``low``, ``high``
    - empirical: ``values`` (a list), or ``csv`` (a file path) and ``column``
    - geometric (counts >= 1), poisson (counts >= 0): ``mean``
    - negbin (counts >= 1): ``mean`` and ``cv``
    """

    kind: str = "fixed"
    mean: float = 0.0
    cv: float = 0.0
    sd: float = 0.0
    low: float = 0.0
    high: float = 0.0
    values: list[float] = field(default_factory=list)
    csv: str = ""
    column: str = ""


def validate_dist(spec: DistSpec, key: str, *, positive: bool = False) -> None:
    """Raise :class:`ConfigError` naming ``key`` when ``spec`` is not a usable distribution.

    With ``positive`` the distribution must not produce negative values (durations, sizes).
    """
    if spec.kind not in DIST_KINDS:
        raise ConfigError(f"{key}.kind", spec.kind, f"one of {', '.join(DIST_KINDS)}")
    needs_mean = spec.kind in ("exponential", "lognormal", "gamma", "geometric", "negbin")
    if needs_mean and not spec.mean > 0:
        raise ConfigError(f"{key}.mean", spec.mean, f"a number > 0 for a {spec.kind} distribution")
    if spec.kind in ("fixed", "poisson") and spec.mean < 0:
        raise ConfigError(f"{key}.mean", spec.mean, "a number >= 0")
    if spec.kind in ("lognormal", "gamma", "negbin") and not spec.cv > 0:
        raise ConfigError(f"{key}.cv", spec.cv, f"a number > 0 for a {spec.kind} distribution")
    if spec.kind == "geometric" and spec.mean < 1:
        raise ConfigError(f"{key}.mean", spec.mean, "a number >= 1 (geometric counts start at 1)")
    if spec.kind == "negbin":
        if spec.mean < 1:
            raise ConfigError(f"{key}.mean", spec.mean, "a number >= 1 (negbin counts start at 1)")
        variance = (spec.cv * spec.mean) ** 2
        if variance <= spec.mean - 1:
            raise ConfigError(
                f"{key}.cv",
                spec.cv,
                f"a cv large enough that the variance exceeds mean - 1 = {spec.mean - 1:g} "
                "(a negative binomial is over-dispersed; use poisson or fixed otherwise)",
            )
    if spec.kind == "normal":
        if spec.sd < 0:
            raise ConfigError(f"{key}.sd", spec.sd, "a number >= 0")
        if positive and spec.low < 0:
            raise ConfigError(f"{key}.low", spec.low, "a truncation bound >= 0 for a duration")
        _check_normal_mass(spec, key)
    if spec.kind == "uniform":
        if spec.high < spec.low:
            raise ConfigError(f"{key}.high", spec.high, f"a number >= low ({spec.low})")
        if positive and spec.low < 0:
            raise ConfigError(f"{key}.low", spec.low, "a number >= 0 for a duration")
    if spec.kind == "empirical":
        values = empirical_values(spec, key)
        if positive and min(values) < 0:
            raise ConfigError(f"{key}.values", min(values), "values >= 0 for a duration")
    if spec.kind == "fixed" and positive and spec.mean < 0:
        raise ConfigError(f"{key}.mean", spec.mean, "a number >= 0 for a duration")


# A truncated normal keeping less than this share of its mass is refused: drawing it would take
# about 1 / share tries per number, and its mass lies mostly outside its bounds.
MIN_NORMAL_MASS = 1e-3


def _check_normal_mass(spec: DistSpec, key: str) -> None:
    """Refuse a truncated normal whose bounds hold almost none of its mass (naming the key)."""
    high = spec.high if spec.high > spec.low else math.inf
    if spec.sd == 0:
        inside = 1.0 if spec.low <= spec.mean <= high else 0.0
    else:

        def below(x: float) -> float:
            return 0.5 * math.erfc(-(x - spec.mean) / (spec.sd * math.sqrt(2.0)))

        inside = (1.0 if high == math.inf else below(high)) - below(spec.low)
    if inside < MIN_NORMAL_MASS:
        bounds = f"[{spec.low:g}, {high:g}]"
        raise ConfigError(
            f"{key}.mean",
            spec.mean,
            f"a mean and sd that put at least {MIN_NORMAL_MASS:g} of the normal's mass inside "
            f"its bounds {bounds} (now {inside:.2g}; for a duration or size most of it "
            "would be negative)",
        )


def empirical_values(spec: DistSpec, key: str = "dist") -> list[float]:
    """The observations behind an empirical spec, from its list or its CSV column."""
    if spec.values:
        return [float(v) for v in spec.values]
    if not spec.csv:
        raise ConfigError(f"{key}.values", spec.values, "a non-empty list, or csv and column set")
    path = Path(spec.csv)
    if not path.is_file():
        raise ConfigError(f"{key}.csv", spec.csv, "the path of an existing CSV file")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or spec.column not in reader.fieldnames:
            raise ConfigError(
                f"{key}.column", spec.column, f"one of the CSV's columns {reader.fieldnames}"
            )
        try:
            values = [float(row[spec.column]) for row in reader if row[spec.column] != ""]
        except ValueError as exc:
            raise ConfigError(f"{key}.csv", spec.csv, f"numbers in column {spec.column}") from exc
    if not values:
        raise ConfigError(f"{key}.csv", spec.csv, f"at least one value in column {spec.column}")
    return values


def dist_mean(spec: DistSpec) -> float:
    """The theoretical mean of ``spec`` (before truncation for a truncated normal)."""
    if spec.kind == "uniform":
        return (spec.low + spec.high) / 2
    if spec.kind == "empirical":
        return float(np.mean(empirical_values(spec)))
    return spec.mean


def dist_variance(spec: DistSpec) -> float:
    """The theoretical variance of ``spec``."""
    if spec.kind == "fixed":
        return 0.0
    if spec.kind == "exponential":
        return spec.mean**2
    if spec.kind in ("lognormal", "gamma", "negbin"):
        return (spec.cv * spec.mean) ** 2
    if spec.kind == "normal":
        return spec.sd**2
    if spec.kind == "uniform":
        return (spec.high - spec.low) ** 2 / 12
    if spec.kind == "empirical":
        return float(np.var(empirical_values(spec)))
    if spec.kind == "geometric":
        p = 1 / spec.mean
        return (1 - p) / p**2
    if spec.kind == "poisson":
        return spec.mean
    raise ValueError(spec.kind)


BlockDrawer = Callable[[int], np.ndarray]


def block_drawer(spec: DistSpec, rng: np.random.Generator) -> BlockDrawer:
    """A function drawing ``n`` values of ``spec`` from ``rng`` in one vectorised call."""
    kind = spec.kind
    if kind == "fixed":
        return lambda n: np.full(n, float(spec.mean))
    if kind == "exponential":
        return lambda n: rng.exponential(spec.mean, n)
    if kind == "lognormal":
        sigma2 = math.log1p(spec.cv**2)
        mu = math.log(spec.mean) - sigma2 / 2
        sigma = math.sqrt(sigma2)
        return lambda n: rng.lognormal(mu, sigma, n)
    if kind == "gamma":
        shape = 1 / spec.cv**2
        scale = spec.mean / shape
        return lambda n: rng.gamma(shape, scale, n)
    if kind == "normal":
        return _truncated_normal(spec, rng)
    if kind == "uniform":
        return lambda n: rng.uniform(spec.low, spec.high, n)
    if kind == "empirical":
        values = np.asarray(empirical_values(spec), dtype=float)
        return lambda n: rng.choice(values, n)
    if kind == "geometric":
        p_success = 1 / spec.mean
        return lambda n: rng.geometric(p_success, n).astype(float)
    if kind == "poisson":
        return lambda n: rng.poisson(spec.mean, n).astype(float)
    if kind == "negbin":
        # Shifted negative binomial on 1, 2, ...: 1 + NB(r, p) with mean m - 1, variance v.
        shifted_mean = spec.mean - 1
        variance = (spec.cv * spec.mean) ** 2
        p = shifted_mean / variance
        r = shifted_mean * p / (1 - p)
        return lambda n: 1.0 + rng.negative_binomial(r, p, n)
    raise ConfigError("dist.kind", kind, f"one of {', '.join(DIST_KINDS)}")


def _truncated_normal(spec: DistSpec, rng: np.random.Generator) -> BlockDrawer:
    low = spec.low
    high = spec.high if spec.high > spec.low else math.inf

    def draw(n: int) -> np.ndarray:
        out = rng.normal(spec.mean, spec.sd, n)
        bad = (out < low) | (out > high)
        tries = 0
        while bad.any():
            tries += 1
            if tries > 1000:
                raise ConfigError(
                    "dist",
                    spec,
                    "a truncated normal whose bounds hold a usable share of its mass",
                )
            out[bad] = rng.normal(spec.mean, spec.sd, int(bad.sum()))
            bad = (out < low) | (out > high)
        return out

    return draw


def _endless(draw: BlockDrawer, block: int) -> Iterator[float]:
    while True:
        # every drawer gives float64: one float made per draw, not a block-long list of them
        yield from doubles(draw(block))


def make_sampler(
    spec: DistSpec, rng: np.random.Generator, block: int = BLOCK_SIZE
) -> Callable[[], float]:
    """A zero-argument function returning the next draw of ``spec``; draws come in blocks."""
    return _endless(block_drawer(spec, rng), block).__next__


def make_bernoulli(
    p: float, rng: np.random.Generator, block: int = BLOCK_SIZE
) -> Callable[[], bool]:
    """A zero-argument function returning True with probability ``p``; draws come in blocks."""

    def draw(n: int) -> np.ndarray:
        return rng.random(n) < p

    return _endless(draw, block).__next__  # type: ignore[return-value]


def make_uniform(rng: np.random.Generator, block: int = BLOCK_SIZE) -> Callable[[], float]:
    """A zero-argument function returning U(0, 1) draws, drawn in blocks."""
    return _endless(rng.random, block).__next__
