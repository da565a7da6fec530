"""Checks that queues which cannot shed load (no reneging) are stable at their peak hour."""

from __future__ import annotations

from typing import Any

from twin.core.sampling import dist_mean
from twin.errors import ConfigError


def mean_units(demand: Any) -> float:
    basket = demand.basket
    return basket.quick_share * dist_mean(basket.quick_units) + (
        1 - basket.quick_share
    ) * dist_mean(basket.stockup_units)


def peak_arrivals_per_s(demand: Any, fmt: Any) -> float:
    """The highest hourly walk-in rate of a store of this format over the week."""
    peak = 0.0
    open_hours = range(fmt.open_hour, fmt.close_hour)
    for weekday, factor in enumerate(demand.day_factors):
        shares = demand.weekend_hour_shares if weekday >= 5 else demand.weekday_hour_shares
        total = sum(shares[h] for h in open_hours)
        if total <= 0:
            continue
        top = max(shares[h] for h in open_hours)
        peak = max(peak, demand.daily_shoppers_per_store * fmt.demand_scale * factor * top / total)
    return peak / 3600.0


def check_checkout_stability(key: str, fmt: Any, demand: Any) -> None:
    """Staffed lanes without reneging must have utilisation < 1 at the peak hour."""
    checkout = fmt.checkout
    if checkout.reneging.enabled:
        return  # impatient shoppers leave: the line cannot grow without bound
    units = mean_units(demand)
    staffed = checkout.staffed
    service_s = (
        dist_mean(staffed.fixed_s)
        + dist_mean(staffed.per_item_s) * units
        + dist_mean(staffed.payment_s)
    )
    sco_share = checkout.sco_share if checkout.sco_kiosks > 0 else 0.0
    arrivals = peak_arrivals_per_s(demand, fmt) * (1 - sco_share)
    lanes = max(checkout.lanes_by_hour) if checkout.lanes_by_hour else checkout.lanes
    load = arrivals * service_s
    if lanes > 0 and load / lanes >= 1.0:
        raise ConfigError(
            f"{key}.checkout.lanes",
            lanes,
            f"more than {load:.2f} lanes: at the peak hour {arrivals * 3600:.0f} shoppers/h "
            f"each need {service_s:.0f} s of a lane, so with reneging disabled the line grows "
            "without bound",
            "Add lanes, lower demand, or enable checkout.reneging.",
        )
