"""Ceilings no real store reaches, and the rules that hold for every number of a config.

Every number of a config must be finite (NaN and inf are refused alike) and at most a ceiling
that no real grocery store, fleet or network comes near. A field declares its own ceiling with
``num(..., le=...)`` (twin/config/fields.py); a field without one gets the ceiling of its unit,
read from the end of its name (``_s``, ``_km``, ``_kmh``, ...), and a number of any other name
gets :data:`ANY_NUMBER_CEILING`. The same ceilings bound the mean and the bounds of a
distribution (``demand.browse_fixed_s.mean`` is a duration). docs/RELIABILITY.md lists them.

These are refusals of the absurd (a browse time of a year, 10^12 shoppers a day), not
calibration: the calibrated ranges are in ../shared/DOMAIN.md.
"""

from __future__ import annotations

import math
from typing import Any

from twin.errors import ConfigError

DAY_S = 86_400.0

# (name ending, ceiling, what it bounds): the first ending that matches a key's last part wins.
UNIT_CEILINGS: tuple[tuple[str, float, str], ...] = (
    ("seed", 2.0**63 - 1, "random seeds (int64)"),
    ("seed_offset", 2.0**63 - 1, "random seed offsets (int64)"),
    ("_s", 366 * DAY_S, "durations: at most a year"),
    ("_kmh", 1_000.0, "speeds in km/h"),
    ("_mps", 300.0, "speeds in m/s"),
    ("_per_km", 1_000_000.0, "costs and emissions per km"),
    ("_km", 20_000.0, "distances: half the Earth's circumference"),
    ("_kg", 100_000.0, "weights"),
    ("_l", 1_000_000.0, "volumes in litres"),
    ("_c", 1_000.0, "temperatures in degrees Celsius"),
    ("_per_store", 1_000_000.0, "daily shoppers or orders of one store"),
    ("_units", 10_000.0, "units in one basket"),
    ("_per_h", 1_000_000.0, "hourly costs and rates"),
    ("_j_per_mol", 10_000_000.0, "activation energies"),
)
ANY_NUMBER_CEILING = 1e9  # every other number (a price, a score, a factor)


def ceiling_of(key: str) -> tuple[float, str]:
    """The ceiling of the number at ``key`` (when its field declares none) and its reason.

    >>> ceiling_of("demand.browse_fixed_s.mean")
    (31622400.0, 'durations: at most a year')
    """
    parts = key.replace("[", ".").replace("]", "").split(".")
    name = parts[-1]
    if name in ("mean", "sd", "low", "high", "values") and len(parts) > 1:
        name = parts[-2]  # a distribution's numbers have the unit of the distribution's key
    for ending, ceiling, reason in UNIT_CEILINGS:
        if name.endswith(ending):
            return ceiling, reason
    return ANY_NUMBER_CEILING, "a number of that size: no store, fleet or network comes near"


def check_number(key: str, value: Any, declared_le: float | None = None) -> None:
    """Refuse NaN, inf and numbers above the ceiling of ``key``, naming the key."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if not math.isfinite(value):
        raise ConfigError(key, value, "a finite number (not NaN or inf)")
    if declared_le is not None:
        return  # the field's own bound is checked by the validator
    ceiling, reason = ceiling_of(key)
    if abs(value) > ceiling:
        raise ConfigError(
            key, value, f"a number within ±{ceiling:g} ({reason}; docs/RELIABILITY.md)"
        )
