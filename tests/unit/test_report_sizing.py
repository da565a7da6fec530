"""Sizing reports from synthetic sizing folders that follow docs/CONTRACTS.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from twin.report import render_sizing_report
from twin.report.sizing_page import recommended_capacity
from twin.report.synthetic import make_sizing_folder

pytestmark = pytest.mark.unit


def test_sizing_report_shows_recommendation_targets_and_curves(tmp_path: Path) -> None:
    size_dir = make_sizing_folder(tmp_path / "size")
    html = render_sizing_report(size_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<div class="value">9</div>' in html
    assert "checkout.wait_s.p90" in html and "{&#34;max&#34;: 300.0}" in html
    labels = re.findall(r'<svg role="img" aria-label="([^"]+)"', html)
    assert labels == [
        "checkout.wait_s.p90 against checkout.lanes capacity",
        "checkout.utilisation_frac against checkout.lanes capacity",
    ]
    assert "✓ yes" in html and "✗ no" in html
    again = render_sizing_report(size_dir, tmp_path / "again.html").read_text(encoding="utf-8")
    assert again == html


def test_no_recommendation_is_said_plainly(tmp_path: Path) -> None:
    size_dir = make_sizing_folder(tmp_path / "size", capacities=(2, 3))
    assert json.loads((size_dir / "sizing.json").read_text())["recommendation"] is None
    html = render_sizing_report(size_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<div class="value">none</div>' in html
    assert "no capacity tried met every target" in html


def test_default_name_uses_the_resource(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size_dir = make_sizing_folder(tmp_path / "size")
    monkeypatch.chdir(tmp_path)
    assert render_sizing_report(size_dir).name.startswith("sizing_checkout.lanes_")


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
