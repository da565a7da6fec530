"""bench_instructions: the count read from valgrind's report, and the child it runs in a tree
(with a stand-in valgrind that runs the child natively, so the suite needs no valgrind)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_instructions import REPO, collected, count

pytestmark = pytest.mark.unit

REPORT = """==4242== Events    : Ir
==4242== Collected : 18937244578
==4242==
==4242== I   refs:      18,937,244,578
"""


def test_the_count_is_callgrinds_collected_total():
    assert collected(REPORT) == 18_937_244_578


def test_a_report_without_a_count_is_an_error_that_shows_the_report():
    with pytest.raises(RuntimeError, match=r"(?s)no instruction count.*valgrind: bad option"):
        collected("valgrind: bad option --tool=nosuch\n")


@pytest.fixture
def stand_in_valgrind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``valgrind`` on PATH that drops its options, runs the command and reports 42."""
    script = tmp_path / "valgrind"
    script.write_text(
        f"#!{sys.executable}\n"
        "import subprocess, sys\n"
        "args = [a for a in sys.argv[1:] if not a.startswith('--tool') "
        "and not a.startswith('--callgrind')]\n"
        "code = subprocess.run(args).returncode\n"
        "print('==1== Collected : 42', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.usefixtures("stand_in_valgrind")
def test_the_child_plans_the_sampled_regions_of_the_tree_it_is_given():
    # every 41st of the 42 national regions: the largest and one more, planned, not run
    assert count(REPO, 41, "start-up") == (42, 2)


@pytest.mark.usefixtures("stand_in_valgrind")
def test_a_child_that_imports_twin_from_elsewhere_fails_rather_than_measure_it(tmp_path: Path):
    with pytest.raises(RuntimeError, match=r"twin imported from .*not from"):
        count(tmp_path, 41, "start-up")


def test_an_unknown_ref_exits_2_naming_the_option_and_the_value():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_instructions", "--against", "no-such-ref"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "--against: 'no-such-ref'; expected a commit, branch or tag" in done.stderr
