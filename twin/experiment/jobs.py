"""The jobs of a sweep folder as found on disk, each with one status.

A job is ``ok`` (meta.json says ok and its tables read), ``failed`` (the run raised: meta.json
holds the error), ``damaged`` (a file of the job cannot be read: which file and what is wrong),
``interrupted`` (SIGINT or SIGTERM: meta.json says so), ``incomplete`` (the folder has no
finished meta.json: killed with SIGKILL, out of memory, or still running) or ``not run`` (in
the manifest, but no folder: the sweep stopped before it). Reading a job never raises: one
damaged job never stops the gathering of the others.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from twin.core.forked import in_shares
from twin.experiment.manifest import Manifest
from twin.files import DamagedFileError, read_json, read_parquet, read_yaml
from twin.run_files import KPIS, SUMMARY, summarise, with_current_kpi_names

OK, FAILED, DAMAGED, INTERRUPTED, INCOMPLETE, NOT_RUN = (
    "ok",
    "failed",
    "damaged",
    "interrupted",
    "incomplete",
    "not run",
)
STATUSES = (OK, FAILED, DAMAGED, INTERRUPTED, INCOMPLETE, NOT_RUN)


@dataclass
class Job:
    """One job of a sweep: its folder (which may not exist), status, overrides and results."""

    job: int
    path: Path
    job_dir: str
    status: str
    overrides: list[str]
    meta: dict[str, Any]
    error: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    summary: pd.DataFrame | None = field(default=None, repr=False)
    _config: dict[str, Any] | None = field(default=None, repr=False)

    def config(self) -> dict[str, Any]:
        """The job's resolved config.yaml as nested dicts (empty when there is none)."""
        if self._config is None:
            self._config = {}
            file = self.path / "config.yaml"
            if file.is_file():
                # a job with a damaged config is not ok; this is for the others
                with contextlib.suppress(DamagedFileError):
                    self._config = read_yaml(file, expect=dict)
        return self._config

    def kpis(self) -> pd.DataFrame:
        return with_current_kpi_names(read_parquet(self.path / KPIS.file, KPIS.columns))

    def failure_record(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "job_dir": self.job_dir,
            "status": self.status,
            "overrides": self.overrides,
            "error": self.error,
        }


def find_jobs(sweep_dir: Path, manifest: Manifest | None = None) -> list[Job]:
    """Every job of the manifest and every job folder of ``sweep_dir``, by job number."""
    folders: dict[int, Path] = {}
    for sub in sorted(p for p in sweep_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        number = _job_number(sub)
        if number is not None and number not in folders:
            folders[number] = sub
    found = read_jobs(folders, sweep_dir)
    planned = {job.job: job for job in (manifest.jobs or [])} if manifest else {}
    for number, plan in planned.items():
        job = found.get(number)
        if job is None:
            found[number] = Job(
                number,
                sweep_dir / str(number),
                str(number),
                NOT_RUN,
                list(plan.overrides),
                {},
                {"type": "NotRun", "message": "not run: the job never started"},
                seed=plan.seed,
            )
        else:
            if not job.overrides:
                job.overrides = list(plan.overrides)
            if job.seed is None:
                job.seed = plan.seed
    return [found[n] for n in sorted(found)]


# A job folder reads in ~20-30 ms (its config.yaml through YAML's Python constructor, its
# summary): a sweep of many jobs reads them in forked children, one share per usable core, at
# least this many jobs a share (below it a fork costs more than it saves).
JOBS_PER_SHARE = 8
_SHARE_WAIT_S = 600.0  # a child reads what this process would read: no reason to give up soon


def read_jobs(folders: dict[int, Path], sweep_dir: Path) -> dict[int, Job]:
    """:func:`read_job` of every ``{number: folder}``, by number; many of them a share per usable
    core (:func:`twin.core.forked.in_shares`). The same jobs either way."""
    items = sorted(folders.items())

    def read(share: list[tuple[int, Path]]) -> dict[int, Job]:
        return {number: read_job(folder, number, sweep_dir) for number, folder in share}

    found = in_shares("job folders", items, read, JOBS_PER_SHARE, _SHARE_WAIT_S)
    return {number: found[number] for number, _ in items}


def _job_number(folder: Path) -> int | None:
    if folder.name.isdigit():
        return int(folder.name)
    hydra_file = folder / ".hydra" / "hydra.yaml"
    if hydra_file.is_file():
        try:
            loaded = read_yaml(hydra_file, expect=dict)
        except DamagedFileError:
            return None
        number = (loaded.get("hydra") or {}).get("job", {}).get("num")
        if isinstance(number, int):
            return number
    return None


def read_job(folder: Path, number: int, sweep_dir: Path) -> Job:
    """The job in ``folder``, its status decided from its files (never raises)."""
    job = Job(number, folder, str(folder.relative_to(sweep_dir)), OK, [], {})
    try:
        _read_into(job)
    except DamagedFileError as exc:
        job.status = DAMAGED
        job.error = {"type": "Damaged", "message": f"damaged: {exc.file.name} {exc.problem}"}
    return job


def _read_into(job: Job) -> None:
    folder = job.path
    if not any(folder.iterdir()):
        job.status, job.error = INCOMPLETE, _incomplete("the job folder is empty")
        return
    meta_file = folder / "meta.json"
    job.meta = read_json(meta_file, expect=dict) if meta_file.is_file() else {}
    job.seed = job.meta.get("seed") if isinstance(job.meta.get("seed"), int) else None
    job.overrides = _overrides(job)
    status = job.meta.get("status")
    if status in (FAILED, INTERRUPTED):
        error = job.meta.get("error")
        if error is not None and not isinstance(error, dict):
            raise DamagedFileError(
                meta_file, f"holds an error that is a {type(error).__name__}, not an object"
            )
        job.status = status
        job.error = error or {"type": status.title(), "message": f"the job was {status}"}
        return
    if status != OK:
        state = f"meta.json status {status}" if status else "no meta.json"
        job.status, job.error = INCOMPLETE, _incomplete(state)
        return
    if (folder / "config.yaml").is_file():  # read once: kept for Job.config()
        job._config = read_yaml(folder / "config.yaml", expect=dict)
    if (folder / "summary.parquet").is_file():
        job.summary = with_current_kpi_names(read_parquet(folder / SUMMARY.file, SUMMARY.columns))
    elif (folder / "kpis.parquet").is_file():
        job.summary = summarise(job.kpis())
    else:
        raise DamagedFileError(folder / "summary.parquet", "is missing, and so is kpis.parquet")
    if (folder / "kpis.parquet").is_file():
        import pyarrow.parquet as pq

        try:
            pq.read_metadata(folder / "kpis.parquet")
        except Exception:
            raise DamagedFileError(
                folder / "kpis.parquet", "is not a readable Parquet file"
            ) from None


def _overrides(job: Job) -> list[str]:
    overrides = job.meta.get("overrides")
    if isinstance(overrides, list):
        return [str(o) for o in overrides]
    file = job.path / ".hydra" / "overrides.yaml"
    if not file.is_file():
        return []
    loaded = read_yaml(file)
    if not isinstance(loaded, list):
        raise DamagedFileError(file, "is not a list of overrides")
    return [str(o) for o in loaded]


def _incomplete(state: str) -> dict[str, str]:
    return {
        "type": "Incomplete",
        "message": f"incomplete: {state}; the job was killed (SIGKILL, out of memory) "
        "or is still running",
    }
