"""Per-entity records are optional, and agree with the KPIs when asked for."""

from __future__ import annotations

import pytest

import twin

pytestmark = pytest.mark.unit


def test_records_are_off_by_default() -> None:
    assert twin.simulate(twin.load_config(["network=single_store"])).records == {}


def test_records_hold_one_row_per_visit_and_order() -> None:
    result = twin.simulate(twin.load_config(["network=single_store", "run.records=true"]))
    visits = result.records["checkout"]
    orders = result.records["orders"]
    kpi = result.kpis.set_index(["store", "kpi", "stat"])["value"]
    assert (
        len(visits) == kpi[("all", "checkout.wait_s", "n")] + (visits["outcome"] != 0).sum()
    )  # served visits + balked/reneged
    assert len(orders) == kpi[("all", "orders.n", "total")]
    assert set(visits["store"]) == {"S01"}
    assert {"scenario", "replication", "region", "store", "arrive_s", "end_s"} <= set(visits)
