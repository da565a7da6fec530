"""KPIs of curated bookstores, from a :class:`twin.domain.stores.bookstore.BooksLog`.

Visits count when they arrived inside the window and have ended (left the store). The tills
of a bookstore report the usual ``checkout`` KPIs through the grocery checkout domain.
"""

from __future__ import annotations

import numpy as np

from twin.domain.common import Series, Window
from twin.domain.stores.bookstore import ABANDONED, PAID, BooksLog
from twin.kpi.catalog import KpiRows, define

CONVERSION_FRAC = define(
    "books.conversion_frac", "frac", "ratio", "Visits that ended with at least one book paid for."
)
UNITS_PER_VISIT = define(
    "books.units_n_per_visit", "books", "tally", "Books paid for per visit (0 without a purchase)."
)
REVENUE = define("books.revenue_money", "currency", "total", "Book sales paid at the tills.")
FACE_OUT_UNITS_FRAC = define(
    "books.face_out_units_frac",
    "frac",
    "ratio",
    "Share of the books paid for that came from the curated face-out tables.",
)
LOST_SALES_VALUE = define(
    "books.lost_sales_money",
    "currency",
    "total",
    "Value of books left behind by shoppers who balked or reneged at the tills.",
)
CURATED_TITLES_N = define(
    "books.curated_titles_n",
    "titles",
    "total",
    "Titles on the face-out tables (rated >= the curation thresholds), mean per store.",
)


def books_kpis(rows: KpiRows, log: BooksLog, window: Window) -> None:
    """Conversion, units, revenue and display-tier KPIs over ``window``."""
    start, end = window
    ended = (log.arrive_s >= start) & (log.arrive_s < end) & ~np.isnan(log.outcome)
    paid = ended & (log.outcome == PAID)
    rows.ratio(CONVERSION_FRAC, np.count_nonzero(paid), np.count_nonzero(ended))
    rows.tally(UNITS_PER_VISIT, np.where(paid, log.units, 0.0)[ended])
    rows.value(REVENUE, float(log.value[paid].sum()), "total")
    rows.ratio(
        FACE_OUT_UNITS_FRAC, float(log.face_out_units[paid].sum()), float(log.units[paid].sum())
    )
    rows.value(
        LOST_SALES_VALUE, float(log.value[ended & (log.outcome == ABANDONED)].sum()), "total"
    )
    rows.value(CURATED_TITLES_N, float(np.mean(log.curated_titles)), "total")


def books_series(log: BooksLog, window: Window, bin_s: float) -> list[Series]:
    """Books paid for per bin (by the time the shopper left the tills)."""
    start, end = window
    n_bins = int(np.ceil((end - start) / bin_s))
    paid = log.outcome == PAID
    index = np.floor((log.leave_s[paid] - start) / bin_s).astype(np.int64)
    keep = (index >= 0) & (index < n_bins)
    units = np.bincount(index[keep], weights=log.units[paid][keep], minlength=n_bins)
    return [("books_units_sold", units.astype(float), "books")]
