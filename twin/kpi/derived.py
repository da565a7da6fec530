"""KPIs computed from other KPIs of the same scope (a store or an aggregate), after the domains.

Some ratios span KPI domains: the online share of revenue needs the walk-in revenue (domain
``store``) and the value of online orders (domain ``orders``). A derived KPI is a ratio of
totals of one scope, so pooled scopes stay ratios of pooled totals, never averages of ratios.

>>> walk_in = ("store.revenue_money", "total", 90.0, "currency")
>>> derived_rows([walk_in, ("orders.placed_money", "total", 10.0, "currency")])
[('orders.online_revenue_share_frac', 'mean', 0.1, 'frac')]
"""

from __future__ import annotations

from twin.kpi.catalog import Row, define

ONLINE_REVENUE_SHARE = define(
    "orders.online_revenue_share_frac",
    "frac",
    "ratio",
    "Online order value / (walk-in revenue + online order value), orders placed and visits "
    "paid in the window; in scopes with online orders.",
)
WALK_IN_REVENUE = ("store.revenue_money", "total")
ONLINE_VALUE = ("orders.placed_money", "total")


def derived_rows(rows: list[Row]) -> list[Row]:
    """The derived KPI rows of one scope's ``rows`` (none unless every input is there)."""
    totals = {(kpi, stat): value for kpi, stat, value, _ in rows}
    online = totals.get(ONLINE_VALUE)
    walk_in = totals.get(WALK_IN_REVENUE)
    if online is None or walk_in is None:
        return []
    whole = walk_in + online
    share = online / whole if whole > 0 else float("nan")
    return [(ONLINE_REVENUE_SHARE, "mean", share, "frac")]
