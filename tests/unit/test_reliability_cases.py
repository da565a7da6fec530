"""The issue-16 attack cases that need no subprocess: bad values, damaged tool input, text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.run_folders import Producers
from twin import simulate
from twin.cli import main as twin_main
from twin.config.load import folder_label, load_config
from twin.config.memory import check_memory
from twin.errors import ConfigError
from twin.experiment import run_folder
from twin.experiment.baseline_cli import main as baseline_main
from twin.experiment.baseline_record import default_baseline_dir
from twin.report.cli import main as report_main
from twin.report.render import render_run_report

pytestmark = pytest.mark.unit

SMALL = ["network=single_store", "run.days=1"]
G = "formats.grocery.checkout"

# (override, the key the one line must name): every value case listed under "Why" in issue 16.
ATTACKS = [
    ("demand.browse_fixed_s.mean=inf", "demand.browse_fixed_s.mean"),
    (f"{G}.staffed.payment_s.mean=inf", f"{G}.staffed.payment_s.mean"),
    ("delivery.van.speed_kmh=inf", "delivery.van.speed_kmh"),
    ("run.bin_s=inf", "run.bin_s"),
    ("demand.basket.quick_units={kind:poisson,mean:1e12}", "demand.basket.quick_units.mean"),
    ("run.warmup_s=86400", "run.warmup_s"),
    (f"{G}.staffed.fixed_s.cv=inf", f"{G}.staffed.fixed_s.cv"),
    ("network.area_km=inf", "network.area_km"),
    ("demand.daily_shoppers_per_store=1e12", "demand.daily_shoppers_per_store"),
    ("demand.browse_fixed_s={kind:normal,mean:-100000,sd:10}", "demand.browse_fixed_s.mean"),
    ("fulfilment.store.picking.pickers=0", "fulfilment.store.picking.pickers"),
    ("fulfilment.store.picking.pickers_by_hour=" + str([0] * 24), "fulfilment.store.picking"),
    ("demand.daily_shoppers_per_store=nan", "demand.daily_shoppers_per_store"),
    ("network.n_stores=1000000000", "network.n_stores"),
]


@pytest.mark.parametrize(("override", "key"), ATTACKS, ids=[a[0][:40] for a in ATTACKS])
def test_each_bad_value_exits_2_with_one_line_naming_the_key(
    override: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        twin_main([*SMALL, override])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"Invalid configuration: {key}" in err
    assert "Traceback" not in err


def test_the_memory_estimate_refuses_a_run_that_cannot_fit_and_says_how_much() -> None:
    config = load_config(SMALL)
    check_memory(config, available=64 * 2**30)  # a small day fits
    with pytest.raises(ConfigError, match=r"needs about [\d.]+ GiB and 0\.0 GiB is available"):
        check_memory(config, available=1024)
    with pytest.raises(ConfigError, match="needs about"):
        load_config([*SMALL, "demand.daily_shoppers_per_store=1e6", "network.n_stores=2000"])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "etc_passwd"),
        ("..", "run"),
        ("", "run"),
        ("a b$c", "a_b_c"),
    ],
)
def test_a_scenario_is_a_label_never_a_path(label: str, expected: str) -> None:
    assert folder_label(label) == expected
    assert "/" not in folder_label(label) and not folder_label(label).startswith(".")


# --- tools on damaged input -------------------------------------------------------------------


def _one_line_exit_2(code: int | str | None, err: str, file: str) -> None:
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert file in err
    assert "Traceback" not in err and "secret" not in err


def test_twin_report_on_a_binary_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], producers: Producers
) -> None:
    run = producers.run(tmp_path / "run")
    (run / "config.yaml").write_bytes(b"\xff\xfe\x00secret\x89")
    code = report_main([str(run), "--out", str(tmp_path / "r.html")])
    _one_line_exit_2(code, capsys.readouterr().err, "config.yaml")


@pytest.mark.parametrize(
    "network",
    ['{"stores": 5}', '{"stores": [1, 2]}', '{"stores": [{"x_km": "a"}]}', "[1]", "{secret"],
)
def test_twin_report_on_an_odd_network_json(
    tmp_path: Path,
    network: str,
    capsys: pytest.CaptureFixture[str],
    producers: Producers,
) -> None:
    run = producers.run(tmp_path / "run")
    (run / "network.json").write_text(network)
    code = report_main([str(run), "--out", str(tmp_path / "r.html")])
    _one_line_exit_2(code, capsys.readouterr().err, "network.json")


def test_twin_report_names_a_killed_run_incomplete(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    producers: Producers,
) -> None:
    run = producers.run(tmp_path / "run")
    meta = json.loads((run / "meta.json").read_text())
    (run / "meta.json").write_text(json.dumps({**meta, "status": "running"}))
    code = report_main([str(run)])
    err = capsys.readouterr().err
    _one_line_exit_2(code, err, str(run))
    assert "incomplete" in err


def test_twin_baseline_on_a_truncated_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = default_baseline_dir() / "grocery_single_store.json"
    shutil.copy(source, tmp_path / "grocery_single_store.json")
    file = tmp_path / "grocery_single_store.json"
    file.write_text(file.read_text()[:200])
    code = baseline_main(["check", "grocery_single_store", "--dir", str(tmp_path)])
    _one_line_exit_2(code, capsys.readouterr().err, "grocery_single_store.json")


def test_twin_baseline_on_a_baseline_holding_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "grocery_single_store.json").write_text("[1, 2]")
    code = baseline_main(["check", "grocery_single_store", "--dir", str(tmp_path)])
    _one_line_exit_2(code, capsys.readouterr().err, "grocery_single_store.json")


# --- any text renders ------------------------------------------------------------------------

ODD_IDS = [
    "S$1$",
    "S$\\bad{$",
    "Q\"uote's",
    "back\\slash",
    "<script>alert(1)</script>",
    "🛒 emoji",
    "$x^2$",
]


def test_store_ids_with_any_text_render_in_the_run_report(
    tmp_path: Path, producers: Producers
) -> None:
    run = producers.run(tmp_path / "run", n_stores=len(ODD_IDS))
    names = {f"S{i + 1:02d}": odd for i, odd in enumerate(ODD_IDS)}
    for table in ("kpis", "summary", "timeseries"):
        file = run / f"{table}.parquet"
        frame = pd.read_parquet(file)
        frame["store"] = frame["store"].replace(names)
        frame.to_parquet(file, index=False)
    network = json.loads((run / "network.json").read_text())
    for store in network["stores"]:
        store["id"] = names.get(store["id"], store["id"])
    (run / "network.json").write_text(json.dumps(network))
    html = render_run_report(run, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "S$1$" in html or "S$1$".replace("$", "&#36;") in html


def test_reliability_doc_lists_every_unit_ceiling() -> None:
    from twin.config.limits import UNIT_CEILINGS

    doc = (Path(__file__).parents[2] / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    for ending, _, _ in UNIT_CEILINGS:
        assert f"`{ending}`" in doc, ending


def test_a_table_that_cannot_be_written_fails_the_run_after_the_others_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run folder's tables are written side by side (twin.experiment.run_folder): one
    that fails is raised once the others have ended, and meta.json never says ok."""
    write = run_folder.write_parquet

    def failing(path: Path, frame: pd.DataFrame) -> None:
        if path.name == "timeseries.parquet":
            raise OSError(28, "No space left on device")
        write(path, frame)

    monkeypatch.setattr(run_folder, "write_parquet", failing)
    config = load_config([*SMALL, "run.replications=1"])
    meta = run_folder.base_meta("default", 1, 1, [])
    run_folder.write_started(tmp_path, meta)
    with pytest.raises(OSError, match="No space left"):
        run_folder.write_result(tmp_path, simulate(config), "run: {}\n", meta)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "config.yaml", "kpis.parquet", "meta.json", "network.json", "plan.parquet",
        "summary.parquet",
    ]  # fmt: skip
    assert json.loads((tmp_path / "meta.json").read_text())["status"] == "running"
