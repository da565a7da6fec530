"""What every store format shares: its identity, its opening hours, and its walk-in arrivals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.config.schema import DemandConfig, RunConfig
from twin.core.arrivals import DAY_S, hourly_rates_per_s, nhpp_arrival_times
from twin.core.streams import Streams


@dataclass(frozen=True, slots=True)
class StoreContext:
    """The inputs every store format needs, resolved before time 0."""

    store_id: str
    open_hour: int
    close_hour: int
    horizon_s: float
    streams: Streams

    def stream(self, name: str) -> np.random.Generator:
        """The store's own named stream, e.g. ``store.S01.arrivals``."""
        return self.streams.get(f"store.{self.store_id}.{name}")

    def open_intervals(
        self, count_by_hour: list[int] | None, count: int
    ) -> list[tuple[float, float]]:
        """(start, end) of each unit open (a lane, a kiosk) per open hour of every day."""
        intervals = []
        days = round(self.horizon_s / DAY_S)
        for day in range(days):
            for hour in range(self.open_hour, self.close_hour):
                units = count_by_hour[hour] if count_by_hour else count
                start = day * DAY_S + hour * 3600.0
                intervals.extend([(start, start + 3600.0)] * units)
        return intervals


def walk_in_arrivals(
    context: StoreContext, demand: DemandConfig, run: RunConfig, demand_scale: float
) -> np.ndarray:
    """Sorted walk-in arrival times for one store over the whole horizon."""
    rates = hourly_rates_per_s(
        demand.daily_shoppers_per_store * demand_scale,
        demand.weekday_hour_shares,
        demand.weekend_hour_shares,
        demand.day_factors,
        context.open_hour,
        context.close_hour,
        run.days,
        run.start_weekday,
    )
    return nhpp_arrival_times(rates, context.stream("arrivals"))
