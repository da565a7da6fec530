"""The catalogue of KPIs: every KPI the twin emits is defined here with its unit and meaning.

Domain modules call :func:`define` at import; :class:`KpiRows` refuses undefined names, so the
generated KPI list (docs/KPIS.md, ``twin-kpis``) is always complete.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.kpi.renames import RENAMES
from twin.kpi.stats import tally_summary


@dataclass(frozen=True)
class KpiDefinition:
    name: str
    unit: str
    kind: str  # tally | level | ratio | total | mean (of a duration per item)
    meaning: str


CATALOG: dict[str, KpiDefinition] = {}


def define(name: str, unit: str, kind: str, meaning: str) -> str:
    """Add a KPI to the catalogue (idempotent for the same definition); returns its name."""
    definition = KpiDefinition(name, unit, kind, meaning)
    existing = CATALOG.get(name)
    if existing is not None and existing != definition:
        raise ValueError(f"KPI {name} defined twice with different meanings")
    CATALOG[name] = definition
    return name


Row = tuple[str, str, float, str]  # kpi, stat, value, unit


class KpiRows:
    """Collects (kpi, stat, value, unit) rows for one scope (a store or an aggregate)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def _unit(self, name: str) -> str:
        if name not in CATALOG:
            raise KeyError(f"KPI {name} is not in the catalogue; call twin.kpi.catalog.define")
        return CATALOG[name].unit

    def tally(self, name: str, values: np.ndarray) -> None:
        unit = self._unit(name)
        for stat, value in tally_summary(np.asarray(values, dtype=float)).items():
            self.rows.append((name, stat, value, "count" if stat == "n" else unit))

    def value(self, name: str, value: float, stat: str = "mean") -> None:
        self.rows.append((name, stat, float(value), self._unit(name)))

    def ratio(
        self, name: str, numerator: float | np.integer, denominator: float | np.integer
    ) -> None:
        self.value(name, numerator / denominator if denominator > 0 else math.nan)

    def level(self, name: str, time_avg: float, maximum: float) -> None:
        self.value(name, time_avg, "mean")
        self.value(name, maximum, "max")


def catalog_markdown() -> str:
    """The KPI list as a Markdown table (docs/KPIS.md is generated from it)."""
    lines = [
        "# KPIs",
        "",
        "Generated from the code (`twin.kpi.catalog`); regenerate with `twin-kpis > docs/KPIS.md`.",
        "Tally KPIs have the stats mean, p50, p90, p95, max and n; levels are time averages",
        "(stat mean) and maxima (stat max); ratios and totals have one stat.",
        "",
        "| KPI | unit | kind | meaning |",
        "|---|---|---|---|",
    ]
    for name in sorted(CATALOG):
        d = CATALOG[name]
        lines.append(f"| `{d.name}` | {d.unit} | {d.kind} | {d.meaning} |")
    lines += [
        "",
        "## Renamed KPIs",
        "",
        "Names carry their unit: `_s`, `_h`, `_frac`, `_n`, `_kg`, `_g`, `_km`, `_c`, and",
        "`_money` (currency-neutral: the report puts `report.currency_symbol` in front). Folders",
        "and baseline records written under an old name still read (`twin/kpi/renames.py`).",
        "",
        "| old name | new name |",
        "|---|---|",
        *(f"| `{old}` | `{new}` |" for old, new in sorted(RENAMES.items())),
    ]
    return "\n".join(lines) + "\n"
