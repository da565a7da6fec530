"""The report's figure house style: palette, matplotlib settings and a fresh canvas.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas directly (no
pyplot, so no global figure registry and no GUI backend) inside :func:`plot_style`. Colours
follow the Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies and in greyscale print; series are also told apart by marker or line style, never
by colour alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from twin.report.fmt import bounds_of, display_scale

# Okabe & Ito (2008), ordered so the first lines have the strongest contrast on white.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
SIGNIFICANT_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#555555"
WIDTH_IN = 9.0

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


def colour(i: int) -> str:
    """The ``i``-th palette colour, cycling."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def clipped_errors(y: np.ndarray, err: np.ndarray, unit: str) -> np.ndarray:
    """Asymmetric error bars (2 x n, already in display scale) clipped to the unit's bounds."""
    lo_bound, hi_bound = bounds_of(unit)
    scale = display_scale(unit)
    low = y - err if lo_bound is None else np.maximum(y - err, lo_bound * scale)
    high = y + err if hi_bound is None else np.minimum(y + err, hi_bound * scale)
    return np.vstack([y - low, high - y])


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure on its own Agg canvas: no pyplot state, no GUI backend, safe in threads."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def first_text(values: pd.Series) -> str:
    """The first non-blank string in ``values`` (a unit column), stripped; ``""`` if none."""
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""
