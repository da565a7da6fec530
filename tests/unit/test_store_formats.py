"""Store formats beyond grocery: the JWO door, curation, conservation, labour, CRN.

Config errors of these formats are pinned in test_store_format_errors.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import twin
from tests.support import kpi_values
from twin.config.store_formats import BooksConfig
from twin.domain.stores.bookstore import curate
from twin.domain.stores.jwo_door import Door
from twin.network.build import build_network

pytestmark = pytest.mark.unit

J = "formats.jwo"
ONE_JWO = ["network=single_store", "+network.format_overrides.S01=jwo"]


def test_unknown_format_of_a_store_fails_at_network_build_too() -> None:
    """The network layer checks names against the registered site builders, not the schema."""
    cfg = twin.load_config(["network=single_store"])
    cfg.network.format_overrides = {"S01": "drive_thru"}
    with pytest.raises(twin.ConfigError, match=r"network\.format_overrides\.S01 = 'drive_thru'"):
        build_network(cfg.network, ["grocery", "jwo", "bookstore", "bar"])


def test_door_admits_parties_in_order_without_overtaking() -> None:
    admitted: list[int] = []
    door = Door(cap=4, admit=admitted.append)
    assert door.request(0, 3) and door.inside == 3  # walks straight in (no callback)
    assert not door.request(1, 2)  # does not fit: waits outside
    assert not door.request(2, 1)  # would fit, but may not overtake the party ahead
    assert admitted == [] and door.waiting == 2
    door.leave(3)
    assert admitted == [1, 2] and door.inside == 3 and door.waiting == 0


def test_door_giving_up_lets_the_next_party_in() -> None:
    admitted: list[int] = []
    door = Door(cap=3, admit=admitted.append)
    door.request(0, 2)
    door.request(1, 3)
    door.request(2, 1)
    assert admitted == []  # the small party is behind the big one
    assert door.give_up(1)
    assert admitted == [2]
    assert not door.give_up(2)  # too late: already in
    assert door.inside == 3 and door.waiting == 0


def test_curation_takes_titles_at_both_thresholds_most_reviewed_first() -> None:
    books = BooksConfig(curation_min_rating=4.8, curation_min_reviews=10000, table_slots=2)
    rating = np.array([4.8, 4.79, 5.0, 4.9, 4.95])
    reviews = np.array([10000, 1e6, 9999, 50000, 20000])
    assert curate(books, rating, reviews).tolist() == [3, 4]  # 0 qualifies too, fewer reviews
    books.table_slots = 10
    assert curate(books, rating, reviews).tolist() == [3, 4, 0]


def _jwo_run(*overrides: str) -> twin.SimulationResult:
    return twin.simulate(twin.load_config([*ONE_JWO, "run.replications=2", *overrides]))


def test_jwo_cap_holds_with_guests_and_every_party_is_accounted_for() -> None:
    result = _jwo_run(f"{J}.demand_scale=1", f"{J}.occupancy.cap=40")
    inside_max = kpi_values(result, "jwo.inside_people_n", "max").to_numpy()
    assert (inside_max <= 40).all() and (inside_max >= 38).all()  # the cap binds at the peak
    assert (kpi_values(result, "jwo.outside_wait_s", "max").to_numpy() > 0).all()
    arrived = kpi_values(result, "store.shoppers_n", "total").to_numpy()
    shopped = kpi_values(result, "store.time_in_store_s", "n").to_numpy()
    turned_away = kpi_values(result, "jwo.turned_away_frac").to_numpy()
    # everyone who arrived shopped or gave up (the store closes at 22:00, the run ends at 24:00)
    np.testing.assert_allclose(shopped, arrived * (1 - turned_away), rtol=1e-9)


def test_jwo_turned_away_when_full_and_set_to_leave() -> None:
    result = _jwo_run(
        f"{J}.demand_scale=1", f"{J}.occupancy.cap=40", f"{J}.occupancy.when_full=leave"
    )
    assert (kpi_values(result, "jwo.turned_away_frac").to_numpy() > 0).all()
    assert (kpi_values(result, "jwo.gave_up_frac").to_numpy() == 0).all()
    assert (kpi_values(result, "jwo.outside_wait_s", "max").to_numpy() == 0).all()


def test_saturated_reviewers_delay_receipts_and_review_removes_errors() -> None:
    low = _jwo_run(f"{J}.recognition.p_review=0.05")
    high = _jwo_run(f"{J}.recognition.p_review=0.7")
    delay_low = kpi_values(low, "jwo.receipt_delay_s").to_numpy()
    delay_high = kpi_values(high, "jwo.receipt_delay_s").to_numpy()
    assert (delay_high > 5 * delay_low).all()
    assert (kpi_values(high, "jwo.reviewer_utilisation_frac").to_numpy() > 0.6).all()
    assert (kpi_values(high, "jwo.receipts_pending_n", "total").to_numpy() > 0).all()
    leak_low = kpi_values(low, "jwo.leakage_money", "total").to_numpy()
    leak_high = kpi_values(high, "jwo.leakage_money", "total").to_numpy()
    assert (leak_high < leak_low).all()  # same shoppers (CRN); reviewed baskets are exact


def test_jwo_without_recognition_errors_has_no_leakage_or_refunds() -> None:
    result = _jwo_run(f"{J}.recognition.p_missed_item=0", f"{J}.recognition.p_false_charge_item=0")
    for kpi in ("jwo.leakage_money", "jwo.refund_money", "jwo.dispute_h"):
        assert (kpi_values(result, kpi, "total").to_numpy() == 0).all()
    assert (kpi_values(result, "jwo.false_charge_frac").to_numpy() == 0).all()


def test_jwo_labour_is_attendants_reviewers_and_disputes() -> None:
    result = _jwo_run(f"{J}.recognition.reviewers_by_hour=[{','.join(['2'] * 12 + ['0'] * 12)}]")
    attendant_h = kpi_values(result, "jwo.attendant_h", "total").to_numpy()
    reviewer_h = kpi_values(result, "jwo.reviewer_h", "total").to_numpy()
    dispute_h = kpi_values(result, "jwo.dispute_h", "total").to_numpy()
    cost = kpi_values(result, "jwo.labour_cost_money", "total").to_numpy()
    np.testing.assert_array_equal(attendant_h, 15.0)  # 1 attendant, 07:00-22:00
    np.testing.assert_array_equal(reviewer_h, 24.0)  # 2 reviewers, 00:00-12:00
    np.testing.assert_allclose(cost, attendant_h * 18 + reviewer_h * 8 + dispute_h * 18)


def test_converting_a_store_keeps_its_shoppers() -> None:
    """Common random numbers: a grocery store and its JWO conversion see the same arrivals."""
    common = ["network=single_store", "run.replications=3", f"{J}.demand_scale=1"]
    grocery = twin.simulate(twin.load_config(common))
    jwo = twin.simulate(twin.load_config([*common, "+network.format_overrides.S01=jwo"]))
    pd.testing.assert_series_equal(
        kpi_values(grocery, "store.shoppers_n", "total"),
        kpi_values(jwo, "store.shoppers_n", "total"),
    )


@pytest.mark.parametrize("fmt", ["jwo", "bookstore", "bar"])
def test_each_format_is_reproducible(fmt: str) -> None:
    cfg = twin.load_config(["network=single_store", f"+network.format_overrides.S01={fmt}"])
    first, second = twin.simulate(cfg), twin.simulate(cfg)
    pd.testing.assert_frame_equal(first.kpis, second.kpis)
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries)


def test_bookstore_keeps_grocery_tills_and_reports_checkout_kpis() -> None:
    result = twin.simulate(
        twin.load_config(["network=single_store", "+network.format_overrides.S01=bookstore"])
    )
    kpis = set(result.kpis["kpi"])
    assert {"checkout.wait_s", "checkout.lane_h", "checkout.labour_cost_money"} <= kpis
    assert {"books.conversion_frac", "books.units_n_per_visit", "books.revenue_money"} <= kpis
    revenue = kpi_values(result, "books.revenue_money", "total").iloc[0]
    assert revenue == pytest.approx(kpi_values(result, "store.revenue_money", "total").iloc[0])


def test_bookstore_without_tables_sells_only_spine_out() -> None:
    result = twin.simulate(
        twin.load_config(
            [
                "network=single_store",
                "+network.format_overrides.S01=bookstore",
                "formats.bookstore.books.table_slots=0",
            ]
        )
    )
    assert kpi_values(result, "books.curated_titles_n", "total").iloc[0] == 0
    assert kpi_values(result, "books.face_out_units_frac").iloc[0] == 0
    assert kpi_values(result, "books.units_n_per_visit").iloc[0] > 0


def test_bar_online_orders_are_logged_for_the_online_stream() -> None:
    result = twin.simulate(
        twin.load_config(["network=single_store", "+network.format_overrides.S01=bar"])
    )
    orders = kpi_values(result, "bar.online_orders_n", "total").iloc[0]
    conversion = kpi_values(result, "bar.online_conversion_frac").iloc[0]
    acceptance = kpi_values(result, "bar.acceptance_frac").iloc[0]
    assert orders > 0 and 0 < conversion < 0.3 and 0.4 < acceptance < 0.8


def test_convert_to_jwo_experiment_converts_the_chosen_stores() -> None:
    cfg = twin.load_config(["+experiment=convert_to_jwo"])
    assert cfg.run.scenario == "convert_to_jwo"
    assert cfg.experiment.name == "convert_to_jwo"
    assert dict(cfg.network.format_overrides) == {f"S{i:02d}": "jwo" for i in (1, 4, 7, 10)}
    network = build_network(cfg.network, ["grocery", "jwo", "bookstore", "bar"])
    formats = {store.id: store.format for store in network.stores}
    assert sorted(s for s, f in formats.items() if f == "jwo") == ["S01", "S04", "S07", "S10"]
    assert cfg.formats.jwo.demand_scale == 1.0  # converted supermarkets keep their shoppers
    unconverted = twin.load_config(["+experiment=convert_to_jwo", "store_conversion=none"])
    assert dict(unconverted.network.format_overrides) == {}  # the sweep's baseline
