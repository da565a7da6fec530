"""Routing over a travel matrix: validity, exactness of Held-Karp, heuristic gap to optimum."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from twin.network.routing import (
    DEFAULT_STARTS,
    MAX_EXACT_STOPS,
    _plan_route_arrays,
    exact_route,
    nearest_neighbour_route,
    or_opt,
    plan_route,
    route_length,
    two_opt,
)
from twin.network.routing_small import MAX_SMALL_STOPS

pytestmark = pytest.mark.unit

MatrixMaker = Callable[[np.random.Generator, int], np.ndarray]


def euclidean(rng: np.random.Generator, nodes: int) -> np.ndarray:
    points = rng.random((nodes, 2))
    return np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))


def road_like(rng: np.random.Generator, nodes: int) -> np.ndarray:
    # Euclidean with an independent detour factor per direction (one-way streets, turns).
    return euclidean(rng, nodes) * rng.uniform(1.0, 1.5, (nodes, nodes))


def uniform_asymmetric(rng: np.random.Generator, nodes: int) -> np.ndarray:
    matrix = rng.random((nodes, nodes))
    np.fill_diagonal(matrix, 0.0)
    return matrix


KINDS: dict[str, MatrixMaker] = {
    "euclidean": euclidean,
    "road_like": road_like,
    "uniform_asymmetric": uniform_asymmetric,
}

# Bounds stated in twin/network/routing.py's docstring (measured with these seeds, plus margin).
GAP_BOUNDS = {  # kind: (mean, 95th percentile, worst)
    "euclidean": (0.002, 0.001, 0.05),
    "road_like": (0.003, 0.01, 0.10),
    "uniform_asymmetric": (0.015, 0.08, 0.35),
}
INSTANCES = 600


def _brute_force(matrix: np.ndarray, depot: int, stops: list[int]) -> float:
    return min(route_length(matrix, depot, list(p)) for p in itertools.permutations(stops))


def _assert_visits_each_once(route: list[int], stops: list[int]) -> None:
    assert sorted(route) == sorted(stops)
    assert len(set(route)) == len(route)


def test_route_length_includes_both_depot_legs() -> None:
    matrix = np.array([[0, 1, 5], [2, 0, 3], [4, 6, 0]], dtype=float)
    assert route_length(matrix, 0, [1, 2]) == 1 + 3 + 4
    assert route_length(matrix, 0, [2, 1]) == 5 + 6 + 2
    assert route_length(matrix, 0, []) == 0.0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_exact_route_matches_brute_force(kind: str) -> None:
    rng = np.random.default_rng(3)
    for _ in range(60):
        stops_n = int(rng.integers(1, 8))
        matrix = KINDS[kind](rng, stops_n + 1)
        stops = [int(s) for s in rng.permutation(np.arange(1, stops_n + 1))]
        route = exact_route(matrix, 0, stops)
        _assert_visits_each_once(route, stops)
        assert route_length(matrix, 0, route) == pytest.approx(_brute_force(matrix, 0, stops))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_heuristic_gap_to_optimum_within_stated_bounds(kind: str) -> None:
    rng = np.random.default_rng(2024)
    gaps = np.empty(INSTANCES)
    for index in range(INSTANCES):
        stops_n = int(rng.integers(4, 11))
        # A depot that is not node 0 and stops in shuffled order exercise the index handling.
        matrix = KINDS[kind](rng, stops_n + 2)
        depot = stops_n + 1
        stops = [int(s) for s in rng.permutation(np.arange(1, stops_n + 1))]
        route = plan_route(matrix, depot, stops)
        _assert_visits_each_once(route, stops)
        optimum = route_length(matrix, depot, exact_route(matrix, depot, stops))
        gaps[index] = route_length(matrix, depot, route) / optimum - 1
    mean_bound, p95_bound, worst_bound = GAP_BOUNDS[kind]
    assert gaps.min() >= -1e-9  # never better than the optimum
    assert gaps.mean() <= mean_bound
    assert np.percentile(gaps, 95) <= p95_bound
    assert gaps.max() <= worst_bound


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_local_search_never_lengthens_and_keeps_every_stop(kind: str) -> None:
    rng = np.random.default_rng(5)
    for _ in range(100):
        stops_n = int(rng.integers(1, 15))
        matrix = KINDS[kind](rng, stops_n + 1)
        stops = [int(s) for s in rng.permutation(np.arange(1, stops_n + 1))]
        start = route_length(matrix, 0, stops)
        for improve in (two_opt, or_opt):
            improved = improve(matrix, 0, stops)
            _assert_visits_each_once(improved, stops)
            assert route_length(matrix, 0, improved) <= start + 1e-12
        nearest = nearest_neighbour_route(matrix, 0, stops)
        _assert_visits_each_once(nearest, stops)
        planned = plan_route(matrix, 0, stops)
        _assert_visits_each_once(planned, stops)
        assert route_length(matrix, 0, planned) <= route_length(matrix, 0, nearest) + 1e-12


def test_two_opt_uses_directed_lengths_on_asymmetric_matrix() -> None:
    # Reversing [1, 2, 3] would look free if 2-opt assumed symmetry, but the reverse
    # direction costs 10 per edge; the directed length must stop 2-opt from taking it.
    matrix = np.full((4, 4), 10.0)
    np.fill_diagonal(matrix, 0.0)
    matrix[0, 1] = matrix[1, 2] = matrix[2, 3] = matrix[3, 0] = 1.0
    assert two_opt(matrix, 0, [1, 2, 3]) == [1, 2, 3]
    assert plan_route(matrix, 0, [3, 2, 1]) == [1, 2, 3]


def test_nearest_neighbour_follows_the_greedy_rule() -> None:
    points = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [-1.5, 0.0]])
    matrix = np.abs(points[:, None, 0] - points[None, :, 0])
    assert nearest_neighbour_route(matrix, 0, [2, 3, 1]) == [1, 2, 3]
    assert nearest_neighbour_route(matrix, 0, [2, 3, 1], first=3) == [3, 1, 2]


def test_trivial_routes() -> None:
    matrix = euclidean(np.random.default_rng(0), 3)
    for planner in (plan_route, exact_route, nearest_neighbour_route, two_opt, or_opt):
        assert planner(matrix, 0, []) == []
        assert planner(matrix, 0, [2]) == [2]


def test_exact_route_handles_the_stated_maximum_quickly() -> None:
    rng = np.random.default_rng(9)
    matrix = road_like(rng, MAX_EXACT_STOPS + 1)
    stops = list(range(1, MAX_EXACT_STOPS + 1))
    route = exact_route(matrix, 0, stops)
    _assert_visits_each_once(route, stops)
    assert route_length(matrix, 0, route) <= route_length(matrix, 0, plan_route(matrix, 0, stops))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: plan_route(m[:, :2], 0, [1]), "must be square"),
        (lambda m: plan_route(m, 0, [1, 7]), "node 7 is not a row of the 4x4 travel matrix"),
        (lambda m: plan_route(m, 0, [1, 1]), "stops must be distinct"),
        (lambda m: plan_route(m, 1, [1, 2]), "the depot 1 cannot also be a stop"),
        (lambda m: plan_route(m, 0, [1, 2], starts=0), "starts must be >= 1"),
        (lambda m: nearest_neighbour_route(m, 0, [1, 2], first=3), "first = 3 is not one"),
        (
            lambda m: exact_route(np.zeros((20, 20)), 0, list(range(1, 20))),
            f"at most {MAX_EXACT_STOPS} stops, got 19; use plan_route",
        ),
    ],
)
def test_invalid_inputs_raise_clear_errors(
    call: Callable[[np.ndarray], object], message: str
) -> None:
    matrix = euclidean(np.random.default_rng(1), 4)
    with pytest.raises(ValueError, match=message):
        call(matrix)


def test_unusable_travel_time_is_named() -> None:
    matrix = euclidean(np.random.default_rng(1), 4)
    matrix[2, 3] = np.inf
    with pytest.raises(ValueError, match="travel from node 2 to node 3 is inf"):
        plan_route(matrix, 0, [1, 2, 3])
    matrix[2, 3] = -1.0
    with pytest.raises(ValueError, match=r"travel from node 2 to node 3 is -1\.0"):
        exact_route(matrix, 0, [1, 2, 3])


def integer_ties(rng: np.random.Generator, nodes: int) -> np.ndarray:
    # few distinct values: equal candidate moves, so the first best one must be the same
    matrix = rng.integers(0, 4, (nodes, nodes)).astype(float)
    np.fill_diagonal(matrix, 0.0)
    return matrix


@pytest.mark.parametrize("kind", [*KINDS, "integer_ties"])
def test_small_routes_are_the_array_searchs_routes(kind: str) -> None:
    """Up to MAX_SMALL_STOPS stops plan_route searches on Python floats
    (twin.network.routing_small): every route is the array search's, step for step."""
    make = KINDS.get(kind, integer_ties)
    rng = np.random.default_rng(21)
    differ = 0
    for _ in range(400):
        nodes = int(rng.integers(3, 12))
        matrix = make(rng, nodes)
        depot = int(rng.integers(0, nodes))
        others = [node for node in range(nodes) if node != depot]
        n_stops = int(rng.integers(2, min(MAX_SMALL_STOPS, len(others)) + 1))
        stops = [int(s) for s in rng.permutation(others)[:n_stops]]
        for starts in (1, 2, DEFAULT_STARTS):
            small = plan_route(matrix, depot, stops, starts)
            arrays = _plan_route_arrays(matrix, depot, stops, starts)
            differ += small != arrays
            assert small == arrays, (kind, matrix.tolist(), depot, stops, starts)
    assert differ == 0
