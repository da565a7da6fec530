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

Rewriting the index costs time in proportion to its rows (0.3 s at 1,000 runs, 1 s at
5,000), so a run first writes its row alone, ``runs/.index-pending/<hash of its path>.json``
(atomic, no lock, a later row of the same folder replaces it), and :func:`fold` merges the
pending rows into the index: at the end of every single run and sizing, once at the end of a
sweep (its jobs only write their rows), and before any read (:func:`load_index`). Folding
first renames the rows it takes (``.claimed``), so a row written meanwhile waits for the next
fold and none is lost; rows claimed by a fold that died are taken by the next.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from twin.experiment.run_folder import write_json, write_parquet
from twin.files import DamagedFileError, read_json

log = logging.getLogger(__name__)

INDEX_NAME = "index.parquet"
LOCK_NAME = ".index.lock"
PENDING_NAME = ".index-pending"  # rows not yet folded into the index, one file per folder
CLAIMED_SUFFIX = ".claimed"  # a pending row a fold has taken
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
    return fold(root, rebuild=True)


def record(
    folder: Path, meta: dict[str, Any], root: Path | None = None, *, pending_only: bool = False
) -> Path | None:
    """Add (or replace) the row of the run in ``folder``; returns the file written, or None.

    The row is written alone (a pending row) and then folded into the index, unless
    ``pending_only`` (a sweep's job: the sweep folds its jobs' rows once, at its end). A run
    outside any ``runs/`` folder is not indexed.
    """
    root = root or runs_root_of(folder)
    if root is None:
        log.debug("%s is not under a runs/ folder: not indexed", folder)
        return None
    row = row_of(folder, meta, root)
    name = hashlib.sha256(row["path"].encode()).hexdigest()[:32] + ".json"
    pending = root / PENDING_NAME / name
    write_json(pending, row)
    if pending_only:
        return pending
    fold(root)
    return root / INDEX_NAME


def fold(root: Path, rebuild: bool = False) -> pd.DataFrame:
    """Merge the pending rows into ``root/index.parquet``; returns the index.

    A missing or unreadable index, or ``rebuild``, is rebuilt from the run folders (which the
    pending rows' runs are among: a run writes its meta.json before its row)."""
    with locked(root):
        claimed = _claim(root / PENDING_NAME)
        rows = None if rebuild else _existing_rows(root / INDEX_NAME)
        new = [] if rows is None else [_read_row(file) for file in claimed]
        if rows is None or any(row is None for row in new):
            rows = scan(root)
        else:
            by_path = {row["path"]: row for row in rows}
            by_path.update((row["path"], row) for row in new if row is not None)
            rows = list(by_path.values())
        frame = index_frame(rows)
        write_parquet(root / INDEX_NAME, frame)
        for file in claimed:
            file.unlink(missing_ok=True)
    return frame


def fold_under(folder: Path) -> None:
    """Fold the pending rows of the ``runs/`` folder that holds ``folder`` (a sweep's end);
    the index is a cache, so a failure is a warning."""
    root = runs_root_of(folder)
    if root is None or not _pending(root):
        return
    try:
        fold(root)
    except Exception as exc:
        log.warning("the runs index was not updated (%s); run: twin-runs --reindex", exc)


def _pending(root: Path) -> bool:
    folder = root / PENDING_NAME
    return folder.is_dir() and any(
        entry.name.endswith((".json", CLAIMED_SUFFIX)) for entry in os.scandir(folder)
    )


def _claim(folder: Path) -> list[Path]:
    """Take the pending rows (renamed, so a row written from now on waits for the next fold),
    with those a fold that died had taken."""
    if not folder.is_dir():
        return []
    for file in folder.glob("*.json"):
        with suppress(FileNotFoundError):
            file.rename(file.with_name(file.name + CLAIMED_SUFFIX))
    return sorted(folder.glob("*.json" + CLAIMED_SUFFIX))


def _read_row(file: Path) -> dict[str, Any] | None:
    """A pending row, or None when it is damaged (the fold then rescans the folders)."""
    try:
        row = read_json(file, expect=dict)
    except DamagedFileError:
        return None
    return row if "path" in row else None


def _existing_rows(file: Path) -> list[dict[str, Any]] | None:
    if not file.is_file():
        return None
    try:
        return _raw_rows(pd.read_parquet(file))
    except Exception as exc:  # a damaged cache: rebuild it
        log.warning("the runs index %s is unreadable (%s): rebuilding it", file, exc)
        return None


def load_index(root: Path) -> pd.DataFrame:
    """The index of ``root``, with every pending row (rebuilt first when missing)."""
    file = root / INDEX_NAME
    if file.is_file() and not _pending(root):
        try:
            return pd.read_parquet(file)
        except Exception as exc:
            log.warning("the runs index %s is unreadable (%s): rebuilding it", file, exc)
            return reindex(root)
    return fold(root)
