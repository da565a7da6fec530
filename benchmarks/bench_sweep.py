"""Sweeps on every core: ``twin -m`` with N jobs at joblib ``n_jobs`` 1 and k, as a user runs it.

Both sweeps run as whole processes, interleaved, best of ``--repeat`` (benchmarks/timing.py).
From the job folders' file times it splits a sweep's wall time into

- head: process start to the first job starting (imports, config, launcher start-up);
- jobs: first job start to last job end; per job, its simulation (meta.json wall_time_s)
  and the rest, the per-job fixed cost (Hydra job set-up, run folder files);
- tail: the last job end to the process end (gather, sweep report), serial after the jobs.

The serial fraction of the n_jobs=1 sweep is (head + tail) / wall: the part more cores do not
shorten. Amdahl's law then predicts the speedup at 16 cores, 1 / (s + (1 - s) / 16), printed
beside the measured speedup at k. Targets (issue 21, on 2 cores): 4-job sweep at least 1.6x
faster at n_jobs=2 than 1; serial fraction of a 16-job sweep at most 5 %.

    python -m benchmarks.bench_sweep [--jobs 4] [--n-jobs 2] [--repeat 3] [overrides ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import cpu_s, load_line

ROOT = Path(__file__).resolve().parent.parent
JOB_OVERRIDES = ["network=single_store", "run.replications=3", "run.days=1"]


@dataclass
class SweepRun:
    wall_s: float
    cpu_s: float
    head_s: float
    tail_s: float
    sim_s: list[float]  # each job's simulation
    span_s: list[float]  # each job from its folder's creation to its meta.json


def sweep_once(folder: Path, jobs: int, n_jobs: int, extra: list[str]) -> SweepRun:
    """One ``twin -m`` sweep of ``jobs`` seeds in a fresh process; times from its folders."""
    if folder.exists():
        shutil.rmtree(folder)
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    argv = [
        sys.executable,
        "-m",
        "twin",
        "-m",
        *JOB_OVERRIDES,
        f"run.seed={seeds}",
        "hydra/launcher=joblib",
        f"hydra.launcher.n_jobs={n_jobs}",
        f"hydra.sweep.dir={folder}",
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu0 = cpu_s()
    start = time.time()
    done = subprocess.run(argv, env=env, cwd=folder.parent, capture_output=True, text=True)
    end = time.time()
    cpu_used = cpu_s() - cpu0
    if done.returncode != 0:
        raise RuntimeError(f"sweep failed ({done.returncode}): {done.stderr[-2000:]}")
    metas = sorted(folder.glob("*/meta.json"))
    if len(metas) != jobs:
        raise RuntimeError(f"expected {jobs} job folders in {folder}, found {len(metas)}")
    starts = [(meta.parent / ".hydra" / "config.yaml").stat().st_mtime for meta in metas]
    ends = [meta.stat().st_mtime for meta in metas]
    sims = [float(json.loads(meta.read_text())["wall_time_s"]) for meta in metas]
    return SweepRun(
        end - start,
        cpu_used,
        min(starts) - start,
        end - max(ends),
        sims,
        [e - s for s, e in zip(starts, ends, strict=True)],
    )


def amdahl(serial_frac: float, cores: int) -> float:
    return 1.0 / (serial_frac + (1.0 - serial_frac) / cores)


def report(label: str, runs: list[SweepRun]) -> SweepRun:
    best = min(runs, key=lambda run: run.wall_s)
    jobs = len(best.sim_s)
    fixed = [span - sim for span, sim in zip(best.span_s, best.sim_s, strict=True)]
    print(
        f"{label}: {best.wall_s:6.2f} s wall, {min(r.cpu_s for r in runs):6.2f} s CPU; "
        f"head {best.head_s:.2f} s, jobs {best.wall_s - best.head_s - best.tail_s:.2f} s, "
        f"tail {best.tail_s:.2f} s; per job: simulation {sum(best.sim_s) / jobs:.2f} s, "
        f"fixed cost {sum(fixed) / jobs:.2f} s"
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args, extra = parser.parse_known_args()
    serial: list[SweepRun] = []
    parallel: list[SweepRun] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            serial.append(sweep_once(Path(tmp) / "serial", args.jobs, 1, extra))
            parallel.append(sweep_once(Path(tmp) / "parallel", args.jobs, args.n_jobs, extra))
    print(
        f"sweep of {args.jobs} jobs ({' '.join(JOB_OVERRIDES)}, one seed each), "
        f"best of {args.repeat} interleaved"
    )
    print(load_line())
    one = report("n_jobs=1", serial)
    many = report(f"n_jobs={args.n_jobs}", parallel)
    speedup = one.wall_s / many.wall_s
    target = 1.6 if args.n_jobs == 2 else None
    goal = f"  (target >= {target:g}x)" if target else ""
    print(f"speedup n_jobs 1 -> {args.n_jobs}: {speedup:.2f}x wall{goal}")
    serial_frac = (one.head_s + one.tail_s) / one.wall_s
    # n_jobs=1 runs every job in the one process: on a quiet machine its wall time is its CPU
    # time. Above 1, other processes took the cores and every wall time above is stretched.
    load = one.wall_s / one.cpu_s
    print(
        f"machine share: the n_jobs=1 sweep's wall / CPU = {load:.2f} (1.0 on a quiet machine; "
        f"above it, scale the wall times by {1 / load:.2f} for a rough quiet-machine estimate: "
        f"head {one.head_s / load:.2f} s, tail {one.tail_s / load:.2f} s, "
        f"wall {one.wall_s / load:.2f} s)"
    )
    print(
        f"serial fraction of the n_jobs=1 sweep (head + tail) / wall: {serial_frac:.1%}"
        f"  (target <= 5 % for 16 jobs)"
    )
    print(
        f"predicted by Amdahl's law: {amdahl(serial_frac, args.n_jobs):.2f}x at "
        f"{args.n_jobs} cores, {amdahl(serial_frac, 16):.2f}x at 16 cores"
    )


if __name__ == "__main__":
    main()
