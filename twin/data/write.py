"""The twin's numeric record tables -> operations-data tables (timestamps, words, string ids)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.data.schema import EPOCH_MONDAY, TABLES


def day0(start_weekday: int) -> pd.Timestamp:
    """The timestamp of a run's time 0 in its records (a Monday plus ``start_weekday``)."""
    return EPOCH_MONDAY + pd.Timedelta(days=start_weekday)


def schema_frame(name: str, frame: pd.DataFrame, start_weekday: int) -> pd.DataFrame:
    """``frame`` (seconds since day 0, category codes, numeric ids; NaN = empty) in schema form.

    Columns not in the schema (the run's scenario, replication, region) are kept in front.
    """
    table = TABLES[name]
    origin = day0(start_weekday)
    out = frame[[c for c in frame.columns if c not in table.names]].copy()
    for column in table.columns:
        values = frame[column.name] if column.name in frame else pd.Series(np.nan, frame.index)
        if column.kind == "timestamp":
            seconds = values.to_numpy(dtype=float)
            # nearest nanosecond (to_timedelta truncates): a replayed log writes the same times
            ns = np.round(np.where(np.isnan(seconds), 0.0, seconds) * 1e9).astype(np.int64)
            stamps = origin + pd.to_timedelta(ns, unit="ns")
            out[column.name] = pd.Series(stamps, index=frame.index).where(~np.isnan(seconds))
        elif column.kind == "category":
            codes = values.to_numpy(dtype=float)
            words = np.asarray(column.categories, dtype=object)
            safe = np.where(np.isnan(codes), 0, codes).astype(np.int64)
            out[column.name] = pd.Series(words[safe], index=frame.index, dtype="string").mask(
                np.isnan(codes)
            )
        elif column.kind == "str" and pd.api.types.is_numeric_dtype(values.dtype):
            numbers = values.to_numpy(dtype=float)
            ids = np.where(np.isnan(numbers), 0, numbers).astype(np.int64).astype(str)
            out[column.name] = pd.Series(ids, index=frame.index, dtype="string").mask(
                np.isnan(numbers)
            )
        elif column.kind == "str":
            out[column.name] = values.astype("string")
        else:
            out[column.name] = values.astype(float)
    return out
