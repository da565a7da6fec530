"""The twin's own help pages and its one-line answers to typos, through the real commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_twin_help_reads_like_the_manual(tmp_path: Path) -> None:
    done = run(["twin", "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert 30 < len(lines) <= 120
    assert lines[0].startswith("twin: a discrete-event digital twin")
    text = done.stdout
    for expected in ("usage: twin", "config groups", "examples:", "-q, --quiet", "--cfg job"):
        assert expected in text
    for group in ("network", "delivery", "+experiment", "+checkout_layout"):
        assert f"\n  {group} " in text, group
    assert "single_store" in text and "more_lanes" in text and "run.replications=N" in text
    assert "baseline " not in text.replace("twin-baseline ", "")  # not offered as a group
    assert "Hydra" not in lines[0] and "Powered by Hydra" not in text
    assert not (tmp_path / "runs").exists() and not (tmp_path / "outputs").exists()


@pytest.mark.parametrize(
    ("module", "first"),
    [
        (["twin.sizing_cli", "--help"], "twin-size:"),
        (["twin.runs_cli", "runs", "--help"], "usage: twin-runs"),
        (["twin.runs_cli", "query", "--help"], "usage: twin-query"),
        (["twin.experiment.collect", "--help"], "usage: twin-collect"),
        (["twin.report.cli", "--help"], "usage: twin-report"),
        (["twin.experiment.baseline_cli", "--help"], "usage: twin-baseline"),
        (["twin.fit.cli", "--help"], "usage: twin-fit"),
        (["twin.fit.validate", "--help"], "usage: twin-validate"),
    ],
)
def test_every_command_has_examples_in_its_help(
    module: list[str], first: str, tmp_path: Path
) -> None:
    done = run(module, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(first) and "examples:" in done.stdout
    assert len(done.stdout.splitlines()) <= 120


def test_the_full_config_stays_available(tmp_path: Path) -> None:
    done = run(["twin", "--cfg", "job", "network=single_store"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "formats:" in done.stdout and "kind: single_store" in done.stdout


def test_a_baseline_is_not_a_run_group_and_typos_get_a_suggestion(tmp_path: Path) -> None:
    done = run(["twin", "+baseline=grocery_metro"], tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "twin-baseline check" in done.stderr
    typo = run(["twin", "network=singl_store"], tmp_path)
    assert typo.returncode == 2 and "did you mean 'single_store'?" in typo.stderr
    assert "Traceback" not in done.stderr + typo.stderr
