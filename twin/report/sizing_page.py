"""What the sizing report shows, as plain data for the ``sizing.html.j2`` template."""

from __future__ import annotations

import json
import math
from typing import Any

from twin.report.embed import figure_to_svg
from twin.report.fmt import format_estimate, format_number, unit_of
from twin.report.load import SizingData, is_missing
from twin.report.plots import sizing_figure
from twin.report.tables import Cell, Table, key_value_table, text


def sizing_context(data: SizingData) -> dict[str, Any]:
    sizing = data.sizing
    curve = data.curve
    resource = sizing.get("resource")
    if not resource and curve is not None and len(curve):
        resource = str(curve["resource"].iloc[0])
    recommended = recommended_capacity(sizing.get("recommendation"))
    context: dict[str, Any] = {
        "source": str(data.path.resolve()),
        "resource": str(resource or "resource"),
        "recommendation": _recommendation_text(sizing.get("recommendation")),
        "recommendation_table": _recommendation_table(sizing.get("recommendation")),
        "targets": _targets_table(sizing.get("targets")),
        "figures": [],
        "curve_table": Table([]),
        "sizing_json": json.dumps(sizing, indent=2, sort_keys=True, default=str),
        "has_curve": curve is not None,
    }
    if curve is not None and len(curve):
        with_target = {str(k) for k in curve.loc[curve["target"].notna(), "kpi"]}
        kpis = sorted({str(k) for k in curve["kpi"]}, key=lambda k: (k not in with_target, k))
        for i, kpi in enumerate(kpis, start=1):
            fig = sizing_figure(curve, kpi, recommended)
            alt = f"{kpi} against {context['resource']} capacity"
            context["figures"].append({"alt": alt, "svg": figure_to_svg(fig, f"f{i}", alt)})
        context["curve_table"] = _curve_table(curve)
    return context


def recommended_capacity(recommendation: Any) -> float | None:
    """The capacity to mark on the curves: the number itself, or its ``capacity`` entry."""
    if isinstance(recommendation, dict):
        recommendation = recommendation.get("capacity")
    if isinstance(recommendation, bool) or not isinstance(recommendation, (int, float)):
        return None
    value = float(recommendation)
    return value if math.isfinite(value) else None


def _recommendation_text(recommendation: Any) -> str:
    if recommendation is None:
        return "none"
    if isinstance(recommendation, dict):
        capacity = recommendation.get("capacity")
        return "–" if capacity is None else format_number(capacity)
    if isinstance(recommendation, (int, float)) and not isinstance(recommendation, bool):
        return format_number(recommendation)
    return str(recommendation)


def _recommendation_table(recommendation: Any) -> Table:
    if not isinstance(recommendation, dict):
        return Table([])
    return key_value_table([(str(k), _plain(v)) for k, v in sorted(recommendation.items())])


def _targets_table(targets: Any) -> Table:
    if isinstance(targets, dict):
        pairs = [(str(k), _plain(v)) for k, v in sorted(targets.items())]
    elif isinstance(targets, list):
        pairs = [(str(i + 1), _plain(v)) for i, v in enumerate(targets)]
    elif targets is None:
        return Table([])
    else:
        pairs = [("target", _plain(targets))]
    return key_value_table(pairs)


def _curve_table(curve: Any) -> Table:
    table = Table(
        ["KPI", "Demand scale", "Capacity", "Mean ± 95 % CI", "n reps", "Target", "Meets target"],
        caption="Every point tried",
        numeric_from=1,
    )
    ordered = curve.sort_values(["kpi", "demand_scale", "capacity"], kind="mergesort")
    for r in ordered.itertuples(index=False):
        kpi = str(r.kpi)
        unit = unit_of(kpi)
        meets = None if is_missing(r.meets_target) else bool(r.meets_target)
        table.rows.append(
            [
                Cell(kpi, "key"),
                Cell(format_number(r.demand_scale), "num"),
                Cell(format_number(r.capacity), "num"),
                Cell(format_estimate(r.mean, r.half_width, unit), "num"),
                Cell("–" if is_missing(r.n_reps) else str(int(r.n_reps)), "num"),
                Cell(format_estimate(r.target, None, unit), "num"),
                text(
                    "–" if meets is None else ("✓ yes" if meets else "✗ no"),
                    "num" if meets in (True, None) else "num bad",
                ),
            ]
        )
    return table


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)
