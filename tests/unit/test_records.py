"""Per-entity records are optional, follow docs/DATA.md, and agree with the KPIs."""

from __future__ import annotations

import pytest

import twin
from twin.data.schema import TABLES

pytestmark = pytest.mark.unit


def test_records_are_off_by_default() -> None:
    assert twin.simulate(twin.load_config(["network=single_store"])).records == {}


def test_records_hold_every_shopper_every_order_and_the_rosters() -> None:
    result = twin.simulate(twin.load_config(["network=single_store", "run.records=true"]))
    visits = result.records["visits"]
    orders = result.records["orders"]
    kpi = result.kpis.set_index(["store", "kpi", "stat"])["value"]
    assert len(visits) == kpi[("all", "store.shoppers_n", "total")]  # every arrival
    served = visits["outcome"] == "served"
    assert served.sum() == kpi[("all", "checkout.wait_s", "n")]
    assert set(visits["outcome"]) <= set(TABLES["visits"].column("outcome").categories)
    inside = visits["outcome"] == "inside"
    assert visits.loc[inside, "leave"].isna().all()
    assert visits.loc[~inside, "leave"].notna().all()
    assert len(orders) == kpi[("all", "orders.n", "total")]
    assert set(visits["store"]) == {"S01"}
    assert str(visits["arrival"].dt.tz) == "UTC"
    for name, frame in result.records.items():
        assert set(TABLES[name].names) <= set(frame.columns), name
    rosters = result.records["rosters"]
    lane_hours = (rosters["end"] - rosters["start"]).dt.total_seconds() / 3600 * rosters["level"]
    staffed = rosters["resource"] == "staffed_lanes"
    assert lane_hours[staffed].sum() == pytest.approx(kpi[("all", "checkout.lane_h", "total")])
