"""The operations-data schema is declared once; the fitting families recover known laws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.data.read import read_logs
from twin.data.schema import schema_markdown
from twin.fit.families import fit_censored_lognormal, fit_counts, fit_positive

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "examples" / "ops_week" / "logs"


def test_docs_data_md_shows_the_schema_declared_in_code() -> None:
    assert schema_markdown() in (ROOT / "docs" / "DATA.md").read_text()


def test_parquet_and_csv_logs_read_to_the_same_seconds(tmp_path: Path) -> None:
    for name in ("visits", "rosters"):
        frame = pd.read_parquet(LOGS / f"{name}.parquet")
        frame.astype(str).replace({"NaT": "", "nan": "", "<NA>": ""}).to_csv(
            tmp_path / f"{name}.csv", index=False
        )
    parquet, csv = read_logs(LOGS), read_logs(tmp_path)
    assert (parquet.days, parquet.start_weekday) == (csv.days, csv.start_weekday) == (7, 0)
    for column in ("arrival", "leave", "service_end"):
        a = parquet.tables["visits"][column].to_numpy()
        b = csv.tables["visits"][column].to_numpy()
        assert np.allclose(a, b, equal_nan=True, rtol=0, atol=1e-6)


def test_a_local_time_zone_sets_day_0_at_local_midnight(tmp_path: Path) -> None:
    frame = pd.read_parquet(LOGS / "visits.parquet").head(50)
    for column in ("arrival", "leave", "queue_join", "service_start", "service_end"):
        frame[column] = frame[column].dt.tz_convert("America/Chicago")
    frame.to_parquet(tmp_path / "visits.parquet")
    logs = read_logs(tmp_path)
    # 07:00 UTC on Monday is 01:00 in Chicago (UTC-6) on that Monday
    assert logs.start_weekday == 0
    first = logs.tables["visits"]["arrival"].min()
    assert 3600.0 <= first < 2 * 3600.0


def test_family_choice_by_aic_and_an_empirical_fallback() -> None:
    rng = np.random.default_rng(5)
    gamma = fit_positive("g", rng.gamma(4.0, 10.0, 20_000))
    assert gamma.spec.kind == "gamma" and gamma.spec.mean == pytest.approx(40.0, rel=0.02)
    assert gamma.spec.cv == pytest.approx(0.5, rel=0.03)
    bimodal = np.concatenate([rng.normal(10, 1, 5000), rng.normal(50, 1, 5000)])
    assert fit_positive("b", bimodal).spec.kind == "empirical"
    counts = fit_counts("c", rng.geometric(1 / 6.0, 20_000).astype(float))
    assert counts.spec.kind == "geometric" and counts.spec.mean == pytest.approx(6.0, rel=0.02)


def test_censored_patience_is_unbiased_where_the_naive_mean_is_not() -> None:
    rng = np.random.default_rng(11)
    sigma = np.sqrt(np.log(2.0))  # cv 1
    patience = rng.lognormal(np.log(400.0) - sigma**2 / 2, sigma, 50_000)
    wait = rng.exponential(200.0, patience.size)
    reneged = patience < wait
    fit = fit_censored_lognormal("p", patience[reneged], wait[~reneged])
    assert fit.spec.mean == pytest.approx(400.0, rel=0.05)
    assert fit.spec.cv == pytest.approx(1.0, rel=0.05)
    assert patience[reneged].mean() < 0.5 * 400.0  # ignoring censoring would be far off


@pytest.mark.slow
def test_online_orders_are_fitted_from_a_run_folder(tmp_path: Path) -> None:
    import yaml

    from twin import load_config, simulate
    from twin.fit.cli import fit_folder

    config = load_config(["network=single_store", "run.days=3", "run.records=true"])
    for name, frame in simulate(config).records.items():
        frame.to_parquet(tmp_path / f"records_{name}.parquet")
    site, _ = fit_folder(tmp_path, "s", tmp_path / "out")
    orders = yaml.safe_load(site.read_text())["orders"]
    truth = {"pickup": 30.0, "delivery": 15.0, "replenishment": 5.0}  # per store and day
    for channel, rate in truth.items():
        fitted = orders[channel]["daily_orders_per_store"]
        assert abs(fitted - rate) <= 3 * np.sqrt(rate / 3), channel  # 3 Poisson SEs, 3 days
    assert orders["pickup"]["promise_s"] == pytest.approx(900.0)  # express
    slots = orders["pickup"]["slots"]  # booked windows: 70 % by choice, more if express refused
    assert 0.7 <= slots["share"] < 1.0
    assert 3600.0 < slots["lead_s"]["mean"] < 14400.0
    assert "slots" not in orders["delivery"]
    shares = [orders["zones"][z]["share"] for z in ("ambient", "chilled", "frozen")]
    assert sum(shares) == pytest.approx(1.0) and shares[0] == pytest.approx(0.57, abs=0.03)
    assert load_config([f"hydra.searchpath=[file://{tmp_path / 'out'}]", "+site=s"]).orders.enabled
