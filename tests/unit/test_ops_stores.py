"""Per-store fits: each store's inputs, and the report and YAML say which are pooled although
the stores differ."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from twin.data.read import read_logs
from twin.fit.cli import fit_folder
from twin.fit.stores import store_parameters

pytestmark = pytest.mark.unit

LOGS = Path(__file__).resolve().parents[2] / "examples" / "ops_week" / "logs"


def two_stores(folder: Path, keep_b: float, sco_to_staffed_b: float = 0.0) -> Path:
    """The example week as store A and, as store B, a random ``keep_b`` of its shoppers
    (optionally moving a share of B's self-checkout shoppers to the staffed tills)."""
    rng = np.random.default_rng(5)
    visits = pd.read_parquet(LOGS / "visits.parquet")
    rosters = pd.read_parquet(LOGS / "rosters.parquet")
    b = visits[rng.random(len(visits)) < keep_b].copy()
    moved = (b["checkout_kind"] == "self_checkout") & (rng.random(len(b)) < sco_to_staffed_b)
    b.loc[moved, "checkout_kind"] = "staffed"
    folder.mkdir()
    pd.concat([visits.assign(store="A"), b.assign(store="B")]).to_parquet(folder / "visits.parquet")
    pd.concat([rosters.assign(store="A"), rosters.assign(store="B")]).to_parquet(
        folder / "rosters.parquet"
    )
    return folder


def test_stores_that_agree_are_pooled_and_stores_that_differ_are_named(tmp_path: Path) -> None:
    logs = read_logs(two_stores(tmp_path / "logs", keep_b=0.7, sco_to_staffed_b=0.3))
    by_name = {p.name: p for p in store_parameters(logs)}
    shoppers = by_name["demand.daily_shoppers_per_store"]
    assert shoppers.differs
    assert shoppers.values["B"] / shoppers.values["A"] == pytest.approx(0.7, abs=0.02)
    assert by_name["checkout.sco_share"].differs
    assert by_name["checkout.sco_share"].values["B"] < by_name["checkout.sco_share"].values["A"]
    # B is a random sample of A's shoppers: the same baskets and times to the tills
    assert not by_name["demand.basket (units)"].differs
    assert not by_name["time to the tills"].differs


def test_the_yaml_report_and_store_table_say_which_inputs_are_pooled(tmp_path: Path) -> None:
    logs = two_stores(tmp_path / "logs", keep_b=0.7)
    site, report = fit_folder(logs, "two", tmp_path / "out")
    text = site.read_text()
    assert "# Pooled over the stores, although they DIFFER in: demand.daily_shoppers_per_store" in (
        text
    )
    assert "demand.basket (units)" not in text.split("DIFFER in:")[1].splitlines()[0]
    yaml.safe_load(text)  # the comment keeps it valid YAML
    page = report.read_text()
    assert "id='per-store'" in page
    assert "per store: demand.daily_shoppers_per_store: stores DIFFER" in page
    assert "per store: demand.basket (units): stores agree, pooled" in page
    table = pd.read_csv(tmp_path / "out" / "two_stores.csv", index_col="store")
    assert list(table.index) == ["A", "B"]
    daily = table["demand.daily_shoppers_per_store [shoppers/day]"]
    assert daily["A"] == pytest.approx(16630 / 7, rel=1e-5)  # 6 significant digits


def test_a_single_store_has_no_per_store_section(tmp_path: Path) -> None:
    site, report = fit_folder(LOGS, "one", tmp_path / "out")
    assert "Pooled over" not in site.read_text()
    assert "id='per-store'" not in report.read_text()
    assert not (tmp_path / "out" / "one_stores.csv").exists()
