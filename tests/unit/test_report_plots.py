"""Report figures (DataFrame in, SVG chart out) and the number formatting they share."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
from twin.report.plots_glance import lead_time_figure, load_heatmap_figure, plan_figure
from twin.report.plots_map import network_map_figure
from twin.report.plots_run import percentile_figure, timeseries_figure
from twin.report.svg_chart import Chart, nice_ticks, tick_label
from twin.report.svg_marks import text_width

pytestmark = pytest.mark.unit

SVG = "{http://www.w3.org/2000/svg}"


def parsed(chart: Chart, fig_id: str = "f1") -> ET.Element:
    """The chart's SVG as XML: it must be well-formed."""
    return ET.fromstring(str(chart.to_svg(fig_id, "a chart")))


def texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter(f"{SVG}text")]


def test_timeseries_has_a_line_per_store_or_a_band_for_many(
    tmp_path: Path, producers: Producers
) -> None:
    few = load_run(producers.run(tmp_path / "few", n_stores=3, n_reps=1)).timeseries
    many = load_run(producers.run(tmp_path / "many", n_stores=12, n_reps=1)).timeseries
    assert few is not None and many is not None
    chart = timeseries_figure(few, "arrivals_n")
    ax = chart.panels[0]
    assert ax.count("line") == 3 and ax.count("band") == 0
    assert ax.title == "Arrivals per bin (shoppers) by time of day"
    assert ax.legend_labels() == ["S01", "S02", "S03"]
    svg = parsed(chart)
    assert len([p for p in svg.iter(f"{SVG}path") if p.get("class") == "line"]) == 3
    assert "Arrivals per bin (shoppers) by time of day" in texts(svg)
    ax = timeseries_figure(many, "arrivals_n").panels[0]
    assert ax.count("line") == 1 and ax.count("band") == 1
    assert ax.xlim == (0.0, 24.0)  # the series cover the whole day of the run


def test_the_store_by_bin_means_are_pandas_group_by_and_pivot() -> None:
    """The band of many stores comes from numpy's bincount: the same matrix as a group-by
    mean over replications and a pivot (NaN values skipped, a store missing a bin, rows
    without a store left out, two regions with the same store ids kept apart)."""
    from twin.report.plots_run import _store_bins

    rng = np.random.default_rng(7)
    n = 2_000
    frame = pd.DataFrame(
        {
            "replication": rng.integers(0, 3, n),
            "region": pd.Categorical(rng.choice(["R1", "R2"], n)),
            "store": pd.Categorical(rng.choice(["S1", "S2", "S3", "S4", None], n)),
            "bin_start_s": rng.integers(0, 12, n) * 900.0,
            "value": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
        }
    )
    frame = frame[~((frame["store"] == "S4") & (frame["bin_start_s"] == 0.0))]  # a gap
    expected = (
        frame.groupby(["region", "store", "bin_start_s"], sort=True, observed=True)["value"]
        .mean()
        .reset_index()
        .pivot(index="bin_start_s", columns=["region", "store"], values="value")
    )
    table = _store_bins(frame)
    assert all(len(key) == 2 for key in table.keys)  # (region, store): several regions
    assert table.n_lines == expected.shape[1] == 8
    np.testing.assert_array_equal(table.bins_s, expected.index.to_numpy(float))
    got = {tuple(np.round(row, 12)) for row in np.nan_to_num(table.mean, nan=-1.0)}
    want = {tuple(np.round(c, 12)) for c in np.nan_to_num(expected.to_numpy(float).T, nan=-1.0)}
    assert got == want
    assert not table.identical()
    one_store = frame[(frame["store"] == "S1") & (frame["region"] == "R1")]
    twice = pd.concat([one_store, one_store.assign(region="R9")])
    assert _store_bins(twice).identical()


@pytest.mark.parametrize("as_category", [False, True])
def test_stores_only_drops_the_aggregate_rows_whatever_the_store_column_holds(
    as_category: bool,
) -> None:
    """Read back from Parquet the store column is a categorical; built in memory it is text.
    NaN stores are kept, and a column without ``all`` keeps every row."""
    from twin.report.plots_glance import stores_only

    stores = ["S1", "all", None, "S2", "all"]
    frame = pd.DataFrame({"store": stores, "value": range(5)})
    if as_category:
        frame["store"] = frame["store"].astype("category")
    assert stores_only(frame)["value"].tolist() == [0, 2, 3]
    only_all = frame[frame["store"] == "all"]
    assert stores_only(only_all)["value"].tolist() == [1, 4]  # no stores: the aggregate rows
    no_all = pd.DataFrame({"store": pd.Categorical(["S1", "S2"]), "value": [0, 1]})
    assert stores_only(no_all)["value"].tolist() == [0, 1]


def test_every_chart_has_a_title_with_units(tmp_path: Path, producers: Producers) -> None:
    data = load_run(producers.run(tmp_path / "run", n_stores=6, n_regions=2))
    assert data.summary is not None and data.network is not None
    ax = percentile_figure(data.summary, "checkout.wait_s").panels[0]
    assert ax.title == "checkout.wait_s: distribution by store (s)"
    labels = [t for _, t in ax.y_ticks()]
    assert labels[:3] == ["Network", "Region R1", "Region R2"]
    assert "R1/S01" in labels
    chart = network_map_figure(data.network, {"dark_store": 5.0})
    assert len(chart.panels) == 2
    assert "(km)" in chart.title
    assert [p.title for p in chart.panels] == ["Region R1", "Region R2"]


def test_percentiles_show_the_worst_stores_when_there_are_many(
    tmp_path: Path, producers: Producers
) -> None:
    summary = load_run(producers.run(tmp_path / "run", n_stores=30, n_reps=1)).summary
    assert summary is not None
    ax = percentile_figure(summary, "checkout.wait_s", max_rows=10).panels[0]
    assert "top 10 of 30 stores by p90" in ax.title
    assert len(ax.y_ticks()) == 11


def test_percentile_marks_sit_at_the_summary_values(tmp_path: Path, producers: Producers) -> None:
    summary = load_run(producers.run(tmp_path / "run", n_stores=4, n_reps=3, n_regions=2)).summary
    assert summary is not None
    ax = percentile_figure(summary, "checkout.wait_s").panels[0]
    wait = summary[summary["kpi"] == "checkout.wait_s"]
    network = wait[(wait["store"] == "all") & (wait["region"] == "all")]
    p90 = float(network.loc[network["stat"] == "p90", "mean"].iloc[0])
    bars = [m for m in ax.marks if m.kind == "hseg"]
    assert bars[1].data["x1"][0] == pytest.approx(p90)  # the top row is the network
    assert ax.limits()[0][0] == 0.0
    # a mean close to zero with a wide interval: the interval stops at zero, like the tables
    wide = summary.copy()
    wide.loc[wide["kpi"] == "checkout.wait_s", "half_width"] = 1e6
    ax = percentile_figure(wide, "checkout.wait_s").panels[0]
    (interval,) = [m for m in ax.marks if m.kind == "xerr"]
    assert min(interval.data["lo"]) == 0.0


def test_svg_is_deterministic_and_has_prefixed_ids(tmp_path: Path, producers: Producers) -> None:
    data = load_run(producers.run(tmp_path / "run", n_reps=1))
    assert data.timeseries is not None and data.network is not None
    first = figure_to_svg(timeseries_figure(data.timeseries, "occupancy"), "f1", 'a "q" <n>')
    second = figure_to_svg(timeseries_figure(data.timeseries, "occupancy"), "f1", 'a "q" <n>')
    assert first == second
    assert first.startswith('<svg role="img" aria-label="a &#34;q&#34; &lt;n&gt;"')
    assert "<title>a &#34;q&#34; &lt;n&gt;</title>" in first
    assert "<?xml" not in first and "<!--" not in first and "dc:date" not in first
    # the map clips its drone circles to the panel: ids carry the figure's prefix
    chart = figure_to_svg(network_map_figure(data.network, {"*": 50.0}), "f7", "map")
    ids = re.findall(r'\bid="([^"]+)"', chart)
    assert ids and all(i.startswith("f7-") for i in ids)
    assert "url(#f7-" in chart


def test_svg_charts_are_well_formed_text_as_text_and_small(
    tmp_path: Path, producers: Producers
) -> None:
    data = load_run(producers.run(tmp_path / "run", n_stores=4, n_reps=2))
    assert data.timeseries is not None and data.summary is not None and data.network is not None
    heat = load_heatmap_figure(data.timeseries)
    assert heat is not None
    charts = [
        timeseries_figure(data.timeseries, "occupancy"),
        percentile_figure(data.summary, "checkout.wait_s"),
        network_map_figure(data.network, {"*": 5.0}),
        heat,
    ]
    for chart in charts:
        svg = parsed(chart)
        assert float(svg.get("width", 0)) > 500 and float(svg.get("height", 0)) > 150
        assert len(list(svg.iter(f"{SVG}path"))) > 10
        assert all(t.strip() for t in texts(svg)), "no empty labels"
        assert len(ET.tostring(svg)) < 60_000
    assert {"S01", "S02", "S03", "S04"} <= set(texts(parsed(charts[2]))), "store labels"


def test_heat_map_rows_are_resources_scaled_to_their_peak(
    tmp_path: Path, producers: Producers
) -> None:
    ts = load_run(producers.run(tmp_path / "run", n_stores=2, n_reps=1)).timeseries
    assert ts is not None
    chart = load_heatmap_figure(ts)
    assert chart is not None and chart.colourbar is not None
    ax = chart.panels[0]
    labels = [t for _, t in ax.y_ticks()]
    assert "checkout queue" in labels and "shoppers in store" in labels
    (cells,) = [m for m in ax.marks if m.kind == "cells"]
    colours = np.asarray(cells.data["colours"])
    assert colours.shape == (len(labels), len(ax.x_ticks()))
    # every row reaches its own peak: the darkest blue appears once per busy row at least
    assert all("#08306b" in row for row in colours.tolist())


def test_lead_time_and_plan_charts(tmp_path: Path) -> None:
    stages = pd.DataFrame(
        {"store": ["network", "S01", "S02"], "picking": [3.0, 2.0, 4.0], "travel": [10.0, 8, 12]}
    )
    chart = lead_time_figure(stages, {"S02"})
    ax = chart.panels[0]
    assert [t for _, t in ax.y_ticks()] == ["network", "S01", "S02 ⚠"]
    assert [e.label for e in chart.legend] == ["picking", "travel"]
    assert " 16" in texts(parsed(chart)), "total minutes at the end of the S02 bar"
    plan = pd.DataFrame(
        {
            "replication": 0,
            "store": "S01",
            "resource": ["pickers"] * 24 + ["vans"] * 24,
            "weekday": 0,
            "hour": list(range(24)) * 2,
            "level": [2.0] * 24 + [1.0] * 24,
        }
    )
    chart = plan_figure(plan, None)
    assert [p.title for p in chart.panels] == ["pickers", "vans"]
    assert chart.panels[0].ylim == (0.0, pytest.approx(2.2))


def test_ticks_are_round_and_labels_estimated_wide_enough() -> None:
    assert nice_ticks(0, 57, 6).tolist() == [0, 20, 40]
    assert nice_ticks(0, 57, 8).tolist() == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    ticks = nice_ticks(0, 12000, 4)
    assert [tick_label(t, ticks) for t in ticks] == ["0", "5,000", "10,000"]
    assert tick_label(-2.5, np.array([-2.5, 0, 2.5])) == "−2.5"
    # DejaVu Sans at 12.7 px: "checkout queue" is about 96 px wide
    assert 85 < text_width("checkout queue", 12.7) < 110


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


@pytest.mark.parametrize("as_category", [False, True])
def test_network_level_prefers_the_whole_network(as_category: bool) -> None:
    """The same rows whether the ids are text (built in memory) or categoricals (read back
    from Parquet); a missing id is not an id of its own."""
    frame = pd.DataFrame({"region": ["all", "R0", "R0"], "store": ["all", "all", "S1"]})
    if as_category:
        frame = frame.astype("category")
    assert network_level(frame).index.tolist() == [0]
    one_region = frame.iloc[1:]
    assert network_level(one_region).index.tolist() == [1]
    one_store = pd.DataFrame({"region": ["R0", "R0"], "store": ["S1", None]})
    two_stores = pd.DataFrame({"region": ["R0", "R0"], "store": ["S1", "S2"]})
    two_regions = pd.DataFrame({"region": ["R0", "R1"], "store": ["S1", "S1"]})
    if as_category:
        one_store, two_stores, two_regions = (
            f.astype("category") for f in (one_store, two_stores, two_regions)
        )
    assert network_level(one_store).index.tolist() == [0, 1]
    assert network_level(two_stores).empty and network_level(two_regions).empty


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
    ax = timeseries_figure(lanes, "lanes_open").panels[0]
    assert ax.count("line") == 1
    assert ax.legend_labels() == ["all 3 stores (identical)"]


def test_forest_pareto_and_sweep_charts_draw_what_the_sweep_says() -> None:
    from twin.report.plots_decision import forest_figure, pareto_figure
    from twin.report.plots_effects import sweep_figure

    rows = pd.DataFrame(
        {
            "job": ["0", "1", "2"],
            "kpi": "checkout.wait_s",
            "stat": "mean",
            "diff_mean": [0.0, -20.0, -1.0],
            "diff_half_width": [0.0, 5.0, 4.0],
            "is_significant": [False, True, False],
        }
    )
    labels = {"0": "job 0 (lanes=8)", "1": "job 1 (lanes=10)", "2": "job 2 (lanes=12)"}
    title = "a long baseline name " * 6
    chart = forest_figure(rows, [("checkout.wait_s", "mean")], labels, {}, title)
    ax = chart.panels[0]
    assert [t for _, t in ax.y_ticks()] == list(labels.values())
    filled = [m for m in ax.marks if m.kind == "markers" and m.data["colour"] != "#ffffff"]
    assert len(filled) == 1 and filled[0].data["x"].tolist() == [-20.0], "significant: filled"
    svg = str(chart.to_svg("f1", "forest"))
    assert svg.count("font-weight") >= 3, "a long chart title wraps onto several lines"
    points = pd.DataFrame({"label": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3.0, 1.0, 2.0]})
    pareto = pareto_figure(points, [("k.x", "mean"), ("k.y", "mean")], ["minimize", "minimize"])
    front = next(m for m in pareto.panels[0].marks if m.kind == "text").data["text"]
    assert front == ["a", "b"], "c is dominated by b"
    summary = pd.DataFrame(
        {
            "lanes": [8, 10, 8, 10],
            "kiosks": [0, 0, 4, 4],
            "kpi": "checkout.wait_s",
            "stat": "mean",
            "mean": [60.0, 40.0, 50.0, 30.0],
            "half_width": [100.0, 5.0, 5.0, 5.0],
            "unit": "s",
        }
    )
    chart = sweep_figure(summary, "lanes", [("checkout.wait_s", "mean")], ["lanes", "kiosks"])
    ax = chart.panels[0]
    assert ax.count("line") == 2 and [e.label for e in chart.legend] == ["kiosks=0", "kiosks=4"]
    (first, *_) = [m for m in ax.marks if m.kind == "yerr"]
    assert min(first.data["lo"]) == 0.0, "times stop at zero"
