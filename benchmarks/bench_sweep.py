"""Sweeps on every core: ``twin -m`` with N jobs on 1 and k worker processes, as a user runs it.

Both sweeps run as whole processes, interleaved, best of ``--repeat`` (benchmarks/timing.py),
with the twin launcher (``hydra.launcher.n_jobs``; ``--launcher joblib`` measures Hydra's
joblib launcher instead). From the job folders' file times it splits a sweep's wall time into

- head: process start to the first job starting (imports, config, launcher start-up);
- jobs: first job start to last job end; per job, its simulation (meta.json wall_time_s)
  and the rest, the per-job fixed cost (Hydra job set-up, run folder files);
- tail: the last job end to the process end (gather, sweep report), serial after the jobs.

The serial fraction of the n_jobs=1 sweep is (head + tail) / wall: the part more cores do not
shorten. Amdahl's law then predicts the speedup at 16 cores, 1 / (s + (1 - s) / 16), printed
beside the measured speedup at k; the serial fraction a 16-job sweep would have is projected
from the measured head, tail and time per job (``--jobs 16`` measures it). Targets (issue 21,
on 2 cores): 4-job sweep at least 1.6x faster at n_jobs=2 than 1; serial fraction of a 16-job
sweep at most 5 %.

Three jobs (``--job``; small and analyst by default, ``both``):

- small: ``network=single_store run.replications=3 run.days=1``, 0.2-0.3 s of simulation: a
  smoke test of a sweep, where the fixed costs show most. Python's start-up and the imports
  alone (about 0.7 s) are more than 5 % of sixteen such jobs, so the serial-fraction target
  cannot be met with it whatever the twin does.
- analyst: the default metro network (a dozen stores) for a week with three replications,
  ``run.days=7 run.replications=3``, about 5 s of simulation on 2 cores: the smallest job an
  analyst compares scenarios with (a week has every weekday's demand; three replications give
  a confidence interval), and still small against a national run.
- groups (``--job groups``, not in ``both``): the small job swept over ``+experiment=`` (up to
  eight experiments that run on a single store) instead of seeds: every job is a config
  shape of its own, composed by Hydra before the first job starts, so the head shows what
  composing a sweep over config groups costs.

    python -m benchmarks.bench_sweep [--jobs 4] [--n-jobs 2] [--repeat 3] [--job groups]
        [--launcher twin|joblib] [overrides ...]
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
SMALL = ["network=single_store", "run.replications=3", "run.days=1"]
JOBS = {"small": SMALL, "analyst": ["run.days=7", "run.replications=3"], "groups": SMALL}
BOTH = ("small", "analyst")  # --job both; groups is asked for by name
# configs/experiment/ files that run on a single store (convert_to_jwo converts a metro store)
EXPERIMENTS = (
    "cooler_failure", "drone_share", "fewer_lanes_sco_heavy", "floor_staging", "heatwave",
    "lanes_cost_vs_service", "more_lanes", "peak_saturday",
)  # fmt: skip


def swept(name: str, jobs: int) -> str:
    """The override a sweep of ``jobs`` ``name`` jobs sweeps: seeds, or (groups) experiments."""
    if name != "groups":
        return "run.seed=" + ",".join(str(seed) for seed in range(1, jobs + 1))
    if jobs > len(EXPERIMENTS):
        raise SystemExit(f"--job groups sweeps at most {len(EXPERIMENTS)} experiments")
    return "+experiment=" + ",".join(EXPERIMENTS[:jobs])


@dataclass
class SweepRun:
    wall_s: float
    cpu_s: float
    head_s: float
    tail_s: float
    sim_s: list[float]  # each job's simulation
    span_s: list[float]  # each job from its folder's creation to its meta.json


def launcher_args(launcher: str, n_jobs: int) -> list[str]:
    chosen = ["hydra/launcher=joblib"] if launcher == "joblib" else []
    return [*chosen, f"hydra.launcher.n_jobs={n_jobs}"]


def sweep_once(
    folder: Path,
    jobs: int,
    n_jobs: int,
    extra: list[str],
    job: list[str],
    launcher: str,
    axis: str,
) -> SweepRun:
    """One ``twin -m`` sweep of ``jobs`` jobs (``axis``: the swept override) in a fresh process;
    times from its folders."""
    if folder.exists():
        shutil.rmtree(folder)
    argv = [
        sys.executable,
        "-m",
        "twin",
        "-m",
        *job,
        axis,
        *launcher_args(launcher, n_jobs),
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


def compare(args: argparse.Namespace, name: str, extra: list[str]) -> None:
    """Sweeps of ``args.jobs`` ``name`` jobs at n_jobs 1 and ``args.n_jobs``: the figures."""
    job, axis = JOBS[name], swept(name, args.jobs)
    serial: list[SweepRun] = []
    parallel: list[SweepRun] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sweep"
        for _ in range(args.repeat):
            for n_jobs, runs in ((1, serial), (args.n_jobs, parallel)):
                runs.append(sweep_once(folder, args.jobs, n_jobs, extra, job, args.launcher, axis))
    each = "one experiment each" if name == "groups" else "one seed each"
    print(
        f"\n{name} job: sweep of {args.jobs} jobs ({' '.join(job)}, {each}), "
        f"{args.launcher} launcher, best of {args.repeat} interleaved"
    )
    print(load_line())
    one = report("n_jobs=1", serial)
    many = report(f"n_jobs={args.n_jobs}", parallel)
    speedup = one.wall_s / many.wall_s
    target = 1.6 if args.n_jobs == 2 else None
    goal = f"  (target >= {target:g}x)" if target else ""
    print(f"speedup n_jobs 1 -> {args.n_jobs}: {speedup:.2f}x wall{goal}")
    fixed_s = one.head_s + one.tail_s
    serial_frac = fixed_s / one.wall_s
    # n_jobs=1 runs every job in the one process: on a quiet machine its wall time is its CPU
    # time. Above 1, other processes took the cores and every wall time above is stretched.
    load = one.wall_s / one.cpu_s
    print(
        f"machine share: the n_jobs=1 sweep's wall / CPU = {load:.2f} (1.0 on a quiet machine; "
        f"above it, scale the wall times by {1 / load:.2f} for a rough quiet-machine estimate: "
        f"head {one.head_s / load:.2f} s, tail {one.tail_s / load:.2f} s, "
        f"wall {one.wall_s / load:.2f} s)"
    )
    print(f"serial fraction of the n_jobs=1 sweep (head + tail) / wall: {serial_frac:.1%}")
    per_job_s = (one.wall_s - fixed_s) / args.jobs
    frac_16 = fixed_s / (fixed_s + 16 * per_job_s)
    print(
        f"  of a 16-job sweep (this head and tail, {per_job_s:.2f} s a job): {frac_16:.1%}"
        f"  (target <= 5 %)"
    )
    print(
        f"predicted by Amdahl's law: {amdahl(serial_frac, args.n_jobs):.2f}x at "
        f"{args.n_jobs} cores, {amdahl(serial_frac, 16):.2f}x at 16 cores "
        f"(16 jobs: {amdahl(frac_16, 16):.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--job", choices=[*JOBS, "both"], default="both", help="both: small, analyst"
    )
    parser.add_argument("--launcher", choices=["twin", "joblib"], default="twin")
    args, extra = parser.parse_known_args()
    for name in BOTH if args.job == "both" else [args.job]:
        compare(args, name, extra)


if __name__ == "__main__":
    main()
