"""The tables of run, sweep and sizing folders, declared once (docs/CONTRACTS.md).

Writers (``twin/experiment``) and readers (``twin/report``, ``twin-collect``, ``twin-query``)
take their column names, dtypes and the across-replication summariser from here, so a column
cannot change on one side only. Inward: it imports only ``twin.kpi`` (no experiment, no domain),
so every layer may import it.

>>> KPIS.columns[:4]
('scenario', 'replication', 'region', 'store')
>>> SWEEP_SUMMARY.columns[:3] + SWEEP_SUMMARY.columns[-2:]
('job', 'job_dir', 'status', 'n_reps', 'unit')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.kpi.renames import current_kpi_name
from twin.kpi.stats import t_quantile


@dataclass(frozen=True)
class Table:
    """One Parquet table: its file name, its columns in order and the dtypes of the typed ones."""

    file: str
    dtypes: tuple[tuple[str, str], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.dtypes)

    def typed(self) -> dict[str, str]:
        """Column -> dtype for the columns with a fixed numeric dtype (for ``astype``)."""
        return {name: dtype for name, dtype in self.dtypes if dtype != "object"}

    def empty(self) -> pd.DataFrame:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in self.dtypes})


_TEXT = "object"
_SCOPE = (("region", _TEXT), ("store", _TEXT))
_KPI = (("kpi", _TEXT), ("stat", _TEXT))
_ACROSS = (("mean", "float64"), ("half_width", "float64"), ("n_reps", "int64"))


def _table(file: str, *dtypes: tuple[str, str]) -> Table:
    return Table(file, dtypes)


# One row per (replication, region, store, kpi, stat); store `all` aggregates the region,
# region `all` the network.
KPIS = _table(
    "kpis.parquet",
    ("scenario", _TEXT),
    ("replication", "int64"),
    *_SCOPE,
    *_KPI,
    ("value", "float64"),
    ("unit", _TEXT),
)
# Across replications: mean, t-based 95 % half-width (NaN for one replication), n_reps.
SUMMARY = _table("summary.parquet", ("scenario", _TEXT), *_SCOPE, *_KPI, *_ACROSS, ("unit", _TEXT))
TIMESERIES = _table(
    "timeseries.parquet",
    ("scenario", _TEXT),
    ("replication", "int64"),
    *_SCOPE,
    ("series", _TEXT),
    ("bin_start_s", "float64"),
    ("value", "float64"),
    ("unit", _TEXT),
)
# The operations plan (twin/plan): units on duty per store, resource, weekday and hour.
PLAN = _table(
    "plan.parquet",
    ("replication", "int64"),
    ("store", "str"),
    ("resource", "str"),
    ("weekday", "int64"),
    ("hour", "int64"),
    ("level", "float64"),
)
# A sweep's gathered summary: these, one column per swept override key after `status`, then
# the SUMMARY columns (SWEEP_SUMMARY.columns lists the fixed ones only).
SWEEP_JOB_COLUMNS = ("job", "job_dir", "status")
SWEEP_SUMMARY = _table(
    "summary.parquet", ("job", "int64"), ("job_dir", _TEXT), ("status", _TEXT), *SUMMARY.dtypes
)
# Paired differences against the baseline job (common random numbers), then the Welch view.
COMPARISON = _table(
    "comparison.parquet",
    ("job", "int64"),
    ("baseline_job", "int64"),
    *_SCOPE,
    *_KPI,
    ("diff_mean", "float64"),
    ("diff_half_width", "float64"),
    ("n_reps", "int64"),
    ("is_significant", "bool"),
    ("unit", _TEXT),
    ("mean", "float64"),
    ("baseline_mean", "float64"),
    ("unpaired_half_width", "float64"),
    ("is_paired", "bool"),
)
# twin-size: every capacity point simulated; meets_target is None for context KPIs.
SIZING_CURVE = _table(
    "sizing_curve.parquet",
    ("resource", _TEXT),
    ("capacity", "int64"),
    ("demand_scale", "float64"),
    ("kpi", _TEXT),
    *_ACROSS,
    ("target", "float64"),
    ("meets_target", _TEXT),
)

SUMMARY_KEYS = ["scenario", "region", "store", "kpi", "stat", "unit"]


def summarise(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean over replications and t-based CI half-width of every (region, store, kpi, stat).

    NaN values do not count (``n_reps`` is the number of finite replications).

    >>> kpis = pd.DataFrame({"scenario": "s", "replication": [0, 1], "region": "R0",
    ...     "store": "S01", "kpi": "checkout.wait_s", "stat": "mean", "value": [1.0, 3.0],
    ...     "unit": "s"})
    >>> row = summarise(kpis).iloc[0]
    >>> float(row["mean"]), round(float(row["half_width"]), 3), int(row["n_reps"])
    (2.0, 12.706, 2)
    """
    grouped = kpis.groupby(SUMMARY_KEYS, sort=False, dropna=False)["value"]
    frame = grouped.agg(["mean", "std", "count"]).reset_index()
    n = frame["count"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = t_quantile(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        half_width = t * frame["std"].to_numpy(dtype=float) / np.sqrt(n)
    frame["half_width"] = np.where(n > 1, half_width, np.nan)
    frame["n_reps"] = frame["count"].astype("int64")
    return frame[list(SUMMARY.columns)]


def with_current_kpi_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with KPI names renamed since it was written (twin/kpi/renames.py) brought to
    today's names, so folders written before a rename still read; unchanged if none is old.

    >>> old = pd.DataFrame({"kpi": ["store.revenue", "checkout.wait_s"]})
    >>> with_current_kpi_names(old)["kpi"].tolist()
    ['store.revenue_money', 'checkout.wait_s']
    """
    if "kpi" not in frame.columns or frame.empty:
        return frame
    names = frame["kpi"]
    renamed = names.map(lambda name: current_kpi_name(name) if isinstance(name, str) else name)
    if renamed.equals(names):
        return frame
    frame = frame.copy()
    frame["kpi"] = renamed
    return frame
