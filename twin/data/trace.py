"""Trace replay (``demand.source=trace demand.trace=LOGS``): recorded walk-ins drive the twin.

A store's arrivals are its recorded arrival times (seconds since the logs' day 0) and, where
the log has them, its shoppers' basket units; everything else is drawn from the twin's named
streams as usual, so a what-if on the replayed days uses common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.data.read import LogError, read_logs
from twin.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StoreTrace:
    arrivals_s: np.ndarray  # sorted
    items: np.ndarray  # per arrival; NaN = not recorded


def store_trace(folder: str, store_id: str, horizon_s: float) -> StoreTrace:
    """The recorded walk-ins of ``store_id`` that arrived within the horizon."""
    try:
        logs = read_logs(Path(folder))
    except LogError as exc:
        raise ConfigError("demand.trace", folder, f"a readable logs folder ({exc})") from None
    visits = logs.tables["visits"]
    mine = visits[visits["store"] == store_id]
    if mine.empty:
        raise ConfigError(
            "demand.trace", folder, f"logs with visits of store {store_id} (has {logs.stores})"
        )
    arrivals = mine["arrival"].to_numpy(dtype=float)
    items = mine["items"].to_numpy(dtype=float)
    order = np.argsort(arrivals, kind="stable")
    arrivals, items = arrivals[order], items[order]
    keep = (arrivals >= 0) & (arrivals < horizon_s)
    return StoreTrace(arrivals[keep], items[keep])
