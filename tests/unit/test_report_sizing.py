"""Sizing reports of folders written by twin-size's own writer (tests/report_support.py);
tests/e2e/test_report_pages.py checks the page of a real twin-size run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.report_support import written_sizing_folder
from twin.report import render_sizing_report
from twin.report.sizing_page import recommended_capacity

pytestmark = pytest.mark.unit


def test_sizing_report_shows_each_resource_and_demand_level(tmp_path: Path) -> None:
    size_dir = written_sizing_folder(tmp_path / "size")
    html = render_sizing_report(size_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    rec = html[html.index('id="recommendation"') : html.index("</section>")]
    assert re.search(r'data-resource="pickers">.*?class="value">5<', rec, re.DOTALL)
    assert re.search(r'data-resource="lockers.chilled">.*?class="value">5<', rec, re.DOTALL)
    assert "Store S01 needs 5 pickers and 5 chilled locker compartments" in rec
    assert "5 pickers also meet the target on fresh seeds" in rec and "One less fails." in rec
    assert "× 1.5</td>" in rec and ">7</td>" in rec
    assert "recommended at × 1: 5" in html and "recommended at × 1.5: 6" in html
    assert "≥ 95%" in html, "targets in the KPI's unit"
    again = render_sizing_report(size_dir, tmp_path / "again.html").read_text(encoding="utf-8")
    assert again == html


def test_no_recommendation_is_said_plainly(tmp_path: Path) -> None:
    size_dir = written_sizing_folder(tmp_path / "size", pickers=None)
    assert json.loads((size_dir / "sizing.json").read_text())["recommendation"]["pickers"] is None
    html = render_sizing_report(size_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert re.search(r'data-resource="pickers">.*?class="value">none<', html, re.DOTALL)
    assert "No capacity tried met the target for pickers" in html


def test_default_name_uses_the_resource(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size_dir = written_sizing_folder(tmp_path / "size")
    monkeypatch.chdir(tmp_path)
    assert render_sizing_report(size_dir).name.startswith("sizing_pickup-capacity_")


@pytest.mark.parametrize(
    ("recommendation", "expected"),
    [
        (7, 7.0),
        ({"capacity": 6, "demand_scale": 1.2}, 6.0),
        (None, None),
        ("many", None),
        (float("nan"), None),
        (True, None),
    ],
)
def test_recommended_capacity(recommendation: object, expected: float | None) -> None:
    assert recommended_capacity(recommendation) == expected
