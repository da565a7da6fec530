"""The national day (issue 10): ~500 stores, ~1.5 M walk-in shoppers, ~100 k online orders.

Prints, measured in this run on this machine:
- a plain-SimPy walk-in-only model of the same shoppers (same arrival counts per store),
  regions split over the same number of processes: the reference;
- the twin's national day with 1 and with 2 workers: wall time, shoppers/s, orders/s,
  peak memory per process, and the ratio to the plain model;
- the 1 -> 2 worker speedup, and whether the two KPI tables are identical.

    python benchmarks/bench_national.py [--regions 42] [--days 1] [--workers 2] [--repeat 1]

With ``--repeat N`` each model runs N times, interleaved, and the best wall time of each counts
(other processes on a shared machine only ever make a run slower).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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


def run_twin(overrides: list[str], workers: int, out: Path) -> tuple[float, float]:
    """One twin run in a fresh process (so its peak memory is its own): wall s, peak MB."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_national",
            "--one-run",
            str(out),
            "--workers",
            str(workers),
            *overrides,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall_s, peak_mb = json.loads(done.stdout.strip().splitlines()[-1])
    return wall_s, peak_mb


def one_run(out: Path, workers: int, overrides: list[str]) -> None:
    cfg = twin.load_config([*overrides, f"run.workers={workers}"])
    started = time.perf_counter()
    result = twin.simulate(cfg)
    wall_s = time.perf_counter() - started
    result.kpis.to_parquet(out, index=False)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps([wall_s, max(own, children)]))


def total(kpis: pd.DataFrame, kpi: str) -> float:
    rows = kpis.query("kpi == @kpi and stat == 'total' and store == 'all' and region != 'all'")
    return float(rows["value"].sum())


def _seconds(values: Iterable[float]) -> str:
    return " ".join(f"{value:.1f}" for value in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=42)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each model this often (interleaved); best counts"
    )
    parser.add_argument("--one-run", type=Path, help=argparse.SUPPRESS)
    args, overrides = parser.parse_known_args()
    if args.one_run:
        one_run(args.one_run, args.workers, overrides)
        return
    overrides = ["network=national", f"network.n_regions={args.regions}", f"run.days={args.days}"]

    serial_runs: list[tuple[float, float]] = []
    parallel_runs: list[tuple[float, float]] = []
    plain_runs: list[float] = []
    identical = True
    with tempfile.TemporaryDirectory() as folder:
        serial_path, parallel_path = Path(folder) / "serial.parquet", Path(folder) / "par.parquet"
        for _ in range(args.repeat):
            serial_runs.append(run_twin(overrides, 1, serial_path))
            parallel_runs.append(run_twin(overrides, args.workers, parallel_path))
            serial = pd.read_parquet(serial_path)
            identical = identical and serial.equals(pd.read_parquet(parallel_path))
            if not plain_runs:  # the plain model needs the twin's arrival counts
                per_store = serial.query(
                    "kpi == 'store.shoppers_n' and stat == 'total' and store != 'all' "
                    "and region != 'all'"
                )
                counts = [g["value"].astype(int).tolist() for _, g in per_store.groupby("region")]
            plain_n, plain_s = run_plain(counts, args.days, args.workers)
            plain_runs.append(plain_s)
    shoppers = total(serial, "store.shoppers_n")
    orders = total(serial, "orders.n")
    serial_s, serial_mb = min(s for s, _ in serial_runs), max(mb for _, mb in serial_runs)
    parallel_s, parallel_mb = min(s for s, _ in parallel_runs), max(mb for _, mb in parallel_runs)
    plain_s = min(plain_runs)

    stores = len(per_store)
    print(f"national: {stores} stores in {args.regions} regions, {args.days} day(s)")
    if args.repeat > 1:
        print(
            f"best of {args.repeat} interleaved runs; all wall times (s): "
            f"plain {_seconds(plain_runs)}, twin 1 worker {_seconds(r[0] for r in serial_runs)}, "
            f"twin {args.workers} workers {_seconds(r[0] for r in parallel_runs)}"
        )
    print(
        f"plain SimPy, walk-in only, {args.workers} processes: {plain_n:,} shoppers in "
        f"{plain_s:.1f} s = {plain_n / plain_s:,.0f} shoppers/s"
    )
    runs = (
        ("twin, 1 worker ", serial_s, serial_mb),
        (f"twin, {args.workers} workers", parallel_s, parallel_mb),
    )
    for label, seconds, peak_mb in runs:
        print(
            f"{label}: {seconds:6.1f} s wall, {shoppers / seconds:,.0f} shoppers/s, "
            f"{orders / seconds:,.0f} orders/s, peak memory {peak_mb:,.0f} MB "
            f"({shoppers:,.0f} shoppers, {orders:,.0f} orders)"
        )
    print(
        f"ratio to plain SimPy ({args.workers} workers each): {parallel_s / plain_s:.2f}x "
        "(target <= 2x)"
    )
    print(f"speedup 1 -> {args.workers} workers: {serial_s / parallel_s:.2f}x (target >= 1.8x)")
    print(f"peak memory per process (target < 2,048 MB): {max(serial_mb, parallel_mb):,.0f} MB")
    print(f"serial and parallel KPI tables identical (every run): {identical}")


if __name__ == "__main__":
    main()
