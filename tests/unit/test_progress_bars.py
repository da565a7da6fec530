"""Progress bars of long steps (sizing, reports): drawn on a terminal only."""

from __future__ import annotations

import pytest

from twin.experiment.progress import busy, count_progress

pytestmark = pytest.mark.unit


def test_nothing_is_drawn_when_output_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWIN_PROGRESS", raising=False)
    with count_progress("sizing", "sim") as progress:
        progress(3)
    with busy("report"):
        pass
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_bars_count_and_time_when_forced_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWIN_PROGRESS", "1")
    with count_progress("sizing", " sim") as progress:
        progress(7)
    with busy("run report"):
        pass
    err = capsys.readouterr().err
    assert "sizing: 7 sim" in err
    assert "run report: 00:00" in err
