"""Turn charts into inline SVG and write files atomically, both deterministically."""

from __future__ import annotations

import os
from pathlib import Path

from markupsafe import Markup

from twin.report.svg_chart import Chart


def figure_to_svg(fig: Chart, fig_id: str, alt: str) -> Markup:
    """``fig`` as an inline ``<svg>`` element for an HTML page (:meth:`Chart.to_svg`).

    Deterministic: the same chart gives the same bytes. Every id is prefixed with ``fig_id``
    so several SVGs can share one page without clashing clip paths. ``alt`` becomes the
    accessible name (``aria-label`` and ``<title>``).
    """
    return fig.to_svg(fig_id, alt)


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
