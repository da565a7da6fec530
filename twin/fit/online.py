"""Fit the online-order inputs to the ``orders`` table: rates by channel, hour and weekday,
units per order, the split over temperature zones, the promise and the spend per item."""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.data.read import DAY_S, OpsLogs
from twin.data.schema import CHANNELS
from twin.fit.families import Fit, fit_counts, fit_positive
from twin.fit.walkin import HOUR_S, spec_dict

ZONES = ("ambient", "chilled", "frozen")


def fit_online(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """The ``orders`` config section fitted to the logs (pooled over stores, per store)."""
    orders = logs.tables["orders"]
    if "source" in orders:  # bar-code orders come from the bars' visitors, not the zones
        from_bar = orders["source"].eq("bar_code").fillna(False).to_numpy(dtype=bool)
        if from_bar.any():
            notes.append(
                f"{int(from_bar.sum())} orders came from kiosk bars' receipt codes: left out of "
                "the zones' order rates (the twin's bars place them)"
            )
            orders = orders[~from_bar]
    stores = max(len(logs.stores), 1)
    placed = orders["placed"].to_numpy(dtype=float)
    channel = orders["channel"].to_numpy(dtype=object)
    units_by_zone = np.column_stack(
        [np.nan_to_num(orders[f"{z}_units"].to_numpy(dtype=float)) for z in ZONES]
    )
    units = units_by_zone.sum(axis=1)
    day = np.clip(np.floor(placed / DAY_S).astype(np.int64), 0, logs.days - 1)
    hour = np.clip(np.floor((placed - day * DAY_S) / HOUR_S).astype(np.int64), 0, 23)
    daily = np.bincount(day, minlength=logs.days).astype(float)
    weekdays = (logs.start_weekday + np.arange(logs.days)) % 7
    factors = [1.0] * 7
    for wd in range(7):
        if np.any(weekdays == wd) and daily.mean() > 0:
            factors[wd] = round(float(daily[weekdays == wd].mean() / daily.mean()), 6)
    out: dict[str, Any] = {"enabled": bool(len(orders)), "day_factors": factors}
    for name in CHANNELS:
        mine = channel == name
        if not mine.any():
            out[name] = {"enabled": False}
            notes.append(f"online {name}: no orders logged; channel off")
            continue
        by_hour = np.bincount(hour[mine], minlength=24).astype(float)
        open_hours = np.flatnonzero(by_hour)
        section: dict[str, Any] = {
            "enabled": True,
            "daily_orders_per_store": round(float(mine.sum()) / logs.days / stores, 4),
            "hour_shares": [round(float(v / by_hour.sum()), 6) for v in by_hour],
            "open_hour": int(open_hours.min()),
            "close_hour": int(open_hours.max()) + 1,
        }
        basket = fit_counts(f"orders.{name}.basket_units", units[mine & (units >= 1)])
        fits.append(basket)
        section["basket_units"] = spec_dict(basket.spec)
        promise = (orders["promised"].to_numpy(dtype=float) - placed)[mine]
        promise = promise[np.isfinite(promise)]
        if promise.size:
            # the shortest promise is express; longer ones are booked windows (the records do
            # not say which of them asked for express and were refused: counted as booked)
            express_s = float(promise.min())
            section["promise_s"] = round(express_s, 3)
            booked = promise[promise > express_s + 1.0]
            if booked.size >= 2:
                lead = fit_positive(f"orders.{name}.slots.lead_s", booked)
                fits.append(lead)
                section["slots"] = {
                    "share": round(booked.size / promise.size, 6),
                    "lead_s": spec_dict(lead.spec),
                }
        out[name] = section
        notes.append(f"online {name}: {int(mine.sum())} orders, {section['daily_orders_per_store']}"
                     " per store and day")  # fmt: skip
    totals = units_by_zone.sum(axis=0)
    if totals.sum() > 0:
        shares = [round(float(v / totals.sum()), 6) for v in totals]
        shares[-1] = round(1.0 - shares[0] - shares[1], 6)
        out["zones"] = {z: {"share": s} for z, s in zip(ZONES, shares, strict=True)}
    value = orders["value"].to_numpy(dtype=float)
    priced = (value / units)[(units > 0) & np.isfinite(value)] if len(orders) else np.empty(0)
    if priced.size:  # none: no zone orders logged (e.g. only bar-code orders)
        spend = fit_positive("orders.spend_per_item", priced)
        fits.append(spend)
        out["spend_per_item"] = spec_dict(spend.spec)
    return out
