"""Config of ``twin-size``: which store to size, the targets, the replications and demand levels."""

from __future__ import annotations

from dataclasses import dataclass

from twin.config.fields import items, num, prob
from twin.errors import ConfigError


@dataclass
class SizingConfig:
    """Smallest pickers and locker compartments per zone meeting the targets with confidence."""

    store: str = ""  # store id; "" = the first store offering pickup in the first region
    ready_within_promise_target: float = prob(
        0.95, doc="P(pickup ready within its promise) >= this"
    )
    overflow_target: float = prob(0.05, doc="locker overflow per zone <= this")
    confidence: float = num(0.95, gt=0.0, lt=1.0, doc="of the interval that must clear a target")
    replications: int = num(10, ge=2, doc="per capacity point, common random numbers across points")
    days: int = num(3, ge=0, doc="simulated days per replication; 0 = run.days")
    demand_scales: list[float] = items(
        lambda: [1.0, 1.25, 1.5], ge=0.0, doc="order volume levels (x orders.demand_scale)"
    )
    max_capacity: int = num(200, ge=1, doc="search limit per resource")
    confirm_seed_offset: int = num(1_000_003, ge=1, doc="fresh seeds for the confirmation runs")
    simulate_walk_ins: bool = False  # walk-in shoppers do not touch pickers or lockers

    def check(self, key: str) -> None:
        if not self.demand_scales or min(self.demand_scales) <= 0:
            raise ConfigError(
                f"{key}.demand_scales",
                self.demand_scales,
                "a non-empty list of demand levels > 0, e.g. [1.0, 1.25, 1.5]",
            )
