"""A run is a folder: config, KPI tables, time series, network and meta.json, written atomically.

Every file goes to a temporary name first and is renamed into place, so a reader never sees a
half-written file; when the run fails, meta.json still records the config, the status and the
exception.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import secrets
import subprocess
import tempfile
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from twin.experiment.plan_table import plan_frame

if TYPE_CHECKING:
    from twin.experiment.replications import SimulationResult


PACKAGES = (
    "twin",
    "simpy",
    "numpy",
    "pandas",
    "pyarrow",
    "hydra-core",
    "omegaconf",
    "networkx",
    "scipy",
    "matplotlib",
)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; run folders are for sharing
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(path, write)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


@functools.cache  # once per process: a sweep worker runs many jobs
def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


@functools.cache  # once per process (two git commands)
def git_sha() -> str | None:
    """The commit of the twin's source tree, if it is a git checkout (with +dirty if changed)."""
    source = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--", "twin"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sha + ("+dirty" if dirty.strip() else "") if sha else None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    """A run id: the UTC start time and 6 random hex digits (sortable, unique across machines)."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def with_run_id(frame: pd.DataFrame, run_id: str | None) -> pd.DataFrame:
    """``frame`` with the run id as its last column (what a run folder's tables carry)."""
    if run_id is None:
        return frame
    return frame.assign(run_id=pd.Series(run_id, index=frame.index, dtype=object))


def base_meta(
    scenario: str, seed: int | None, replications: int | None, overrides: list[str]
) -> dict[str, Any]:
    return {
        "run_id": new_run_id(),
        "status": "running",
        "scenario": scenario,
        "seed": seed,
        "replications": replications,
        "overrides": overrides,
        "versions": dict(versions()),
        "git_sha": git_sha(),
        "started_at": now_iso(),
        "finished_at": None,
        "wall_time_s": None,
        "error": None,
    }


def error_record(exc: BaseException) -> dict[str, str]:
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc)),
    }


def write_result(
    run_dir: Path, result: SimulationResult, config_yaml: str, meta: dict[str, Any]
) -> None:
    """All files of a successful run; meta.json last, so status ok means everything is there."""
    write_text(run_dir / "config.yaml", config_yaml)
    run_id = meta.get("run_id")
    replications = int(result.kpis["replication"].max()) + 1 if len(result.kpis) else 0
    tables = {
        "kpis.parquet": with_run_id(result.kpis, run_id),
        "summary.parquet": with_run_id(result.summary, run_id),
        "timeseries.parquet": with_run_id(result.timeseries, run_id),
        "plan.parquet": plan_frame(result.network, replications),
        **{f"records_{domain}.parquet": frame for domain, frame in result.records.items()},
    }
    # Parquet encoding runs outside the GIL, so the tables are written side by side (a
    # national day's: 0.37-0.45 s one after another, 0.21-0.27 s so); a failure in any is
    # raised once every write has ended
    with ThreadPoolExecutor(max_workers=min(len(tables), os.cpu_count() or 1)) as pool:
        written = [pool.submit(write_parquet, run_dir / name, t) for name, t in tables.items()]
        write_json(run_dir / "network.json", result.network.to_json_dict())
    for done in written:
        done.result()
    meta.update(status="ok", finished_at=now_iso(), wall_time_s=round(result.wall_time_s, 3))
    write_json(run_dir / "meta.json", meta)


def write_failure(
    run_dir: Path, exc: BaseException, meta: dict[str, Any], config_yaml: str | None = None
) -> None:
    """Record a failed run: the exception goes into meta.json; the config too, if it was built."""
    if config_yaml is not None:
        write_text(run_dir / "config.yaml", config_yaml)
    meta.update(status="failed", finished_at=now_iso(), error=error_record(exc))
    write_json(run_dir / "meta.json", meta)


def write_started(run_dir: Path, meta: dict[str, Any]) -> None:
    """meta.json with status running, before time 0: a killed run leaves a folder that says so."""
    write_json(run_dir / "meta.json", meta)


def write_interrupted(
    run_dir: Path, signal_name: str, meta: dict[str, Any], config_yaml: str | None = None
) -> None:
    """Record a run stopped by SIGINT or SIGTERM: status interrupted, no traceback."""
    if config_yaml is not None:
        write_text(run_dir / "config.yaml", config_yaml)
    message = f"interrupted by {signal_name}"
    meta.update(
        status="interrupted",
        finished_at=now_iso(),
        error={"type": "Interrupted", "message": message},
    )
    write_json(run_dir / "meta.json", meta)


def unfinished_run(path: Path) -> str | None:
    """Why the run folder ``path`` never finished (killed, or still running), else None.

    A run writes meta.json with status running before time 0 and replaces it when it ends, so
    a folder whose meta.json still says running, or a Hydra job folder with none, was killed
    (SIGKILL, out of memory) or is still running.
    """
    meta_file = Path(path) / "meta.json"
    if meta_file.is_file():
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # damaged, not unfinished: the readers say so
        if isinstance(meta, dict) and meta.get("status") == "running":
            return (
                "meta.json says running: the run was killed (SIGKILL, out of memory) "
                "or is still running"
            )
        return None
    if (Path(path) / ".hydra").is_dir() and not (Path(path) / "kpis.parquet").is_file():
        return "no meta.json: the run was killed before time 0 or is still starting"
    return None
