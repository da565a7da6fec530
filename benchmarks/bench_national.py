"""The national day (issue 10): ~500 stores, ~1.5 M walk-in shoppers, ~100 k online orders.

Prints, measured in this run on this machine:
- a plain-SimPy walk-in-only model of the same shoppers (same arrival counts per store),
  regions split over the same number of processes: the reference;
- the twin's national day with 1 and with 2 workers: wall time, shoppers/s, orders/s,
  peak memory per process, and the ratio to the plain model;
- the 1 -> 2 worker speedup, and whether the two KPI tables are identical.

    python benchmarks/bench_national.py [--regions 42] [--days 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

import twin
from benchmarks.bench_walkin import plain_simpy


def plain_region(task: tuple[int, list[int], int]) -> int:
    seed, counts, days = task
    rng = np.random.default_rng(seed)
    times = [np.sort(rng.uniform(0, 86400.0 * days, n)) for n in counts]
    browse = [rng.lognormal(7.3, 0.5, n) for n in counts]
    service = [rng.gamma(3.0, 22.0, n) for n in counts]
    return plain_simpy(times, browse, service, lanes=8)


def run_plain(counts_by_region: list[list[int]], days: int, workers: int) -> tuple[int, float]:
    tasks = [(seed, counts, days) for seed, counts in enumerate(counts_by_region)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        served = sum(pool.map(plain_region, tasks))
    return served, time.perf_counter() - started


def run_twin(overrides: list[str], workers: int) -> tuple[twin.SimulationResult, float]:
    cfg = twin.load_config([*overrides, f"run.workers={workers}"])
    started = time.perf_counter()
    result = twin.simulate(cfg)
    return result, time.perf_counter() - started


def total(result: twin.SimulationResult, kpi: str) -> float:
    rows = result.kpis.query(
        "kpi == @kpi and stat == 'total' and store == 'all' and region != 'all'"
    )
    return float(rows["value"].sum())


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=42)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    overrides = ["network=national", f"network.n_regions={args.regions}", f"run.days={args.days}"]

    serial, serial_s = run_twin(overrides, 1)
    parallel, parallel_s = run_twin(overrides, args.workers)
    shoppers = total(serial, "store.shoppers_n")
    orders = total(serial, "orders.n")
    per_store = serial.kpis.query(
        "kpi == 'store.shoppers_n' and stat == 'total' and store != 'all' and region != 'all'"
    )
    counts = [group["value"].astype(int).tolist() for _, group in per_store.groupby("region")]
    plain_n, plain_s = run_plain(counts, args.days, args.workers)
    identical = serial.kpis.equals(parallel.kpis)
    own_mb, child_mb = peak_rss_mb()

    stores = len(serial.network.stores)
    print(f"national: {stores} stores in {args.regions} regions, {args.days} day(s)")
    print(
        f"plain SimPy, walk-in only, {args.workers} processes: {plain_n:,} shoppers in "
        f"{plain_s:.1f} s = {plain_n / plain_s:,.0f} shoppers/s"
    )
    for label, seconds in (
        ("twin, 1 worker ", serial_s),
        (f"twin, {args.workers} workers", parallel_s),
    ):
        print(
            f"{label}: {seconds:6.1f} s wall, {shoppers / seconds:,.0f} shoppers/s, "
            f"{orders / seconds:,.0f} orders/s ({shoppers:,.0f} shoppers, {orders:,.0f} orders)"
        )
    print(
        f"ratio to plain SimPy ({args.workers} workers each): {parallel_s / plain_s:.2f}x "
        "(target <= 2x)"
    )
    print(f"speedup 1 -> {args.workers} workers: {serial_s / parallel_s:.2f}x (target >= 1.8x)")
    print(
        f"peak memory: {own_mb:,.0f} MB main process, {child_mb:,.0f} MB largest worker "
        "(target < 2,048 MB)"
    )
    print(f"serial and parallel KPI tables identical: {identical}")
    if not identical:
        pd.testing.assert_frame_equal(serial.kpis, parallel.kpis)


if __name__ == "__main__":
    main()
