"""Report figures (DataFrame in, Figure out) and the number formatting they share."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tests.run_folders import Producers
from twin.report.embed import figure_to_svg
from twin.report.fmt import (
    format_estimate,
    format_number,
    natural_key,
    network_level,
    slug,
    unit_of,
)
from twin.report.load import load_run
from twin.report.plots_map import network_map_figure
from twin.report.plots_run import percentile_figure, timeseries_figure

pytestmark = pytest.mark.unit


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def test_timeseries_has_a_line_per_store_or_a_band_for_many(
    tmp_path: Path, producers: Producers
) -> None:
    few = load_run(producers.run(tmp_path / "few", n_stores=3, n_reps=1)).timeseries
    many = load_run(producers.run(tmp_path / "many", n_stores=12, n_reps=1)).timeseries
    assert few is not None and many is not None
    ax = timeseries_figure(few, "arrivals_n").axes[0]
    assert len(ax.get_lines()) == 3
    assert ax.get_title(loc="left") == "Arrivals per bin (shoppers) by time of day"
    ax = timeseries_figure(many, "arrivals_n").axes[0]
    assert len(ax.get_lines()) == 1 and len(ax.collections) == 1
    assert ax.get_xlim() == (0.0, 24.0)  # the series cover the whole day of the run


def test_every_chart_has_a_title_with_units(tmp_path: Path, producers: Producers) -> None:
    data = load_run(producers.run(tmp_path / "run", n_stores=6, n_regions=2))
    assert data.summary is not None and data.network is not None
    fig = percentile_figure(data.summary, "checkout.wait_s")
    assert fig.axes[0].get_title(loc="left") == "checkout.wait_s: distribution by store (s)"
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[:3] == ["Network", "Region R1", "Region R2"]
    assert "R1/S01" in labels
    fig = network_map_figure(data.network, {"dark_store": 5.0})
    assert len(visible_axes(fig)) == 2
    assert "(km)" in fig.get_suptitle()


def test_percentiles_show_the_worst_stores_when_there_are_many(
    tmp_path: Path, producers: Producers
) -> None:
    summary = load_run(producers.run(tmp_path / "run", n_stores=30, n_reps=1)).summary
    assert summary is not None
    ax = percentile_figure(summary, "checkout.wait_s", max_rows=10).axes[0]
    assert "top 10 of 30 stores by p90" in ax.get_title(loc="left")
    assert len(ax.get_yticklabels()) == 11


def test_svg_is_deterministic_and_has_prefixed_ids(tmp_path: Path, producers: Producers) -> None:
    ts = load_run(producers.run(tmp_path / "run", n_reps=1)).timeseries
    assert ts is not None
    first = figure_to_svg(timeseries_figure(ts, "occupancy"), "f1", 'a "quoted" <name>')
    second = figure_to_svg(timeseries_figure(ts, "occupancy"), "f1", 'a "quoted" <name>')
    assert first == second
    assert first.startswith('<svg role="img" aria-label="a &#34;quoted&#34; &lt;name&gt;"')
    assert "<title>a &#34;quoted&#34; &lt;name&gt;</title>" in first
    assert "<?xml" not in first and "<!--" not in first and "dc:date" not in first
    assert 'id="f1-' in first and 'href="#f1-' in first


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (123.456, "s", "123"),
        (1234.5, "s", "1,234"),
        (0.9312, "frac", "93.1"),
        (12.0, "count", "12"),
        (0.000123, "", "0.000123"),
        (math.nan, "s", "–"),
        (None, "s", "–"),
        (0.0, "s", "0"),
    ],
)
def test_format_number(value: object, unit: str, text: str) -> None:
    assert format_number(value, unit) == text


def test_format_estimate_units() -> None:
    assert format_estimate(128.2, 31.3, "s") == "128 ± 31.3 s"
    assert format_estimate(0.5, 0.02, "frac") == "50 ± 2%"
    assert format_estimate(14.0, math.nan, "count") == "14"
    assert unit_of("checkout.wait_s") == "s" and unit_of("checkout.wait_s", "n") == "count"
    assert unit_of("checkout.wait_s.p90") == "s"
    assert unit_of("x.y_frac", unit="ratio") == "ratio"
    assert unit_of("store.revenue_money") == "currency" and unit_of("checkout.lane_h") == "h"


def test_network_level_prefers_the_whole_network() -> None:
    frame = pd.DataFrame({"region": ["all", "R0", "R0"], "store": ["all", "all", "S1"]})
    assert network_level(frame).index.tolist() == [0]
    one_region = frame.iloc[1:]
    assert network_level(one_region).index.tolist() == [1]


def test_slug_and_natural_order() -> None:
    assert slug("<script>alert(1)</script>") == "script-alert-1-script"
    assert slug("///") == "report"
    assert sorted(["S10", "S2", "all", "S1"], key=natural_key) == ["all", "S1", "S2", "S10"]


def test_identical_store_lines_are_drawn_once_and_say_so(
    tmp_path: Path, producers: Producers
) -> None:
    ts = load_run(producers.run(tmp_path / "run", n_stores=3, n_reps=1)).timeseries
    assert ts is not None
    lanes = ts[ts["series"] == "lanes_open"].copy()
    lanes["value"] = 8.0
    ax = timeseries_figure(lanes, "lanes_open").axes[0]
    assert len(ax.get_lines()) == 1
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["all 3 stores (identical)"]
