"""Closed-form queueing results: DOMAIN.md section 2.1 tables, identities, stability, errors."""

from __future__ import annotations

import math

import pytest

from twin.kpi.theory import (
    erlang_b,
    erlang_c,
    mg1_mean_wait_s,
    mginf_mean_in_system,
    mmc_mean_queue_len,
    mmc_mean_wait_s,
    servers_for_blocking,
    servers_for_wait_prob,
)

pytestmark = pytest.mark.unit

# DOMAIN.md 2.1, M/M/c checkout: lambda (per h), mean service (min), c, rho, P(wait), Wq (min),
# W (min), Lq.
MMC_TABLE = [
    (30, 1.0, 1, 0.500, 0.5000, 1.000, 2.000, 0.500),
    (60, 1.5, 2, 0.750, 0.6429, 1.929, 3.429, 1.929),
    (90, 1.0, 2, 0.750, 0.6429, 1.286, 2.286, 1.929),
    (120, 1.5, 4, 0.750, 0.5094, 0.764, 2.264, 1.528),
    (100, 1.5, 3, 0.833, 0.7022, 2.107, 3.607, 3.511),
    (200, 1.5, 6, 0.833, 0.5875, 0.881, 2.381, 2.938),
]

# DOMAIN.md 2.1, locker bank Erlang B: orders/day, mean dwell (h), Erlangs, c for B<5%, B<1%.
ERLANG_B_TABLE = [
    (50, 12, 25, 31, 36),
    (100, 12, 50, 56, 64),
    (300, 6, 75, 81, 91),
    (100, 24, 100, 105, 117),
    (200, 24, 200, 202, 221),
]


@pytest.mark.parametrize(
    ("per_h", "service_min", "servers", "rho", "wait_prob", "wq_min", "w_min", "lq"), MMC_TABLE
)
def test_mmc_table_rows_reproduced_to_printed_digits(
    per_h: float,
    service_min: float,
    servers: int,
    rho: float,
    wait_prob: float,
    wq_min: float,
    w_min: float,
    lq: float,
) -> None:
    arrival_per_s = per_h / 3600
    service_s = service_min * 60
    offered = arrival_per_s * service_s
    wq_s = mmc_mean_wait_s(arrival_per_s, service_s, servers)
    assert round(offered / servers, 3) == rho
    assert round(erlang_c(servers, offered), 4) == wait_prob
    assert round(wq_s / 60, 3) == wq_min
    assert round((wq_s + service_s) / 60, 3) == w_min
    assert round(mmc_mean_queue_len(arrival_per_s, service_s, servers), 3) == lq


@pytest.mark.parametrize(("per_day", "dwell_h", "erlangs", "for_5pct", "for_1pct"), ERLANG_B_TABLE)
def test_erlang_b_table_lockers_needed(
    per_day: float, dwell_h: float, erlangs: float, for_5pct: int, for_1pct: int
) -> None:
    offered = (per_day / 86400) * (dwell_h * 3600)
    assert offered == pytest.approx(erlangs)
    assert servers_for_blocking(offered, 0.05) == for_5pct
    assert servers_for_blocking(offered, 0.01) == for_1pct
    # Smallest: one locker fewer misses the target.
    assert erlang_b(for_5pct, offered) <= 0.05 < erlang_b(for_5pct - 1, offered)
    assert erlang_b(for_1pct, offered) <= 0.01 < erlang_b(for_1pct - 1, offered)


def _erlang_b_direct(servers: int, offered: float) -> float:
    # log-space sum of a^k / k!, a reference independent of the recursion.
    logs = [k * math.log(offered) - math.lgamma(k + 1) for k in range(servers + 1)]
    top = max(logs)
    return math.exp(logs[-1] - top) / sum(math.exp(x - top) for x in logs)


@pytest.mark.parametrize(("servers", "offered"), [(1, 0.3), (5, 4.0), (40, 35.5), (300, 310.0)])
def test_erlang_b_matches_direct_formula(servers: int, offered: float) -> None:
    assert erlang_b(servers, offered) == pytest.approx(
        _erlang_b_direct(servers, offered), rel=1e-10
    )


def test_erlang_b_edge_cases() -> None:
    assert erlang_b(0, 5.0) == 1.0
    assert erlang_b(10, 0.0) == 0.0
    assert erlang_b(1, 1.0) == 0.5


def test_large_systems_are_finite_and_sane() -> None:
    # c = 1000 servers and 1000 Erlangs: no overflow, values strictly inside (0, 1).
    blocking = erlang_b(1000, 1000.0)
    assert 0 < blocking < 1
    assert blocking == pytest.approx(_erlang_b_direct(1000, 1000.0), rel=1e-9)
    assert 0 < erlang_c(1000, 999.0) < 1
    assert erlang_c(1000, 999.0) > erlang_c(1000, 950.0)
    assert math.isfinite(mmc_mean_wait_s(999.0, 1.0, 1000))
    c_blocking = servers_for_blocking(1000.0, 0.01)
    assert erlang_b(c_blocking, 1000.0) <= 0.01 < erlang_b(c_blocking - 1, 1000.0)
    c_wait = servers_for_wait_prob(1000.0, 0.2)
    assert erlang_c(c_wait, 1000.0) <= 0.2 < erlang_c(c_wait - 1, 1000.0)


def test_mm1_identities() -> None:
    arrival, service = 0.4, 2.0  # rho = 0.8
    assert erlang_c(1, 0.8) == pytest.approx(0.8)
    assert mmc_mean_wait_s(arrival, service, 1) == pytest.approx(0.8 * service / (1 - 0.8))
    # M/G/1 with exponential service (E[S^2] = 2 mean^2) is M/M/1.
    assert mg1_mean_wait_s(arrival, service, 2 * service**2) == pytest.approx(
        mmc_mean_wait_s(arrival, service, 1)
    )
    # Fixed service halves the M/M/1 wait.
    assert mg1_mean_wait_s(arrival, service, service**2) == pytest.approx(
        mmc_mean_wait_s(arrival, service, 1) / 2
    )


def test_erlang_c_exceeds_erlang_b() -> None:
    for servers, offered in [(1, 0.5), (4, 3.0), (50, 45.0)]:
        assert erlang_c(servers, offered) > erlang_b(servers, offered)


def test_no_load_means_no_wait() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert mmc_mean_wait_s(0.0, 60.0, 3) == 0.0
    assert mg1_mean_wait_s(0.0, 60.0, 7200.0) == 0.0
    assert servers_for_wait_prob(0.0, 0.1) == 1
    assert servers_for_blocking(0.0, 0.1) == 1


def test_mginf_is_littles_law() -> None:
    assert mginf_mean_in_system(2.0 / 3600, 1800.0) == pytest.approx(1.0)


def test_servers_for_wait_prob_is_smallest_stable_count() -> None:
    assert servers_for_wait_prob(1.5, 0.6) == 3  # c=2 gives 0.6429
    c = servers_for_wait_prob(7.0, 0.999)
    assert c == 8  # the first stable count already meets a loose target


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(2, 2.0), "unstable"),
        (lambda: erlang_c(0, 0.5), "servers must be an integer >= 1"),
        (lambda: erlang_b(-1, 0.5), "servers must be an integer >= 0"),
        (lambda: erlang_b(2.0, 0.5), "servers must be an integer"),  # type: ignore[arg-type]
        (lambda: erlang_b(2, -0.1), "offered_erlangs must be a finite number >= 0"),
        (lambda: erlang_b(2, math.nan), "offered_erlangs must be a finite number >= 0"),
        (lambda: mmc_mean_wait_s(1.0, 2.0, 2), "unstable"),
        (lambda: mmc_mean_wait_s(0.1, 0.0, 2), "mean_service_s must be a finite number > 0"),
        (lambda: mmc_mean_queue_len(-0.1, 1.0, 2), "arrival_per_s must be"),
        (lambda: mg1_mean_wait_s(0.5, 2.0, 8.0), "M/G/1 queue with utilisation 1.000"),
        (lambda: mg1_mean_wait_s(0.1, 2.0, 1.0), "pass E\\[S\\^2\\] = variance \\+ mean\\^2"),
        (lambda: mginf_mean_in_system(1.0, -1.0), "mean_time_s must be"),
        (lambda: servers_for_blocking(10.0, 0.0), "target must be a probability"),
        (lambda: servers_for_blocking(10.0, 1.0), "target must be a probability"),
        (lambda: servers_for_wait_prob(10.0, 1.5), "target must be a probability"),
    ],
)
def test_invalid_inputs_raise_clear_errors(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
