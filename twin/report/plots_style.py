"""The matplotlib house style of the sweep and sizing figures: settings and a fresh canvas.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas directly (no
pyplot, so no global figure registry and no GUI backend) inside :func:`plot_style`. Colours,
markers and sizes come from :mod:`twin.report.palette`, as for the run page's SVG charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from twin.report.palette import OKABE_ITO

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.dpi": 96,
    "savefig.dpi": 96,
    "lines.linewidth": 1.6,
    "svg.fonttype": "none",  # text as text: a tenth of the bytes, searchable
    "svg.hashsalt": "twin-report",
    "text.parse_math": False,  # labels are data (a store id may hold $): never mathtext
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
}


@contextmanager
def plot_style() -> Iterator[None]:
    """The report's matplotlib settings, applied only inside the ``with`` block."""
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure on its own Agg canvas: no pyplot state, no GUI backend, safe in threads."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig
