"""Number formatting and KPI selection shared by the report tables, cards and plots."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

# Statistic columns in the order a reader expects them; others follow alphabetically.
STAT_ORDER = ("value", "total", "mean", "p50", "p90", "p95", "max", "n")

_SUFFIX_UNITS = (
    ("_per_h", "per h"),
    ("_h", "h"),
    ("_money", "currency"),
    ("_frac", "frac"),
    ("_len", "count"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_s", "s"),
    ("_m", "m"),
    ("_c", "°C"),
    ("_n", "count"),
)


def domain_of(kpi: str) -> str:
    """The KPI's domain: the part of its name before the first dot."""
    return kpi.split(".", 1)[0]


def unit_of(kpi: str, stat: str = "mean", unit: Any = None) -> str:
    """The unit of a KPI statistic: ``n`` is a count whatever the KPI measures.

    An explicit ``unit`` wins; otherwise the unit comes from the name's suffix, also when the
    name ends in a statistic (``checkout.wait_s.p90``).
    """
    if stat == "n":
        return "count"
    if isinstance(unit, str) and unit.strip():
        return unit.strip()
    head, _, last = kpi.rpartition(".")
    if head and last in STAT_ORDER:
        return unit_of(head, last)
    for suffix, name in _SUFFIX_UNITS:
        if kpi.endswith(suffix):
            return name
    return ""


def is_fraction(unit: str) -> bool:
    return unit in ("frac", "fraction")


def display_unit(unit: str, count: str = "") -> str:
    """How a unit is printed next to a number: fractions as percentages, counts bare (or as
    ``count``, e.g. in a chart title)."""
    if unit == "count":
        return count
    return "%" if is_fraction(unit) else unit


def display_scale(unit: str) -> float:
    return 100.0 if is_fraction(unit) else 1.0


def format_number(value: Any, unit: str = "") -> str:
    """Three significant figures, thousands separated; fractions as percent; NaN as a dash."""
    if value is None:
        return "–"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    x *= display_scale(unit)
    if unit == "count" and x == round(x):
        return f"{x:,.0f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0:
        return "0"
    text = f"{x:.3g}"
    if "e" in text:
        text = f"{x:.2e}"
    return text


def bounds_of(unit: str) -> tuple[float | None, float | None]:
    """The range a KPI in ``unit`` can take: fractions 0-1, other physical amounts >= 0
    (temperatures and unitless values unbounded)."""
    if is_fraction(unit):
        return 0.0, 1.0
    if unit in ("", "°C", "C"):
        return None, None
    return 0.0, None


def clipped_interval(mean: float, half_width: float, unit: str) -> tuple[float, float, bool]:
    """The t-interval ``mean ± half_width`` clipped to the unit's bounds (:func:`bounds_of`),
    and whether clipping changed it. Clipping keeps the t-interval's coverage where the true
    value cannot lie outside the bounds anyway; it is not a Wilson interval."""
    low, high = mean - half_width, mean + half_width
    lo_bound, hi_bound = bounds_of(unit)
    clipped = False
    if lo_bound is not None and low < lo_bound:
        low, clipped = lo_bound, True
    if hi_bound is not None and high > hi_bound:
        high, clipped = hi_bound, True
    return low, high, clipped


def format_estimate(mean: Any, half_width: Any, unit: str) -> str:
    """``mean ± half-width unit`` (no ± when the half-width is undefined, e.g. one replication).

    When the interval would cross the unit's bounds (below 0 %, above 100 %, a negative
    count) it is shown clipped as a range instead: ``97.1 % (84.6–100 %)``."""
    text = format_number(mean, unit)
    suffix = display_unit(unit)
    joined = (suffix if suffix == "%" else f" {suffix}") if suffix else ""
    if _is_number(half_width) and text != "–":
        low, high, clipped = clipped_interval(float(mean), float(half_width), unit)
        if clipped:
            low_text = format_number(low, unit)
            return f"{text}{joined} ({low_text}–{format_number(high, unit)}{joined})"
        text += " ± " + format_number(half_width, "" if unit == "count" else unit)
    if text != "–":
        text += joined
    return text


def stat_sort_key(stat: str) -> tuple[int, str]:
    return (STAT_ORDER.index(stat), "") if stat in STAT_ORDER else (len(STAT_ORDER), stat)


def headline_stat(stats: list[str]) -> str:
    """The statistic that stands for a KPI: its mean if it has one, else the first in order."""
    if "mean" in stats:
        return "mean"
    return sorted(stats, key=stat_sort_key)[0]


def headline_pairs(frame: pd.DataFrame, with_p90: bool = True) -> list[tuple[str, str]]:
    """(kpi, stat) pairs worth a chart: each KPI's headline stat, plus p90 of time KPIs."""
    pairs: list[tuple[str, str]] = []
    for kpi, group in frame.groupby("kpi", sort=True, observed=True):
        stats = [str(s) for s in group["stat"].unique() if s != "n"] or ["n"]
        pairs.append((str(kpi), headline_stat(stats)))
        if with_p90 and str(kpi).endswith("_s") and "p90" in stats and pairs[-1][1] != "p90":
            pairs.append((str(kpi), "p90"))
    return pairs


def network_level(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that describe the whole network (region ``all`` or the only region, store ``all``).

    The id columns are compared as they are (a categorical's codes: a national summary has
    123,000 rows); a missing id is not one more id."""
    if frame.empty:
        return frame
    is_all = frame["region"] == "all"
    if is_all.any():
        frame = frame[is_all]
    elif frame["region"].nunique() > 1:
        return frame.iloc[0:0]
    is_all = frame["store"] == "all"
    if is_all.any():
        return frame[is_all]
    if frame["store"].nunique() == 1:
        return frame
    return frame.iloc[0:0]


def breakable(text: Any) -> Markup:
    """``text`` escaped for HTML, with line-break opportunities after dots, so long KPI and
    parameter names wrap at their joints instead of mid-word."""
    parts = re.split(r"(?<=\.)", str(text))
    return Markup("<wbr>").join(escape(part) for part in parts if part)


def slug(text: str, max_len: int = 60) -> str:
    """A file-name-safe version of ``text`` (letters, digits, ``.``, ``_``, ``-``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:max_len].strip("-.") or "report"


def natural_key(text: Any) -> tuple[Any, ...]:
    """Sort key that puts S2 before S10 and keeps ``all`` first."""
    s = str(text)
    if s == "all":
        return (0,)
    return (1, *[(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s) if p])


def _is_number(value: Any) -> bool:
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False
