"""The report's colours, markers and sizes, shared by its SVG charts.

Colours follow the Okabe-Ito palette, which stays distinguishable with the common
colour-vision deficiencies and in greyscale print; series are also told apart by marker or
line style, never by colour alone. No plotting library is imported here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.report.fmt import bounds_of, display_scale

# Okabe & Ito (2008), ordered so the first lines have the strongest contrast on white.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# solid, dashed, dotted, dash-dot (matplotlib's four line styles) as SVG stroke-dasharray
DASHES = ("", "5.6 2.4", "1.6 2.6", "9.6 2.4 1.6 2.4")
SIGNIFICANT_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#555555"
WIDTH_PX = 9.0 * 96  # 9 inches at 96 px an inch
PX_PER_PT = 96 / 72
# matplotlib's "Blues" colour map at nine evenly spaced points, light to dark
BLUES = (
    "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c",
    "#08306b",
)  # fmt: skip


def colour(i: int) -> str:
    """The ``i``-th palette colour, cycling."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def blues(share: np.ndarray) -> np.ndarray:
    """Colours of ``share`` (0-1, NaN as 0) on the Blues map, as hex strings, interpolated
    between its nine anchors."""
    anchors = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in BLUES], float)
    at = np.clip(np.nan_to_num(np.asarray(share, float)), 0.0, 1.0) * (len(BLUES) - 1)
    low = np.minimum(np.floor(at).astype(int), len(BLUES) - 2)
    rgb = anchors[low] + (anchors[low + 1] - anchors[low]) * (at - low)[..., None]
    rgb = np.rint(rgb).astype(int)
    flat = rgb.reshape(-1, 3)
    hexes = np.array([f"#{r:02x}{g:02x}{b:02x}" for r, g, b in flat.tolist()], dtype=object)
    return hexes.reshape(rgb.shape[:-1])


def clipped_errors(y: np.ndarray, err: np.ndarray, unit: str) -> np.ndarray:
    """Asymmetric error bars (2 x n, already in display scale) clipped to the unit's bounds."""
    lo_bound, hi_bound = bounds_of(unit)
    scale = display_scale(unit)
    low = y - err if lo_bound is None else np.maximum(y - err, lo_bound * scale)
    high = y + err if hi_bound is None else np.minimum(y + err, hi_bound * scale)
    return np.vstack([y - low, high - y])


def first_text(values: pd.Series) -> str:
    """The first non-blank string in ``values`` (a unit column), stripped; ``""`` if none."""
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""
