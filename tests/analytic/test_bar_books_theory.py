"""The kiosk bar and the curated bookstore against closed forms.

- Bar, exponential kiosk and pour times, Poisson arrivals: the kiosk is M/M/c; the shoppers who
  accept leave it as a Poisson stream (Burke), thinned by p_accept, so the counter is M/M/c too.
- Bookstore, Poisson numbers of titles met and one purchase probability per tier: books bought
  per visit are Poisson (thinning), so P(at least one) = 1 - exp(-mean).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import twin
from tests.support import PLANNER_FIXED, kpi_values, poisson_store_overrides
from twin.config.store_formats import BooksConfig
from twin.domain.stores.bookstore import buy_probability
from twin.kpi.stats import t_interval
from twin.kpi.theory import mmc_mean_wait_s

pytestmark = pytest.mark.analytic


def ci(result: twin.SimulationResult, kpi: str) -> tuple[float, float]:
    return t_interval(kpi_values(result, kpi).to_numpy())


def test_bar_kiosk_and_counter_waits_match_erlang_c() -> None:
    arrivals_per_h, kiosks, interaction_s = 60.0, 2, 90.0  # 1.5 Erlangs at the kiosks
    p_accept, bartenders, pour_s = 0.5, 2, 180.0  # 30/h x 180 s = 1.5 Erlangs at the counter
    b = "formats.bar"
    cfg = twin.load_config(
        [
            *poisson_store_overrides(arrivals_per_h, 20, warmup_s=3600.0, fmt="bar"),
            f"{b}.kiosks={kiosks}",
            f"{b}.interaction_s={{kind:exponential,mean:{interaction_s}}}",
            f"{b}.p_accept={p_accept}",
            f"{b}.bartenders={bartenders}",
            f"{b}.pour_s={{kind:exponential,mean:{pour_s}}}",
            f"{b}.p_online_order=0.2",
        ]
    )
    result = twin.simulate(cfg)
    rate = arrivals_per_h / 3600.0
    checks = [
        ("bar.kiosk_wait_s", mmc_mean_wait_s(rate, interaction_s, kiosks)),
        ("bar.counter_wait_s", mmc_mean_wait_s(rate * p_accept, pour_s, bartenders)),
        ("bar.acceptance_frac", p_accept),
        ("bar.online_conversion_frac", 0.2),
    ]
    for kpi, theory in checks:
        mean, half_width = ci(result, kpi)
        assert abs(mean - theory) <= half_width, (kpi, mean, half_width, theory)
        assert half_width < 0.25 * theory, (kpi, half_width)


def test_bookstore_units_and_conversion_match_poisson_thinning() -> None:
    k = "formats.bookstore"
    table_seen, shelf_seen, rating, reviews = 4.0, 20.0, 4.9, 20000.0
    cfg = twin.load_config(
        [
            "network=single_store",
            *PLANNER_FIXED,
            "+network.format_overrides.S01=bookstore",
            "run.replications=12",
            f"{k}.books.titles=1000",
            f"{k}.books.table_slots=50",
            f"{k}.books.rating={{kind:fixed,mean:{rating}}}",
            f"{k}.books.review_count={{kind:fixed,mean:{reviews}}}",
            f"{k}.books.table_titles_seen={{kind:poisson,mean:{table_seen}}}",
            f"{k}.books.shelf_titles_seen={{kind:poisson,mean:{shelf_seen}}}",
            f"{k}.checkout.lanes=20",  # nobody waits, so nobody abandons the tills
            f"{k}.checkout.balking.enabled=false",
            f"{k}.checkout.reneging.enabled=false",
        ]
    )
    result = twin.simulate(cfg)
    books = cfg.formats.bookstore.books
    assert isinstance(books, BooksConfig)
    p_face = float(
        buy_probability(books, np.array([rating]), np.array([reviews]), books.face_out_buy_prob)[0]
    )
    p_spine = float(
        buy_probability(books, np.array([rating]), np.array([reviews]), books.spine_out_buy_prob)[0]
    )
    face_out_mean = table_seen * p_face
    units_mean = face_out_mean + shelf_seen * p_spine
    checks = [
        ("books.units_n_per_visit", units_mean),
        ("books.conversion_frac", 1.0 - math.exp(-units_mean)),
        ("books.face_out_units_frac", face_out_mean / units_mean),
    ]
    for kpi, theory in checks:
        mean, half_width = ci(result, kpi)
        assert abs(mean - theory) <= half_width, (kpi, mean, half_width, theory)
        assert half_width < 0.1 * theory, (kpi, half_width)
    curated = kpi_values(result, "books.curated_titles_n", "total").to_numpy()
    assert (curated == 50).all()  # every title qualifies; the tables hold table_slots
