"""The JWO, locker-stay and trip tables: written by ``run.records=true``, read back as a logs
folder, and refused in one line naming file, column and row when bad."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import twin
from twin.config.load import load_config
from twin.data.read import LogError, read_logs
from twin.data.schema import TABLES

pytestmark = pytest.mark.unit

NEW = ("jwo_visits", "locker_stays", "trips")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A day of a small metro with a just-walk-out store, its records as a run folder has them."""
    config = load_config(
        ["network.n_stores=3", "+network.format_overrides.S02=jwo", "run.records=true"]
    )
    result = twin.simulate(config)
    folder = tmp_path_factory.mktemp("run")
    for name, frame in result.records.items():
        frame.to_parquet(folder / f"records_{name}.parquet")
    return folder


def test_a_run_folder_with_every_table_is_a_valid_logs_folder(run_folder: Path) -> None:
    logs = read_logs(run_folder)
    assert set(TABLES) <= set(logs.tables)
    for name in NEW:
        written = pd.read_parquet(run_folder / f"records_{name}.parquet")
        assert len(logs.tables[name]) == len(written) > 0, name
    assert set(logs.tables["jwo_visits"]["store"]) == {"S02"}
    parties = logs.tables["jwo_visits"]
    assert (parties["outcome"] == "admitted").mean() > 0.9
    orders = logs.tables["orders"]
    delivered = orders[orders["mode"] == "delivery"]
    assert delivered["vehicle"].isin(["van", "bike", "drone"]).all()
    assert (delivered["attempts"] >= 1).all()
    assert (orders["zone"].str.startswith("Z")).all()  # the region's zone ids
    stays = logs.tables["locker_stays"]
    assert ((stays["released"] >= stays["placed"]) | stays["released"].isna()).all()


def _broken(run_folder: Path, tmp: Path, table: str, column: str, row: int, value: str) -> Path:
    out = tmp / "logs"
    out.mkdir()
    for path in run_folder.glob("records_*.parquet"):
        frame = pd.read_parquet(path)
        frame = frame[frame["replication"] == 0]
        if path.stem == f"records_{table}":
            frame = frame.astype(str).replace({"NaT": "", "nan": "", "<NA>": ""})
            frame.iloc[row - 1, frame.columns.get_loc(column)] = value
            frame.to_csv(out / f"{table}.csv", index=False)
        else:
            frame.to_parquet(out / path.name)
    return out


@pytest.mark.parametrize(
    ("table", "column", "value", "problem"),
    [
        ("trips", "end", "2023-12-31 09:00:00+00:00", "before 'depart' (a negative duration"),
        ("trips", "mode", "rocket", "'rocket' is not one of van, bike, drone"),
        ("locker_stays", "placed", "soon", "cannot parse 'soon' as a timestamp"),
        ("jwo_visits", "outcome", "maybe", "'maybe' is not one of admitted, turned_away"),
    ],
)
def test_bad_new_tables_are_refused_naming_file_column_and_row(
    run_folder: Path, tmp_path: Path, table: str, column: str, value: str, problem: str
) -> None:
    logs = _broken(run_folder, tmp_path, table, column, 3, value)
    with pytest.raises(LogError) as error:
        read_logs(logs)
    assert str(error.value).startswith(f"{table}.csv: column '{column}', row 3: {problem}")


def test_temperature_readings_are_written_and_read_back(run_folder: Path) -> None:
    temps = read_logs(run_folder).tables["temperatures"]
    sensors = ("floor", "cooler", "freezer", "locker_ambient", "locker_chilled", "locker_frozen")
    per_store = temps.groupby("store").size()
    assert (per_store == len(sensors) * 24).all()  # every sensor once an hour, a day's run
    config = load_config(["network.n_stores=3"])
    cooler = temps.loc[temps["sensor"] == "cooler", "temperature_c"]
    assert (cooler == config.coldchain.environment.store_cooler_c).all()


def test_a_failed_locker_zone_reads_warm() -> None:
    config = load_config(
        [
            "network=single_store",
            "run.days=2",
            "run.records=true",
            "coldchain.faults.locker_zone.rate_per_h=0.05",  # about two failures a day
        ]
    )
    temps = twin.simulate(config).records["temperatures"]
    chilled = temps.loc[temps["sensor"] == "locker_chilled", "temperature_c"]
    floor = temps.loc[temps["sensor"] == "floor", "temperature_c"]
    assert chilled.min() < 6.0  # cooling works most of the time ...
    assert chilled.max() >= floor.min()  # ... and a failed zone is as warm as the shop floor
