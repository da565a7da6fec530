"""Walk-in throughput: the twin against a minimal plain-SimPy shopper model of the same work.

Both run in this process, one after the other, best of ``--repeat``; the printed ratio (twin
wall time / plain wall time) is the figure to watch, not the absolute numbers.

    python benchmarks/bench_walkin.py [--days 2] [--repeat 3] [--format grocery|jwo]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

import twin


def plain_simpy(
    arrival_s: list[np.ndarray], browse_s: list[np.ndarray], service_s: list[np.ndarray], lanes: int
) -> int:
    """Shoppers arrive, browse, queue for one of ``lanes`` servers, pay, leave. Nothing else."""
    env = simpy.Environment()
    waits: list[float] = []

    def shopper(lane: simpy.Resource, browse: float, service: float):  # type: ignore[no-untyped-def]
        yield env.timeout(browse)
        queued = env.now
        with lane.request() as request:
            yield request
            waits.append(env.now - queued)
            yield env.timeout(service)

    def arrivals(times: np.ndarray, browse: np.ndarray, service: np.ndarray):  # type: ignore[no-untyped-def]
        lane = simpy.Resource(env, capacity=lanes)
        for at, b, s in zip(times.tolist(), browse.tolist(), service.tolist(), strict=True):
            yield env.timeout(at - env.now)
            env.process(shopper(lane, b, s))

    for times, browse, service in zip(arrival_s, browse_s, service_s, strict=True):
        env.process(arrivals(times, browse, service))
    env.run()
    return len(waits)


def plain_inputs(
    n_stores: int, shoppers_per_store: int, days: int, seed: int
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    times, browse, service = [], [], []
    for _ in range(n_stores):
        n = shoppers_per_store * days
        times.append(np.sort(rng.uniform(0, 86400.0 * days, n)))
        browse.append(rng.lognormal(7.3, 0.5, n))
        service.append(rng.gamma(3.0, 22.0, n))
    return times, browse, service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="grocery", help="store format of every store")
    args = parser.parse_args()

    # walk-in only: no online orders (and so no picking, lockers or last mile)
    overrides = ["network=metro", f"run.days={args.days}", "orders.enabled=false"]
    if args.format != "grocery":  # a Hydra dict override merges: zero grocery, add the format
        overrides += ["network.format_mix.grocery=0", f"+network.format_mix.{args.format}=1"]
    overrides += [o for o in extra_overrides(args.format)]
    cfg = twin.load_config(overrides)
    best_twin = float("inf")
    shoppers = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = twin.simulate(cfg)
        best_twin = min(best_twin, time.perf_counter() - started)
        rows = result.kpis.query("kpi == 'store.shoppers_n' and store == 'all' and region != 'all'")
        shoppers = int(rows["value"].sum())

    n_stores = cfg.network.n_stores * cfg.network.n_regions
    inputs = plain_inputs(n_stores, shoppers // (n_stores * args.days), args.days, seed=1)
    best_plain = float("inf")
    plain_n = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        plain_n = plain_simpy(*inputs, lanes=cfg.formats.grocery.checkout.lanes)
        best_plain = min(best_plain, time.perf_counter() - started)

    twin_rate = shoppers / best_twin
    plain_rate = plain_n / best_plain
    print(f"format: {args.format}; stores: {n_stores}; days: {args.days}")
    print(
        f"twin:        {shoppers:>9,d} shoppers in {best_twin:6.2f} s = {twin_rate:>9,.0f} /s"
        " (simulate(): build, run, KPI tables)"
    )
    print(f"plain SimPy: {plain_n:>9,d} shoppers in {best_plain:6.2f} s = {plain_rate:>9,.0f} /s")
    print(f"ratio (twin time per shopper / plain): {plain_rate / twin_rate:.2f}x  (target <= 1.5x)")


def extra_overrides(fmt: str) -> list[str]:
    if fmt == "jwo":
        # Converted supermarkets (as configs/experiment/convert_to_jwo.yaml): the same shoppers
        # as the grocery run, not capped by a small store's door; every basket reviewed or not,
        # so each shopper also costs a gate scan, an automatic receipt and maybe a review.
        return ["formats.jwo.demand_scale=1", "formats.jwo.occupancy.cap=520"]
    return []


if __name__ == "__main__":
    main()
