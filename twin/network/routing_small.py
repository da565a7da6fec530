""":func:`~twin.network.routing.plan_route` for a handful of stops, on Python floats.

A courier's trip visits one to six zones, and the array version spends ~160 µs on numpy calls
for two stops. This is the same search step for step: the same nearest-neighbour starts, the
same 2-opt and or-opt moves scored with the same floating-point operations in the same order,
the first best move taken (``np.argmin``), the same stopping rule. Tour lengths of up to
seven edges are summed left to right, which is what numpy's sum does below eight values, so
the routes are the array version's; ``tests/unit/test_routing.py`` checks them against it.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_SMALL_STOPS = 6
"""Up to this many stops (seven edges: numpy sums them left to right)."""

Moves = tuple[list[int], list[int], list[int]]  # or-opt (segment start, end, edge start)


def plan_small_route(
    rows: list[list[float]],
    stops: int,
    starts: int,
    improvement_eps: float,
    or_opt_moves: Callable[[int, int], Moves | None],
) -> list[int]:
    """The route through nodes ``1..stops`` of ``rows`` (node 0 the depot), in local indices."""
    order = sorted(range(stops), key=lambda k: rows[0][k + 1])  # np.argsort, stable
    best_route: list[int] = []
    best_length = float("inf")
    moves = or_opt_moves(stops, 3)
    for index in order[:starts]:
        route = _nearest_neighbour(rows, list(range(1, stops + 1)), index + 1)
        length = _length(rows, route)
        while True:
            route = _or_opt(rows, _two_opt(rows, route, improvement_eps), moves, improvement_eps)
            improved = _length(rows, route)
            if not improved < length - improvement_eps:
                break
            length = improved
        if length < best_length - improvement_eps:
            best_route, best_length = route, length
    return best_route


def _length(rows: list[list[float]], route: list[int]) -> float:
    tour = [0, *route, 0]
    total = rows[tour[0]][tour[1]]
    for k in range(1, len(tour) - 1):
        total += rows[tour[k]][tour[k + 1]]
    return total


def _nearest_neighbour(rows: list[list[float]], remaining: list[int], first: int) -> list[int]:
    remaining.remove(first)
    route = [first]
    current = first
    while remaining:
        row = rows[current]
        k = min(range(len(remaining)), key=lambda i: row[remaining[i]])  # first minimum
        current = remaining.pop(k)
        route.append(current)
    return route


def _two_opt(rows: list[list[float]], route: list[int], eps: float) -> list[int]:
    n = len(route)
    if n < 2:
        return route
    tour = [0, *route, 0]
    pairs = [(i + 1, j + 1) for i in range(n) for j in range(i + 1, n)]  # np.triu_indices
    while True:
        forward = [0.0]
        backward = [0.0]
        for k in range(n + 1):  # np.cumsum: each sum adds one edge to the previous
            edge, back = rows[tour[k]][tour[k + 1]], rows[tour[k + 1]][tour[k]]
            forward.append(edge if k == 0 else forward[-1] + edge)
            backward.append(back if k == 0 else backward[-1] + back)
        best, best_delta = 0, 0.0
        for m, (i, j) in enumerate(pairs):
            before, first, last, after = tour[i - 1], tour[i], tour[j], tour[j + 1]
            old = rows[before][first] + (forward[j] - forward[i]) + rows[last][after]
            new = rows[before][last] + (backward[j] - backward[i]) + rows[first][after]
            delta = new - old
            if m == 0 or delta < best_delta:
                best, best_delta = m, delta
        if not best_delta < -eps:
            break
        i, j = pairs[best]
        tour[i : j + 1] = tour[i : j + 1][::-1]
    return tour[1:-1]


def _or_opt(
    rows: list[list[float]], route: list[int], moves: Moves | None, eps: float
) -> list[int]:
    if moves is None:
        return route
    tour = [0, *route, 0]
    seg_start, seg_end, edge_from = moves
    while True:
        best, best_delta = 0, 0.0
        for m in range(len(seg_start)):
            i, j, e = seg_start[m], seg_end[m], edge_from[m]
            before, first, last, after = tour[i - 1], tour[i], tour[j], tour[j + 1]
            a, b = tour[e], tour[e + 1]
            delta = (
                rows[before][after]
                - rows[before][first]
                - rows[last][after]
                + rows[a][first]
                + rows[last][b]
                - rows[a][b]
            )
            if m == 0 or delta < best_delta:
                best, best_delta = m, delta
        if not best_delta < -eps:
            break
        i, j, e = seg_start[best], seg_end[best], edge_from[best]
        segment = tour[i : j + 1]
        rest = tour[:i] + tour[j + 1 :]
        insert_at = e + 1 if e < i else e + 1 - len(segment)
        tour = rest[:insert_at] + segment + rest[insert_at:]
    return tour[1:-1]
