"""The installed ``twin-baseline`` command, run as a user would, from the repository root."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TWIN_BASELINE = shutil.which("twin-baseline") or str(
    Path(sys.executable).with_name("twin-baseline")
)


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_list_finds_the_shipped_and_recorded_baselines() -> None:
    done = run([TWIN_BASELINE, "list"])
    assert done.returncode == 0, done.stderr
    assert "grocery_single_store" in done.stdout and "NOT RECORDED" not in done.stdout


def test_check_of_an_unknown_baseline_exits_2_naming_the_known_ones() -> None:
    done = run([TWIN_BASELINE, "check", "no_such_baseline"])
    assert done.returncode == 2
    assert "no_such_baseline" in done.stderr and "grocery_single_store" in done.stderr


def test_check_of_a_ten_percent_change_exits_1() -> None:
    change = "formats.grocery.checkout.staffed.per_item_s.mean=3.08"
    done = run([TWIN_BASELINE, "check", "grocery_single_store", "-o", change])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "grocery_single_store: DRIFT" in done.stdout and "interval of diff" in done.stdout
