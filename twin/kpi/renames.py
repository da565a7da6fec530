"""Every KPI rename, old name -> new name, in one place (docs/KPIS.md, "Renamed KPIs").

Run folders, sweep folders, sizing folders and baseline records written before a rename keep
their old names; the readers (``twin-report``, ``twin-collect``, ``twin-query``,
``twin-baseline``) bring them to today's names with :func:`current_kpi_name`, so an old folder
reads as if it had been written today. Add a rename here, never in a reader.

Names carry their unit as a suffix, one spelling per unit: ``_s`` seconds, ``_h`` hours,
``_frac`` fractions, ``_n`` counts, ``_kg``, ``_g``, ``_km``, ``_c``, and ``_money`` for
money. Money is currency-neutral on purpose: the twin never converts currencies; prices and
costs in the config are in whatever currency the user works in, and the report only puts
``report.currency_symbol`` (default ``$``) in front, so ``_usd`` would be wrong for a user in
euros. A ratio puts its unit before ``_per_<thing>`` (``cost_money_per_order``,
``co2e_g_per_order``).

>>> current_kpi_name("checkout.lane_hours")
'checkout.lane_h'
>>> current_kpi_name("checkout.wait_s")
'checkout.wait_s'
"""

from __future__ import annotations

# 2026-12-05 (issue 17 item 7): units in every KPI name, money included; `_hours` -> `_h`.
RENAMES: dict[str, str] = {
    # money: `_money` (the value words `value` and `refund` keep their meaning)
    "store.revenue": "store.revenue_money",
    "books.revenue": "books.revenue_money",
    "books.lost_sales_value": "books.lost_sales_money",
    "bar.online_order_value": "bar.online_orders_money",
    "checkout.labour_cost": "checkout.labour_cost_money",
    "jwo.labour_cost": "jwo.labour_cost_money",
    "jwo.leakage_value": "jwo.leakage_money",
    "jwo.refund_value": "jwo.refund_money",
    "orders.refund": "orders.refund_money",
    "orders.placed_value": "orders.placed_money",
    "coldchain.refund_value": "coldchain.refund_money",
    "coldchain.write_off_value": "coldchain.write_off_money",
    "delivery.cost_per_order": "delivery.cost_money_per_order",
    "delivery.van.cost_per_order": "delivery.van.cost_money_per_order",
    "delivery.bike.cost_per_order": "delivery.bike.cost_money_per_order",
    "delivery.drone.cost_per_order": "delivery.drone.cost_money_per_order",
    # counts and levels of things: `_n`
    "store.occupancy": "store.occupancy_n",
    "checkout.queue_len": "checkout.queue_len_n",
    "checkout.lanes_open": "checkout.lanes_open_n",
    "jwo.inside_people": "jwo.inside_people_n",
    "jwo.outside_line_len": "jwo.outside_line_len_n",
    "locker.occupied": "locker.occupied_n",
    "picking.queue_len": "picking.queue_len_n",
    "drone.packs_out": "drone.packs_out_n",
    "orders.basket_units": "orders.basket_units_n",
    "books.units_per_visit": "books.units_n_per_visit",
    "courier.stops_per_trip": "courier.stops_n_per_trip",
    "delivery.attempts_per_order": "delivery.attempts_n_per_order",
    "picking.tasks_per_run": "picking.tasks_n_per_run",
    # hours: `_h` (as in the config's `_per_h`)
    "checkout.lane_hours": "checkout.lane_h",
    "checkout.overtime_lane_hours": "checkout.overtime_lane_h",
    "jwo.attendant_hours": "jwo.attendant_h",
    "jwo.reviewer_hours": "jwo.reviewer_h",
    "jwo.dispute_hours": "jwo.dispute_h",
    "picking.picker_hours": "picking.picker_h",
}


def current_kpi_name(name: str) -> str:
    """Today's name of a KPI that may have been written under an older one."""
    return RENAMES.get(name, name)


def current_selector(selector: str) -> str:
    """A ``kpi`` or ``kpi:stat`` selector with its KPI brought to today's name.

    >>> current_selector("store.revenue:total")
    'store.revenue_money:total'
    """
    kpi, colon, stat = selector.partition(":")
    return current_kpi_name(kpi) + colon + stat
