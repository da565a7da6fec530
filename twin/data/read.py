"""Read and check a folder of operations logs (parquet or CSV) against :mod:`twin.data.schema`.

Every problem is a :class:`LogError` of one line naming the file, the column and the row
(rows count data rows from 1, the header not included). Times come back as seconds since
day 0: midnight, in the logs' own time zone, of the date of the first arrival or order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.data.schema import TABLES, Column, Table
from twin.errors import TwinError

DAY_S = 86400.0
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
# (earlier, later) pairs: the later time must not come before the earlier one
ORDERED = {
    "visits": (
        ("arrival", "leave"),
        ("arrival", "queue_join"),
        ("queue_join", "service_start"),
        ("service_start", "service_end"),
    ),
    "orders": (
        ("placed", "pick_start"),
        ("pick_start", "pick_end"),
        ("placed", "pick_end"),
        ("placed", "ready"),
        ("ready", "returned"),
        ("placed", "delivered"),
    ),
    "rosters": (("start", "end"),),
    "jwo_visits": (("arrival", "door"), ("gate_start", "gate_end"), ("door", "leave")),
    "locker_stays": (("placed", "released"),),
    "trips": (("start", "depart"), ("depart", "end"), ("start", "end")),
    "temperatures": (),
}


class LogError(TwinError, ValueError):
    """A log file is not usable: one line naming the file, the column and the row."""


@dataclass
class OpsLogs:
    """A checked logs folder: tables with times as seconds since ``day0`` (NaN = empty)."""

    folder: Path
    day0: pd.Timestamp
    days: int
    tables: dict[str, pd.DataFrame]

    @property
    def start_weekday(self) -> int:
        return int(self.day0.weekday())

    @property
    def stores(self) -> list[str]:
        return sorted(self.tables["visits"]["store"].unique())


def _fail(path: Path, column: str, row: int | None, problem: str) -> LogError:
    where = f", row {row + 1}" if row is not None else ""
    return LogError(f"{path.name}: column '{column}'{where}: {problem}")


def _refuse_first(path: Path, column: str, bad: np.ndarray, problem: Callable[[int], str]) -> None:
    """Raise for the first row where ``bad`` is true, ``problem(row)`` saying what is wrong."""
    rows = np.flatnonzero(bad)
    if rows.size:
        raise _fail(path, column, int(rows[0]), problem(int(rows[0])))


def _load(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # any reader failure becomes one line naming the file
        raise LogError(f"{path.name}: cannot be read as {path.suffix[1:]}: {exc}") from None


def _timestamps(path: Path, column: Column, values: pd.Series) -> pd.Series:
    """Timezone-aware UTC timestamps; one fixed offset per column; empty -> NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values
    if pd.api.types.is_datetime64_dtype(values.dtype):
        raise _fail(path, column.name, 0, "timestamp without a time zone (add e.g. +00:00)")
    text = values.astype("string").fillna("").str.strip()
    present = (text != "").to_numpy()
    parsed = pd.to_datetime(text.where(present), utc=True, errors="coerce", format="ISO8601")
    name = column.name
    _refuse_first(
        path,
        name,
        present & parsed.isna().to_numpy(),
        lambda row: f"cannot parse {text.iloc[row]!r} as a timestamp",
    )
    offsets = text.str.extract(_OFFSET, expand=False).to_numpy(dtype=object)
    _refuse_first(
        path,
        name,
        present & pd.isna(offsets),
        lambda row: f"timestamp {text.iloc[row]!r} has no time zone",
    )
    first = np.flatnonzero(present)
    if not first.size:
        return parsed
    norm = np.char.replace(np.where(offsets == "Z", "+00:00", offsets).astype(str), ":", "")
    _refuse_first(
        path,
        name,
        present & (norm != norm[first[0]]),
        lambda row: (
            f"time zone {offsets[row]} differs from {offsets[first[0]]} in row "
            f"{first[0] + 1} (mixed time zones)"
        ),
    )
    return parsed.dt.tz_convert(_fixed_zone(str(norm[first[0]])))


def _numbers(path: Path, column: Column, values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float)
    text = values.astype("string").fillna("").str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
    _refuse_first(
        path,
        column.name,
        (text != "").to_numpy() & numbers.isna().to_numpy(),
        lambda row: f"cannot parse {text.iloc[row]!r} as a number",
    )
    return numbers.astype(float)


def _words(path: Path, column: Column, values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    if column.categories:
        _refuse_first(
            path,
            column.name,
            (text.notna() & ~text.isin(column.categories)).to_numpy(),
            lambda row: f"{text.iloc[row]!r} is not one of {', '.join(column.categories)}",
        )
    return text


def _check_table(path: Path, table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    if "replication" in frame and frame["replication"].nunique() > 1:
        frame = frame[frame["replication"] == frame["replication"].min()]
    frame = frame.reset_index(drop=True)
    for column in table.columns:
        if column.name not in frame:
            if column.required:
                raise _fail(path, column.name, None, "missing (a required column)")
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
        values = frame[column.name]
        if column.kind == "timestamp":
            frame[column.name] = _timestamps(path, column, values)
        elif column.kind in ("float", "int"):
            frame[column.name] = _numbers(path, column, values)
        else:
            text = values.astype("string").str.strip()
            text = text.mask(text == "")
            if column.required and text.isna().any():
                raise _fail(path, column.name, int(np.flatnonzero(text.isna())[0]), "empty")
            if column.categories:
                unknown = np.flatnonzero(text.notna() & ~text.isin(column.categories))
                if unknown.size:
                    row = int(unknown[0])
                    raise _fail(
                        path,
                        column.name,
                        row,
                        f"{text.iloc[row]!r} is not one of {', '.join(column.categories)}",
                    )
            frame[column.name] = text
        if column.required and column.kind != "str" and frame[column.name].isna().any():
            raise _fail(
                path, column.name, int(np.flatnonzero(frame[column.name].isna())[0]), "empty"
            )
    for earlier, later in ORDERED[table.name]:
        gap = (frame[later] - frame[earlier]).dt.total_seconds().to_numpy()
        _refuse_first(
            path,
            later,
            gap < 0,
            lambda row: f"before '{earlier}' (a negative duration of {gap[row]:g} s)",  # noqa: B023
        )
    return frame[list(table.names)]


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        for stem in (name, f"records_{name}"):  # a run folder is a logs folder
            path = folder / f"{stem}{suffix}"
            if path.exists():
                return path
    return None


def read_logs(folder: str | Path) -> OpsLogs:
    """Read ``folder``'s tables (visits required; orders, rosters optional) and check them."""
    root = Path(folder)
    if not root.is_dir():
        raise LogError(f"{root}: not a folder of operations logs (see docs/DATA.md)")
    frames: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {}
    for name, table in TABLES.items():
        path = _find(root, name)
        if path is None:
            if name == "visits":
                raise LogError(f"{root}: no visits.parquet or visits.csv (see docs/DATA.md)")
            continue
        paths[name] = path
        frames[name] = _check_table(path, table, _load(path))
    stores = frames["visits"]["store"].unique()
    for name, frame in frames.items():
        _refuse_first(
            paths[name],
            "store",
            ~frame["store"].isin(stores).to_numpy(),
            lambda row: (
                f"unknown store {frame['store'].iloc[row]!r} "  # noqa: B023
                f"(not in {paths['visits'].name})"
            ),
        )
    return _to_seconds(root, frames)


def _to_seconds(root: Path, frames: dict[str, pd.DataFrame]) -> OpsLogs:
    first = frames["visits"]["arrival"]
    zone = first.dt.tz
    events = [first] + ([frames["orders"]["placed"]] if "orders" in frames else [])
    start = min(e.min() for e in events if e.notna().any())
    end = max(e.max() for e in events if e.notna().any())
    day0 = start.tz_convert(zone).normalize()
    days = int((end.tz_convert(zone).normalize() - day0).days) + 1
    out: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        frame = frame.copy()
        for column in TABLES[name].columns:
            if column.kind == "timestamp":
                frame[column.name] = (frame[column.name] - day0).dt.total_seconds().astype(float)
        out[name] = frame
    return OpsLogs(root, day0, days, out)


def _fixed_zone(offset: str) -> dt.tzinfo:
    """'+0130' -> a fixed-offset time zone."""
    sign = -1 if offset.startswith("-") else 1
    minutes = int(offset[1:3]) * 60 + int(offset[3:5])
    return dt.timezone(sign * dt.timedelta(minutes=minutes))
