"""Turn figures into inline SVG and write files atomically, both deterministically."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from twin.report.svg_chart import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_XML_PROLOGUE = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID_REFERENCE = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')
_ATTRIBUTE = re.compile(r'="([^"]*)"')
_LONG_DECIMAL = re.compile(r"(\d\.\d{2})\d+")


def figure_to_svg(fig: Chart | Figure, fig_id: str, alt: str) -> Markup:
    """``fig`` (an SVG :class:`Chart` or a matplotlib Figure) as an inline ``<svg>`` element
    for an HTML page.

    A Chart writes its own SVG (:meth:`Chart.to_svg`). A Figure is saved by matplotlib,
    imported only then (the run page has no matplotlib figures). Deterministic: a fixed
    hash salt per figure and no date in the metadata, so the same figure
    gives the same bytes. Every id is prefixed with ``fig_id`` so several SVGs can share one
    page without clashing clip paths or glyph definitions. ``alt`` becomes the accessible name.
    """
    if isinstance(fig, Chart):
        return fig.to_svg(fig_id, alt)
    import matplotlib

    from twin.report.plots_style import plot_style

    buffer = io.StringIO()
    with plot_style(), matplotlib.rc_context({"svg.hashsalt": fig_id}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _METADATA.sub("", _XML_PROLOGUE.sub("", buffer.getvalue()))
    ids = set(re.findall(r'\bid="([^"]+)"', svg))

    def prefix(match: re.Match[str]) -> str:
        head, name = match.group(1), match.group(2)
        return f"{head}{fig_id}-{name}" if name in ids else match.group(0)

    svg = _ID_REFERENCE.sub(prefix, svg)
    svg = _ATTRIBUTE.sub(_rounded, svg)
    label = str(escape(alt))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)
    svg = re.sub(r"(<svg[^>]*>)", rf"\1<title>{label}</title>", svg, count=1)
    return Markup(svg.strip())


def _rounded(match: re.Match[str]) -> str:
    """An attribute value with coordinates cut to two decimals (1/100 px: invisible, and a
    third less SVG text); text nodes are never inside quotes, so labels keep their digits."""
    return '="' + _LONG_DECIMAL.sub(r"\1", match.group(1)) + '"'


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path
