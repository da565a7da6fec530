"""Tidy pandas tables from region results (outside the event loop, after every run)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from twin.data.write import schema_frame
from twin.run_files import KPIS, TIMESERIES, summarise

if TYPE_CHECKING:
    from twin.model import RegionResult


def kpi_frame(scenario: str, results: Iterable[RegionResult]) -> pd.DataFrame:
    results = list(results)
    rows = [row for result in results for row in result.rows]
    frame = pd.DataFrame.from_records(rows, columns=list(KPIS.columns[2:]))
    counts = [len(result.rows) for result in results]
    replications = [result.replication for result in results]
    frame.insert(0, "replication", np.repeat(np.asarray(replications, dtype=np.int64), counts))
    frame.insert(0, "scenario", scenario)
    return frame.astype({"value": "float64"})


def series_frame(
    scenario: str, results: Iterable[RegionResult], window_start_s: float, bin_s: float
) -> pd.DataFrame:
    labels: list[tuple[int, str, str, str, str]] = []
    values: list[np.ndarray] = []
    for result in results:
        for region, store, name, series_values, unit in result.series:
            labels.append((result.replication, region, store, name, unit))
            values.append(series_values)
    if not values:
        return TIMESERIES.empty()
    lengths = np.array([v.size for v in values])
    repeat = np.repeat(np.arange(len(values)), lengths)
    position = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    label_columns = list(zip(*labels, strict=True))

    def column(index: int) -> pd.api.extensions.ExtensionArray:
        # a label per series, repeated per bin: the labels as pandas infers text (Arrow
        # strings on pandas 3), then a take (490,000 rows a national day: 36 -> 5 ms a column)
        return pd.Series(np.asarray(label_columns[index], dtype=object)).array.take(repeat)

    return pd.DataFrame(
        {
            "scenario": scenario,
            "replication": np.asarray(label_columns[0], dtype=np.int64)[repeat],
            "region": column(1),
            "store": column(2),
            "series": column(3),
            "bin_start_s": window_start_s + bin_s * position,
            "value": np.concatenate(values).astype(float),
            "unit": column(4),
        }
    )[list(TIMESERIES.columns)]


def summary_frame(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean over replications and t-based CI half-width of every (region, store, kpi, stat)."""
    return summarise(kpis, confidence)


def record_frames(
    scenario: str, results: Iterable[RegionResult], start_weekday: int = 0
) -> dict[str, pd.DataFrame]:
    """Per-entity records (``run.records``): the operations-data tables (docs/DATA.md)."""
    parts: dict[str, list[pd.DataFrame]] = {}
    for result in results:
        for domain, tables in result.records.items():
            for store, columns, table in tables:
                frame = pd.DataFrame(table, columns=list(columns))
                if domain == "orders":  # zone: an index in the region -> the zone id
                    frame["zone"] = _zone_ids(frame["zone"].to_numpy(), result.zone_ids)
                frame.insert(0, "store", store)
                frame.insert(0, "region", result.region)
                frame.insert(0, "replication", result.replication)
                frame.insert(0, "scenario", scenario)
                parts.setdefault(domain, []).append(frame)
    return {
        name: schema_frame(name, pd.concat(frames, ignore_index=True), start_weekday)
        for name, frames in parts.items()
    }


def _zone_ids(index: np.ndarray, zone_ids: tuple[str, ...]) -> pd.Series:
    """Zone indices (NaN: none) as the region's zone ids (the index as text when unknown)."""
    ids = np.asarray(zone_ids, dtype=object)
    known = np.isfinite(index) & (index >= 0) & (index < ids.size)
    safe = np.where(known, index, 0).astype(np.int64)
    text = ids[safe] if ids.size else np.full(index.size, "", dtype=object)
    fallback = np.where(np.isfinite(index), index, -1).astype(np.int64).astype(str)
    return pd.Series(np.where(known, text, fallback), dtype="string").mask(~np.isfinite(index))
