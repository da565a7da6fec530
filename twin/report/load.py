"""Read run, sweep and sizing folders (docs/CONTRACTS.md) into plain data for the reports.

Reports never simulate: everything here comes from files a run, a sweep or ``twin-size``
already wrote. Missing optional files become ``None``; a file that is present but does not
follow the contract raises :class:`ReportInputError` naming the file and what was expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from twin.errors import TwinError
from twin.files import DamagedFileError, read_json, read_text, read_yaml
from twin.run_files import (
    COMPARISON,
    KPIS,
    PLAN,
    SIZING_CURVE,
    SUMMARY,
    SWEEP_SUMMARY,
    TIMESERIES,
    Table,
    summarise,
    with_current_kpi_names,
)

FolderKind = Literal["run", "sweep", "sizing"]


class ReportInputError(TwinError, ValueError):
    """A folder given to the report is not a run, sweep or sizing folder, or a file is malformed."""


@dataclass
class RunData:
    """Everything a run folder holds; any part may be missing (``None``)."""

    path: Path
    meta: dict[str, Any] | None = None
    config_text: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    kpis: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    timeseries: pd.DataFrame | None = None
    network: dict[str, Any] | None = None
    plan: pd.DataFrame | None = None  # plan.parquet: the staffing plan, when a planner ran

    @property
    def scenario(self) -> str:
        for source in (self.meta or {}, self.config.get("run") or {}):
            if isinstance(source, dict) and source.get("scenario"):
                return str(source["scenario"])
        for frame in (self.summary, self.kpis):
            if frame is not None and len(frame):
                return str(frame["scenario"].iloc[0])
        return "run"


@dataclass
class SweepData:
    """A sweep folder: the gathered summary, failed jobs and (optional) baseline comparison."""

    path: Path
    summary: pd.DataFrame | None
    params: list[str]
    failed_jobs: list[dict[str, Any]]
    comparison: pd.DataFrame | None
    job_meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)  # the first job's resolved config
    multirun: dict[str, Any] = field(default_factory=dict)  # multirun.yaml (hydra sweeper)


@dataclass
class SizingData:
    """A sizing folder: the search result and the capacity-vs-KPI curve."""

    path: Path
    sizing: dict[str, Any]
    curve: pd.DataFrame | None


def detect_kind(path: Path) -> FolderKind | None:
    """Which kind of folder ``path`` is, or ``None`` when it is none of run, sweep or sizing."""
    if not path.is_dir():
        return None
    if (path / "sizing.json").is_file() or (path / "sizing_curve.parquet").is_file():
        return "sizing"
    if (path / "failed_jobs.json").is_file() or (path / "comparison.parquet").is_file():
        return "sweep"
    summary = path / "summary.parquet"
    if summary.is_file() and "job" in _parquet_columns(summary):
        return "sweep"
    if any((job / "meta.json").is_file() for job in _job_dirs(path)):
        return "sweep"
    if (path / "meta.json").is_file() or (path / "kpis.parquet").is_file():
        return "run"
    return None


def load_run(path: Path) -> RunData:
    """Read a run folder; a failed run may hold only meta.json and config.yaml."""
    path = Path(path)
    data = RunData(path=path)
    data.meta = _read_json(path / "meta.json")
    config_file = path / "config.yaml"
    if config_file.is_file():
        data.config_text = read_text(config_file)
        parsed = read_yaml(config_file)
        data.config = parsed if isinstance(parsed, dict) else {}
    data.kpis = _read_parquet(path, KPIS)
    data.summary = _read_parquet(path, SUMMARY)
    if data.summary is None and data.kpis is not None:
        data.summary = summarise(data.kpis)
    data.timeseries = _read_parquet(path, TIMESERIES)
    network = _read_json(path / "network.json")
    if network is not None and not _is_network(network):
        raise ReportInputError(
            f"{path / 'network.json'} must be an object whose stores and zones are lists of "
            "objects with numeric x_km and y_km."
        )
    data.network = network
    data.plan = _read_parquet(path, PLAN)
    return data


def load_sweep(path: Path) -> SweepData:
    """Read a sweep folder: summary.parquet, failed_jobs.json, comparison.parquet, job metas."""
    path = Path(path)
    summary = _read_parquet(path, SWEEP_SUMMARY)
    fixed = SWEEP_SUMMARY.columns
    params = [c for c in summary.columns if c not in fixed] if summary is not None else []
    failed = _read_json(path / "failed_jobs.json")
    if failed is None:
        failed = []
    if not isinstance(failed, list):
        raise ReportInputError(
            f"{path / 'failed_jobs.json'} must be a list of {{job, job_dir, overrides, error}}."
        )
    comparison = _read_parquet(path, COMPARISON)
    job_meta: dict[str, dict[str, Any]] = {}
    for job_dir in _job_dirs(path):
        meta = _read_json(job_dir / "meta.json")
        if isinstance(meta, dict):
            job_meta[job_dir.name] = meta
    config: dict[str, Any] = {}
    for job_dir in _job_dirs(path):
        config = _read_yaml(job_dir / "config.yaml")
        if config:
            break
    multirun = _read_yaml(path / "multirun.yaml")
    return SweepData(path, summary, params, failed, comparison, job_meta, config, multirun)


def _read_yaml(file: Path) -> dict[str, Any]:
    """A YAML mapping, or {} when the file is missing or not a mapping (optional context)."""
    if not file.is_file():
        return {}
    try:
        parsed = read_yaml(file)
    except DamagedFileError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def load_sizing(path: Path) -> SizingData:
    """Read a sizing folder: sizing.json and sizing_curve.parquet."""
    path = Path(path)
    sizing = _read_json(path / "sizing.json")
    if sizing is None:
        sizing = {}
    if not isinstance(sizing, dict):
        raise ReportInputError(f"{path / 'sizing.json'} must be an object with resource, ...")
    curve = _read_parquet(path, SIZING_CURVE)
    return SizingData(path, sizing, curve)


def _read_parquet(folder: Path, table: Table) -> pd.DataFrame | None:
    """``table`` of ``folder`` with today's KPI names, or None when the file is absent."""
    file, columns = folder / table.file, table.columns
    if not file.is_file():
        return None
    try:
        frame = _read_categorical(file)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ReportInputError(f"{file} could not be read as Parquet ({exc}).") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReportInputError(
            f"{file} lacks the columns {', '.join(missing)}; expected {', '.join(columns)} "
            "(see docs/CONTRACTS.md)."
        )
    return with_current_kpi_names(frame)  # renames map the categories


def _read_categorical(file: Path) -> pd.DataFrame:
    """The Parquet table in ``file`` with its text columns (kpi, stat, store, region, unit,
    overrides) as categories, their categories sorted.

    The report filters and groups these columns hundreds of times; on pandas' Arrow-backed
    strings every boolean filter is a pyarrow ``take`` of each text column (a national run:
    500 filters, 1.2 s), on categories a ``take`` of small integer codes. The text columns
    are read dictionary-encoded, as Parquet stores them, instead of as strings converted
    afterwards (a national run's 490,000-row timeseries: 0.30 -> 0.08 s). The values, and
    their sort order (categories are sorted), are those of ``astype("category")``. Every
    groupby in the report says ``observed=True`` (pandas 3's default; pandas 2 would add a
    group per unused category).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(file)
    text = [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    frame = pq.read_table(file, read_dictionary=text).to_pandas()
    for column in text:
        categories = frame[column].cat.categories
        if not categories.is_monotonic_increasing:
            frame[column] = frame[column].cat.reorder_categories(categories.sort_values())
    # a text column with no value at all is stored as nulls: a category too, with none
    nulls = {f.name: "category" for f in schema if pa.types.is_null(f.type)}
    return frame.astype(nulls) if nulls else frame


def _read_json(file: Path) -> Any:
    return read_json(file) if file.is_file() else None


def _is_network(network: Any) -> bool:
    """network.json as the network map reads it (twin.network: to_json_dict)."""
    if not isinstance(network, dict):
        return False
    for part in ("stores", "zones"):
        rows = network.get(part) or []
        if not isinstance(rows, list):
            return False
        for row in rows:
            if not isinstance(row, dict):
                return False
            for coordinate in ("x_km", "y_km"):
                value = row.get(coordinate)
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    return False
    return True


def _parquet_columns(file: Path) -> list[str]:
    try:
        import pyarrow.parquet as pq

        return list(pq.read_schema(file).names)
    except Exception:
        return []


def _job_dirs(path: Path) -> list[Path]:
    """Numbered job subfolders (0/, 1/, ...) in numeric order."""
    dirs = [p for p in _safe_iterdir(path) if p.is_dir() and p.name.isdigit()]
    return sorted(dirs, key=lambda p: int(p.name))


def _safe_iterdir(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def is_missing(value: Any) -> bool:
    """True for None and NaN (the contract writes NaN for an undefined half-width)."""
    return value is None or (isinstance(value, float) and math.isnan(value))
