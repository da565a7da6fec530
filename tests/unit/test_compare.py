"""Scenario comparison: paired (CRN) and unpaired intervals on hand-made KPI tables."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from twin.experiment.compare import COMPARE_COLUMNS, compare, difference_table

pytestmark = pytest.mark.unit


def kpi_table(
    values: list[float], kpi: str = "checkout.wait_s", scenario: str = "s"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": scenario,
            "replication": range(len(values)),
            "region": "R1",
            "store": "all",
            "kpi": kpi,
            "stat": "mean",
            "value": values,
            "unit": "s",
        }
    )


def test_paired_interval_is_the_t_interval_of_the_differences() -> None:
    base = [10.0, 14.0, 9.0, 20.0, 12.0]
    diffs = [1.0, 1.5, 0.5, 1.2, 0.9]
    table = difference_table(
        kpi_table([b + d for b, d in zip(base, diffs, strict=True)]), kpi_table(base)
    )
    row = table.iloc[0]
    half = stats.t.ppf(0.975, 4) * np.std(diffs, ddof=1) / math.sqrt(5)
    assert list(table.columns) == COMPARE_COLUMNS
    assert row["diff_mean"] == pytest.approx(np.mean(diffs))
    assert row["diff_half_width"] == pytest.approx(half)
    assert row["n_reps"] == 5 and row["is_paired"] and row["is_significant"]
    assert row["mean"] == pytest.approx(np.mean(base) + np.mean(diffs))
    assert row["baseline_mean"] == pytest.approx(np.mean(base))


def test_unpaired_interval_is_welch_and_much_wider_when_noise_is_shared() -> None:
    base = [10.0, 14.0, 9.0, 20.0, 12.0]
    other = [b + 1.0 + 0.1 * i for i, b in enumerate(base)]
    table = difference_table(kpi_table(other), kpi_table(base))
    welch = stats.ttest_ind(other, base, equal_var=False).confidence_interval(0.95)
    row = table.iloc[0]
    assert row["unpaired_half_width"] == pytest.approx((welch.high - welch.low) / 2)
    assert row["diff_half_width"] < row["unpaired_half_width"] / 10


def test_unpaired_comparison_uses_welch_and_the_smaller_sample() -> None:
    table = difference_table(
        kpi_table([1.0, 2.0, 3.0, 4.0]), kpi_table([1.0, 2.0, 3.0]), paired=False
    )
    row = table.iloc[0]
    assert not row["is_paired"] and row["n_reps"] == 3
    assert row["diff_half_width"] == pytest.approx(row["unpaired_half_width"])
    assert row["diff_mean"] == pytest.approx(0.5)
    assert not row["is_significant"]


def test_identical_scenarios_differ_by_exactly_zero_and_not_significantly() -> None:
    values = [3.0, 5.0, 4.0]
    row = difference_table(kpi_table(values), kpi_table(values)).iloc[0]
    assert row["diff_mean"] == 0.0 and row["diff_half_width"] == 0.0
    assert not row["is_significant"]


def test_a_constant_nonzero_difference_is_significant() -> None:
    row = difference_table(kpi_table([5.0, 6.0, 7.0]), kpi_table([4.0, 5.0, 6.0])).iloc[0]
    assert row["diff_half_width"] == 0.0 and row["is_significant"]


def test_one_replication_gives_no_interval_and_no_significance() -> None:
    row = difference_table(kpi_table([5.0]), kpi_table([4.0])).iloc[0]
    assert row["diff_mean"] == 1.0 and math.isnan(row["diff_half_width"])
    assert not row["is_significant"]


def test_nan_replications_are_left_out_of_the_pairs() -> None:
    row = difference_table(
        kpi_table([1.0, math.nan, 3.0, 4.0]), kpi_table([0.0, 1.0, 2.0, 3.0])
    ).iloc[0]
    assert row["n_reps"] == 3 and row["diff_mean"] == pytest.approx(1.0)


def test_compare_accepts_run_folders_and_pairs_only_equal_seeds(tmp_path: Path) -> None:
    for name, seed, values in (
        ("a", 1, [2.0, 3.0, 4.0]),
        ("b", 1, [1.0, 2.0, 3.5]),
        ("c", 2, [1.0, 2.0, 3.5]),
    ):
        folder = tmp_path / name
        folder.mkdir()
        kpi_table(values).to_parquet(folder / "kpis.parquet")
        (folder / "meta.json").write_text(json.dumps({"seed": seed}))
    assert compare(tmp_path / "a", tmp_path / "b")["is_paired"].all()
    assert not compare(tmp_path / "a", tmp_path / "c")["is_paired"].any()
    assert compare(kpi_table([1.0, 2.0]), kpi_table([1.0, 2.0]))["is_paired"].all()
