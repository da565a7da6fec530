"""Reports of folders made by the real producers (tests/report_support.py): the decision is on
the page, in readable units, and the pages stay light."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.report_support import PRODUCERS
from twin.report import render_run_report, render_sizing_report, render_sweep_report
from twin.report.glance import STAGES

pytestmark = [pytest.mark.e2e, PRODUCERS]

MB = 1_000_000


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_sizing_page_shows_every_resource_recommendation(
    real_sizing_dir: Path, tmp_path: Path
) -> None:
    sizing = json.loads((real_sizing_dir / "sizing.json").read_text())
    html = render_sizing_report(real_sizing_dir, tmp_path / "s.html").read_text()
    rec = section(html, "recommendation")
    for resource, capacity in sizing["recommendation"].items():
        card = re.search(rf'data-resource="{re.escape(resource)}">.*?class="value">([^<]+)<', rec)
        assert card is not None, resource
        assert card.group(1) == ("none" if capacity is None else str(capacity))
    for scale, by_resource in sizing["by_demand_scale"].items():
        assert f"× {scale}</td>" in rec
        row = rec[rec.index(f"× {scale}</td>") :].split("</tr>")[0]
        assert re.findall(r'class="num[^"]*">(\w+)<', row) == [
            str(by_resource[r]) for r in sizing["resources"]
        ]
    assert "on fresh seeds" in rec
    pickers = sizing["recommendation"]["pickers"]
    assert f"{pickers} pickers also meet" in rec or f"{pickers} pickers miss" in rec
    # every curve marks the recommendation of each demand level
    labels = re.findall(r"recommended at × ([\d.]+): (\d+)", html)
    assert len(labels) >= 2 * len(sizing["resources"])


def test_run_page_cards_read_like_the_console(real_run_dir: Path, tmp_path: Path) -> None:
    html = render_run_report(real_run_dir, tmp_path / "r.html").read_text()
    headline = section(html, "headline")
    names = re.findall(r'<div class="name">([^<]+)</div>', headline)
    assert "Checkout wait" in names and not any("_" in n for n in names)
    values = re.findall(
        r'<div class="value">([^<]*)(?:<span class="unit">([^<]*)</span>)?', headline
    )
    assert values and all(re.search(r"\d", v) for v, _ in values)
    assert "attempts" not in headline and "currency" not in headline
    assert not re.search(r"\d{4,} s<", headline.replace(",", "")), "long times in min or h"
    # intervals respect the bounds: no negative numbers, no percentage above 100
    shown = re.sub(r"<[^>]+>", "", headline.split("</p>", 1)[1])
    assert not re.search(r"[-−]\s?\d", shown)
    assert all(float(p.replace(",", "")) <= 100 for p in re.findall(r"(\d[\d.,]*)\s?%", shown))


def test_run_page_flags_stores_and_shows_where_the_time_goes(
    real_run_with_plan: Path, tmp_path: Path
) -> None:
    out = render_run_report(real_run_with_plan, tmp_path / "r.html")
    html = out.read_text()
    assert 'id="targets"' in html
    lead = section(html, "lead-time")
    assert "<svg" in lead
    for stage, _ in STAGES:
        assert stage in lead
    assert 'aria-label="Load by resource and hour"' in html
    assert 'aria-label="Staffing plan against demand"' in html
    network = section(html, "network")
    assert all(f">S0{i}<" in network for i in (1, 2, 3)), "store labels on the map"
    assert out.stat().st_size <= 1 * MB
    # chart text is stored as text (svg.fonttype none), not as glyph outlines
    assert re.search(r"<text[^>]*>[^<]*Where an order", html)
    assert "DejaVuSans-" not in html, "no glyph outlines"


def test_sweep_page_answers_the_question_first(real_sweep_dir: Path, tmp_path: Path) -> None:
    out = render_sweep_report(real_sweep_dir, tmp_path / "w.html")
    html = out.read_text()
    config = yaml.safe_load((real_sweep_dir / "0" / "config.yaml").read_text())
    question = " ".join(config["experiment"]["question"].split())
    assert question in section(html, "question")
    answer = section(html, "answer")
    assert "baseline job 0 (lanes=8)" in answer
    assert "Checkout wait:" in answer and "Checkout labour cost:" in answer
    assert "job 1 (lanes=10)" in answer
    assert html.index('id="answer"') < html.index('id="parameters"')
    assert re.search(r"<span>Swept parameters</span><strong>1</strong>", html)
    assert "network=single_store" in section(html, "parameters")  # fixed, listed apart
    assert "(count)" not in answer
    assert out.stat().st_size <= 2 * MB
