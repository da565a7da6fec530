"""Shared helpers for tests: configs in which queueing theory gives the answer."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

import twin
from twin.domain.registry import KPI_DOMAINS, whole_log
from twin.model import run_region

FLAT_24H = "[" + ",".join(["1"] * 24) + "]"
SAME_EVERY_DAY = "[1,1,1,1,1,1,1]"
# Reduced configurations keep their configured capacities: the planner (twin.plan) is off.
PLANNER_FIXED = [
    "planner.lanes.mode=fixed",
    "planner.pickers.mode=fixed",
    "planner.fleet.mode=fixed",
]
# ... and every pickup order is promised promise_s after ordering: no booked windows.
EXPRESS_ONLY = ["orders.pickup.slots.share=0", "orders.pickup.slots.express=always"]


def poisson_store_overrides(
    arrivals_per_h: float,
    replications: int,
    warmup_s: float = 7200.0,
    days: int = 1,
    fmt: str = "grocery",
) -> list[str]:
    """One store of format ``fmt`` open around the clock with a constant Poisson arrival rate."""
    other_format = [] if fmt == "grocery" else ["+network.format_overrides.S01=" + fmt]
    return [
        "network=single_store",
        *PLANNER_FIXED,
        *other_format,
        f"run.replications={replications}",
        f"run.warmup_s={warmup_s}",
        f"run.days={days}",
        f"formats.{fmt}.open_hour=0",
        f"formats.{fmt}.close_hour=24",
        f"formats.{fmt}.demand_scale=1",
        f"demand.weekday_hour_shares={FLAT_24H}",
        f"demand.weekend_hour_shares={FLAT_24H}",
        f"demand.day_factors={SAME_EVERY_DAY}",
        f"demand.daily_shoppers_per_store={arrivals_per_h * 24}",
    ]


def exponential_checkout_overrides(mean_service_s: float, lanes: int) -> list[str]:
    """Staffed lanes only, one shared line, exponential service, no balking or reneging."""
    g = "formats.grocery.checkout"
    return [
        f"{g}.lanes={lanes}",
        f"{g}.discipline=shared",
        f"{g}.sco_kiosks=0",
        f"{g}.sco_share=0",
        f"{g}.balking.enabled=false",
        f"{g}.reneging.enabled=false",
        f"{g}.staffed.fixed_s={{kind:exponential,mean:{mean_service_s}}}",
        f"{g}.staffed.per_item_s={{kind:fixed,mean:0}}",
        f"{g}.staffed.payment_s={{kind:fixed,mean:0}}",
        "demand.browse_fixed_s={kind:fixed,mean:0}",
        "demand.browse_per_item_s={kind:fixed,mean:0}",
    ]


def kpi_values(
    result: twin.SimulationResult, kpi: str, stat: str = "mean", store: str = "all"
) -> pd.Series:
    """Per-replication values of one KPI for the first region."""
    rows = result.kpis
    region = rows["region"].iloc[0]
    match = rows[
        (rows["kpi"] == kpi)
        & (rows["stat"] == stat)
        & (rows["store"] == store)
        & (rows["region"] == region)
    ]
    return match.set_index("replication")["value"]


def region_with_whole_logs(config: Any, region: Any, replication: int = 0) -> Any:
    """``twin.model.run_region`` keeping the logs (``keep_logs``), each whole: not trimmed to
    what the network's rows read (``KpiDomain.trim`` leaves out columns no KPI reads)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, domain in list(KPI_DOMAINS.items()):
            patch.setitem(KPI_DOMAINS, name, dataclasses.replace(domain, trim=whole_log))
        return run_region(config, region, replication, keep_logs=True)
