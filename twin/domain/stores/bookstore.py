"""A curated bookstore: face-out tables curated from online ratings, spine-out shelves, tills.

Each store stocks ``titles`` titles with an online star rating, a review count and a price,
drawn from configurable distributions. Titles rated at least ``curation_min_rating`` with at
least ``curation_min_reviews`` reviews are curated onto the prime tables face-out (the most
reviewed first, up to ``table_slots``); the rest sit spine-out on the shelves. A shopper picks
up some face-out titles and looks at some spine-out ones; each title met is bought with a
probability set by its display tier, its rating and its review count (odds model, see
:class:`twin.config.store_formats.BooksConfig`). Shoppers with at least one book queue at the
grocery tills (:class:`twin.domain.stores.checkout.CheckoutFront`); the others leave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import BooksConfig, BookstoreConfig
from twin.core.sampling import DistSpec, block_drawer
from twin.domain.common import concat_logs
from twin.domain.stores.checkout import SERVED, CheckoutFront
from twin.domain.stores.site import StoreContext, walk_in_arrivals
from twin.domain.stores.store_kpis import StoreLog

NO_PURCHASE, PAID, ABANDONED = 0.0, 1.0, 2.0  # how a finished visit ended


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A store's titles: ratings, review counts, prices, and where each is displayed."""

    rating: np.ndarray
    review_count: np.ndarray
    price: np.ndarray
    table_titles: np.ndarray  # indices of the curated face-out titles, most reviewed first
    shelf_titles: np.ndarray  # the rest, spine-out
    face_out_prob: np.ndarray  # P(buy | met face-out), per title
    spine_out_prob: np.ndarray  # P(buy | met spine-out), per title


def buy_probability(
    books: BooksConfig, rating: np.ndarray, reviews: np.ndarray, base_prob: float
) -> np.ndarray:
    """P(buy) of a title met: the tier's base odds scaled by its rating and review count."""
    if base_prob <= 0.0:
        return np.zeros(rating.size)
    if base_prob >= 1.0:
        return np.ones(rating.size)
    log_odds = (
        math.log(base_prob / (1.0 - base_prob))
        + (rating - books.reference_rating) * math.log(books.rating_odds_per_star)
        + np.log10(np.maximum(reviews, 1.0) / books.reference_reviews)
        * math.log(books.reviews_odds_per_decade)
    )
    return 1.0 / (1.0 + np.exp(-log_odds))


def curate(books: BooksConfig, rating: np.ndarray, reviews: np.ndarray) -> np.ndarray:
    """Titles that qualify for the face-out tables, most reviewed first, at most table_slots."""
    qualifies = (rating >= books.curation_min_rating) & (reviews >= books.curation_min_reviews)
    candidates = np.flatnonzero(qualifies)
    by_reviews = candidates[np.argsort(-reviews[candidates], kind="stable")]
    return by_reviews[: books.table_slots]


def build_catalogue(books: BooksConfig, context: StoreContext) -> Catalogue:
    """Draw the store's titles and curate its tables."""
    n = books.titles
    rating = block_drawer(books.rating, context.stream("books.rating"))(n)
    reviews = np.round(block_drawer(books.review_count, context.stream("books.reviews"))(n))
    price = block_drawer(books.price, context.stream("books.price"))(n)
    table = curate(books, rating, reviews)
    on_shelf = np.ones(n, dtype=bool)
    on_shelf[table] = False
    return Catalogue(
        rating,
        reviews,
        price,
        table,
        np.flatnonzero(on_shelf),
        buy_probability(books, rating, reviews, books.face_out_buy_prob),
        buy_probability(books, rating, reviews, books.spine_out_buy_prob),
    )


@dataclass(frozen=True, slots=True)
class BrowseDraws:
    """Per-shopper outcome of browsing, index i = the i-th arrival."""

    titles_met: np.ndarray
    units: np.ndarray  # books taken to the till
    face_out_units: np.ndarray
    value: np.ndarray
    browse_s: np.ndarray


def _titles_seen(
    spec: DistSpec, titles: np.ndarray, context: StoreContext, tier: str, n: int
) -> np.ndarray:
    """How many titles of a display tier each shopper meets (none if the tier is empty)."""
    seen = block_drawer(spec, context.stream(f"books.{tier}_seen"))(n)
    if titles.size == 0:
        return np.zeros(n, dtype=np.int64)
    return np.maximum(0, np.round(seen)).astype(np.int64)


def _meet(titles: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which titles each shopper meets: ``counts[i]`` uniform picks from ``titles``."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return titles[rng.integers(titles.size, size=total)]


def _per_shopper(owner: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(owner, weights=weights, minlength=n).astype(float)


def draw_browsing(
    books: BooksConfig, catalogue: Catalogue, context: StoreContext, n: int
) -> BrowseDraws:
    """Titles met per tier, purchases, basket value and browse time of ``n`` shoppers."""
    table_n = _titles_seen(books.table_titles_seen, catalogue.table_titles, context, "table", n)
    shelf_n = _titles_seen(books.shelf_titles_seen, catalogue.shelf_titles, context, "shelf", n)
    table_met = _meet(catalogue.table_titles, table_n, context.stream("books.table_pick"))
    shelf_met = _meet(catalogue.shelf_titles, shelf_n, context.stream("books.shelf_pick"))
    table_owner = np.repeat(np.arange(n), table_n)
    shelf_owner = np.repeat(np.arange(n), shelf_n)
    table_buys = (
        context.stream("books.table_buy").random(table_met.size)
        < (catalogue.face_out_prob[table_met])
    )
    shelf_buys = (
        context.stream("books.shelf_buy").random(shelf_met.size)
        < (catalogue.spine_out_prob[shelf_met])
    )
    face_out_units = _per_shopper(table_owner, table_buys, n)
    units = face_out_units + _per_shopper(shelf_owner, shelf_buys, n)
    value = _per_shopper(table_owner, table_buys * catalogue.price[table_met], n) + _per_shopper(
        shelf_owner, shelf_buys * catalogue.price[shelf_met], n
    )
    titles_met = (table_n + shelf_n).astype(float)
    fixed = block_drawer(books.browse_fixed_s, context.stream("books.browse.fixed"))(n)
    per_title = block_drawer(books.browse_per_title_s, context.stream("books.browse.per_title"))(n)
    return BrowseDraws(titles_met, units, face_out_units, value, fixed + per_title * titles_met)


@dataclass(slots=True)
class BooksLog:
    """Per-shopper arrays of one or more bookstores (after the run)."""

    arrive_s: np.ndarray
    leave_s: np.ndarray  # NaN: still inside at the end
    outcome: np.ndarray  # NO_PURCHASE, PAID, ABANDONED (balked or reneged at the till); NaN
    units: np.ndarray
    face_out_units: np.ndarray
    value: np.ndarray
    curated_titles: np.ndarray  # one value per store

    @staticmethod
    def concat(logs: list[BooksLog]) -> BooksLog:
        return concat_logs(BooksLog, logs)


class BookstoreSite:
    """One bookstore wired into an environment; :meth:`logs` gives its arrays after the run.

    The class is the ``bookstore`` format's site builder (:data:`twin.domain.registry.FORMATS`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: BookstoreConfig,
        demand: DemandConfig,
        run: RunConfig,
    ) -> None:
        self.env = env
        self.arrivals_s = walk_in_arrivals(context, demand, run, fmt.demand_scale)
        n = self.arrivals_s.size
        self.catalogue = build_catalogue(fmt.books, context)
        self.draws = draw_browsing(fmt.books, self.catalogue, context, n)
        self.tills = CheckoutFront(env, context, fmt.checkout, self.draws.units, self.draws.value)
        # Browse tables and shelves; with a book, the tills; without, leave. Browsing needs no
        # events: shoppers reach the tills (or the door) at arrival + browse time.
        # Emits (from the logs): books.conversion_frac, books.units_n_per_visit,
        # books.revenue_money, the checkout KPIs, and the store KPIs.
        done_browsing_s = self.arrivals_s + self.draws.browse_s
        buying = self.draws.units > 0
        # The run drains until the last buyer has left the tills (twin.model), so a browser
        # without a book leaves at the end of browsing, before or after the horizon.
        self.left_s = np.where(~buying, done_browsing_s, math.nan).tolist()  # without a book
        buyers = np.flatnonzero(buying)
        self.tills.drive(self.arrivals_s, done_browsing_s[buyers], buyers)
        self.last_shopper_left = self.tills.all_left

    def logs(self) -> dict[str, Any]:
        """The store's logs by domain: ``store``, ``checkout`` and ``books``."""
        tills = self.tills.log(self.arrivals_s)
        n = self.arrivals_s.size
        leave_s = np.asarray(self.left_s, dtype=float)
        outcome = np.where(np.isnan(leave_s), math.nan, NO_PURCHASE)
        paid_revenue = np.zeros(n)
        leave_s[tills.shopper] = tills.end_s
        outcome[tills.shopper] = np.where(tills.outcome == SERVED, PAID, ABANDONED)
        paid_revenue[tills.shopper] = tills.revenue
        ended = ~np.isnan(leave_s)
        store = StoreLog(
            self.arrivals_s,
            self.arrivals_s[ended],
            leave_s[ended],
            paid_revenue[ended],
            self.arrivals_s[~ended],
        )
        books = BooksLog(
            self.arrivals_s,
            leave_s,
            outcome,
            self.draws.units,
            self.draws.face_out_units,
            self.draws.value,
            np.array([float(self.catalogue.table_titles.size)]),
        )
        return {"store": store, "checkout": tills, "books": books}


__all__ = ["BooksLog", "BookstoreSite", "Catalogue", "build_catalogue", "curate"]
