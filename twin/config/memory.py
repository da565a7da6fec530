"""A memory estimate before time 0: a run that cannot fit is refused, saying what it needs.

The estimate is deliberately rough and on the high side: the arrival times of every store of a
region over the horizon are drawn up front (three float64 arrays), each shopper and order is a
Python object while it is in the system, and record tables (``run.records``) keep one row per
shopper and order. Regions and replications run one after another in a process (or one per
worker), so the peak is that of the largest region times the workers.
"""

from __future__ import annotations

import os
from typing import Any

from twin.errors import ConfigError

BYTES_PER_ARRIVAL = 3 * 8 + 8  # arrival times drawn up front, and their Python float
BYTES_PER_RECORD = 400  # one row of a record table, in pandas, with its strings
BASE_BYTES = 400 * 2**20  # the interpreter, numpy, pandas, simpy and the network
SAFETY = 0.8  # refuse above this share of the available memory


def available_bytes() -> int | None:
    """MemAvailable from /proc/meminfo, else physical pages; None when neither is known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return None


def estimated_bytes(config: Any) -> int:
    """Peak bytes a run of ``config`` needs (see the module doc)."""
    formats = config.formats
    scales = [getattr(formats, name).demand_scale for name in vars(formats)]
    scale = max([s for s in scales if isinstance(s, int | float)] or [1.0])
    day_factor = max(config.demand.day_factors or [1.0])
    stores = config.network.n_stores
    shoppers_per_day = config.demand.daily_shoppers_per_store * scale * day_factor * stores
    orders = config.orders
    orders_per_day = 0.0
    if orders.enabled:
        per_store = sum(c.daily_orders_per_store for _, c in orders.channels() if c.enabled)
        orders_per_day = per_store * orders.demand_scale * max(orders.day_factors or [1.0])
        orders_per_day *= stores
    items_per_day = shoppers_per_day + orders_per_day
    horizon = items_per_day * config.run.days
    peak = horizon * BYTES_PER_ARRIVAL
    if config.run.records:
        peak += horizon * BYTES_PER_RECORD
    workers = max(1, min(config.run.workers, config.run.replications * config.network.n_regions))
    return int(BASE_BYTES + peak * workers)


def check_memory(config: Any, available: int | None = None) -> None:
    """Raise :class:`ConfigError` when the run's estimate exceeds the available memory."""
    free = available_bytes() if available is None else available
    if free is None:
        return
    need = estimated_bytes(config)
    if need <= SAFETY * free:
        return
    raise ConfigError(
        "demand.daily_shoppers_per_store",
        config.demand.daily_shoppers_per_store,
        f"a run that fits in memory: this one needs about {_gib(need)} and "
        f"{_gib(free)} is available",
        "Lower the demand, network.n_stores, run.days or run.workers, or set run.records=false.",
    )


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"
