"""KPI names carry their unit, and folders written under the old names still read (issue 17).

The renames live in one map (twin/kpi/renames.py). A run folder is made by the real producer
and then "aged": its kpis and summary files are rewritten with the old names, as a folder
written before the rename has them. Every reader must give exactly the frames of the fresh
folder: same names, same values.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import twin
import twin.kpi_doc  # defines every KPI of every domain
from twin.config.load import to_yaml
from twin.experiment.baseline_record import from_json_text
from twin.experiment.jobs import find_jobs
from twin.experiment.run_folder import base_meta, write_result
from twin.experiment.runs_index import reindex
from twin.experiment.warehouse import query
from twin.kpi.catalog import CATALOG
from twin.kpi.renames import RENAMES, current_kpi_name, current_selector
from twin.report.load import load_run

pytestmark = pytest.mark.unit

# One spelling per unit; a ratio puts its unit before `_per_<thing>` (co2e_g_per_order).
UNIT_SUFFIX = re.compile(r"(^|_)(s|h|frac|n|kg|g|km|c|money)(_per_[a-z_]+)?$")
OLD_NAMES = {new: old for old, new in RENAMES.items()}


def test_every_kpi_name_ends_in_its_unit() -> None:
    missing = [name for name in CATALOG if not UNIT_SUFFIX.search(name.rsplit(".", 1)[1])]
    assert missing == []
    assert not [name for name in CATALOG if name.endswith("_hours")]


def test_the_map_renames_to_defined_names_only_and_never_chains() -> None:
    assert set(RENAMES.values()) <= set(CATALOG)
    assert not set(RENAMES) & set(CATALOG), "an old name is still defined"
    assert len(set(RENAMES.values())) == len(RENAMES), "two old names map to one new name"
    assert not set(RENAMES) & set(RENAMES.values())
    assert current_kpi_name("store.revenue") == "store.revenue_money"
    assert current_selector("checkout.lane_hours:total") == "checkout.lane_h:total"
    assert current_selector("checkout.wait_s") == "checkout.wait_s"


def _age(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a folder written before the rename holds it."""
    return frame.assign(kpi=frame["kpi"].map(lambda name: OLD_NAMES.get(name, name)))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real run folder (new names) and its aged copy (old names), each under its own runs/."""
    root = tmp_path_factory.mktemp("renames")
    overrides = ["network=single_store", "run.replications=2", "run.days=1"]
    config = twin.load_config(overrides)
    meta = base_meta(config.run.scenario, config.run.seed, config.run.replications, overrides)
    fresh = root / "new" / "runs" / "0"  # a job folder name, so twin-collect finds it
    write_result(fresh, twin.simulate(config), to_yaml(config), meta)
    aged = root / "old" / "runs" / "0"
    shutil.copytree(fresh, aged)
    for name in ("kpis.parquet", "summary.parquet"):
        _age(pd.read_parquet(fresh / name)).to_parquet(aged / name, index=False)
    return fresh, aged


def test_the_aged_folder_really_holds_old_names(folders: tuple[Path, Path]) -> None:
    fresh, aged = folders
    old = set(pd.read_parquet(aged / "kpis.parquet")["kpi"])
    assert len(old & set(RENAMES)) >= 8, sorted(old & set(RENAMES))
    assert not set(pd.read_parquet(fresh / "kpis.parquet")["kpi"]) & set(RENAMES)


def test_the_report_reads_an_old_run_folder_under_todays_names(folders: tuple[Path, Path]) -> None:
    fresh, aged = (load_run(folder) for folder in folders)
    assert fresh.kpis is not None and aged.kpis is not None
    assert fresh.summary is not None and aged.summary is not None
    pd.testing.assert_frame_equal(aged.kpis, fresh.kpis)
    pd.testing.assert_frame_equal(aged.summary, fresh.summary)


def test_collect_and_query_read_an_old_run_folder_under_todays_names(
    folders: tuple[Path, Path],
) -> None:
    fresh, aged = folders
    new_summary = pd.read_parquet(fresh / "summary.parquet")
    [job] = find_jobs(aged.parent)
    assert job.summary is not None
    pd.testing.assert_frame_equal(job.summary, new_summary)
    pd.testing.assert_frame_equal(job.kpis(), pd.read_parquet(fresh / "kpis.parquet"))
    sql = "SELECT kpi, stat, mean FROM summary ORDER BY kpi, stat, region, store"
    answers = []
    for folder in folders:
        reindex(folder.parent)
        answers.append(query(folder.parent, sql))
    pd.testing.assert_frame_equal(answers[1], answers[0])
    assert "store.revenue_money" in set(answers[1]["kpi"])


def test_a_baseline_recorded_under_old_names_reads_under_todays() -> None:
    text = (
        '{"format": 1, "name": "x", "overrides": [], "seed": 1, "replications": 3, '
        '"versions": {}, "kpis": {"R1/S01/checkout.lane_hours/total": '
        '{"mean": 2.0, "half_width": 0.0, "unit": "h", "values": [2.0, 2.0, 2.0]}}}'
    )
    record = from_json_text(text)
    assert list(record.values) == [("R1", "S01", "checkout.lane_h", "total")]
