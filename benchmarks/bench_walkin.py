"""Walk-in throughput: the twin against a minimal plain-SimPy shopper model of the same work.

Both run in this process, interleaved, best of ``--repeat`` (see benchmarks/timing.py); the
printed ratios (twin time per shopper / plain time per shopper, wall and CPU) are the figures to
watch, not the absolute numbers.

    python -m benchmarks.bench_walkin [--days 2] [--repeat 3] [--format grocery|jwo]
"""

from __future__ import annotations

import argparse

import numpy as np
import simpy

import twin
from benchmarks.timing import Timing, interleaved, load_line, ratio_line

# Twin time per shopper / plain SimPy's, by format (issue 21: just-walk-out as callbacks <= 1.0x).
TARGETS = {"grocery": 1.5, "jwo": 1.0}


def plain_simpy(
    arrival_s: list[np.ndarray], browse_s: list[np.ndarray], service_s: list[np.ndarray], lanes: int
) -> int:
    """Shoppers arrive, browse, queue for one of ``lanes`` servers, pay, leave. Nothing else."""
    env = simpy.Environment()
    waits: list[float] = []

    def shopper(lane: simpy.Resource, browse: float, service: float):
        yield env.timeout(browse)
        queued = env.now
        with lane.request() as request:
            yield request
            waits.append(env.now - queued)
            yield env.timeout(service)

    def arrivals(times: np.ndarray, browse: np.ndarray, service: np.ndarray):
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
    # The plain model needs the twin's shopper count: one untimed twin run finds it.
    shoppers = walk_in_shoppers(twin.simulate(cfg))
    n_stores = cfg.network.n_stores * cfg.network.n_regions
    inputs = plain_inputs(n_stores, shoppers // (n_stores * args.days), args.days, seed=1)
    lanes = cfg.formats.grocery.checkout.lanes
    plain_n = plain_simpy(*inputs, lanes=lanes)
    timings = interleaved(
        {"twin": lambda: twin.simulate(cfg), "plain": lambda: plain_simpy(*inputs, lanes=lanes)},
        args.repeat,
    )
    mine, plain = timings["twin"], timings["plain"]
    print(f"format: {args.format}; stores: {n_stores}; days: {args.days}; best of {args.repeat}")
    print(load_line())
    print(
        f"twin:        {shoppers:>9,d} shoppers in {mine.wall:6.2f} s wall, {mine.cpu:6.2f} s CPU"
        " (simulate(): build, run, KPI tables)"
    )
    print(
        f"plain SimPy: {plain_n:>9,d} shoppers in {plain.wall:6.2f} s wall, {plain.cpu:6.2f} s CPU"
    )
    # microseconds per shopper, so the ratio is per shopper even if the counts differ a little
    mine_us = Timing(
        [w / shoppers * 1e6 for w in mine.wall_s], [c / shoppers * 1e6 for c in mine.cpu_s]
    )
    plain_us = Timing(
        [w / plain_n * 1e6 for w in plain.wall_s], [c / plain_n * 1e6 for c in plain.cpu_s]
    )
    target = TARGETS.get(args.format, 1.5)
    print(ratio_line("ratio (twin us per shopper / plain)", mine_us, plain_us, target))


def walk_in_shoppers(result: twin.SimulationResult) -> int:
    rows = result.kpis.query("kpi == 'store.shoppers_n' and store == 'all' and region != 'all'")
    return int(rows["value"].sum())


def extra_overrides(fmt: str) -> list[str]:
    if fmt == "jwo":
        # Converted supermarkets (as configs/experiment/convert_to_jwo.yaml): the same shoppers
        # as the grocery run, not capped by a small store's door; every basket reviewed or not,
        # so each shopper also costs a gate scan, an automatic receipt and maybe a review.
        return ["formats.jwo.demand_scale=1", "formats.jwo.occupancy.cap=520"]
    return []


if __name__ == "__main__":
    main()
