"""The wheel ships the configs, so the installed command works from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_configs_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("twin-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "twin/configs/config.yaml" in names
    assert "twin/configs/network/metro.yaml" in names
    assert "twin/configs/store/grocery.yaml" in names
    assert "twin/cli.py" in names
    # the default sweeper and launcher of twin -m (configs/config.yaml names the launcher)
    assert "hydra_plugins/twin_sweeper/twin_sweeper.py" in names
    assert "hydra_plugins/twin_launcher/twin_launcher.py" in names
