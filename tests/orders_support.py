"""Test helpers for online orders: configs in which queueing theory gives the answer."""

from __future__ import annotations

from tests.support import EXPRESS_ONLY, PLANNER_FIXED

FLAT_24H = "[" + ",".join(["1"] * 24) + "]"
PICKING = "fulfilment.store.picking"
LOCKERS = "fulfilment.store.lockers"
COLLECTION = "fulfilment.store.collection"


def poisson_pickup_overrides(
    orders_per_h: float, replications: int, warmup_s: float = 7200.0, days: int = 1
) -> list[str]:
    """One store, pickup orders only, a constant Poisson rate around the clock, no walk-ins.

    Every order has one ambient item (one pick task, one compartment).
    """
    return [
        "network=single_store",
        *PLANNER_FIXED,
        *EXPRESS_ONLY,
        f"run.replications={replications}",
        f"run.warmup_s={warmup_s}",
        f"run.days={days}",
        "formats.grocery.demand_scale=0",
        "orders.delivery.enabled=false",
        "orders.replenishment.enabled=false",
        "orders.pickup.open_hour=0",
        "orders.pickup.close_hour=24",
        f"orders.pickup.hour_shares={FLAT_24H}",
        f"orders.pickup.daily_orders_per_store={orders_per_h * 24}",
        "orders.pickup.basket_units={kind:fixed,mean:1}",
        "orders.zones.ambient.share=1",
        "orders.zones.chilled.share=0",
        "orders.zones.frozen.share=0",
        f"{PICKING}.start_hour=0",
        f"{PICKING}.end_hour=24",
        f"{PICKING}.walk_s={{kind:fixed,mean:0}}",
        f"{PICKING}.stage_s={{kind:fixed,mean:0}}",
    ]


def exponential_picking_overrides(mean_pick_s: float, pickers: int) -> list[str]:
    """One exponential pick task per order, FCFS, handed over at the counter (no lockers)."""
    return [
        f"{PICKING}.per_item_s.ambient={{kind:exponential,mean:{mean_pick_s}}}",
        f"{PICKING}.pickers={pickers}",
        f"{PICKING}.priority=fcfs",
        f"{COLLECTION}.method=counter",
        f"{COLLECTION}.counter_staff=50",
    ]


def locker_loss_overrides(compartments: int, dwell_mean_s: float, dwell_cv: float) -> list[str]:
    """Orders ready at once (many fast pickers), collected a lognormal dwell after ready; no
    retrieval time and no hold limit, so each order holds one compartment for its dwell."""
    return [
        f"{PICKING}.per_item_s.ambient={{kind:fixed,mean:1}}",
        f"{PICKING}.pickers=50",
        f"{COLLECTION}.relative_to=ready",
        f"{COLLECTION}.dwell_s={{kind:lognormal,mean:{dwell_mean_s},cv:{dwell_cv}}}",
        f"{COLLECTION}.parcel_hold_s=3e7",  # never within a run (ceiling: a year)
        f"{LOCKERS}.retrieval_s={{kind:fixed,mean:0}}",
        f"{LOCKERS}.ambient.compartments={compartments}",
        f"{LOCKERS}.ambient.size_volume_l=[1000]",
        f"{LOCKERS}.ambient.size_shares=[1]",
    ]
