"""Small table model the templates render: formatted text, with a class per cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twin.report.fmt import format_estimate, unit_of


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    css: str = ""  # "num" right-aligns; "sig" marks a significant difference; "bad" a failure
    title: str = ""  # shown on hover, e.g. the unit


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    numeric_from: int = 1  # columns from here on hold numbers (right-aligned headers)

    def __bool__(self) -> bool:
        return bool(self.rows)


def text(value: Any, css: str = "") -> Cell:
    return Cell("–" if value is None else str(value), css)


def estimate(mean: Any, half_width: Any, kpi: str, stat: str, unit: Any) -> Cell:
    """A number ± its half-width; it may wrap before the ± only (narrow tables)."""
    u = unit_of(kpi, stat, unit)
    text_ = format_estimate(mean, half_width, u).replace(" ", "\u00a0").replace("\u00a0±", " ±")
    return Cell(text_, "num wrap", u)


def key_value_table(pairs: list[tuple[str, Any]], caption: str = "") -> Table:
    return Table(["", ""], [[Cell(k, "key"), text(v)] for k, v in pairs], caption, numeric_from=2)
