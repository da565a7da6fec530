"""Issue 15 behaviour: closing as stores run it, calibrated balking / patience / self-checkout
share, cold staging, freshest-first picking, and durations that are not cut off by the end."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import twin
from tests.support import FLAT_24H, region_with_whole_logs
from twin.config.checkout import CheckoutConfig, RenegingConfig
from twin.config.coldchain import ColdChainConfig
from twin.core.arrivals import DAY_S
from twin.core.sampling import block_drawer
from twin.domain.online.lockers import LockerLog
from twin.domain.online.lockers_kpis import lockers_kpis
from twin.domain.registry import FORMATS, KPI_DOMAINS
from twin.domain.stores.checkout import (
    BALKED,
    RENEGED_OUTCOME,
    SELF_CHECKOUT,
    SERVED,
)
from twin.domain.stores.shopper_choices import balk_probabilities, sco_choices
from twin.kpi.catalog import KpiRows
from twin.kpi.censoring import km_restricted_mean
from twin.model import run_region
from twin.network.build import build_network

pytestmark = pytest.mark.xdist_group("single_store_day")
G = "formats.grocery"


def _day(overrides: list[str]):  # type: ignore[no-untyped-def]
    config = twin.load_config(["network=single_store", "orders.enabled=false", *overrides])
    region = build_network(config.network, FORMATS.keys()).regions[0]
    result = region_with_whole_logs(config, region)  # whole: shoppers, arrivals
    checkout = KPI_DOMAINS["checkout"].concat(result.logs["checkout"])
    kpis = {(kpi, stat): value for _, store, kpi, stat, value, _ in result.rows if store == "all"}
    return config, checkout, kpis


@pytest.fixture(scope="module")
def closing_day():  # type: ignore[no-untyped-def]
    # Patience off: after the fix every shopper who does not balk is served, also after close.
    # Lanes fixed all day (the planner off), so lane-hours = lanes x opening hours + overtime.
    return _day([f"{G}.checkout.reneging.enabled=false", "planner.lanes.mode=fixed"])


def test_everyone_inside_at_closing_time_is_served(closing_day) -> None:  # type: ignore[no-untyped-def]
    config, log, kpis = closing_day
    close_s = config.formats.grocery.close_hour * 3600.0
    assert log.shopper.size == log.arrivals_s.size  # everyone reached the tills and left them
    assert np.all(np.isin(log.outcome, [SERVED, BALKED]))  # no patience: nobody reneged
    after_close = log.start_s > close_s
    assert np.count_nonzero(after_close & (log.outcome == SERVED)) > 0
    assert kpis[("store.still_inside_n", "total")] == 0


def test_lanes_stay_open_until_the_store_is_empty_and_overtime_is_paid(closing_day) -> None:  # type: ignore[no-untyped-def]
    config, log, kpis = closing_day
    last_leave_s = float(log.end_s.max())
    close_s = config.formats.grocery.close_hour * 3600.0
    assert last_leave_s > close_s
    overtime = log.overtime_roster
    assert overtime.size and np.all(overtime[:, 0] == close_s)
    assert overtime[:, 1].max() == pytest.approx(last_leave_s)  # the last lane closes with them
    kiosk_ends = log.kiosk_roster[:, 1]
    assert kiosk_ends.max() == pytest.approx(last_leave_s)  # self-checkout closes with them too
    # nobody is served after everyone left, and every service ends on a lane that was open
    assert np.all(log.end_s <= last_leave_s)
    hours = config.formats.grocery.close_hour - config.formats.grocery.open_hour
    overtime_h = float(np.sum(overtime[:, 1] - overtime[:, 0])) / 3600.0
    lanes = config.formats.grocery.checkout.lanes
    assert kpis[("checkout.overtime_lane_h", "total")] == pytest.approx(overtime_h)
    assert kpis[("checkout.lane_h", "total")] == pytest.approx(lanes * hours + overtime_h)
    cost = config.formats.grocery.checkout.cashier_cost_per_h
    assert kpis[("checkout.labour_cost_money", "total")] == pytest.approx(
        (lanes * hours + overtime_h) * cost
    )


def test_nobody_reneges_because_the_store_closed() -> None:
    config, log, _ = _day([])
    close_s = config.formats.grocery.close_hour * 3600.0
    reneged = log.outcome == RENEGED_OUTCOME
    assert np.count_nonzero(reneged & (log.end_s >= close_s)) == 0


def test_balking_is_zero_at_an_empty_line_and_rises_with_it() -> None:
    p = balk_probabilities(CheckoutConfig())
    assert p[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(p[:31]))
    assert p[5] < 0.02  # ~0 below 5 in line (DOMAIN.md 1(a))
    # Lu et al. 2013: 10 -> 15 in line cuts purchase incidence 30 % -> 27 % (~10 % fewer)
    assert (1.0 - p[15]) / (1.0 - p[10]) == pytest.approx(0.9, abs=0.02)


def test_about_ten_percent_of_patience_is_under_four_minutes() -> None:
    patience = block_drawer(RenegingConfig().patience_s, np.random.default_rng(1))(400_000)
    assert np.mean(patience < 240.0) == pytest.approx(0.10, abs=0.003)
    assert 300.0 <= float(np.median(patience)) <= 480.0  # median 5-8 minutes


def test_sco_share_is_a_share_of_all_transactions() -> None:
    rng = np.random.default_rng(2)
    units = np.where(rng.random(200_000) < 0.5, rng.geometric(0.25, 200_000), 30)
    uses = sco_choices(CheckoutConfig(), units, rng.random(units.size))
    assert np.mean(uses) == pytest.approx(0.29, abs=0.004)
    assert np.all(units[uses] <= CheckoutConfig().sco_max_items)


def test_sco_share_kpi_is_about_29_percent() -> None:
    _, log, kpis = _day(["run.days=3"])
    served = log.outcome == SERVED
    n = np.count_nonzero(served)
    share = kpis[("checkout.sco_share_frac", "mean")]
    assert share == pytest.approx(np.count_nonzero(served & (log.lane_kind == SELF_CHECKOUT)) / n)
    half_width = 1.96 * math.sqrt(0.29 * 0.71 / n) + 0.01  # + balking/reneging differences
    assert abs(share - 0.29) < half_width


def test_cold_items_are_staged_in_their_zone_by_default() -> None:
    assert ColdChainConfig().environment.staging_area == "cold"
    assert twin.load_config([]).coldchain.environment.staging_area == "cold"
    floor = twin.load_config(["+experiment=floor_staging"])
    assert floor.coldchain.environment.staging_area == "floor"


def test_freshest_first_picking_has_an_age_limit() -> None:
    config = twin.load_config([])
    cold = config.coldchain
    for category in cold.categories.values():
        age = category.age_at_pick_frac
        assert age.high <= cold.max_age_at_pick_frac
    assert cold.max_age_at_pick_frac + cold.write_off_below_remaining_frac < 1.0
    with pytest.raises(twin.ConfigError, match="max_age_at_pick_frac"):
        twin.load_config(["coldchain.max_age_at_pick_frac=0.8"])


def test_kaplan_meier_mean_removes_the_truncation_bias() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    start = rng.uniform(0.0, DAY_S, n)  # placed over the day, observed until its end
    length = np.minimum(rng.exponential(3 * 3600.0, n), 12 * 3600.0)  # cut off, as a hold
    ended = start + length <= DAY_S
    seen = np.where(ended, length, DAY_S - start)
    true_mean = 3 * 3600.0 * (1.0 - math.exp(-4.0))
    assert np.mean(seen[ended]) < 0.9 * true_mean  # the ended ones alone read low
    assert km_restricted_mean(seen, ended) == pytest.approx(true_mean, rel=0.03)
    assert km_restricted_mean(np.array([2.0, 4.0]), np.array([True, True])) == 3.0
    assert math.isnan(km_restricted_mean(np.array([]), np.array([], dtype=bool)))


def test_every_shopper_of_a_day_is_in_the_time_in_store_tally(closing_day) -> None:  # type: ignore[no-untyped-def]
    _, _, kpis = closing_day
    assert kpis[("store.time_in_store_s", "n")] == kpis[("store.shoppers_n", "total")]


def test_locker_dwell_counts_open_stays_as_censored() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    placed = rng.uniform(0.0, DAY_S, n)
    dwell = np.minimum(rng.lognormal(math.log(3 * 3600.0), 1.0, n), 24 * 3600.0)
    end_s = DAY_S + 3600.0  # the run drained an hour past the horizon
    released = np.where(placed + dwell <= end_s, placed + dwell, np.nan)
    stays = np.column_stack([np.zeros(n), np.zeros(n), np.ones(n), placed, released])
    rows = KpiRows()
    lockers_kpis(rows, LockerLog(stays, np.zeros((0, 4)), np.array([n, 0, 0.0]), end_s), (0, DAY_S))
    kpis = {(kpi, stat): value for kpi, stat, value, _ in rows.rows}
    assert kpis[("locker.dwell_open_n", "total")] == np.count_nonzero(np.isnan(released))
    assert kpis[("locker.dwell_s", "mean")] < 0.9 * float(np.mean(dwell))  # ended ones: low
    assert kpis[("locker.dwell_km_s", "mean")] == pytest.approx(float(np.mean(dwell)), rel=0.03)


def test_a_jwo_day_drains_until_the_last_party_walked_out() -> None:
    config = twin.load_config(
        [
            "network=single_store",
            "orders.enabled=false",
            "+network.format_overrides.S01=jwo",
            "formats.jwo.close_hour=24",  # shoppers come in until midnight, the horizon
            "demand.weekday_hour_shares=" + FLAT_24H,
        ]
    )
    region = build_network(config.network, FORMATS.keys()).regions[0]
    result = run_region(config, region, 0, keep_logs=True)
    store = KPI_DOMAINS["store"].concat(result.logs["store"])
    assert store.inside_arrive_s.size == 0
    assert np.count_nonzero(store.leave_s > DAY_S) > 0  # they walked out after the horizon
    kpis = {(kpi, stat): value for _, s, kpi, stat, value, _ in result.rows if s == "all"}
    assert kpis[("store.still_inside_n", "total")] == 0
