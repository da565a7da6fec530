"""Sweep reports from sweep folders written by the real producers (tests/run_folders.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.run_folders import Producers
from twin.report import render_sweep_report
from twin.report.load import load_sweep

pytestmark = pytest.mark.unit

LANES = "formats.grocery.checkout.lanes"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory, producers: Producers) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("sweep")
    sweep_dir = producers.sweep(tmp / "sweep", failed_jobs=(3,))
    html = render_sweep_report(sweep_dir, tmp / "sweep.html").read_text(encoding="utf-8")
    return sweep_dir, html


def test_swept_parameters_are_found_and_charted(sweep: tuple[Path, str]) -> None:
    sweep_dir, html = sweep
    assert load_sweep(sweep_dir).params == [LANES, "formats.grocery.checkout.sco_kiosks"]
    assert f"<li><code>{LANES}</code>: 4, 6, 8, 10</li>" in html
    labels = re.findall(r'<svg role="img" aria-label="([^"]+)"', html)
    assert labels.count(f"KPIs against {LANES}") >= 1
    assert any(label.startswith("Differences from the baseline job 0") for label in labels)


def test_failed_jobs_table_lists_each_failure(sweep: tuple[Path, str]) -> None:
    _, html = sweep
    assert "<h2>1 failed job</h2>" in html
    failed = html[html.index('id="failed"') : html.index("</section>", html.index('id="failed"'))]
    assert '<td class="key">3</td>' in failed
    assert f"{LANES}=6" in failed
    assert "<strong>ConfigError</strong>: Invalid configuration: " in failed
    assert '<td class="bad">failed</td>' in html, "the jobs table marks the failed job too"


def test_answer_names_the_baseline_and_says_what_moved(sweep: tuple[Path, str]) -> None:
    _, html = sweep
    answer = html[html.index('id="answer"') : html.index("</section>", html.index('id="answer"'))]
    assert "the baseline job 0 (lanes=4, sco_kiosks=0)" in answer
    significant = re.findall(r'<li class="sig">([^<]+)</li>', answer)
    assert significant and all("significant" in s for s in significant)
    assert "(count)" not in answer


def test_jobs_table_has_every_job(sweep: tuple[Path, str]) -> None:
    _, html = sweep
    jobs = html[html.index('id="jobs"') :]
    assert len(set(re.findall(r'<td class="key">(job \d+)[ <]', jobs))) == 8


def test_sweep_without_failures_or_baseline_leaves_those_out(
    tmp_path: Path, producers: Producers
) -> None:
    sweep_dir = producers.sweep(tmp_path / "sweep", lanes=(4, 8), kiosks=(0,), baseline_job=None)
    html = render_sweep_report(sweep_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="failed"' not in html
    assert 'id="answer"' not in html
    assert "KPIs against formats.grocery.checkout.lanes" in html
    assert "KPIs against formats.grocery.checkout.sco_kiosks" not in html, "one value: no chart"


def test_failed_jobs_without_summary_still_render(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    (sweep_dir / "failed_jobs.json").write_text(
        json.dumps(
            [
                {"job": 0, "job_dir": "0", "overrides": [f"{LANES}=4"], "error": "<b>boom</b>"},
            ]
        )
    )
    html = render_sweep_report(sweep_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No summary.parquet in this sweep folder" in html
    assert "&lt;b&gt;boom&lt;/b&gt;" in html


def test_sweep_report_is_byte_identical(sweep: tuple[Path, str], tmp_path: Path) -> None:
    sweep_dir, html = sweep
    again = render_sweep_report(sweep_dir, tmp_path / "again.html").read_text(encoding="utf-8")
    assert again == html
