"""A sweep ends with one sweep report, built from the gathered summary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import TWIN

pytestmark = pytest.mark.e2e


def test_sweep_writes_one_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            TWIN,
            "-m",
            "network=single_store",
            "orders.enabled=false",
            "formats.grocery.checkout.lanes=5,6",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reports = list((tmp_path / "reports").glob("sweep_*.html"))
    assert len(reports) == 1, reports
    assert f"sweep report: {reports[0].resolve()}" in done.stdout
    assert not list((tmp_path / "reports").glob("run_*.html"))  # no report per job
    html = reports[0].read_text()
    assert "formats.grocery.checkout.lanes" in html


def test_run_job_reports_turns_the_report_of_each_job_back_on(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            TWIN,
            "-m",
            "network=single_store",
            "orders.enabled=false",
            "run.job_reports=true",
            "formats.grocery.checkout.lanes=5,6",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "reports").glob("sweep_*.html"))) == 1
    job_reports = sorted((tmp_path / "reports").glob("run_*.html"))
    assert len(job_reports) == 2, job_reports
    assert "lanes" in job_reports[0].read_text(encoding="utf-8")
