"""Calibration targets: the ranges a believable default world must sit in (DOMAIN.md 2.3).

One declaration, read by the calibration test (tests/calibration/), docs/CALIBRATION.md and the
run report (which flags stores outside their targets). A target names a KPI and statistic of
the tidy KPI table, a closed range, where it applies, and the source of the range; ``[R]``
marks a rule of thumb (no public figure). Two KPIs named here are new with issue 15:
``checkout.sco_share_frac`` and ``orders.online_revenue_share_frac``.

>>> target = next(t for t in CALIBRATION_TARGETS if t.kpi == "checkout.staffed_wait_s")
>>> target.contains(120.0), target.contains(5.0)
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NETWORK = "network"  # the network aggregate (region all, store all)
EVERY_STORE = "every_store"  # each store that has the activity (its KPI row is not NaN)


@dataclass(frozen=True)
class Target:
    kpi: str
    stat: str
    low: float  # -inf when there is no lower bound
    high: float  # inf when there is no upper bound
    scope: str  # NETWORK or EVERY_STORE
    label: str  # what a reader calls it
    grade: str  # P published, I industry report, R rule of thumb
    source: str

    def contains(self, value: float) -> bool:
        """Whether ``value`` is inside the closed range (NaN is never inside)."""
        return not math.isnan(value) and self.low <= value <= self.high


def _both(
    kpi: str,
    stat: str,
    low: float,
    high: float,
    label: str,
    grade: str,
    source: str,
    store_low: float | None = None,
    store_high: float | None = None,
) -> tuple[Target, ...]:
    """A network target and, when a store bound is given, the every-store one."""
    targets = [Target(kpi, stat, low, high, NETWORK, label, grade, source)]
    if store_low is not None or store_high is not None:
        targets.append(
            Target(
                kpi,
                stat,
                -math.inf if store_low is None else store_low,
                math.inf if store_high is None else store_high,
                EVERY_STORE,
                label,
                grade,
                source,
            )
        )
    return tuple(targets)


INF = math.inf

CALIBRATION_TARGETS: tuple[Target, ...] = (
    *_both(
        "checkout.staffed_wait_s",
        "mean",
        30.0,
        300.0,
        "staffed checkout mean wait",
        "I",
        "a 2007 study of supermarkets in 25 US cities: about 5 min on average (WSJ, 2009); "
        "lower bound: operators staff below that [R]",
    ),
    *_both(
        "checkout.lane_utilisation_frac",
        "mean",
        0.55,
        1.0,
        "staffed-lane utilisation over open hours",
        "R",
        "stores open lanes to demand; fixed all-day staffing at 20 % is not an operation",
    ),
    *_both(
        "checkout.reneged_frac",
        "mean",
        0.0,
        0.01,
        "shoppers who reneged",
        "P",
        "Lu et al. 2013 (purchase incidence falls only above ~5 in line); DOMAIN 1(a)",
    ),
    *_both(
        "checkout.balked_frac",
        "mean",
        0.0,
        0.01,
        "shoppers who balked",
        "P",
        "Lu et al. 2013; DOMAIN 1(a)",
    ),
    *_both(
        "checkout.sco_share_frac",
        "mean",
        0.25,
        0.33,
        "self-checkout share of transactions",
        "I",
        "FMI: 29 % of food-retail transactions in 2022; 30 % in another FMI summary",
    ),
    *_both(
        "pickup.ready_within_promise_frac",
        "mean",
        0.95,
        1.0,
        "pickups ready by their promise (15-min express or booked window)",
        "I",
        "Dick's > 90 % within 15 min; Amazon Fresh Pickup 'ready in 15 min', customers "
        "reserved windows (DOMAIN 1(b))",
        store_low=0.90,
    ),
    *_both(
        "pickup.customer_wait_s",
        "mean",
        0.0,
        300.0,
        "pickup customer wait",
        "I",
        "Rakuten Ready 2019: 4:03 in store, 5:21 curbside; Amazon Fresh Pickup ~5 min",
    ),
    *_both(
        "delivery.on_time_frac",
        "mean",
        0.95,
        1.0,
        "deliveries on time",
        "R",
        "slot promise kept; below 90 % customers churn",
        store_low=0.90,
    ),
    *_both(
        "picking.picker_utilisation_frac",
        "mean",
        0.50,
        1.0,
        "picker utilisation",
        "R",
        "pick rate ~120 items/h at Kroger (DOMAIN 1(b)) with slack for waves",
        store_high=0.90,
    ),
    *_both(
        "courier.utilisation_frac",
        "mean",
        0.0,
        0.90,
        "courier (van, bike) utilisation",
        "R",
        "no public figure; slack for slot peaks",
        store_high=0.90,
    ),
    *_both(
        "coldchain.spoiled_frac",
        "mean",
        0.0,
        0.02,
        "cold-chain items spoiled",
        "R",
        "produce shrink 4.8 % of sales (FMI via USDA ERS); best-in-class store shrink ~2 % "
        "(Coresight)",
    ),
    *_both(
        "coldchain.chilled_handover_temp_c",
        "mean",
        -INF,
        5.0,
        "chilled hand-over temperature",
        "P",
        "US FDA Food Code cold holding at 41 F (5 C) or below",
    ),
    *_both(
        "orders.online_revenue_share_frac",
        "mean",
        0.04,
        0.15,
        "online share of revenue",
        "I",
        "US online grocery 5.5 % of grocery spending (Brick Meets Click)",
    ),
)


def targets_for(scope: str) -> tuple[Target, ...]:
    """The targets that apply at ``scope`` (NETWORK or EVERY_STORE)."""
    return tuple(t for t in CALIBRATION_TARGETS if t.scope == scope)
