"""Non-homogeneous Poisson arrivals with a piecewise-constant hourly rate, drawn in blocks.

Within an hour of constant rate r, the number of arrivals is Poisson(r * 3600) and, given the
count, their times are independent and uniform over the hour; drawing per hour this way is
exact and vectorised.
"""

from __future__ import annotations

import numpy as np

HOUR_S = 3600.0
DAY_S = 86400.0


def hourly_rates_per_s(
    daily_total: float,
    weekday_shares: list[float],
    weekend_shares: list[float],
    day_factors: list[float],
    open_hour: int,
    close_hour: int,
    days: int,
    start_weekday: int,
) -> np.ndarray:
    """Arrival rate (per second) of each hour of the horizon (``days * 24`` values).

    Shares of closed hours are dropped and the rest renormalised so an open day still gets
    ``daily_total * day_factor`` expected arrivals.
    """
    open_mask = np.zeros(24, dtype=bool)
    open_mask[open_hour:close_hour] = True
    rates = np.zeros(days * 24)
    for day in range(days):
        weekday = (start_weekday + day) % 7
        shares = np.asarray(weekend_shares if weekday >= 5 else weekday_shares, dtype=float)
        shares = np.where(open_mask, shares, 0.0)
        total = shares.sum()
        if total <= 0:
            continue
        expected = daily_total * day_factors[weekday] * shares / total
        rates[day * 24 : (day + 1) * 24] = expected / HOUR_S
    return rates


def nhpp_arrival_times(
    rates_per_s: np.ndarray, rng: np.random.Generator, segment_s: float = HOUR_S
) -> np.ndarray:
    """Sorted arrival times of a Poisson process whose rate is constant on each segment."""
    counts = rng.poisson(rates_per_s * segment_s)
    total = int(counts.sum())
    starts = np.repeat(np.arange(rates_per_s.size) * segment_s, counts)
    times = starts + rng.random(total) * segment_s
    times.sort()
    return times
