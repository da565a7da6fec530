"""The suite's own scheduling: tests sharing an ``xdist_group`` run on one worker.

scripts/test.sh runs ``pytest -n 2 --dist loadgroup``. Grouped tests share an expensive module
fixture (four sweeps, a national day); when pytest-xdist cannot tag their ids (pytest-xdist#1386,
pytest 9.2) it spreads them over the workers without a word, and each worker builds the fixture
again: the suite got a minute slower. This runs a small grouped suite the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

GROUPED = textwrap.dedent(
    """
    import os
    import pytest

    @pytest.mark.xdist_group("shared")
    @pytest.mark.parametrize("k", range(6))
    def test_grouped(k):
        worker = os.environ["PYTEST_XDIST_WORKER"]
        open(os.path.join(os.environ["WORKERS_DIR"], f"{k}-{worker}"), "w").close()

    @pytest.mark.parametrize("k", range(6))
    def test_alone(k):
        pass
    """
)


def test_grouped_tests_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    workers_dir = tmp_path / "workers"
    workers_dir.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_grouped.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "WORKERS_DIR": str(workers_dir)},
    )
    assert done.returncode == 0, done.stdout[-2000:]
    workers = {path.name.split("-")[1] for path in workers_dir.iterdir()}
    assert len(workers) == 1, (
        f"the 6 grouped tests ran on {sorted(workers)}: --dist loadgroup is not grouping "
        "(pytest-xdist#1386 with pytest 9.2; pyproject.toml pins pytest<9.2)"
    )
