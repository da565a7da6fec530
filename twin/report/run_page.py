"""What the run report shows, as plain data for the ``run.html.j2`` template."""

from __future__ import annotations

import itertools
import json
import re
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import pandas as pd

from twin.core.forked import fork_child, send_and_exit
from twin.report.embed import figure_to_svg
from twin.report.fmt import (
    domain_of,
    format_number,
    headline_stat,
    unit_of,
)
from twin.report.glance import (
    currency_symbol,
    label_of,
    lead_time_frame,
    off_target,
    readable,
)
from twin.report.load import RunData, is_missing
from twin.report.plots_glance import lead_time_figure, load_heatmap_figure, plan_figure
from twin.report.plots_map import network_map_figure
from twin.report.plots_run import SERIES_ORDER, percentile_figure, timeseries_figure
from twin.report.run_tables import (
    SummaryRow,
    domain_tables,
    group_rows,
    network_rows,
    stages_table,
    summary_rows,
)
from twin.report.tables import Table, key_value_table

MAX_CARDS = 12
# Cards for these come first, in this order; the rest follow, taking turns across domains.
CARD_PRIORITY = (
    "checkout.wait_s",
    "store.shoppers_n",
    "store.time_in_store_s",
    "checkout.balked_frac",
    "checkout.reneged_frac",
    "checkout.lane_utilisation_frac",
    "store.revenue_money",
    "pickup.ready_within_promise_frac",
    "locker.overflow_frac",
    "delivery.lead_time_s",
    "drone.utilisation_frac",
    "coldchain.shelf_life_left_frac",
)
RUN_FILES = (
    "config.yaml", "kpis.parquet", "summary.parquet", "timeseries.parquet", "network.json",
    "meta.json",
)  # fmt: skip
_RANGE_KEY = re.compile(r"(range|radius)(_[a-z]+)*_(km|m)$")
# A run whose summary has more rows than this gets its figures drawn in a forked child while
# this process builds the tables (twin.core.forked; the page is the same): a national day's
# 123,000 rows take ~0.5 s of tables and ~0.6 s of figures. Below it both take hundredths of a
# second, less than a fork costs.
SPLIT_ROWS = 20_000
FIGURES_KEY = ("run report figures",)
FIGURES_WAIT_S = 600.0  # the child draws what this process would draw: no reason to give up soon


def run_context(data: RunData) -> dict[str, Any]:
    meta = data.meta if isinstance(data.meta, dict) else {}
    summary = data.summary
    flags = off_target(summary) if summary is not None else []
    # a large run's figures drawn beside its tables (see SPLIT_ROWS)
    split = summary is not None and len(summary) > SPLIT_ROWS
    child = fork_child(partial(_figures_in_child, data, flags)) if split else None
    try:
        context = _context(data, meta, flags)
        drawn = child.take(FIGURES_KEY, FIGURES_WAIT_S) if child is not None else None
    finally:  # a failure here leaves no child behind
        if child is not None:
            child.close()
    context.update(drawn if drawn is not None else figure_parts(data, flags))
    return context


def _context(data: RunData, meta: dict[str, Any], flags: list[dict[str, Any]]) -> dict[str, Any]:
    """The page but its figures: facts, cards, tables."""
    summary = data.summary
    rows = summary_rows(summary) if summary is not None else []
    currency = currency_symbol(data.config)
    context: dict[str, Any] = {
        "scenario": data.scenario,
        "source": str(data.path.resolve()),
        "status": str(meta.get("status") or "unknown"),
        "error": _error(meta.get("error")),
        "facts": _facts(data, meta),
        "missing": [name for name in RUN_FILES if not (data.path / name).is_file()],
        "cards": _cards(rows, currency),
        "n_headline_kpis": len({r.kpi for r in network_rows(rows)}),
        "off_target": flags,
        "off_target_stores": list(
            dict.fromkeys(f["store"] for f in flags if f["store"] != "network")
        ),
        "summary_present": summary is not None,
        "domains": domain_tables(rows),
        "config_text": data.config_text,
        "provenance": _provenance(data, meta),
    }
    return context


def figure_parts(data: RunData, flags: list[dict[str, Any]]) -> dict[str, Any]:
    """The page's figures (SVG, numbered in page order) and the lead-time table."""
    summary = data.summary
    figures = _Figures()
    parts: dict[str, Any] = {
        "lead_time": None,
        "lead_time_table": Table([]),
        "load_heatmap": None,
        "plan": None,
        "timeseries": [],
        "distributions": [],
        "network_map": None,
    }
    if summary is not None:
        stages = lead_time_frame(summary)
        if len(stages):
            flagged = {f["store"] for f in flags}
            fig = lead_time_figure(stages, flagged)
            parts["lead_time"] = figures.add(fig, "Where an order's lead time goes, by store")
            parts["lead_time_table"] = stages_table(stages)
    if data.timeseries is not None and len(data.timeseries):
        heat = load_heatmap_figure(data.timeseries)
        if heat is not None:
            parts["load_heatmap"] = figures.add(heat, "Load by resource and hour")
        # each series' rows picked once (not a mask over every series' rows per figure)
        by_series = {
            str(k): frame
            for k, frame in data.timeseries.groupby("series", sort=False, observed=True)
        }
        for series in sorted(by_series, key=_series_rank):
            fig = timeseries_figure(by_series[series], series)
            parts["timeseries"].append(figures.add(fig, f"{series} by time of day"))
    if data.plan is not None and len(data.plan):
        fig = plan_figure(data.plan, data.timeseries)
        parts["plan"] = figures.add(fig, "Staffing plan against demand")
    if summary is not None:
        for kpi in _distribution_kpis(summary):
            fig = percentile_figure(summary, kpi)
            parts["distributions"].append(figures.add(fig, f"{kpi} distribution by store"))
    if data.network and (data.network.get("stores") or data.network.get("zones")):
        fig = network_map_figure(data.network, drone_ranges_km(data.config))
        parts["network_map"] = figures.add(fig, "Map of stores and customer zones")
    return parts


def _figures_in_child(data: RunData, flags: list[dict[str, Any]], conn: Connection) -> None:
    send_and_exit(conn, FIGURES_KEY, lambda: figure_parts(data, flags))


class _Figures:
    """Numbers the figures of one page so their SVG ids never clash."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, fig: Any, alt: str) -> dict[str, Any]:
        self.count += 1
        return {"alt": alt, "svg": figure_to_svg(fig, f"f{self.count}", alt)}


def drone_ranges_km(config: dict[str, Any]) -> dict[str, float]:
    """Drone ranges found in the config: ``{format: km}``; key ``"*"`` when not per format.

    Any key like ``range_km``, ``max_range_km`` or ``radius_m`` under a path mentioning
    ``drone`` counts; a path under ``formats.<name>`` applies to that store format only.
    """
    found: dict[str, float] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
            return
        if not path or not any("drone" in part for part in path):
            return
        match = _RANGE_KEY.search(path[-1])
        if not match or isinstance(node, bool) or not isinstance(node, (int, float)):
            return
        km = float(node) / (1000.0 if match.group(3) == "m" else 1.0)
        if km <= 0:
            return
        fmt = path[1] if path[0] == "formats" and len(path) > 2 else "*"
        found.setdefault(fmt, km)

    walk(config, ())
    return found


def _facts(data: RunData, meta: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [("Scenario", data.scenario), ("Status", str(meta.get("status") or "unknown"))]
    reps = meta.get("replications")
    if reps is None and data.summary is not None and len(data.summary):
        reps = int(data.summary["n_reps"].max())
    if reps is not None:
        facts.append(("Replications", str(reps)))
    if meta.get("seed") is not None:
        facts.append(("Seed", str(meta["seed"])))
    if data.network:
        facts.append(("Stores", str(len(data.network.get("stores") or []))))
        facts.append(("Zones", str(len(data.network.get("zones") or []))))
    if not is_missing(meta.get("wall_time_s")):
        facts.append(("Wall time", f"{format_number(meta['wall_time_s'])} s"))
    return facts


def _error(error: Any) -> dict[str, str] | None:
    if not error:
        return None
    if isinstance(error, dict):
        return {
            "type": str(error.get("type") or "Error"),
            "message": str(error.get("message") or ""),
            "traceback": str(error.get("traceback") or ""),
        }
    return {"type": "Error", "message": str(error), "traceback": ""}


def _cards(rows: list[SummaryRow], currency: str = "$") -> list[dict[str, Any]]:
    cards = []
    for kpi, group in group_rows(network_rows(rows), lambda r: r.kpi).items():
        stats = {r.stat: r for r in group}
        stat = headline_stat(list(stats))
        row = stats[stat]
        if is_missing(row.mean):
            continue
        unit = unit_of(kpi, stat, row.unit)
        n_reps = None if is_missing(row.n_reps) else int(float(row.n_reps))
        shown = readable(row.mean, row.half_width, unit, currency)
        extra = ""
        if "p90" in stats and stat != "p90":
            p90 = readable(stats["p90"].mean, None, unit, currency)
            extra = f"90th percentile {p90['value']} {p90['unit']}".rstrip()
        cards.append(
            {
                "kpi": kpi,
                "stat": stat,
                "label": label_of(kpi),
                "value": shown["value"],
                "unit": shown["unit"],
                "half_width": shown["interval"],
                "n_reps": n_reps,
                "extra": extra,
            }
        )
    first = [c for kpi in CARD_PRIORITY for c in cards if c["kpi"] == kpi]
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        if card["kpi"] not in CARD_PRIORITY:
            by_domain.setdefault(domain_of(str(card["kpi"])), []).append(card)
    rest = [c for turn in itertools.zip_longest(*by_domain.values()) for c in turn if c]
    return (first + rest)[:MAX_CARDS]


DISTRIBUTION_FIRST = (
    "checkout.wait_s",
    "store.time_in_store_s",
    "pickup.customer_wait_s",
    "pickup.order_to_ready_s",
    "picking.wait_s",
    "delivery.lead_time_s",
    "delivery.dispatch_wait_s",
    "jwo.gate_wait_s",
)
MAX_DISTRIBUTIONS = 8


def _distribution_kpis(summary: pd.DataFrame) -> list[str]:
    """Time KPIs (``*_s``) with percentiles, at most MAX_DISTRIBUTIONS (the page's weight):
    the customer- and order-facing ones first, then alphabetically. All are in the tables."""
    percentiles = summary[summary["stat"].isin(["p50", "p90", "p95"])]
    kpis = sorted({str(k) for k in percentiles["kpi"] if str(k).endswith("_s")})
    rank = {k: i for i, k in enumerate(DISTRIBUTION_FIRST)}
    ordered = sorted(kpis, key=lambda k: (rank.get(k, len(rank)), k))
    return ordered[:MAX_DISTRIBUTIONS]


def _series_rank(series: str) -> tuple[int, str]:
    return (
        (SERIES_ORDER.index(series), "") if series in SERIES_ORDER else (len(SERIES_ORDER), series)
    )


def _provenance(data: RunData, meta: dict[str, Any]) -> Table:
    pairs: list[tuple[str, Any]] = [("Run folder", str(data.path.resolve()))]
    known = (
        "status",
        "scenario",
        "seed",
        "replications",
        "git_sha",
        "wall_time_s",
        "started_at",
        "finished_at",
    )
    for key in known:
        if key in meta:
            value = meta[key]
            if key == "wall_time_s" and not is_missing(value):
                value = f"{format_number(value)} s"
            pairs.append((key, "–" if value is None else value))
    overrides = meta.get("overrides")
    if overrides is not None:
        pairs.append(
            (
                "overrides",
                " ".join(str(o) for o in overrides)
                if isinstance(overrides, list)
                else json.dumps(overrides, sort_keys=True),
            )
        )
    versions = meta.get("versions")
    if isinstance(versions, dict):
        pairs.append(("versions", ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))))
    for key in sorted(meta):
        if key not in (*known, "overrides", "versions", "error"):
            value = meta[key]
            pairs.append(
                (key, value if isinstance(value, str) else json.dumps(value, sort_keys=True))
            )
    return key_value_table(pairs)
