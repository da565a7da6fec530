"""Small table model the templates render: formatted text, with a class per cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

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


def rows_html(table: Table) -> Markup:
    """The table's body rows as HTML, one ``<tr>`` line each: what the template's loop over
    rows and cells printed, built in one pass (a national run's by-store tables hold some
    70,000 rows, and a template loop renders them several times slower). Cell attributes
    repeat (classes, units), so each distinct one is escaped once."""
    parts: list[str] = []
    opened: dict[tuple[str, str], str] = {}  # (css, title) -> the cell's opening tag
    for row in table.rows:
        parts.append("<tr>")
        for cell in row:
            key = (cell.css, cell.title)
            tag = opened.get(key)
            if tag is None:
                css = f' class="{escape(cell.css)}"' if cell.css else ""
                title = f' title="{escape(cell.title)}"' if cell.title else ""
                tag = opened[key] = f"<td{css}{title}>"
            parts.append(tag)
            parts.append(_escaped(cell.text))
            parts.append("</td>")
        parts.append("</tr>\n")
    return Markup("".join(parts))


def _escaped(text: str) -> str:
    """``escape(text)``; most cells (numbers, ids) hold no character to escape and are kept
    as they are (a national run's tables hold some 350,000 cells)."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return str(escape(text))
    return text


def text(value: Any, css: str = "") -> Cell:
    return Cell("–" if value is None else str(value), css)


def estimate(mean: Any, half_width: Any, kpi: str, stat: str, unit: Any) -> Cell:
    """A number ± its half-width; it may wrap before the ± only (narrow tables)."""
    u = unit_of(kpi, stat, unit)
    text_ = format_estimate(mean, half_width, u).replace(" ", "\u00a0").replace("\u00a0±", " ±")
    return Cell(text_, "num wrap", u)


def key_value_table(pairs: list[tuple[str, Any]], caption: str = "") -> Table:
    return Table(["", ""], [[Cell(k, "key"), text(v)] for k, v in pairs], caption, numeric_from=2)
