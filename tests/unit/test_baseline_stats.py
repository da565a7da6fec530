"""The two comparison layers of twin-baseline check, and the baseline spec files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from twin.errors import ConfigError
from twin.experiment.baseline_spec import BaselineTolerance, load_specs, read_spec
from twin.experiment.baseline_stats import (
    compare_statistical,
    exact_mismatches,
    membership,
)

pytestmark = pytest.mark.unit

KEY = ("R1", "S01", "checkout.wait_s", "mean")
TOL = BaselineTolerance(rel=0.02, alpha=0.05)


def noisy(mean: float, sd: float, n: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, sd, n)


def verdict(
    old: np.ndarray, new: np.ndarray, paired: bool = False, tol: BaselineTolerance = TOL
) -> bool:
    (difference,) = compare_statistical({KEY: old}, {KEY: new}, tol, paired)
    return difference.is_drift


def test_noise_alone_is_not_drift() -> None:
    assert not verdict(noisy(100, 5, seed=1), noisy(100, 5, seed=2))


def test_a_shift_beyond_noise_and_margin_is_drift() -> None:
    assert verdict(noisy(100, 2, seed=1), noisy(106, 2, seed=2))


def test_a_significant_shift_inside_the_margin_is_not_drift() -> None:
    old = noisy(100, 0.1, seed=1)
    assert not verdict(old, old + 1.5, paired=True)  # 1.5% < 2%, though certain
    assert verdict(old, old + 2.5, paired=True)


def test_pairing_sees_a_small_shift_welch_does_not() -> None:
    old = noisy(100, 10, seed=1)
    new = old * 1.04 + noisy(0, 0.2, seed=3)
    assert verdict(old, new, paired=True)
    assert not verdict(old, new, paired=False)


def test_constant_kpis_differ_only_beyond_the_margin() -> None:
    assert not verdict(np.full(10, 8.0), np.full(10, 8.1))
    assert verdict(np.full(10, 8.0), np.full(10, 9.0))
    assert not verdict(np.zeros(10), np.zeros(10))


def test_a_kpi_undefined_on_one_side_is_drift() -> None:
    assert verdict(np.full(5, math.nan), np.ones(5))
    assert not verdict(np.full(5, math.nan), np.full(5, math.nan))


def test_bonferroni_counts_only_kpis_that_vary() -> None:
    old = {("R1", "S01", f"k{i}", "mean"): np.full(10, 1.0) for i in range(50)}
    old[KEY] = noisy(100, 5, n=10, seed=1)
    new = dict(old)
    new[KEY] = old[KEY] + 4.0
    by_key = {d.key: d for d in compare_statistical(old, new, TOL, is_paired=False)}
    alone = compare_statistical({KEY: old[KEY]}, {KEY: new[KEY]}, TOL, is_paired=False)[0]
    assert by_key[KEY].half_width == pytest.approx(alone.half_width)


def test_exact_layer_flags_any_change_beyond_1e_9() -> None:
    old = {KEY: np.array([1.0, 2.0, math.nan])}
    assert exact_mismatches(old, {KEY: np.array([1.0, 2.0 + 1e-12, math.nan])}) == []
    (mismatch,) = exact_mismatches(old, {KEY: np.array([1.0, 2.0 + 1e-6, math.nan])})
    assert mismatch.key == KEY and mismatch.max_rel_diff == pytest.approx(5e-7, rel=1e-3)
    assert exact_mismatches(old, {KEY: np.array([1.0, 2.0])})[0].max_rel_diff == math.inf


def test_membership_lists_missing_and_new_kpis() -> None:
    other = ("R1", "all", "store.revenue_money", "total")
    assert membership({KEY: np.ones(1)}, {other: np.ones(1)}) == ([KEY], [other])


def test_shipped_specs_are_valid() -> None:
    specs = load_specs()
    assert specs and all(spec.replications >= 3 for spec in specs.values())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "overrides: [run.seed=3]\nseed: 1\nreplications: 5\n",
            r"overrides = 'run.seed=3'; expected no override of run.seed",
        ),
        (
            "overrides: [run.precision.kpi=checkout.wait_s]\nseed: 1\nreplications: 5\n",
            r"overrides = 'run.precision.kpi=checkout.wait_s'; expected no override",
        ),
        (
            "overrides: []\nseed: 1\nreplications: 2\n",
            r"replications = 2; expected an integer >= 3",
        ),
        ("overrides: []\nseed: -1\nreplications: 5\n", r"seed = -1; expected an integer >= 0"),
        (
            "overrides: []\nseed: 1\nreplications: 5\nrepetitions: 3\n",
            r"bad\.yaml: repetitions = '\(unknown key\)'",
        ),
        (
            "overrides: []\nseed: 1\nreplications: 5\ntolerance: {rel: -0.1}\n",
            r"tolerance\.rel = -0\.1; expected a finite number >= 0",
        ),
        (
            "overrides: []\nseed: 1\nreplications: 5\ntolerance: {alpha: 1.5}\n",
            r"tolerance\.alpha = 1\.5; expected a probability",
        ),
    ],
)
def test_bad_spec_files_name_the_key(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        read_spec(path)


def test_kpi_patterns_select_by_name_or_name_and_stat(tmp_path: Path) -> None:
    path = tmp_path / "some.yaml"
    path.write_text(
        "overrides: []\nseed: 1\nreplications: 3\n"
        "kpis: ['checkout.*', 'store.revenue_money:total']\n"
    )
    spec = read_spec(path)
    assert spec.name == "some"
    assert spec.selects("checkout.wait_s", "p95") and spec.selects("store.revenue_money", "total")
    assert not spec.selects("store.occupancy_n", "mean")
