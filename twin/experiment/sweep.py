"""Gather a sweep folder: one summary of every job, the failed jobs, and the baseline comparison.

A sweep folder (docs/CONTRACTS.md) holds one run folder per job. :func:`collect_sweep` reads
them all, whatever launcher ran them and whether or not some failed, and writes
``summary.parquet`` / ``summary.csv`` (the jobs' summaries with the overrides as columns),
``failed_jobs.json`` and, when a baseline is named, ``comparison.parquet`` (paired differences
on common random numbers). It runs at the end of every ``twin -m`` sweep (a Hydra callback)
and any time later as ``twin-collect SWEEP_DIR`` (:mod:`twin.experiment.collect`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from twin.config.experiment import split_selectors
from twin.experiment.compare import difference_table
from twin.experiment.frames import SUMMARY_COLUMNS, summary_frame
from twin.experiment.run_folder import write_json, write_parquet, write_text

JOB_COLUMNS = ["job", "job_dir", "status"]
COMPARISON_COLUMNS = [
    "job",
    "baseline_job",
    "region",
    "store",
    "kpi",
    "stat",
    "diff_mean",
    "diff_half_width",
    "n_reps",
    "is_significant",
    "unit",
    "mean",
    "baseline_mean",
    "unpaired_half_width",
    "is_paired",
]


@dataclass
class Job:
    """One job folder of a sweep, as found on disk."""

    job: int
    path: Path
    job_dir: str
    status: str  # ok | failed
    overrides: list[str]
    meta: dict[str, Any]
    error: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    _config: dict[str, Any] | None = field(default=None, repr=False)

    def config(self) -> dict[str, Any]:
        """The job's resolved config.yaml as nested dicts (empty when there is none)."""
        if self._config is None:
            file = self.path / "config.yaml"
            loaded = yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else {}
            self._config = loaded if isinstance(loaded, dict) else {}
        return self._config

    def failure_record(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "job_dir": self.job_dir,
            "overrides": self.overrides,
            "error": self.error,
        }


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

    @property
    def failed(self) -> list[Job]:
        return [job for job in self.jobs if job.status != "ok"]


def collect_sweep(
    sweep_dir: str | Path, baseline: str | None = None, write: bool = True
) -> SweepSummary:
    """Gather ``sweep_dir``; ``baseline`` overrides the jobs' ``experiment.baseline``.

    Failed jobs (status failed, or no finished meta.json) are listed, never dropped silently;
    the other jobs' results are gathered as usual.
    """
    path = Path(sweep_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a folder; expected a sweep folder (twin -m ...)")
    jobs = find_jobs(path)
    params = _assign_params(jobs)
    notes: list[str] = []
    summary = _gather_summaries(jobs, params, notes)
    if baseline is None:
        baseline = _baseline_from_jobs(jobs, notes)
    comparison = _comparison(jobs, params, baseline, notes) if baseline else None
    result = SweepSummary(path, jobs, params, summary, baseline, comparison, notes)
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


def find_jobs(sweep_dir: Path) -> list[Job]:
    """Every job folder of ``sweep_dir`` (a subfolder with meta.json or .hydra/), by job number."""
    jobs = []
    for sub in sorted(p for p in sweep_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not ((sub / "meta.json").is_file() or (sub / ".hydra").is_dir()):
            continue
        number = _job_number(sub)
        if number is None:
            continue
        jobs.append(_read_job(sub, number, sweep_dir))
    return sorted(jobs, key=lambda job: job.job)


def _job_number(folder: Path) -> int | None:
    if folder.name.isdigit():
        return int(folder.name)
    hydra_file = folder / ".hydra" / "hydra.yaml"
    if hydra_file.is_file():
        loaded = yaml.safe_load(hydra_file.read_text(encoding="utf-8")) or {}
        number = loaded.get("hydra", {}).get("job", {}).get("num")
        if isinstance(number, int):
            return number
    return None


def _read_job(folder: Path, number: int, sweep_dir: Path) -> Job:
    meta: dict[str, Any] = {}
    meta_file = folder / "meta.json"
    error: dict[str, Any] | None = None
    if meta_file.is_file():
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            error = {"type": "BrokenMeta", "message": f"meta.json is not valid JSON: {exc}"}
    overrides = meta.get("overrides")
    if not isinstance(overrides, list):
        overrides_file = folder / ".hydra" / "overrides.yaml"
        loaded = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else None
        overrides = loaded if isinstance(loaded, list) else []
    status = str(meta.get("status") or "")
    has_results = (folder / "summary.parquet").is_file() or (folder / "kpis.parquet").is_file()
    if error is None and status != "ok":
        error = meta.get("error") or {
            "type": "Incomplete",
            "message": f"the job did not finish (meta.json status: {status or 'missing'}); "
            "it may have been killed or timed out",
        }
    elif error is None and not has_results:
        error = {
            "type": "MissingResults",
            "message": "meta.json says ok, but there is neither summary.parquet nor kpis.parquet",
        }
    return Job(
        number,
        folder,
        str(folder.relative_to(sweep_dir)),
        "ok" if error is None else "failed",
        [str(o) for o in overrides],
        meta,
        error,
    )


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
            if key in JOB_COLUMNS or key in SUMMARY_COLUMNS:
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
        parts.append(pd.concat([frame, summary[SUMMARY_COLUMNS]], axis=1))
    columns = [*JOB_COLUMNS, *params, *SUMMARY_COLUMNS]
    if not parts:
        notes.append("no job finished: the summary is empty")
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    summary = pd.concat(parts, ignore_index=True)
    for key in params:
        summary[key] = _param_column(summary[key].tolist())
    return summary[columns].astype({"job": "int64", "n_reps": "int64"})


def _job_summary(job: Job) -> pd.DataFrame:
    file = job.path / "summary.parquet"
    if file.is_file():
        return pd.read_parquet(file)
    return summary_frame(pd.read_parquet(job.path / "kpis.parquet"))


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
        for n in (number, base_number):
            if n not in kpis:
                kpis[n] = pd.read_parquet(by_number[n].path / "kpis.parquet")
        seeds = (by_number[number].meta.get("seed"), by_number[base_number].meta.get("seed"))
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
    comparison = pd.concat(parts, ignore_index=True)
    return comparison[COMPARISON_COLUMNS]
