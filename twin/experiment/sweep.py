"""Gather a sweep folder: one summary of every job, the failed jobs, and the baseline comparison.

A sweep folder (docs/CONTRACTS.md) holds one run folder per job. :func:`collect_sweep` reads
them all, whatever launcher ran them and whether or not some failed, and writes
``summary.parquet`` / ``summary.csv`` (the jobs' summaries with the overrides as columns),
``failed_jobs.json`` and, when a baseline is named, ``comparison.parquet`` (paired differences
on common random numbers). It runs at the end of every ``twin -m`` sweep (a Hydra callback)
and any time later as ``twin-collect SWEEP_DIR`` (:mod:`twin.experiment.collect`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from twin.config.experiment import split_selectors
from twin.experiment.compare import difference_table
from twin.experiment.jobs import OK, STATUSES, Job, find_jobs
from twin.experiment.manifest import Manifest, read_manifest
from twin.experiment.run_folder import write_json, write_parquet, write_text
from twin.files import DamagedFileError
from twin.run_files import COMPARISON, SUMMARY, SWEEP_JOB_COLUMNS

JOB_COLUMNS = list(SWEEP_JOB_COLUMNS)


@dataclass
class SweepSummary:
    """What :func:`collect_sweep` found and wrote."""

    path: Path
    jobs: list[Job]
    params: list[str]
    summary: pd.DataFrame
    baseline: str
    comparison: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)
    manifest: Manifest | None = None

    @property
    def failed(self) -> list[Job]:
        """Every job that is not ok (failed, damaged, interrupted, incomplete or not run)."""
        return [job for job in self.jobs if job.status != OK]

    def counts(self) -> dict[str, int]:
        return {status: sum(job.status == status for job in self.jobs) for status in STATUSES}


def collect_sweep(
    sweep_dir: str | Path, baseline: str | None = None, write: bool = True
) -> SweepSummary:
    """Gather ``sweep_dir``; ``baseline`` overrides the jobs' ``experiment.baseline``.

    Every job of the manifest and every job folder gets a status (twin.experiment.jobs); jobs
    that are not ok are listed, never dropped silently; the ok jobs are gathered as usual. A
    damaged manifest raises :class:`twin.files.DamagedFileError`.
    """
    path = Path(sweep_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a folder; expected a sweep folder (twin -m ...)")
    manifest = read_manifest(path)
    jobs = find_jobs(path, manifest)
    params = _assign_params(jobs)
    notes: list[str] = []
    summary = _gather_summaries(jobs, params, notes)
    if baseline is None:
        baseline = _baseline_from_jobs(jobs, notes)
    comparison = _comparison(jobs, params, baseline, notes) if baseline else None
    result = SweepSummary(path, jobs, params, summary, baseline, comparison, notes, manifest)
    if write:
        write_sweep(result)
    return result


def write_sweep(result: SweepSummary) -> None:
    """summary.parquet, summary.csv, failed_jobs.json and comparison.parquet (or none)."""
    write_parquet(result.path / "summary.parquet", result.summary)
    write_text(result.path / "summary.csv", result.summary.to_csv(index=False))
    write_json(result.path / "failed_jobs.json", [job.failure_record() for job in result.failed])
    comparison_file = result.path / "comparison.parquet"
    if result.comparison is not None:
        write_parquet(comparison_file, result.comparison)
    else:
        comparison_file.unlink(missing_ok=True)  # a stale one would contradict this gathering


def parse_override(text: str) -> tuple[str, Any] | None:
    """``"a.b=7"`` -> ``("a.b", 7)``; ``+key=v`` and ``++key=v`` name ``key``; deletions: None."""
    key, sep, raw = text.partition("=")
    key = key.lstrip("+")
    if not sep or key.startswith("~"):
        return None
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if isinstance(value, list | dict) or value is None:
        value = raw
    elif isinstance(value, str) and value == raw.strip():  # unquoted: 1e3 is a number to Hydra
        for number_type in (int, float):
            try:
                return key, number_type(value)
            except ValueError:
                continue
    return key, value


def _assign_params(jobs: list[Job]) -> list[str]:
    """Fill each job's override values; the parameter columns in order of first appearance."""
    params: list[str] = []
    for job in jobs:
        for override in job.overrides:
            parsed = parse_override(override)
            if parsed is None:
                continue
            key, value = parsed
            if key in JOB_COLUMNS or key in SUMMARY.columns:
                key = f"override:{key}"
            job.params[key] = value
            if key not in params:
                params.append(key)
    return params


def _param_column(values: list[Any]) -> pd.Series:
    present = [v for v in values if v is not None]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)
    if present and numeric:
        is_int = all(isinstance(v, int) for v in present) and len(present) == len(values)
        return pd.Series(values, dtype="int64" if is_int else "float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype="object")


def _gather_summaries(jobs: list[Job], params: list[str], notes: list[str]) -> pd.DataFrame:
    parts = []
    for job in jobs:
        if job.status != "ok":
            continue
        summary = _job_summary(job)
        frame = pd.DataFrame(
            {"job": job.job, "job_dir": job.job_dir, "status": job.status}, index=summary.index
        )
        for key in params:
            frame[key] = [job.params.get(key)] * len(summary)
        parts.append(pd.concat([frame, summary[list(SUMMARY.columns)]], axis=1))
    columns = [*JOB_COLUMNS, *params, *SUMMARY.columns]
    if not parts:
        notes.append("no job finished: the summary is empty")
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    summary = pd.concat(parts, ignore_index=True)
    for key in params:
        summary[key] = _param_column(summary[key].tolist())
    return summary[columns].astype({"job": "int64", "n_reps": "int64"})


def _job_summary(job: Job) -> pd.DataFrame:
    assert job.summary is not None  # read with the job (twin.experiment.jobs)
    return job.summary


def _baseline_from_jobs(jobs: list[Job], notes: list[str]) -> str:
    named = []
    for job in jobs:
        if job.status == "ok":
            value = (job.config().get("experiment") or {}).get("baseline") or ""
            if value and value not in named:
                named.append(str(value))
    if len(named) > 1:
        notes.append(f"jobs name different baselines ({', '.join(named)}); using {named[0]!r}")
    return named[0] if named else ""


def _selector_pairs(baseline: str) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for selector in split_selectors(baseline):
        parsed = parse_override(selector)
        pairs.append(parsed if parsed is not None else ("run.scenario", selector))
    return pairs


def _matches(job: Job, key: str, wanted: Any) -> bool:
    if key == "job":
        return _same(job.job, wanted)
    if key in job.params and _same(job.params[key], wanted):
        return True
    node: Any = job.config()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return key == "run.scenario" and _same(job.meta.get("scenario"), wanted)
        node = node[part]
    return _same(node, wanted)


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool | str):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b or str(a) == str(b)


def baseline_jobs(
    jobs: list[Job], params: list[str], baseline: str, notes: list[str]
) -> dict[int, int]:
    """For each finished non-baseline job, the baseline job to compare it with.

    Baseline candidates are the finished jobs matching every selector; a job is paired with the
    candidate that shares most of its other override values (a baseline per combination of the
    other swept keys); a tie is ambiguous and that job is left out, with a note.
    """
    selectors = _selector_pairs(baseline)
    ok = [job for job in jobs if job.status == "ok"]
    candidates = [job for job in ok if all(_matches(job, k, v) for k, v in selectors)]
    if not candidates:
        notes.append(f"no finished job matches the baseline {baseline!r}: no comparison")
        return {}
    selector_keys = {key for key, _ in selectors}
    others = [p for p in params if p not in selector_keys]
    baseline_numbers = {c.job for c in candidates}
    pairs: dict[int, int] = {}
    for job in ok:
        if job.job in baseline_numbers:
            continue
        scores = [
            (sum(_same(job.params.get(k), c.params.get(k)) for k in others), c) for c in candidates
        ]
        best = max(score for score, _ in scores)
        winners = [c for score, c in scores if score == best]
        if len(winners) > 1:
            notes.append(
                f"job {job.job}: {len(winners)} baseline jobs fit equally "
                f"({', '.join(str(c.job) for c in winners)}); not compared"
            )
            continue
        pairs[job.job] = winners[0].job
    if len(ok) == len(candidates):
        notes.append(f"every finished job matches the baseline {baseline!r}: nothing to compare")
    return pairs


def _comparison(
    jobs: list[Job], params: list[str], baseline: str, notes: list[str]
) -> pd.DataFrame | None:
    pairs = baseline_jobs(jobs, params, baseline, notes)
    if not pairs:
        return None
    by_number = {job.job: job for job in jobs}
    kpis: dict[int, pd.DataFrame] = {}
    parts = []
    for number, base_number in pairs.items():
        try:
            for n in (number, base_number):
                if n not in kpis:
                    kpis[n] = by_number[n].kpis()
        except DamagedFileError as exc:
            notes.append(f"job {number} not compared: {exc}")
            continue
        seeds = (by_number[number].seed, by_number[base_number].seed)
        paired = seeds[0] == seeds[1]
        if not paired:
            notes.append(
                f"job {number} and baseline {base_number} ran with different seeds "
                "(no common random numbers): unpaired (Welch) intervals"
            )
        table = difference_table(kpis[number], kpis[base_number], paired=paired)
        table.insert(0, "baseline_job", base_number)
        table.insert(0, "job", number)
        parts.append(table)
    if not parts:
        return None
    comparison = pd.concat(parts, ignore_index=True)
    return comparison[list(COMPARISON.columns)]
