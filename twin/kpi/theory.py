"""Closed-form queueing results the simulation is validated against.

Erlang B and C are computed with the blocking recursion
``B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))``, which never forms a factorial or a power of
the load, so it is exact to rounding for thousands of servers and thousands of Erlangs.
Erlang C follows from B: ``C = c B / (c - a (1 - B))``.

Rates are per second and times in seconds; offered load ``a = arrival rate x mean service``
is in Erlangs (dimensionless).

>>> round(erlang_c(2, 1.5), 4)
0.6429
>>> servers_for_blocking(25.0, 0.05)
31
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "mg1_mean_wait_s",
    "mginf_mean_in_system",
    "mmc_mean_queue_len",
    "mmc_mean_wait_s",
    "servers_for_blocking",
    "servers_for_wait_prob",
]


def _check_servers(servers: int, minimum: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < minimum:
        raise ValueError(f"servers must be an integer >= {minimum}, got {servers!r}")


def _check_nonnegative(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _check_target(target: float) -> None:
    if not (0 < target < 1):
        raise ValueError(f"target must be a probability strictly between 0 and 1, got {target!r}")


def erlang_b(servers: int, offered_erlangs: float) -> float:
    """Blocking probability of an M/G/c/c loss system (Erlang B), insensitive to service shape.

    >>> erlang_b(1, 1.0)
    0.5
    """
    _check_servers(servers, 0)
    _check_nonnegative("offered_erlangs", offered_erlangs)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_erlangs * blocking / (k + offered_erlangs * blocking)
    return blocking


def _erlang_c_from_b(servers: int, offered_erlangs: float, blocking: float) -> float:
    return servers * blocking / (servers - offered_erlangs * (1.0 - blocking))


def erlang_c(servers: int, offered_erlangs: float) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C).

    Needs ``offered_erlangs < servers``; otherwise the queue grows without bound.
    """
    _check_servers(servers, 1)
    _check_nonnegative("offered_erlangs", offered_erlangs)
    if offered_erlangs >= servers:
        raise ValueError(
            f"an M/M/c queue with {servers} servers and {offered_erlangs:g} Erlangs offered is "
            f"unstable (utilisation {offered_erlangs / servers:.3f} >= 1); add servers or "
            "lower the load"
        )
    return _erlang_c_from_b(servers, offered_erlangs, erlang_b(servers, offered_erlangs))


def mmc_mean_wait_s(arrival_per_s: float, mean_service_s: float, servers: int) -> float:
    """Mean time in queue Wq of an M/M/c queue, in seconds (time in system W = Wq + service)."""
    _check_nonnegative("arrival_per_s", arrival_per_s)
    _check_positive("mean_service_s", mean_service_s)
    offered = arrival_per_s * mean_service_s
    wait_prob = erlang_c(servers, offered)
    if wait_prob == 0.0:
        return 0.0
    return wait_prob * mean_service_s / (servers - offered)


def mmc_mean_queue_len(arrival_per_s: float, mean_service_s: float, servers: int) -> float:
    """Mean number waiting Lq of an M/M/c queue (Little's law: Lq = arrival rate x Wq)."""
    return arrival_per_s * mmc_mean_wait_s(arrival_per_s, mean_service_s, servers)


def mg1_mean_wait_s(
    arrival_per_s: float, mean_service_s: float, service_second_moment_s2: float
) -> float:
    """Mean time in queue of an M/G/1 queue, in seconds (Pollaczek-Khinchine).

    ``Wq = arrival rate x E[S^2] / (2 (1 - utilisation))``, where ``E[S^2] = var + mean^2``
    (``2 mean^2`` for exponential service, ``mean^2`` for fixed service).
    """
    _check_nonnegative("arrival_per_s", arrival_per_s)
    _check_positive("mean_service_s", mean_service_s)
    _check_nonnegative("service_second_moment_s2", service_second_moment_s2)
    # E[S^2] >= E[S]^2 for every distribution; allow for rounding in the caller's arithmetic.
    if service_second_moment_s2 < mean_service_s**2 * (1 - 1e-12):
        raise ValueError(
            f"service_second_moment_s2 = {service_second_moment_s2:g} is below "
            f"mean_service_s^2 = {mean_service_s**2:g}; pass E[S^2] = variance + mean^2, "
            "not the variance"
        )
    utilisation = arrival_per_s * mean_service_s
    if utilisation >= 1:
        raise ValueError(
            f"an M/G/1 queue with utilisation {utilisation:.3f} >= 1 is unstable; "
            "lower the arrival rate or the mean service time"
        )
    return arrival_per_s * service_second_moment_s2 / (2 * (1 - utilisation))


def mginf_mean_in_system(arrival_per_s: float, mean_time_s: float) -> float:
    """Mean number present in an M/G/inf system (Poisson with this mean, any time shape)."""
    _check_nonnegative("arrival_per_s", arrival_per_s)
    _check_nonnegative("mean_time_s", mean_time_s)
    return arrival_per_s * mean_time_s


def servers_for_blocking(offered_erlangs: float, target: float) -> int:
    """The smallest number of servers c with ``erlang_b(c, offered_erlangs) <= target``.

    >>> servers_for_blocking(100.0, 0.01)
    117
    """
    _check_nonnegative("offered_erlangs", offered_erlangs)
    _check_target(target)
    servers = 0
    blocking = 1.0
    while blocking > target:
        servers += 1
        blocking = offered_erlangs * blocking / (servers + offered_erlangs * blocking)
    return servers


def servers_for_wait_prob(offered_erlangs: float, target: float) -> int:
    """The smallest number of servers c with ``erlang_c(c, offered_erlangs) <= target``.

    Only stable configurations count, so the answer always exceeds ``offered_erlangs``.

    >>> servers_for_wait_prob(1.5, 0.6)
    3
    """
    _check_nonnegative("offered_erlangs", offered_erlangs)
    _check_target(target)
    if offered_erlangs == 0:
        return 1
    servers = 0
    blocking = 1.0
    while True:
        servers += 1
        blocking = offered_erlangs * blocking / (servers + offered_erlangs * blocking)
        if (
            servers > offered_erlangs
            and _erlang_c_from_b(servers, offered_erlangs, blocking) <= target
        ):
            return servers
