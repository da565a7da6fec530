"""The runs index: one row per run, sweep job and sizing under a ``runs/`` folder.

``runs/index.parquet`` is a cache of the run folders' meta.json files: deleting it loses
nothing (:func:`reindex` rebuilds it, and the next run that finds it missing does so too).
Every row carries ``run_id``, kind (run, job, sizing), times, scenario, status, wall time, git
revision, the folder paths relative to ``runs/`` and every override as a typed column named by
its key (``network``, ``formats.grocery.checkout.lanes``, ...).

Why a parquet file and not a DuckDB database: several processes write it at once (parallel
sweep jobs), and a DuckDB file admits one writing process at a time (the others fail to open
it). A parquet file read by everyone, rewritten under an exclusive ``fcntl`` lock on
``runs/.index.lock`` through a temporary file and an atomic rename, never shows a reader a
half-written index and never loses a concurrent writer's row. DuckDB reads it as a view.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from twin.experiment.run_folder import write_parquet

log = logging.getLogger(__name__)

INDEX_NAME = "index.parquet"
LOCK_NAME = ".index.lock"
# Fixed columns, then one column per override key (sorted).
FIXED_COLUMNS = [
    "run_id",
    "kind",
    "status",
    "scenario",
    "started_at",
    "finished_at",
    "wall_time_s",
    "seed",
    "replications",
    "git_sha",
    "path",
    "sweep_dir",
    "job",
    "overrides",
    "error",
]
KINDS_INDEXED = ("run", "job", "sizing")


def runs_root_of(folder: Path) -> Path | None:
    """The nearest enclosing folder named ``runs`` (where the index lives), or None."""
    for parent in Path(folder).resolve().parents:
        if parent.name == "runs":
            return parent
    return None


def read_meta(folder: Path) -> dict[str, Any] | None:
    """A run folder's meta.json, or None when it is missing, unreadable or not a run's."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or "status" not in meta or "scenario" not in meta:
        return None  # e.g. a sweep folder's own manifest
    return meta if _kind(meta, folder) in KINDS_INDEXED else None


def _kind(meta: dict[str, Any], folder: Path) -> str:
    kind = meta.get("kind")
    if kind:
        return str(kind)
    return "job" if folder.name.isdigit() else "run"


def _job_number(meta: dict[str, Any], folder: Path) -> int | None:
    if isinstance(meta.get("job"), int):
        return int(meta["job"])
    return int(folder.name) if folder.name.isdigit() else None


def legacy_run_id(relative_path: str) -> str:
    """A stable id for a folder written before run ids existed (from its path)."""
    return "legacy-" + relative_path.replace("/", "_")


def row_of(folder: Path, meta: dict[str, Any], root: Path) -> dict[str, Any]:
    """The index row of one run folder (overrides still as ``key=value`` strings)."""
    relative = folder.resolve().relative_to(root.resolve()).as_posix()
    kind = _kind(meta, folder)
    error = meta.get("error") or None
    return {
        "run_id": str(meta.get("run_id") or legacy_run_id(relative)),
        "kind": kind,
        "status": str(meta.get("status")),
        "scenario": str(meta.get("scenario")),
        "started_at": meta.get("started_at"),
        "finished_at": meta.get("finished_at"),
        "wall_time_s": meta.get("wall_time_s"),
        "seed": meta.get("seed"),
        "replications": meta.get("replications"),
        "git_sha": meta.get("git_sha"),
        "path": relative,
        "sweep_dir": Path(relative).parent.as_posix() if kind == "job" else None,
        "job": _job_number(meta, folder) if kind == "job" else None,
        "overrides": json.dumps(list(meta.get("overrides") or [])),
        "error": (f"{error.get('type')}: {error.get('message')}" if error else None),
    }


def parse_override(text: str) -> tuple[str, Any] | None:
    """``key=value`` as (column, typed value); deletions (``~key``) give None."""
    if "=" not in text or text.startswith("~"):
        return None
    key, value = text.split("=", 1)
    key = key.lstrip("+")
    if value.startswith(("{", "[")):
        return key, value  # Hydra's dict and list syntax ({k:1}) is not YAML: keep the text
    try:
        typed = yaml.safe_load(value) if value != "" else ""
    except yaml.YAMLError:
        typed = value
    if isinstance(typed, list | dict):
        typed = value
    elif typed is not None and not isinstance(typed, bool | int | float | str):
        typed = str(typed)  # dates and the like
    return key, typed


def _typed_column(values: list[Any]) -> pd.Series:
    """One override column: bool, Int64, float64 or string, whatever its rows hold."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype="string")


def index_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The index table of ``rows``: fixed columns, then every override key as a typed column."""
    rows = sorted(rows, key=lambda r: (str(r["started_at"] or ""), r["path"]))
    frame = pd.DataFrame.from_records(rows, columns=FIXED_COLUMNS)
    parsed = [dict(p for p in map(parse_override, json.loads(r["overrides"])) if p) for r in rows]
    keys = sorted({key for params in parsed for key in params})
    for key in keys:
        column = key if key not in FIXED_COLUMNS else f"param.{key}"
        typed = _typed_column([params.get(key) for params in parsed])
        frame[column] = typed.set_axis(frame.index)
    text = ("run_id", "kind", "status", "scenario", "git_sha", "path", "sweep_dir", "overrides")
    frame = frame.astype(
        {
            "wall_time_s": "float64",
            "seed": "Int64",
            "replications": "Int64",
            "job": "Int64",
            "error": "string",
            **{column: "string" for column in text},
        }
    )
    for key in ("started_at", "finished_at"):
        frame[key] = pd.to_datetime(frame[key], utc=True, errors="coerce", format="ISO8601")
    return frame


def _raw_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    fixed = frame[FIXED_COLUMNS].astype(object).where(frame[FIXED_COLUMNS].notna(), None)
    rows: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in fixed.to_dict("records")
    ]
    for row in rows:
        for key in ("started_at", "finished_at"):
            if row[key] is not None:
                row[key] = pd.Timestamp(row[key]).isoformat()
    return rows


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the index's exclusive lock (released when the process dies, whatever happens)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def scan(root: Path) -> list[dict[str, Any]]:
    """Index rows of every run folder under ``root`` (folders with a run's meta.json)."""
    rows = []
    for meta_file in sorted(root.rglob("meta.json")):
        meta = read_meta(meta_file.parent)
        if meta is not None:
            rows.append(row_of(meta_file.parent, meta, root))
    return rows


def reindex(root: Path) -> pd.DataFrame:
    """Rebuild ``root/index.parquet`` from the run folders; returns the new index."""
    with locked(root):
        frame = index_frame(scan(root))
        write_parquet(root / INDEX_NAME, frame)
    return frame


def record(folder: Path, meta: dict[str, Any], root: Path | None = None) -> Path | None:
    """Add (or replace) the row of the run in ``folder``; returns the index file, or None.

    A run outside any ``runs/`` folder is not indexed. A missing or unreadable index is
    rebuilt from the folders first, so no run is ever left out.
    """
    root = root or runs_root_of(folder)
    if root is None:
        log.debug("%s is not under a runs/ folder: not indexed", folder)
        return None
    row = row_of(folder, meta, root)
    file = root / INDEX_NAME
    with locked(root):
        rows = _existing_rows(file)
        if rows is None:
            rows = scan(root)  # includes this run (its meta.json is written)
        rows = [r for r in rows if r["path"] != row["path"]] + [row]
        write_parquet(file, index_frame(rows))
    return file


def _existing_rows(file: Path) -> list[dict[str, Any]] | None:
    if not file.is_file():
        return None
    try:
        return _raw_rows(pd.read_parquet(file))
    except Exception as exc:  # a damaged cache: rebuild it
        log.warning("the runs index %s is unreadable (%s): rebuilding it", file, exc)
        return None


def load_index(root: Path) -> pd.DataFrame:
    """The index of ``root`` (rebuilt first when missing)."""
    file = root / INDEX_NAME
    if file.is_file():
        try:
            return pd.read_parquet(file)
        except Exception as exc:
            log.warning("the runs index %s is unreadable (%s): rebuilding it", file, exc)
    return reindex(root)
