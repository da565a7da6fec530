"""Scenario comparison: paired differences on common random numbers, with t-based intervals.

Replication ``r`` of two scenarios run with the same seed draws the same random inputs (named
streams), so the per-replication difference cancels most of the noise both share: the paired
interval is much narrower than the unpaired (Welch) one. Scenarios run with different seeds
are independent, and only the unpaired interval is valid; :func:`compare` then uses it.

>>> import twin
>>> from twin.experiment.compare import compare
>>> base = twin.simulate(twin.load_config(["network=single_store", "run.replications=5"]))
>>> more = twin.simulate(twin.load_config(["network=single_store", "run.replications=5",
...                                        "formats.grocery.checkout.lanes=10"]))
>>> table = compare(more, base)  # more - base, per (region, store, kpi, stat)
>>> bool(table.query("kpi == 'checkout.wait_s' and stat == 'mean' and store == 'all'")
...      ["diff_mean"].iloc[0] <= 0)
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd

from twin.kpi.stats import t_quantile

KEYS = ["region", "store", "kpi", "stat"]
COMPARE_COLUMNS = [
    *KEYS,
    "unit",
    "mean",
    "baseline_mean",
    "diff_mean",
    "diff_half_width",
    "unpaired_half_width",
    "n_reps",
    "is_paired",
    "is_significant",
]

if TYPE_CHECKING:
    from twin.experiment.replications import SimulationResult

Comparable: TypeAlias = "SimulationResult | pd.DataFrame | str | Path"


def compare(
    result: Comparable,
    baseline: Comparable,
    *,
    paired: bool | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Differences ``result - baseline`` of every KPI, with a confidence interval each.

    ``result`` and ``baseline`` are simulation results, tidy KPI tables (kpis.parquet) or run
    folders. ``paired=None`` pairs replications when both ran with the same seed (common random
    numbers; always for bare tables, whose seed is unknown); ``is_significant`` says the
    interval excludes zero. ``unpaired_half_width`` is the Welch interval, for contrast.
    """
    kpis, seed = _kpis_and_seed(result)
    base_kpis, base_seed = _kpis_and_seed(baseline)
    if paired is None:
        paired = seed is None or base_seed is None or seed == base_seed
    return difference_table(kpis, base_kpis, paired=paired, confidence=confidence)


def difference_table(
    kpis: pd.DataFrame,
    baseline_kpis: pd.DataFrame,
    *,
    paired: bool = True,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The comparison of two tidy KPI tables (see :func:`compare`), one row per KPI key."""
    alpha_quantile = 0.5 + confidence / 2
    a = _clean(kpis)
    b = _clean(baseline_kpis)
    stats_a = _moments(a, "a")
    stats_b = _moments(b, "b")
    table = stats_a.merge(stats_b, on=KEYS, how="inner")
    table["unit"] = table["unit_a"]

    welch = _welch_half_width(table, alpha_quantile)
    merged = a.merge(b, on=[*KEYS, "replication"], suffixes=("_a", "_b"), how="inner")
    merged["diff"] = merged["value_a"] - merged["value_b"]
    diffs = (
        merged.dropna(subset=["diff"])
        .groupby(KEYS, sort=False)["diff"]
        .agg(pair_mean="mean", pair_sd="std", pair_n="count")
        .reset_index()
    )
    table = table.merge(diffs, on=KEYS, how="left")
    table["mean"] = table["mean_a"]
    table["baseline_mean"] = table["mean_b"]
    if paired:
        n = table["pair_n"].fillna(0).astype("int64")
        table["diff_mean"] = table["pair_mean"]
        table["diff_half_width"] = _t_half_width(table["pair_sd"], n, alpha_quantile)
        table["n_reps"] = n
    else:
        table["diff_mean"] = table["mean_a"] - table["mean_b"]
        table["diff_half_width"] = welch
        table["n_reps"] = np.minimum(table["n_a"], table["n_b"]).astype("int64")
    table["unpaired_half_width"] = welch
    table["is_paired"] = bool(paired)
    table["is_significant"] = _excludes_zero(table["diff_mean"], table["diff_half_width"])
    return table[COMPARE_COLUMNS].reset_index(drop=True)


def _kpis_and_seed(item: Comparable) -> tuple[pd.DataFrame, int | None]:
    if isinstance(item, pd.DataFrame):
        return item, None
    if not isinstance(item, str | Path):  # a SimulationResult (not imported: the simulation)
        return item.kpis, item.config.run.seed
    folder = Path(item)
    kpis = pd.read_parquet(folder / "kpis.parquet")
    meta_file = folder / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
    seed = meta.get("seed")
    return kpis, int(seed) if seed is not None else None


def _clean(kpis: pd.DataFrame) -> pd.DataFrame:
    frame = kpis[[*KEYS, "replication", "value", "unit"]].copy()
    frame["value"] = frame["value"].astype(float)
    return frame


def _moments(frame: pd.DataFrame, tag: str) -> pd.DataFrame:
    valid = frame.dropna(subset=["value"])
    grouped = valid.groupby(KEYS, sort=False)
    out = grouped["value"].agg(["mean", "var", "count"]).reset_index()
    units = frame.groupby(KEYS, sort=False)["unit"].first().reset_index()
    out = units.merge(out, on=KEYS, how="left")
    out["count"] = out["count"].fillna(0).astype("int64")
    return out.rename(
        columns={
            "mean": f"mean_{tag}",
            "var": f"var_{tag}",
            "count": f"n_{tag}",
            "unit": f"unit_{tag}",
        }
    )


def _t_half_width(sd: pd.Series, n: pd.Series, quantile: float) -> np.ndarray:
    n_arr = n.to_numpy(dtype=float)
    sd_arr = sd.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = t_quantile(quantile, np.where(n_arr >= 2, n_arr - 1, np.nan))
        half = t * sd_arr / np.sqrt(n_arr)
    return np.where(n_arr >= 2, half, np.nan)


def _welch_half_width(table: pd.DataFrame, quantile: float) -> np.ndarray:
    """Welch-Satterthwaite half-width of mean_a - mean_b (independent samples)."""
    n_a = table["n_a"].to_numpy(dtype=float)
    n_b = table["n_b"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        term_a = table["var_a"].to_numpy(dtype=float) / n_a
        term_b = table["var_b"].to_numpy(dtype=float) / n_b
        se2 = term_a + term_b
        df = se2**2 / (term_a**2 / (n_a - 1) + term_b**2 / (n_b - 1))
        half = t_quantile(quantile, df) * np.sqrt(se2)
    half = np.where(se2 == 0.0, 0.0, half)  # identical constants: no uncertainty
    return np.where((n_a >= 2) & (n_b >= 2), half, np.nan)


def _excludes_zero(diff: pd.Series, half_width: pd.Series | np.ndarray) -> np.ndarray:
    d = np.asarray(diff, dtype=float)
    h = np.asarray(half_width, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(d) | np.isnan(h), False, np.abs(d) > h)
