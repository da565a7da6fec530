"""Config of the tills: staffed lanes and a self-checkout pod, shared by every store format
that keeps them (grocery, bookstore; :class:`twin.domain.stores.checkout.CheckoutFront`).

Defaults follow ../shared/DOMAIN.md 1(a); configs/store/grocery.yaml restates them with a
source on each value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twin.config.fields import choice, dist, items, num, prob
from twin.core.sampling import DistSpec


def _d(kind: str, mean: float = 0.0, cv: float = 0.0, **kw: float) -> DistSpec:
    return DistSpec(kind=kind, mean=mean, cv=cv, **kw)  # type: ignore[arg-type]


@dataclass
class ServiceConfig:
    """Service time = fixed + per-item x units + payment; each a distribution."""

    fixed_s: DistSpec = dist(lambda: _d("gamma", 5.0, 0.3))
    per_item_s: DistSpec = dist(lambda: _d("gamma", 2.8, 0.3))
    payment_s: DistSpec = dist(lambda: _d("gamma", 30.0, 0.3))


@dataclass
class BalkingConfig:
    """P(balk) rises from 0 at an empty line to ``max_prob`` (Lu et al. 2013):
    ``max_prob * (s(L) - s(0)) / (1 - s(0))``, ``s(L) = 1 / (1 + exp(-(L - midpoint) / scale))``
    for a visible line of ``L`` shoppers."""

    enabled: bool = True
    max_prob: float = prob(0.2, doc="P(balk) at a very long line")
    midpoint_len: float = num(12.0, ge=0.0, le=500.0, doc="line length of the steepest rise")
    scale_len: float = num(2.5, gt=0.0, le=100.0, doc="line lengths over which P(balk) rises")


@dataclass
class RenegingConfig:
    enabled: bool = True
    # median 7 min, P(patience < 4 min) = 0.10 (M/A/R/C; Omnico ~8 min; DOMAIN.md 1(a))
    patience_s: DistSpec = dist(lambda: _d("lognormal", 462.0, 0.458))


@dataclass
class CheckoutConfig:
    """Staffed lanes and a self-checkout pod: how many, how long a sale takes, who gives up."""

    lanes: int = num(8, ge=1, le=1_000, doc="staffed lanes")
    lanes_by_hour: list[int] = items(list, ge=0, doc="open lanes per hour (24), empty = all")
    discipline: str = choice("shared", ("shared", "jsq"), doc="one serpentine line or per lane")
    sco_kiosks: int = num(4, ge=0, le=1_000)
    sco_share: float = prob(
        0.29,
        doc="share of all shoppers choosing self-checkout (drawn among those with at most "
        "sco_max_items; capped when too few are eligible)",
    )
    sco_max_items: int = num(15, ge=0)
    staffed: ServiceConfig = field(default_factory=ServiceConfig)
    self_checkout: ServiceConfig = field(
        default_factory=lambda: ServiceConfig(
            fixed_s=_d("gamma", 10.0, 0.3),
            per_item_s=_d("gamma", 10.0, 0.3),
            payment_s=_d("gamma", 30.0, 0.3),
        )
    )
    balking: BalkingConfig = field(default_factory=BalkingConfig)
    reneging: RenegingConfig = field(default_factory=RenegingConfig)
    cashier_cost_per_h: float = num(18.0, ge=0.0, doc="labour cost of one staffed lane hour")


__all__ = ["BalkingConfig", "CheckoutConfig", "RenegingConfig", "ServiceConfig"]
