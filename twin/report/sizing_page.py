"""What the sizing report shows, as plain data for the ``sizing.html.j2`` template.

``twin-size`` writes one recommendation per resource (pickers and each locker zone) at each
demand level, plus a confirmation on fresh seeds (docs/CONTRACTS.md, sizing.json). The page
puts those numbers first, then the curves with every demand level's recommendation marked.
"""

from __future__ import annotations

import json
import math
from typing import Any

from twin.report.embed import figure_to_svg
from twin.report.fmt import format_estimate, format_number, unit_of
from twin.report.load import SizingData, is_missing
from twin.report.plots_sweep import sizing_figure
from twin.report.tables import Cell, Table, key_value_table, text


def sizing_context(data: SizingData) -> dict[str, Any]:
    sizing = data.sizing
    curve = data.curve
    resource = sizing.get("resource")
    if not resource and curve is not None and len(curve):
        resource = str(curve["resource"].iloc[0])
    by_scale = recommendations_by_scale(sizing)
    context: dict[str, Any] = {
        "source": str(data.path.resolve()),
        "resource": str(resource or "resource"),
        "store": str(sizing.get("store") or ""),
        "cards": _cards(sizing),
        "headline": _headline(sizing),
        "by_scale_table": _by_scale_table(by_scale),
        "confirmation": confirmation_sentences(sizing),
        "overrides": [str(o) for o in sizing.get("overrides") or []],
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
            kpi_resource = str(curve.loc[curve["kpi"] == kpi, "resource"].iloc[0])
            marks = _marks(by_scale, kpi_resource, sizing.get("recommendation"))
            fig = sizing_figure(curve, kpi, marks)
            alt = f"{kpi} against {kpi_resource} capacity"
            context["figures"].append({"alt": alt, "svg": figure_to_svg(fig, f"f{i}", alt)})
        context["curve_table"] = _curve_table(curve)
    return context


def recommended_capacity(recommendation: Any) -> float | None:
    """A single recommended capacity: the number itself, or its ``capacity`` entry."""
    if isinstance(recommendation, dict):
        recommendation = recommendation.get("capacity")
    if isinstance(recommendation, bool) or not isinstance(recommendation, (int, float)):
        return None
    value = float(recommendation)
    return value if math.isfinite(value) else None


def recommendations_by_scale(sizing: dict[str, Any]) -> dict[float, dict[str, int | None]]:
    """``{demand scale: {resource: capacity or None}}`` from ``by_demand_scale`` (or the single
    ``recommendation`` at ``demand_scale``)."""
    found: dict[float, dict[str, int | None]] = {}
    by_scale = sizing.get("by_demand_scale")
    if isinstance(by_scale, dict):
        for scale, rec in by_scale.items():
            if isinstance(rec, dict):
                found[float(scale)] = _in_order(
                    {str(k): _capacity(v) for k, v in rec.items()}, sizing
                )
    rec = sizing.get("recommendation")
    if not found and isinstance(rec, dict) and "capacity" not in rec:
        found[float(sizing.get("demand_scale") or 1.0)] = {
            str(k): _capacity(v) for k, v in rec.items()
        }
    return dict(sorted(found.items()))


def resource_label(resource: str, capacity: int | None = None) -> str:
    """``pickers`` or ``ambient locker compartments`` (``1 picker`` in the singular)."""
    if resource == "pickers":
        return "picker" if capacity == 1 else "pickers"
    if resource.startswith("lockers."):
        zone = resource.split(".", 1)[1]
        noun = "compartment" if capacity == 1 else "compartments"
        return f"{zone} locker {noun}"
    return resource


def confirmation_sentences(sizing: dict[str, Any]) -> list[dict[str, Any]]:
    """One sentence per resource: does the recommendation hold on fresh seeds, and does one
    unit less fail?"""
    conf = sizing.get("confirmation")
    if not isinstance(conf, dict) or not isinstance(conf.get("at_recommendation"), dict):
        return []
    raw_targets = sizing.get("targets")
    targets: dict[str, Any] = raw_targets if isinstance(raw_targets, dict) else {}
    fails = set(conf.get("one_less_fails") or [])
    sentences = []
    for name, est in conf["at_recommendation"].items():
        if not isinstance(est, dict):
            continue
        capacity = _capacity(est.get("capacity"))
        kpi = str(est.get("kpi") or "")
        unit = unit_of(kpi)
        value = format_estimate(est.get("mean"), est.get("half_width"), unit)
        target = _target_text(targets.get(kpi, ""), kpi)
        ok = bool(est.get("mean_meets_target", est.get("meets_target")))
        what = f"{format_number(capacity)} {resource_label(name, capacity)}"
        verb = "also meet" if ok else "miss"
        if capacity == 1:
            verb = "also meets" if ok else "misses"
        sentence = f"{what} {verb} the target on fresh seeds ({kpi} {value}; target {target})."
        if not est.get("meets_target") and ok:
            sentence += " The mean meets it; the interval is not yet clear of it."
        if name in fails:
            sentence += " One less fails."
        sentences.append({"text": sentence, "ok": ok})
    return sentences


def _in_order(rec: dict[str, int | None], sizing: dict[str, Any]) -> dict[str, int | None]:
    """Resources in the order twin-size sized them (``resources``: pickers first)."""
    order = [str(r) for r in sizing.get("resources") or []]
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(rec.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def _target_text(target: Any, kpi: str) -> str:
    """``">= 0.95"`` for a fraction KPI as ``≥ 95 %``; anything else unchanged."""
    op, _, number = str(target).partition(" ")
    symbol = {">=": "≥", "<=": "≤"}.get(op)
    try:
        value = float(number)
    except ValueError:
        return str(target)
    if symbol is None:
        return str(target)
    return f"{symbol} {format_estimate(value, None, unit_of(kpi))}"


def _capacity(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or is_missing(value):
        return None
    return int(value)


def _marks(
    by_scale: dict[float, dict[str, int | None]], resource: str, recommendation: Any
) -> dict[float, float]:
    """The recommended capacity of ``resource`` at each demand scale, to draw on its curve."""
    marks = {
        scale: float(capacity)
        for scale, rec in by_scale.items()
        if (capacity := rec.get(resource)) is not None
    }
    single = recommended_capacity(recommendation)
    if not marks and single is not None:
        marks = {1.0: single}
    return marks


def _today(sizing: dict[str, Any]) -> dict[str, int | None]:
    rec = sizing.get("recommendation")
    if isinstance(rec, dict) and "capacity" not in rec:
        return _in_order({str(k): _capacity(v) for k, v in rec.items()}, sizing)
    single = recommended_capacity(rec)
    name = str(sizing.get("resource") or "capacity")
    return {name: None if single is None else int(single)} if rec is not None else {}


def _cards(sizing: dict[str, Any]) -> list[dict[str, str]]:
    """One card per resource at today's demand: the recommended capacity as a number."""
    cards = []
    for name, capacity in _today(sizing).items():
        cards.append(
            {
                "resource": name,
                "name": f"Recommended {resource_label(name)}",
                "value": "none" if capacity is None else str(capacity),
                "meta": "no capacity tried met the target"
                if capacity is None
                else "smallest that meets the target with confidence",
            }
        )
    return cards


def _headline(sizing: dict[str, Any]) -> str:
    today = _today(sizing)
    if not today:
        return "No capacity tried met every target."
    shown = [
        f"{capacity} {resource_label(name, capacity)}"
        for name, capacity in today.items()
        if capacity is not None
    ]
    missing = [resource_label(name) for name, capacity in today.items() if capacity is None]
    store = f"Store {sizing['store']}" if sizing.get("store") else "The store"
    scale = sizing.get("demand_scale")
    at = f" at demand × {format_number(scale)}" if scale is not None else ""
    text_ = f"{store} needs {_join(shown)}{at}." if shown else ""
    if missing:
        text_ += f" No capacity tried met the target for {_join(missing)}."
    return text_.strip()


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _by_scale_table(by_scale: dict[float, dict[str, int | None]]) -> Table:
    if not by_scale:
        return Table([])
    resources = list(dict.fromkeys(r for rec in by_scale.values() for r in rec))
    table = Table(
        ["Demand", *(resource_label(r) for r in resources)],
        caption="Recommended capacity at each demand level (× today's order volume)",
        numeric_from=1,
    )
    for scale, rec in by_scale.items():
        cells = [Cell(f"× {format_number(scale)}", "key")]
        cells += [
            Cell("none" if rec.get(r) is None else str(rec[r]), "num" if rec.get(r) else "num bad")
            for r in resources
        ]
        table.rows.append(cells)
    return table


def _targets_table(targets: Any) -> Table:
    if isinstance(targets, dict):
        pairs = [(str(k), _target_text(_plain(v), str(k))) for k, v in sorted(targets.items())]
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
