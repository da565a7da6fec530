"""Run reports from run folders written by the real producers (tests/run_folders.py)."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import simpy

from tests.run_folders import Producers
from twin.report import render_run_report
from twin.report.load import _read_categorical, load_run
from twin.report.run_page import drone_ranges_km
from twin.report.run_tables import _as_text

pytestmark = pytest.mark.unit


@pytest.fixture
def run_dir(tmp_path: Path, producers: Producers) -> Path:
    return producers.run(tmp_path / "run", n_stores=3, n_reps=3)


@pytest.fixture(scope="module")
def run_html(tmp_path_factory: pytest.TempPathFactory, producers: Producers) -> str:
    """One rendered report shared by the tests that only read it."""
    tmp = tmp_path_factory.mktemp("run_report")
    return render(producers.run(tmp / "run", n_stores=3, n_reps=3), tmp)


def render(run_dir: Path, tmp_path: Path, name: str = "report.html") -> str:
    out = render_run_report(run_dir, tmp_path / name)
    return out.read_text(encoding="utf-8")


def test_headline_cards_show_mean_ci_and_replications(run_html: str) -> None:
    html = run_html
    cards = re.findall(r'<div class="card">(.*?)</div>\n</div>', html, re.DOTALL)
    assert len(cards) >= 5
    wait = next(c for c in cards if "checkout.<wbr>wait_s" in c)
    assert '<div class="name">Checkout wait</div>' in wait
    assert re.search(r'class="value">[\d,.]+ <span class="unit">(s|min)</span><', wait)
    assert re.search(r'class="ci">± [\d,.]+ (s|min)<', wait)
    assert "3 replications" in wait
    assert "90th percentile" in wait
    assert re.search(r'class="value">[\d.]+<span class="unit">%</span><', html), "fractions as %"


def test_kpi_tables_by_domain_and_by_store(run_html: str) -> None:
    html = run_html
    for domain in ("checkout", "store"):
        assert f'<h3 id="domain-{domain}">{domain}</h3>' in html
    assert html.count("Whole network (mean ± 95 % CI half-width)") == 2
    assert html.count("By store (mean ± 95 % CI half-width)") == 2
    for store in ("S01", "S02", "S03"):
        assert f'<td class="key">{store}</td>' in html
    assert re.search(r'<td class="num wrap" title="s">[\d,.]+ ±\xa0[\d,.]+\xa0s</td>', html)


def test_figures_are_inline_svg_with_accessible_names(run_html: str) -> None:
    html = run_html
    labels = re.findall(r'<svg role="img" aria-label="([^"]+)"', html)
    assert labels == [
        "Load by resource and hour",
        "Staffing plan against demand",
        "arrivals_n by time of day",
        "checkout_queue_len by time of day",
        "occupancy by time of day",
        "lanes_open by time of day",
        "checkout.wait_s distribution by store",
        "store.time_in_store_s distribution by store",
        "checkout.sco_wait_s distribution by store",
        "checkout.staffed_wait_s distribution by store",
        "Map of stores and customer zones",
    ]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids must be unique across all inline SVGs"
    assert "<img" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html


def test_config_collapsed_and_provenance_shown(run_html: str) -> None:
    html = run_html
    assert "<details><summary>Resolved configuration (config.yaml)</summary>" in html
    assert "n_stores: 3" in html
    for text in (f"simpy {simpy.__version__}", "network.n_stores=3", "Seed"):
        assert text in html


def test_script_in_scenario_shows_as_text(tmp_path: Path, producers: Producers) -> None:
    evil = "<script>alert(1)</script>"
    html = render(producers.run(tmp_path / "run", scenario=evil), tmp_path)
    # the one script is the report's own table script (allowed by its CSP hash)
    assert html.lower().count("<script") == 1 and "<script>(function ()" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "scenario: &lt;script&gt;alert(1)&lt;/script&gt;" in html, "in the config"


def test_same_folder_gives_byte_identical_report(run_dir: Path, tmp_path: Path) -> None:
    first = render_run_report(run_dir, tmp_path / "a.html").read_bytes()
    second = render_run_report(run_dir, tmp_path / "b.html").read_bytes()
    assert first == second
    # another process with another hash seed: no set order or random salt leaks in
    code = (
        "import sys; from pathlib import Path; from twin.report import render_run_report; "
        "render_run_report(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(run_dir), str(tmp_path / "c.html")], check=True, env=env
    )
    assert (tmp_path / "c.html").read_bytes() == first


def test_a_page_is_built_with_the_cyclic_collector_paused(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows, cells and text are many objects and few cycles (twin.report.render)."""
    import twin.report.render as render_module

    seen: list[bool] = []
    context = render_module.run_context

    def watched(data: object) -> dict[str, object]:
        seen.append(gc.isenabled())
        return context(data)  # type: ignore[arg-type]

    monkeypatch.setattr(render_module, "run_context", watched)
    assert gc.isenabled()
    render_run_report(run_dir, tmp_path / "a.html")
    assert seen == [False] and gc.isenabled()


def test_default_path_is_reports_folder_named_after_scenario_and_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    producers: Producers,
) -> None:
    run_dir = producers.run(tmp_path / "runs" / "12-00-00", scenario="peak day")
    monkeypatch.chdir(tmp_path)
    out = render_run_report(run_dir)
    assert out == Path("reports") / "run_peak-day_runs_12-00-00.html"
    assert out.is_file()


def test_failed_run_shows_the_error_and_what_is_missing(
    tmp_path: Path, producers: Producers
) -> None:
    run_dir = producers.run(tmp_path / "run", failed=True)
    html = render(run_dir, tmp_path)
    assert "The run failed: ConfigError" in html
    assert "formats.grocery.checkout.lanes = 0; expected a number &gt;= 1." in html
    assert '<span class="badge failed">failed</span>' in html
    assert (
        "Not in this run folder: kpis.parquet, summary.parquet, timeseries.parquet, "
        "network.json" in html
    )
    assert 'id="headline"' not in html


def test_sections_without_data_are_left_out(tmp_path: Path, producers: Producers) -> None:
    run_dir = producers.run(tmp_path / "run", with_timeseries=False)
    (run_dir / "network.json").unlink()
    html = render(run_dir, tmp_path)
    assert 'id="timeseries"' not in html
    assert 'id="network"' not in html
    assert 'id="distributions"' in html


def test_summary_is_computed_from_kpis_when_absent(run_dir: Path, tmp_path: Path) -> None:
    expected = load_run(run_dir).summary
    (run_dir / "summary.parquet").unlink()
    computed = load_run(run_dir).summary
    assert computed is not None and expected is not None
    assert len(computed) == len(expected)
    assert computed["mean"].sum() == pytest.approx(expected["mean"].sum())
    assert "Headline KPIs" in render(run_dir, tmp_path)


def test_single_replication_has_no_interval(tmp_path: Path, producers: Producers) -> None:
    run_dir = producers.run(tmp_path / "run", n_reps=1)
    html = render(run_dir, tmp_path)
    assert '<div class="ci">no CI (one replication)</div>' in html
    assert "1 replication<" in html


def test_several_regions_get_a_region_column(tmp_path: Path, producers: Producers) -> None:
    run_dir = producers.run(tmp_path / "run", n_stores=6, n_regions=2)
    html = render(run_dir, tmp_path)
    assert '<th scope="col">Region</th>' in html


def test_drone_range_found_per_format_or_for_all() -> None:
    assert drone_ranges_km({"formats": {"dark": {"drone": {"range_km": 6}}}}) == {"dark": 6.0}
    assert drone_ranges_km({"delivery": {"drone": {"max_range_m": 5000}}}) == {"*": 5.0}
    assert drone_ranges_km({"delivery": {"courier": {"range_km": 9}}}) == {}
    assert drone_ranges_km({"drone": {"enabled": True, "range_km": 0}}) == {}


def test_text_columns_are_read_as_sorted_categories(tmp_path: Path) -> None:
    """The report reads text columns dictionary-encoded (twin.report.load): the frame is the
    one ``astype("category")`` of every text column gives, nulls and all-null columns too."""
    frame = pd.DataFrame(
        {
            "store": ["S10", "S2", "all", None, "S2"],
            "kpi": ["b.x_s", "a.y_frac", "b.x_s", "a.y_frac", "c.z_n"],
            "value": [1.5, float("nan"), 3.0, 4.0, 5.0],
            "n_reps": [1, 2, 3, 4, 5],
            "unit": [None] * 5,
        }
    )
    file = tmp_path / "t.parquet"
    frame.to_parquet(file, index=False)
    expected = pd.read_parquet(file)
    for column in expected.columns:
        if pd.api.types.is_string_dtype(expected[column].dtype):
            expected[column] = expected[column].astype("category")
    got = _read_categorical(file)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got["store"].cat.categories) == ["S10", "S2", "all"]


def test_summary_rows_give_the_ids_as_text_whatever_the_column_type() -> None:
    """Categories are turned into text once each (twin.report.run_tables._as_text): the same
    strings as str() of every value, a missing one included."""
    values = ["S2", None, "all", "S10", "S2"]
    for column in (pd.Series(values, dtype="category"), pd.Series(values, dtype=object)):
        assert _as_text(column) == [str(v) for v in column.tolist()]
    assert _as_text(pd.Series(values, dtype="category"))[1] == "nan"
