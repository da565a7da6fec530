"""Staffing rules: how many servers an hour's expected load needs.

>>> lanes_for(arrivals_per_h=60.0, service_s=60.0, wait_target_s=60.0, alpha=0.2, low=1, high=8)
(2, 0)
>>> by_utilisation(work_erlangs=2.1, utilisation=0.6, low=1, high=3)
(3, 1)
"""

from __future__ import annotations

import math

import numpy as np

from twin.kpi.theory import erlang_c


def wait_beyond_prob(servers: int, offered: float, service_s: float, target_s: float) -> float:
    """M/M/c: P(wait > target) = C(c, a) exp(-(c - a) target / service); 1 if unstable."""
    if servers <= offered:
        return 1.0
    return erlang_c(servers, offered) * math.exp(-(servers - offered) * target_s / service_s)


def lanes_for(
    arrivals_per_h: float,
    service_s: float,
    wait_target_s: float,
    alpha: float,
    low: int,
    high: int,
) -> tuple[int, int]:
    """(lanes, shortfall): the fewest lanes in [low, high] with P(wait > target) <= alpha.

    ``shortfall`` is how many lanes beyond ``high`` the target would need (0 when met).
    """
    offered = arrivals_per_h / 3600.0 * service_s
    if offered <= 0:
        return low, 0
    c = max(low, math.floor(offered) + 1)
    while wait_beyond_prob(c, offered, service_s, wait_target_s) > alpha:
        c += 1
    return min(c, high), max(0, c - high)


def by_utilisation(work_erlangs: float, utilisation: float, low: int, high: int) -> tuple[int, int]:
    """(servers, shortfall): ceil(work / utilisation) kept within [low, high]."""
    need = max(low, math.ceil(work_erlangs / utilisation - 1e-9)) if work_erlangs > 0 else low
    return min(need, high), max(0, need - high)


def ready_prob(
    servers: int, offered: float, task_s: float, promise_s: float, makespans: np.ndarray
) -> float:
    """P(an order is ready within its promise): its tasks wait as in M/M/c, then run in parallel.

    ``makespans`` are sampled orders' pick times on ``servers`` idle pickers; an order is in
    time when its wait (P(wait > t) = C exp(-(c - a) t / task_s)) leaves room for them.
    """
    slack = promise_s - makespans
    in_time = slack > 0
    if servers <= offered:
        return 0.0
    late = wait_beyond_prob(servers, offered, task_s, 0.0) * np.exp(
        -(servers - offered) / task_s * np.where(in_time, slack, 0.0)
    )
    return float(np.mean(np.where(in_time, 1.0 - late, 0.0)))
