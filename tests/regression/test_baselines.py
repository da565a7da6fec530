"""KPI baselines: the model still gives the recorded KPIs, and the check catches drift.

Each baseline of configs/baseline/ is re-run once per module (the recorded seed) and checked
against tests/baselines/<name>.json. After an intended model change, re-record with
``twin-baseline record`` and review the diff (docs/BASELINES.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import twin
from twin.experiment.baseline_check import compare, format_report, measure
from twin.experiment.baseline_cli import default_workers, main
from twin.experiment.baseline_record import (
    BaselineRecord,
    from_json_text,
    read_record,
    to_json_text,
)
from twin.experiment.baseline_spec import BaselineSpec, load_specs

pytestmark = pytest.mark.regression

BASELINE_DIR = Path(__file__).resolve().parents[1] / "baselines"
SPECS = load_specs()
SINGLE = "grocery_single_store"
OTHER_SEED = 4242  # any seed but the recorded one; see docs/BASELINES.md (false alarms)
PER_ITEM = "formats.grocery.checkout.staffed.per_item_s.mean"
WORKERS = default_workers()


@pytest.fixture(scope="module")
def fresh() -> dict[str, BaselineRecord]:
    """Every baseline re-run with its recorded seed (once for the module)."""
    return {name: measure(spec, workers=WORKERS) for name, spec in SPECS.items()}


def per_item_plus_10_percent(spec: BaselineSpec) -> str:
    config = twin.load_config(spec.run_overrides())
    return f"{PER_ITEM}={config.formats.grocery.checkout.staffed.per_item_s.mean * 1.1!r}"


def test_baselines_cover_the_domains_and_are_recorded() -> None:
    assert {SINGLE, "grocery_metro"} <= set(SPECS)
    for name in SPECS:
        assert (BASELINE_DIR / f"{name}.json").is_file(), f"record it: twin-baseline record {name}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_model_matches_its_recorded_baseline(name: str, fresh: dict[str, BaselineRecord]) -> None:
    spec = SPECS[name]
    old = read_record(BASELINE_DIR, name)
    report = compare(spec, old, fresh[name])
    assert not report.has_drift, format_report(report, spec)
    if old.versions == fresh[name].versions:
        assert report.exact_applied
    if old.versions == fresh[name].versions and not report.appeared:
        # Re-recording an unchanged model rewrites the same bytes: no diff to review.
        assert to_json_text(fresh[name]) == (BASELINE_DIR / f"{name}.json").read_text()


def test_baseline_file_round_trips(fresh: dict[str, BaselineRecord]) -> None:
    record = fresh[SINGLE]
    again = from_json_text(to_json_text(record))
    assert again.identity() == record.identity() and again.versions == record.versions
    assert again.values.keys() == record.values.keys()
    for key, values in record.values.items():
        np.testing.assert_array_equal(again.values[key], values)


def test_ten_percent_slower_cashiers_is_drift_in_both_layers(
    fresh: dict[str, BaselineRecord],
) -> None:
    spec = SPECS[SINGLE]
    change = per_item_plus_10_percent(spec)
    report = compare(
        spec, fresh[SINGLE], measure(spec, extra_overrides=[change], workers=WORKERS), [change]
    )
    assert report.has_drift
    assert report.exact_applied and report.exact
    drifted = {key[2] for key in (d.key for d in report.drifted)}
    assert "checkout.lane_utilisation_frac" in drifted and "checkout.staffed_wait_s" in drifted


def test_ten_percent_slower_cashiers_is_drift_with_another_seed(
    fresh: dict[str, BaselineRecord],
) -> None:
    """The statistical layer alone (no common random numbers) still sees the change."""
    spec = SPECS[SINGLE]
    change = per_item_plus_10_percent(spec)
    new = measure(spec, seed=OTHER_SEED, extra_overrides=[change], workers=WORKERS)
    report = compare(spec, fresh[SINGLE], new, [change])
    assert not report.exact_applied and report.method == "welch"
    assert report.drifted, format_report(report, spec)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_another_seed_alone_is_not_drift(name: str, fresh: dict[str, BaselineRecord]) -> None:
    spec = SPECS[name]
    report = compare(spec, fresh[name], measure(spec, seed=OTHER_SEED, workers=WORKERS))
    assert not report.exact_applied
    assert any("exact layer skipped: seed" in notice for notice in report.notices)
    assert not report.has_drift, format_report(report, spec)


def test_a_kpi_that_disappears_is_drift(fresh: dict[str, BaselineRecord]) -> None:
    spec = SPECS[SINGLE]
    doctored = from_json_text(to_json_text(fresh[SINGLE]))
    ghost = ("R1", "S01", "checkout.ghost_wait_s", "mean")
    doctored.values[ghost] = np.ones(spec.replications)
    doctored.units[ghost] = "s"
    report = compare(spec, doctored, fresh[SINGLE])
    assert report.missing == [ghost] and report.has_drift
    assert "- R1/S01/checkout.ghost_wait_s/mean" in format_report(report, spec)


def test_a_kpi_that_appears_is_reported_not_drift(fresh: dict[str, BaselineRecord]) -> None:
    spec = SPECS[SINGLE]
    doctored = from_json_text(to_json_text(fresh[SINGLE]))
    dropped = ("R1", "all", "checkout.wait_s", "p95")
    del doctored.values[dropped]
    report = compare(spec, doctored, fresh[SINGLE])
    assert report.appeared == [dropped] and not report.has_drift
    assert "+ R1/all/checkout.wait_s/p95" in format_report(report, spec)


def test_a_changed_spec_asks_for_a_new_record(fresh: dict[str, BaselineRecord]) -> None:
    spec = dataclasses.replace(SPECS[SINGLE], replications=SPECS[SINGLE].replications + 1)
    report = compare(spec, fresh[SINGLE], fresh[SINGLE])
    assert report.has_drift
    assert "twin-baseline record grocery_single_store" in report.problems[0]


def test_check_command_prints_the_drift_table_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fresh: dict[str, BaselineRecord]
) -> None:
    spec = SPECS[SINGLE]
    (tmp_path / f"{SINGLE}.json").write_text(to_json_text(fresh[SINGLE]))
    code = main(["check", SINGLE, "--dir", str(tmp_path), "-o", per_item_plus_10_percent(spec)])
    out = capsys.readouterr().out
    assert code == 1
    assert "grocery_single_store: DRIFT" in out and "interval of diff" in out
    assert "checkout.lane_utilisation_frac" in out and "twin-baseline record" in out


def test_check_command_of_a_doctored_file_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (BASELINE_DIR / f"{SINGLE}.json").read_text()
    extra = '    "R1/S01/checkout.ghost_wait_s/mean": {"half_width": 0.0, "mean": 1.0, "unit": "s",'
    extra += ' "values": [1.0, 1.0, 1.0]},\n'
    doctored = text.replace('  "kpis": {\n', '  "kpis": {\n' + extra, 1)
    (tmp_path / f"{SINGLE}.json").write_text(doctored)
    assert main(["check", SINGLE, "--dir", str(tmp_path)]) == 1
    assert "1 KPI(s) disappeared" in capsys.readouterr().out


def test_check_command_without_a_record_says_how_to_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", SINGLE, "--dir", str(tmp_path)]) == 2
    assert f"twin-baseline record {SINGLE}" in capsys.readouterr().err
