"""What every store format shares: its identity, its opening hours, and its walk-in arrivals."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.core.arrivals import hourly_rates_per_s, nhpp_arrival_times
from twin.core.streams import Streams


@dataclass(frozen=True, slots=True)
class StoreContext:
    """The inputs every store format needs, resolved before time 0."""

    store_id: str
    open_hour: int
    close_hour: int
    horizon_s: float
    streams: Streams
    # planned staffed lanes for each hour of the horizon (twin.plan); empty: the format's config
    staffed_lanes: tuple[int, ...] = ()

    def stream(self, name: str) -> np.random.Generator:
        """The store's own named stream, e.g. ``store.S01.arrivals``."""
        return self.streams.get(f"store.{self.store_id}.{name}")


def walk_in_arrivals(
    context: StoreContext, demand: DemandConfig, run: RunConfig, demand_scale: float
) -> np.ndarray:
    """Sorted walk-in arrival times for one store over the whole horizon.

    With ``demand.source=trace`` they are the store's recorded arrivals (``demand_scale`` and
    the rates do not apply) and the ``arrivals`` stream is not used.
    """
    if demand.source == "trace":
        from twin.data.trace import store_trace  # only replays read logs

        return store_trace(demand.trace, context.store_id, context.horizon_s).arrivals_s
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


def start_visits(
    env: simpy.Environment,
    arrivals_s: np.ndarray,
    visit: Callable[[int], Generator[simpy.Event, Any, None]],
) -> Generator[simpy.Event, Any, None]:
    """The arrivals process of a store: start ``visit(i)`` at the i-th arrival time."""
    for index, at_s in enumerate(arrivals_s.tolist()):
        yield env.timeout(at_s - env.now)
        env.process(visit(index))
