"""Sweep-page small multiples: each KPI against one swept parameter, a line per setting of the
other swept parameters. A pure function from the sweep summary to a
:class:`~twin.report.svg_chart.Chart` (SVG written from numpy, no matplotlib).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from twin.report.fmt import display_scale, display_unit, unit_of
from twin.report.palette import MARKERS, PX_PER_PT, WIDTH_PX, clipped_errors, colour, first_text
from twin.report.svg_chart import Chart, LegendEntry


def sweep_figure(
    summary: pd.DataFrame,
    param: str,
    pairs: Sequence[tuple[str, str]],
    other_params: Sequence[str] = (),
) -> Chart:
    """Small multiples of KPI mean ± 95 % CI against one swept parameter, a line per setting
    of the other swept parameters. Input: network-level sweep summary rows."""
    ncols = 2 if len(pairs) > 1 else 1
    chart = Chart(WIDTH_PX, 2.5 * 96, ncols=ncols, title=f"KPIs against {param} (mean ± 95 % CI)")
    x_values = _ordered_values(summary[param])
    is_numeric = all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in x_values
    )
    position = {v: (float(v) if is_numeric else float(i)) for i, v in enumerate(x_values)}
    others = [p for p in other_params if p != param and summary[p].nunique(dropna=False) > 1]
    groups = (
        list(summary.groupby(others, sort=True, dropna=False, observed=True))
        if others
        else [((), summary)]
    )
    xticks = None
    if not is_numeric:
        xticks = [(float(i), str(v)) for i, v in enumerate(x_values)]
    elif len(x_values) <= 12:
        xticks = [(float(v), f"{v:g}") for v in x_values]
    for index, (kpi, stat) in enumerate(pairs):
        unit = unit_of(kpi, stat, first_text(summary.loc[summary["kpi"] == kpi, "unit"]))
        scale = display_scale(unit)
        ax = chart.panel(
            title=_panel_title(kpi, stat, unit),
            xlabel=_short(param) if index + ncols >= len(pairs) else "",
            xticks=xticks,
            title_size=9 * PX_PER_PT,
            tick_size=8 * PX_PER_PT,
            xtick_size=8 * PX_PER_PT,
        )
        for i, (_, group) in enumerate(groups):
            rows = group[(group["kpi"] == kpi) & (group["stat"] == stat)]
            rows = rows.assign(_x=rows[param].map(position)).sort_values("_x")
            if rows.empty:
                continue
            x = rows["_x"].to_numpy(float)
            y = rows["mean"].to_numpy(float) * scale
            err = clipped_errors(y, np.nan_to_num(rows["half_width"].to_numpy(float)) * scale, unit)
            ax.add("yerr", x=x, lo=y - err[0], hi=y + err[1], colour=colour(i), cap=3.3)
            ax.add("line", x=x, y=y, colour=colour(i), width=1.2)
            ax.add("markers", x=x, y=y, shape=MARKERS[i % len(MARKERS)], size=5.3, colour=colour(i))
        if xticks is not None and len(xticks) == 1:
            ax.xlim = (xticks[0][0] - 0.5, xticks[0][0] + 0.5)
    if others and len(groups) > 1:
        chart.legend = [
            LegendEntry(
                _group_label(others, key),
                colour(i),
                kind="marker",
                marker=MARKERS[i % len(MARKERS)],
                size=5.3,
            )
            for i, (key, _) in enumerate(groups)
        ]
        chart.legend_ncols = min(4, len(groups))
    return chart


def _panel_title(kpi: str, stat: str, unit: str) -> str:
    return textwrap.shorten(f"{kpi} {stat} ({display_unit(unit, 'count') or 'no unit'})", 62)


def _short(param: str) -> str:
    """The last part of a dotted override key (``formats.grocery.checkout.lanes`` -> lanes)."""
    return param.rsplit(".", 1)[-1]


def _ordered_values(values: pd.Series) -> list[Any]:
    unique = list(pd.unique(values.dropna()))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def _group_label(others: Sequence[str], key: Any) -> str:
    if not others:
        return "mean ± 95 % CI"
    values = key if isinstance(key, tuple) else (key,)
    if len(others) == 1:
        return f"{_short(others[0])}={values[0]}"
    return ", ".join(f"{p.rsplit('.', 1)[-1]}={v}" for p, v in zip(others, values, strict=False))
