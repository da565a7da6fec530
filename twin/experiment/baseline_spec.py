"""Baseline scenarios: small, seeded runs whose KPIs are recorded and re-checked for drift.

A baseline is one YAML file in ``configs/baseline/`` (shipped as ``twin.configs/baseline``)::

    description: Grocery checkout of one busy store.
    overrides: [network=single_store, formats.grocery.checkout.lanes=3]
    seed: 20261128
    replications: 30
    kpis: ["checkout.*", "store.*"]     # optional fnmatch patterns on "kpi" or "kpi:stat"
    tolerance: {rel: 0.02, abs: 0.0, alpha: 0.05}   # optional; see BaselineTolerance

The overrides are ordinary Hydra overrides of ``configs/config.yaml``; ``run.seed`` and
``run.replications`` come from ``seed`` and ``replications``, so a baseline for a new domain
(formats, online orders, delivery, cold chain) is one more file of this shape.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from twin.config.load import config_dir
from twin.errors import ConfigError

SPEC_KEYS = ("name", "description", "overrides", "seed", "replications", "kpis", "tolerance")
# Set by the baseline itself (seed, replications), free to vary without changing any KPI
# (workers), or making the replication count depend on the results (precision).
RESERVED_OVERRIDES = ("run.seed", "run.replications", "run.workers", "run.precision")


@dataclass(frozen=True)
class BaselineTolerance:
    """How far a re-run may move before it counts as drift.

    - ``exact_rel``: relative tolerance of the exact layer (same seed, same versions).
    - ``rel``, ``abs``: the practical margin of the statistical layer, ``rel * |old mean| + abs``;
      a difference inside it is never drift.
    - ``alpha``: family-wise false-alarm rate of the statistical layer for one baseline; each KPI's
      interval has confidence ``1 - alpha / m`` (Bonferroni over the ``m`` KPIs that vary).
    """

    rel: float = 0.02
    abs: float = 0.0
    alpha: float = 0.05
    exact_rel: float = 1e-9

    def check(self, key: str) -> None:
        for name in ("rel", "abs", "exact_rel"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ConfigError(f"{key}.{name}", value, "a finite number >= 0")
        if not (isinstance(self.alpha, int | float) and 0 < self.alpha < 1):
            raise ConfigError(f"{key}.alpha", self.alpha, "a probability in (0, 1)")


@dataclass(frozen=True)
class BaselineSpec:
    """One baseline scenario as read from its YAML file."""

    name: str
    overrides: tuple[str, ...]
    seed: int
    replications: int
    description: str = ""
    kpis: tuple[str, ...] = ()
    tolerance: BaselineTolerance = field(default_factory=BaselineTolerance)
    path: Path | None = None

    def run_overrides(
        self, seed: int | None = None, workers: int = 1, extra: tuple[str, ...] = ()
    ) -> list[str]:
        """The Hydra overrides of one run of this baseline (``seed`` replaces the recorded one)."""
        return [
            *self.overrides,
            f"run.seed={self.seed if seed is None else seed}",
            f"run.replications={self.replications}",
            f"run.workers={workers}",
            *extra,
        ]

    def selects(self, kpi: str, stat: str) -> bool:
        """Whether (kpi, stat) is part of this baseline (every KPI when ``kpis`` is empty)."""
        if not self.kpis:
            return True
        return any(
            fnmatch.fnmatchcase(kpi, pattern) or fnmatch.fnmatchcase(f"{kpi}:{stat}", pattern)
            for pattern in self.kpis
        )

    def identity(self) -> dict[str, Any]:
        """What decides which numbers a run produces; a recorded baseline must match it."""
        return {
            "overrides": list(self.overrides),
            "seed": self.seed,
            "replications": self.replications,
            "kpis": list(self.kpis),
        }


def default_spec_dir() -> Path:
    """``configs/baseline`` inside the installed package."""
    return Path(config_dir()) / "baseline"


def load_specs(spec_dir: Path | None = None) -> dict[str, BaselineSpec]:
    """Every baseline spec in ``spec_dir`` (default ``configs/baseline``), by name."""
    folder = default_spec_dir() if spec_dir is None else Path(spec_dir)
    if not folder.is_dir():
        raise ConfigError("baseline specs", str(folder), "a folder of baseline YAML files")
    specs: dict[str, BaselineSpec] = {}
    for path in sorted(folder.glob("*.yaml")):
        spec = read_spec(path)
        if spec.name in specs:
            raise ConfigError(f"{path.name}: name", spec.name, "a name no other baseline uses")
        specs[spec.name] = spec
    return specs


def read_spec(path: Path) -> BaselineSpec:
    """Read and validate one baseline YAML file; errors name the file and the key."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(where, "(unreadable YAML)", f"valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(where, type(data).__name__, "a mapping with keys " + ", ".join(SPEC_KEYS))
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: {unknown[0]}", "(unknown key)", "one of " + ", ".join(SPEC_KEYS)
        )
    return spec_from_dict(data, default_name=path.stem, where=where, path=path)


def spec_from_dict(
    data: dict[str, Any], default_name: str, where: str = "baseline", path: Path | None = None
) -> BaselineSpec:
    name = data.get("name", default_name)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ConfigError(f"{where}: name", name, "a file-name-safe name (letters, digits, _ or -)")
    overrides = _strings(data.get("overrides", []), f"{where}: overrides")
    for override in overrides:
        key = override.lstrip("+~").split("=", 1)[0]
        if any(key == r or key.startswith(r + ".") for r in RESERVED_OVERRIDES):
            raise ConfigError(
                f"{where}: overrides",
                override,
                "no override of " + ", ".join(RESERVED_OVERRIDES),
                "Set seed: and replications: in the baseline file instead.",
            )
    seed = data.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"{where}: seed", seed, "an integer >= 0")
    replications = data.get("replications")
    if not isinstance(replications, int) or isinstance(replications, bool) or replications < 3:
        raise ConfigError(
            f"{where}: replications",
            replications,
            "an integer >= 3 (the statistical layer needs a variance)",
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: description", description, "a string")
    kpis = _strings(data.get("kpis", []), f"{where}: kpis")
    tolerance_data = data.get("tolerance") or {}
    if not isinstance(tolerance_data, dict):
        raise ConfigError(f"{where}: tolerance", tolerance_data, "a mapping of rel, abs, alpha")
    known = {"rel", "abs", "alpha", "exact_rel"}
    unknown = sorted(set(tolerance_data) - known)
    if unknown:
        raise ConfigError(
            f"{where}: tolerance.{unknown[0]}",
            "(unknown key)",
            "one of " + ", ".join(sorted(known)),
        )
    tolerance = BaselineTolerance(**tolerance_data)
    tolerance.check(f"{where}: tolerance")
    return BaselineSpec(
        name=name,
        overrides=tuple(overrides),
        seed=seed,
        replications=replications,
        description=description.strip(),
        kpis=tuple(kpis),
        tolerance=tolerance,
        path=path,
    )


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(key, value, "a list of strings")
    return list(value)
