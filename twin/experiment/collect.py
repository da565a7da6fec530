"""``twin-collect SWEEP_DIR``: gather a sweep folder again, and what a person reads about it.

The gathering itself is :func:`twin.experiment.sweep.collect_sweep`; this module turns its
result into text (also printed by ``twin -m`` when a sweep ends) and is the console script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from twin.cli_help import COLLECT_EPILOG
from twin.config.experiment import ExperimentConfig
from twin.errors import ResumeError
from twin.experiment.jobs import FAILED, OK
from twin.experiment.runs_index import fold_under
from twin.experiment.sweep import Job, SweepSummary, collect_sweep
from twin.files import DamagedFileError

HEADLINE = [
    ("checkout.wait_s", "mean"),
    ("checkout.reneged_frac", "mean"),
    ("checkout.labour_cost_money", "total"),
]


def sweep_text(result: SweepSummary) -> str:
    """What a person wants to read after a sweep: jobs, failures, notes, where the files are."""
    counts = result.counts()
    told = ", ".join(f"{n} {status}" for status, n in counts.items() if n or status in (OK, FAILED))
    lines = [f"sweep {result.path}: {len(result.jobs)} jobs, {told}"]
    if result.manifest is None:
        lines.append(
            "  note: no manifest.json (a sweep from before manifests): jobs that never "
            "started cannot be named"
        )
    elif result.manifest.jobs is None:
        lines.append("  note: the sweeper chose its jobs as it went: the folders found are all")
    experiment = next(
        (job.config().get("experiment") or {} for job in result.jobs if job.status == OK), {}
    )
    if experiment.get("name"):
        lines.append(f"  experiment {experiment['name']}: {experiment.get('question', '')}")
    for job in result.failed:
        error = job.error or {}
        message = str(error.get("message", "")).strip().splitlines()
        first = message[0] if message else ""
        if job.status == FAILED:
            first = f"{error.get('type', 'Error')}: {first}"
        lines.append(
            f"  {job.status.upper()} job {job.job} "
            f"({' '.join(job.overrides) or 'no overrides'}): {first}"
        )
        if job.status == FAILED:
            lines.append(f"    details: {job.path / 'meta.json'}")
    if result.failed:
        lines.append(f"  run the jobs that are not ok again: twin-collect --resume {result.path}")
    lines.extend(f"  note: {note}" for note in result.notes)
    if result.comparison is not None:
        lines.append(_comparison_text(result))
    written = ["summary.parquet", "summary.csv", "failed_jobs.json"]
    if result.comparison is not None:
        written.append("comparison.parquet")
    lines.append(f"  wrote {', '.join(written)}")
    return "\n".join(lines)


def _comparison_text(result: SweepSummary) -> str:
    assert result.comparison is not None
    table = result.comparison
    scope = table[table["store"] == "all"]
    top = "all" if "all" in set(scope["region"]) else (scope["region"].min() if len(scope) else "")
    scope = scope[scope["region"] == top]
    lines = [
        f"  paired differences against the baseline ({result.baseline}), "
        "network, ± 95% CI, * = interval excludes zero:"
    ]
    jobs = {job.job: job for job in result.jobs}
    for _, group in scope.groupby(["job", "baseline_job"], sort=True):
        job, base = int(group["job"].iloc[0]), int(group["baseline_job"].iloc[0])
        cells = []
        for kpi, stat in HEADLINE:
            row = group[(group["kpi"] == kpi) & (group["stat"] == stat)]
            if row.empty:
                continue
            r = row.iloc[0]
            star = "*" if bool(r["is_significant"]) else ""
            cells.append(f"{kpi} {stat} {r['diff_mean']:+.4g} ± {r['diff_half_width']:.2g}{star}")
        label = _difference_label(jobs[job], jobs[base])
        lines.append(f"    job {job} ({label}) - job {base}: " + "; ".join(cells))
    return "\n".join(lines)


def _difference_label(job: Job, baseline: Job) -> str:
    """The overrides of ``job`` that differ from its baseline's, e.g. ``lanes=9``."""
    changed = [
        f"{key.rsplit('.', 1)[-1]}={value}"
        for key, value in job.params.items()
        if baseline.params.get(key) != value
    ]
    return ", ".join(changed) or "same overrides"


def experiment_hint(experiment: ExperimentConfig) -> str | None:
    """After a single run of a named experiment: its question and how to answer it."""
    if not experiment.name:
        return None
    lines = [f"experiment {experiment.name}: {experiment.question}"]
    if experiment.baseline:
        lines.append(
            f"  compare with its baseline ({experiment.baseline}) on common random "
            f"numbers: twin -m +experiment={experiment.name}"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """``twin-collect SWEEP_DIR [--baseline SELECTOR] [--resume]``: gather a sweep folder.

    Exit status 0 when every job is ok, 1 when any is not (failed, damaged, interrupted,
    incomplete or not run), 2 when the folder is not a sweep folder or its manifest is damaged.
    With ``--resume`` the jobs that are not ok run again first (twin.experiment.resume).
    """
    parser = argparse.ArgumentParser(
        prog="twin-collect",
        description="Gather a sweep folder: summary.parquet, summary.csv, failed_jobs.json "
        "and comparison.parquet (docs/EXPERIMENTS.md); --resume runs the jobs that are not "
        "ok again (docs/RELIABILITY.md).",
        epilog=COLLECT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder (runs/sweeps/...)")
    parser.add_argument(
        "--baseline",
        default=None,
        help='baseline job: a scenario name, "key=value[,key=value]" or '
        '"job=N" (default: the jobs\' experiment.baseline)',
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="run the jobs that are not ok again, into the same folder with the same seeds "
        "and launcher settings, then gather",
    )
    args = parser.parse_args(argv)
    try:
        if args.resume:
            from twin.experiment.resume import resume_sweep

            resume_sweep(args.sweep_dir)
        fold_under(args.sweep_dir)  # rows its jobs left pending (an interrupted sweep's)
        result = collect_sweep(args.sweep_dir, baseline=args.baseline)
    except (FileNotFoundError, DamagedFileError, ResumeError) as exc:
        print(f"twin-collect: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        print(
            f"twin-collect: {args.sweep_dir}: {exc.strerror or type(exc).__name__}", file=sys.stderr
        )
        raise SystemExit(2) from None
    if not result.jobs:
        print(
            f"twin-collect: {args.sweep_dir} has no job folders (0/, 1/, ...) and no manifest; "
            "expected a sweep folder written by twin -m",
            file=sys.stderr,
        )
        raise SystemExit(2)
    print(sweep_text(result))
    if result.failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
