"""The tills' log: named arrays per visit plus lane and kiosk rosters, pooled exactly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import twin
from tests.support import region_with_whole_logs
from twin.core.arrivals import DAY_S
from twin.domain.registry import FORMATS, KPI_DOMAINS
from twin.domain.stores.checkout import SERVED, VISIT_COLUMNS, CheckoutLog
from twin.domain.stores.grocery_kpis import grocery_kpis
from twin.domain.stores.staffing import roster
from twin.kpi.catalog import KpiRows
from twin.network.build import build_network

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def two_stores() -> list[CheckoutLog]:
    """A day of two grocery stores' tills, each store's log on its own (whole: not only the
    columns a region hands over for the network's rows, KpiDomain.trim)."""
    config = twin.load_config(
        ["network=metro", "network.n_stores=2", "network.n_zones=4", "orders.enabled=false"]
    )
    region = build_network(config.network, FORMATS.keys()).regions[0]
    logs: list[CheckoutLog] = region_with_whole_logs(config, region).logs["checkout"]
    return logs


def _kpis(log: CheckoutLog) -> dict[str, float]:
    rows = KpiRows()
    grocery_kpis(rows, log, (0.0, DAY_S))
    return {f"{kpi}/{stat}": value for kpi, stat, value, _unit in rows.rows}


def test_a_visit_has_a_named_array_per_field_in_the_order_shoppers_left(
    two_stores: list[CheckoutLog],
) -> None:
    names = [f.name for f in dataclasses.fields(CheckoutLog)]
    assert names[1 : 1 + len(VISIT_COLUMNS)] == list(VISIT_COLUMNS)
    for log in two_stores:
        n = log.shopper.size
        assert n > 100
        assert all(getattr(log, name).shape == (n,) for name in VISIT_COLUMNS)
        assert log.shopper.dtype == np.int64 and np.unique(log.shopper).size == n
        np.testing.assert_array_equal(log.arrive_s, log.arrivals_s[log.shopper])
        assert np.all(np.diff(log.end_s) >= 0)  # appended as each visit ended
        assert np.all((log.join_s <= log.start_s) & (log.start_s <= log.end_s))
        assert np.all(log.revenue[log.outcome != SERVED] == 0)
        for rows in (log.lane_roster, log.kiosk_roster, log.overtime_roster):
            assert rows.ndim == 2 and rows.shape[1] == 3


def test_pooled_labour_cost_is_each_stores_hours_at_its_own_rate(
    two_stores: list[CheckoutLog],
) -> None:
    first, second = two_stores
    dearer = dataclasses.replace(second, lane_roster=second.lane_roster * [1.0, 1.0, 2.0])
    each = [_kpis(log)["checkout.labour_cost_money/total"] for log in (first, dearer)]
    pooled = _kpis(CheckoutLog.concat([first, dearer]))
    assert pooled["checkout.labour_cost_money/total"] == pytest.approx(sum(each), rel=1e-12)
    # One rate: lane hours x the rate, the same float as a single store's
    lane_h = pooled["checkout.lane_h/total"]
    same_rate = _kpis(KPI_DOMAINS["checkout"].concat(two_stores))
    assert same_rate["checkout.labour_cost_money/total"] == lane_h * 18.0


def test_a_roster_follows_a_plan_over_the_horizon() -> None:
    # two days, open 8-10; the plan gives 1, 2 lanes on day 0 and 3, 0 on day 1
    plan = [0] * 48
    plan[8], plan[9], plan[24 + 8] = 1, 2, 3
    rows = roster(2 * DAY_S, range(8, 10), plan, 99, 18.0)
    starts = (rows[:, 0] / 3600.0).tolist()
    assert starts == [8.0, 9.0, 9.0, 32.0, 32.0, 32.0]
    assert np.all(rows[:, 1] - rows[:, 0] == 3600.0) and np.all(rows[:, 2] == 18.0)
    # 24 values: every day alike; none: the flat count
    assert roster(2 * DAY_S, range(8, 10), plan[:24], 99).shape == (6, 3)
    assert roster(DAY_S, range(8, 10), None, 2).shape == (4, 3)


def test_the_hand_over_leaves_out_the_columns_no_kpi_reads(
    two_stores: list[CheckoutLog],
) -> None:
    """A region hands over less (a national day's tills: 1.4 M rows), the same KPIs."""
    for log in two_stores:
        handed = KPI_DOMAINS["checkout"].trim(log, (0.0, DAY_S))
        assert handed.revenue.size == handed.units.size == handed.arrivals_s.size == 0
        assert handed.join_s.size == log.join_s.size > 100
        assert _kpis(handed) == _kpis(log)
