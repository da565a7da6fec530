"""Shelf-life physics: product temperature lag and temperature-dependent loss of shelf life.

An item in an environment held at a constant temperature ``Te`` follows Newton's law of cooling
with the time constant ``tau`` of its packaging::

    T(t) = Te + (T0 - Te) exp(-t / tau)

and loses shelf life at the rate ``1 / SL(T(t))``. Time-temperature effects are additive
(DTU RRS, DOMAIN.md 1(d)), so a stage of duration ``D`` consumes ``q = integral_0^D dt / SL(T)``
of the reference shelf life; an item is expired once the consumed fractions add up to 1.

Two temperature models (:class:`twin.domain.coldchain.shelf_life_kinetics.Kinetics`), integrated in
:mod:`twin.domain.coldchain.shelf_life_integrals`:

- ``q10``: ``SL(T) = SL_ref * Q10 ** (-(T - T_ref) / 10)``, integrated in closed form with the
  exponential integral;
- ``arrhenius``: ``k(T) = k_ref exp(-Ea / R (1 / T_K - 1 / T_ref_K))`` with ``k_ref = 1 / SL_ref``,
  exact at constant temperature and by fixed Gauss-Legendre quadrature during the lag.

Everything broadcasts over numpy arrays of items (kinetic parameters included); nothing steps
through time. Scalar inputs give 0-d arrays.

>>> milk = Kinetics("q10", ref_shelf_life_s=10 * 86400.0, ref_temp_c=4.0, q10=5.0)
>>> round(float(consumed_fraction(milk, 4.0, 4.0, 86400.0, 3600.0)), 12)  # a day at 4 C
0.1
>>> round(float(consumed_fraction(milk, 4.0, 14.0, 86400.0, 1e-9)), 12)  # a day at 14 C
0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.domain.coldchain.shelf_life_integrals import arrhenius_consumed, q10_consumed
from twin.domain.coldchain.shelf_life_kinetics import (
    Q10,
    ArrayLike,
    FloatArray,
    Kinetics,
    kinetic_params,
    log_rate,
)


@dataclass(frozen=True, slots=True)
class StageExposure:
    """What one stage of constant environment temperature did to the items."""

    end_temp_c: FloatArray
    consumed_fraction: FloatArray
    time_above_safe_s: FloatArray


@dataclass(frozen=True, slots=True)
class ChainExposure:
    """What a chain of stages did: ``time_above_safe_s`` has one row per stage."""

    end_temp_c: FloatArray
    consumed_fraction: FloatArray
    time_above_safe_s: FloatArray

    @property
    def total_time_above_safe_s(self) -> FloatArray:
        return np.asarray(self.time_above_safe_s.sum(axis=0), dtype=float)


def shelf_life_s(kinetics: Kinetics, temp_c: ArrayLike) -> FloatArray:
    """Shelf life of an item held at ``temp_c`` throughout."""
    return np.exp(
        -log_rate(kinetics.model, *kinetic_params(kinetics), np.asarray(temp_c, dtype=float))
    )


def rate_per_s(kinetics: Kinetics, temp_c: ArrayLike) -> FloatArray:
    """Fraction of the shelf life consumed per second at ``temp_c`` (``1 / SL(T)``)."""
    return np.exp(
        log_rate(kinetics.model, *kinetic_params(kinetics), np.asarray(temp_c, dtype=float))
    )


def product_temp_c(
    elapsed_s: ArrayLike, start_temp_c: ArrayLike, env_temp_c: ArrayLike, time_constant_s: ArrayLike
) -> FloatArray:
    """Product temperature ``elapsed_s`` into a stage: first-order lag towards ``env_temp_c``."""
    elapsed, start, env, tau = _floats(elapsed_s, start_temp_c, env_temp_c, time_constant_s)
    _require_positive(tau, "time_constant_s")
    return np.asarray(env + (start - env) * np.exp(-elapsed / tau), dtype=float)


def consumed_fraction(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
) -> FloatArray:
    """Fraction of the reference shelf life consumed in one stage of constant environment.

    The product starts at ``start_temp_c`` and lags towards ``env_temp_c`` with
    ``time_constant_s``; the result is ``integral_0^D dt / SL(T(t))``.

    q10: with ``rate = a exp(b T)``, ``c = b (T0 - Te)`` and ``u1 = exp(-D / tau)`` the integral
    is ``tau exp(b Te) [Ei(c) - Ei(c u1)]``, evaluated as
    ``tau [rate(T0) g(c) - rate(T(D)) g(c u1)]`` with ``g(x) = exp(-x) Ei(x)`` (no overflow for
    large ``|c|``); for ``|c| <= 2`` by the power series of ``Ei(c) - Ei(c u1) - ln(1/u1)``
    (exact as ``c -> 0``); and for short stages where the two terms would nearly cancel
    (``|c| (1 - u1) < 1``) by the quadrature below.

    arrhenius: exact ``D / SL(Te)`` when ``T0 == Te``. Otherwise a 48-node Gauss-Legendre rule
    over the first 4 time constants (or the whole stage if shorter), and over
    ``u = exp(-t / tau)`` for the rest of a longer stage, where ``(rate(T) - rate(Te)) / u`` is
    smooth. The relative error is below 1e-12 for temperature gaps up to 60 C, Ea up to
    200 kJ/mol and stages from 1e-3 to 1e3 time constants (checked against
    ``scipy.integrate.quad``; the tests hold it to 1e-9).
    """
    start, env, duration, tau = _floats(start_temp_c, env_temp_c, duration_s, time_constant_s)
    _require_positive(tau, "time_constant_s")
    if np.any(duration < 0):
        raise ValueError('"duration_s" must be >= 0.')
    log_ref_rate, ref_temp, slope = kinetic_params(kinetics)
    shape = np.broadcast_shapes(
        start.shape,
        env.shape,
        duration.shape,
        tau.shape,
        log_ref_rate.shape,
        ref_temp.shape,
        slope.shape,
    )
    flat = [
        np.broadcast_to(a, shape).ravel()
        for a in (start, env, duration, tau, log_ref_rate, ref_temp, slope)
    ]
    consume = q10_consumed if kinetics.model == Q10 else arrhenius_consumed
    return consume(*flat).reshape(shape)


def time_above_safe_s(
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
) -> FloatArray:
    """Time within one stage that the product spends above ``max_safe_temp_c``.

    ``T(t)`` is monotone, so it crosses the safe temperature at most once, at
    ``t* = tau ln((T0 - Te) / (T_safe - Te))``.
    """
    start, env, duration, tau, safe = _floats(
        start_temp_c, env_temp_c, duration_s, time_constant_s, max_safe_temp_c
    )
    _require_positive(tau, "time_constant_s")
    starts_above = start > safe
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_s = tau * np.log((start - env) / (safe - env))
        out = np.where(
            starts_above,
            np.where(env >= safe, duration, np.minimum(duration, crossing_s)),
            np.where(env > safe, np.maximum(duration - crossing_s, 0.0), 0.0),
        )
    return np.asarray(out, dtype=float)


def expose_stage(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    env_temp_c: ArrayLike,
    duration_s: ArrayLike,
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
) -> StageExposure:
    """End temperature, consumed fraction and time above the safe temperature of one stage."""
    start, env, duration, tau = _floats(start_temp_c, env_temp_c, duration_s, time_constant_s)
    return StageExposure(
        end_temp_c=product_temp_c(duration, start, env, tau),
        consumed_fraction=consumed_fraction(kinetics, start, env, duration, tau),
        time_above_safe_s=time_above_safe_s(start, env, duration, tau, max_safe_temp_c),
    )


def chain_stages(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    stages: Sequence[tuple[ArrayLike, ...]],
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
    lengths: npt.ArrayLike | None = None,
) -> ChainExposure:
    """Run items through stages of piecewise-constant environment temperature.

    Each stage is ``(env_temp_c, duration_s)``, or ``(env_temp_c, duration_s, time_constant_s)``
    when the packaging changes (a bare pack in the store, an insulated tote in the van); each
    entry may be an array over items. Consumed fractions add; each stage starts at the
    temperature the previous one ended at.

    ``lengths`` (one per item; ``start_temp_c`` then gives the items, 1-D) makes the chains
    ragged: item ``i`` goes through its first ``lengths[i]`` stages only, and the stages are
    padded columns whose entries past an item's length are never evaluated (its time above
    the safe temperature there is 0). Only the items still in their chain are computed at each
    stage, so many short chains and a few long ones cost about their total number of stages.
    """
    if lengths is not None:
        return _ragged_chain(
            kinetics, start_temp_c, stages, time_constant_s, max_safe_temp_c, lengths
        )
    temp = np.asarray(start_temp_c, dtype=float)
    consumed: FloatArray = np.zeros_like(temp)
    above: list[FloatArray] = []
    for stage in stages:
        env, duration = stage[0], stage[1]
        tau = stage[2] if len(stage) == 3 else time_constant_s
        exposure = expose_stage(kinetics, temp, env, duration, tau, max_safe_temp_c)
        temp, consumed = exposure.end_temp_c, consumed + exposure.consumed_fraction
        above.append(exposure.time_above_safe_s)
    shape = np.broadcast_shapes(temp.shape, *(a.shape for a in above))
    rows = [np.broadcast_to(a, shape) for a in above]
    return ChainExposure(
        end_temp_c=temp,
        consumed_fraction=consumed,
        time_above_safe_s=np.stack(rows) if rows else np.zeros((0, *shape)),
    )


def _ragged_chain(
    kinetics: Kinetics,
    start_temp_c: ArrayLike,
    stages: Sequence[tuple[ArrayLike, ...]],
    time_constant_s: ArrayLike,
    max_safe_temp_c: ArrayLike,
    lengths: npt.ArrayLike,
) -> ChainExposure:
    """:func:`chain_stages` over ragged chains: items sorted longest first, a shrinking prefix."""
    temp0 = np.asarray(start_temp_c, dtype=float)
    count = np.asarray(lengths, dtype=np.int64)
    if temp0.ndim != 1 or count.shape != temp0.shape:
        raise ValueError('"lengths" needs one value per item of a 1-D "start_temp_c".')
    if np.any(count < 0) or np.any(count > len(stages)):
        raise ValueError(f'"lengths" must be between 0 and the number of stages ({len(stages)}).')
    n = temp0.size
    order = np.argsort(-count, kind="stable")
    active = np.count_nonzero(count[None, :] > np.arange(len(stages))[:, None], axis=1)

    def items(values: ArrayLike, m: int) -> FloatArray:
        return np.broadcast_to(np.asarray(values, dtype=float), (n,))[order[:m]]

    temp, consumed = temp0[order], np.zeros(n)
    above = np.zeros((len(stages), n))
    for k, stage in enumerate(stages):
        m = int(active[k])
        if m == 0:
            break
        tau = stage[2] if len(stage) == 3 else time_constant_s
        exposure = expose_stage(
            _kinetics_of(kinetics, order[:m], n),
            temp[:m],
            items(stage[0], m),
            items(stage[1], m),
            items(tau, m),
            items(max_safe_temp_c, m),
        )
        temp[:m] = exposure.end_temp_c
        consumed[:m] += exposure.consumed_fraction
        above[k, :m] = exposure.time_above_safe_s
    end_temp, used, time_above = np.empty(n), np.empty(n), np.empty_like(above)
    end_temp[order], used[order], time_above[:, order] = temp, consumed, above
    return ChainExposure(end_temp_c=end_temp, consumed_fraction=used, time_above_safe_s=time_above)


def _kinetics_of(kinetics: Kinetics, index: npt.NDArray[np.int64], n: int) -> Kinetics:
    """The kinetics of the items at ``index`` (per-item parameters are taken, scalars kept)."""

    def take(value: ArrayLike) -> ArrayLike:
        array = np.asarray(value, dtype=float)
        return array if array.ndim == 0 else np.broadcast_to(array, (n,))[index]

    return Kinetics(
        kinetics.model,
        take(kinetics.ref_shelf_life_s),
        take(kinetics.ref_temp_c),
        take(kinetics.q10),
        take(kinetics.activation_energy_j_per_mol),
    )


# --- internals ---------------------------------------------------------------------------------


def _floats(*values: ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=float) for v in values]


def _require_positive(values: FloatArray, name: str) -> None:
    if not np.all(values > 0):
        raise ValueError(f'"{name}" must be > 0.')
