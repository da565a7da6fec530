"""Logs in, fitted twin out, validated against the logs (issue 18), on the example week.

The example logs (examples/ops_week/logs) were written by the twin from the stated,
non-default ground truth examples/ops_week/truth/site/truth.yaml; the first test proves it by
regenerating them. Tolerances (stated in docs/DATA.md):
- daily and hourly arrival rates: within 5 %, or 3 Poisson standard errors where an hour
  holds too few arrivals for 5 % to be measurable;
- means (browse fixed and per item, spend per item, till fixed + payment and per item, basket
  units, self-checkout share): within 5 %; patience (about 100 reneges, most waits censored):
  within 25 %;
- the fitted twin: shoppers and time in store within 5 %; twin-validate passes; a wrong twin
  (half the lanes, 30 % more demand, 50 % slower staffed tills) fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import twin
from twin.config.load import load_config
from twin.config.schema import DAY_FACTORS, WEEKDAY_HOUR_SHARES, WEEKEND_HOUR_SHARES

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ops_week"
LOGS = EXAMPLE / "logs"
TRUTH = yaml.safe_load((EXAMPLE / "truth" / "site" / "truth.yaml").read_text())
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
WRONG_TWIN = [
    "formats.grocery.checkout.lanes=4",
    "formats.grocery.demand_scale=1.3",
    "formats.grocery.checkout.staffed.per_item_s.mean=4.8",
]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fitted")
    done = run(["twin.fit.cli", str(LOGS), "--name", "week", "--out", str(out)], out)
    assert done.returncode == 0, done.stderr
    assert (out / "site" / "week.yaml").exists() and (out / "week_fit.html").exists()
    return out


def _site(out: Path) -> dict:
    return yaml.safe_load((out / "site" / "week.yaml").read_text())


def test_the_example_logs_are_the_stated_ground_truth() -> None:
    config = load_config(
        [f"hydra.searchpath=[file://{EXAMPLE / 'truth'}]", "+site=truth", "run.records=true"]
    )
    visits = twin.simulate(config).records["visits"]
    logged = pd.read_parquet(LOGS / "visits.parquet")
    assert visits["arrival"].to_numpy().tolist() == logged["arrival"].to_numpy().tolist()


def within(fitted_value: float, truth: float, tolerance: float) -> bool:
    return abs(fitted_value - truth) <= tolerance * abs(truth)


def test_fitted_arrival_rates_match_the_truth(fitted: Path) -> None:
    demand = _site(fitted)["demand"]
    daily = 2400.0
    days = [(d % 7) for d in range(7)]
    for weekday in days:  # expected shoppers per day
        fit_day = demand["daily_shoppers_per_store"] * demand["day_factors"][weekday]
        truth_day = daily * DAY_FACTORS[weekday]
        assert within(fit_day, truth_day, max(0.05, 3 / np.sqrt(truth_day))), weekday
    for kind, truth_shares, weekdays in (
        ("weekday_hour_shares", WEEKDAY_HOUR_SHARES, range(5)),
        ("weekend_hour_shares", WEEKEND_HOUR_SHARES, range(5, 7)),
    ):
        shares = np.asarray(truth_shares) / np.sum(truth_shares)
        day_total = sum(daily * DAY_FACTORS[d] for d in weekdays)
        fit_total = sum(
            demand["daily_shoppers_per_store"] * demand["day_factors"][d] for d in weekdays
        )
        truth_h = day_total * shares
        fit_h = fit_total * np.asarray(demand[kind])
        for hour in np.flatnonzero(truth_h > 0):
            tolerance = max(0.05, 3 / np.sqrt(truth_h[hour]))
            assert within(fit_h[hour], truth_h[hour], tolerance), (kind, hour)


def test_fitted_means_match_the_truth(fitted: Path) -> None:
    site = _site(fitted)
    demand, checkout = site["demand"], site["formats"]["grocery"]["checkout"]
    assert within(demand["browse_fixed_s"]["mean"], 540.0, 0.05)
    assert within(demand["browse_per_item_s"]["mean"], 150.0, 0.05)
    assert within(demand["spend_per_item"]["mean"], 4.8, 0.05)
    units = demand["basket"]["stockup_units"]
    assert within(float(np.mean(units["values"])), 0.5 * 4.0 + 0.5 * 18.0, 0.05)
    staffed, sco = checkout["staffed"], checkout["self_checkout"]
    assert within(staffed["fixed_s"]["mean"], 5.0 + 25.0, 0.05)  # fixed + payment
    assert within(staffed["per_item_s"]["mean"], 3.2, 0.05)
    assert within(sco["fixed_s"]["mean"], 10.0 + 30.0, 0.05)
    assert within(sco["per_item_s"]["mean"], 10.0, 0.05)
    assert within(checkout["sco_share"], 0.45, 0.05)
    assert checkout["lanes"] == 7 and checkout["sco_kiosks"] == 6
    assert within(checkout["reneging"]["patience_s"]["mean"], 400.0, 0.25)


def _validate(fitted: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    args = ["twin.fit.validate", str(LOGS), "--config-dir", str(fitted), "+site=week"]
    return run([*args, "--replications", "8", "--report-dir", str(fitted), *extra], fitted)


def _relative_error(stdout: str, kpi: str) -> float:
    match = re.search(rf"^{re.escape(kpi)}\s+(\S+)\s+(\S+)", stdout, re.MULTILINE)
    assert match, stdout
    observed, simulated = float(match.group(1)), float(match.group(2))
    return abs(simulated - observed) / observed


def test_twin_validate_passes_on_the_fitted_twin(fitted: Path) -> None:
    done = _validate(fitted, [])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: PASS" in done.stdout
    assert _relative_error(done.stdout, "store.shoppers_n total") < 0.05
    assert _relative_error(done.stdout, "store.time_in_store_s mean") < 0.05
    assert (fitted / "validate_week.html").exists()


def test_twin_validate_flags_a_wrong_twin(fitted: Path) -> None:
    done = _validate(fitted, WRONG_TWIN)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "verdict: FAIL" in done.stdout
    assert "store.shoppers_n total" in done.stdout and "NOT consistent" in done.stdout


def test_replay_reproduces_the_recorded_arrivals_and_baskets(fitted: Path) -> None:
    config = load_config(
        [
            f"hydra.searchpath=[file://{fitted}]",
            "+site=week",
            "demand.source=trace",
            f"demand.trace={LOGS}",
            "formats.grocery.checkout.lanes=5",  # a what-if: replay does not depend on it
            "run.records=true",
        ]
    )
    replayed = twin.simulate(config).records["visits"].sort_values("arrival")
    logged = pd.read_parquet(LOGS / "visits.parquet").sort_values("arrival")
    assert replayed["arrival"].to_numpy().tolist() == logged["arrival"].to_numpy().tolist()
    assert replayed["items"].to_numpy().tolist() == logged["items"].to_numpy().tolist()
