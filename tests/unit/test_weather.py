"""Drone weather traces: Markov statistics, look-ups at hour boundaries, CSV input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from twin.domain.lastmile.weather import HOUR_S, WeatherTrace

pytestmark = pytest.mark.unit


def _spell_lengths(no_fly: np.ndarray) -> np.ndarray:
    """Lengths of the no-fly spells that start and end inside the trace."""
    padded = np.concatenate(([False], no_fly, [False])).astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    ends = np.flatnonzero(np.diff(padded) == -1)
    inside = (starts > 0) & (ends < no_fly.size)
    return (ends - starts)[inside]


@pytest.mark.parametrize(
    ("share", "spell_h"), [(0.3, 4.0), (0.1, 2.0), (0.6, 6.0), (0.75, 3.0), (0.5, 1.0)]
)
def test_markov_share_and_spell_length_match_parameters(share: float, spell_h: float) -> None:
    days = 2000
    trace = WeatherTrace.markov(share, spell_h, days, np.random.default_rng(42))
    hours = days * 24
    assert trace.hours == hours
    # Standard error of the mean of a stationary two-state chain: the iid variance inflated by
    # (1 + r) / (1 - r), r = 1 - p_leave - p_enter the lag-one autocorrelation.
    leave = 1 / spell_h
    enter = leave * share / (1 - share)
    lag_one = 1 - leave - enter
    share_se = math.sqrt(share * (1 - share) / hours * (1 + lag_one) / (1 - lag_one))
    assert abs(trace.no_fly_share - share) <= 4 * share_se + 1e-12
    # Spells are geometric with mean spell_h: sd = sqrt(1 - p) / p.
    spells = _spell_lengths(trace.no_fly)
    spell_se = math.sqrt(1 - leave) / leave / math.sqrt(spells.size)
    assert abs(spells.mean() - spell_h) < 4 * spell_se + 1e-12
    assert spells.min() >= 1


def test_markov_is_reproducible_and_seed_dependent() -> None:
    first = WeatherTrace.markov(0.3, 3.0, 30, np.random.default_rng(7))
    again = WeatherTrace.markov(0.3, 3.0, 30, np.random.default_rng(7))
    other = WeatherTrace.markov(0.3, 3.0, 30, np.random.default_rng(8))
    assert np.array_equal(first.no_fly, again.no_fly)
    assert not np.array_equal(first.no_fly, other.no_fly)


def test_markov_extreme_shares() -> None:
    rng = np.random.default_rng(0)
    clear = WeatherTrace.markov(0.0, 3.0, 2, rng)
    assert clear.no_fly_share == 0.0
    assert clear.next_no_fly_s(100.0) == math.inf
    grounded = WeatherTrace.markov(1.0, 3.0, 2, rng)
    assert grounded.no_fly_share == 1.0
    assert grounded.next_flyable_s(100.0) == math.inf


def test_look_ups_at_hour_boundaries() -> None:
    trace = WeatherTrace([False, True, True, False, False])  # flyable, no, no, flyable, flyable
    assert trace.is_flyable(0.0)
    assert trace.is_flyable(HOUR_S - 1e-6)
    assert not trace.is_flyable(HOUR_S)
    assert not trace.is_flyable(3 * HOUR_S - 1e-6)
    assert trace.is_flyable(3 * HOUR_S)
    assert trace.is_flyable(5 * HOUR_S - 1e-6)
    assert trace.next_flyable_s(100.0) == 100.0
    assert trace.next_flyable_s(HOUR_S) == 3 * HOUR_S
    assert trace.next_flyable_s(2.5 * HOUR_S) == 3 * HOUR_S
    assert trace.next_no_fly_s(0.0) == HOUR_S
    assert trace.next_no_fly_s(1.5 * HOUR_S) == 1.5 * HOUR_S
    assert trace.next_no_fly_s(3 * HOUR_S) == math.inf  # flyable to the end of the trace
    assert trace.no_fly_share == pytest.approx(0.4)
    assert trace.horizon_s == 5 * HOUR_S


def test_never_flyable_again_is_inf() -> None:
    trace = WeatherTrace([False, True, True])
    assert trace.next_flyable_s(HOUR_S) == math.inf
    assert WeatherTrace([True, True]).next_flyable_s(0.0) == math.inf


def test_past_the_end_raises_unless_repeating() -> None:
    trace = WeatherTrace([False, True])
    with pytest.raises(ValueError, match="past the trace's 2 h; build a longer trace"):
        trace.is_flyable(2 * HOUR_S)
    with pytest.raises(ValueError, match="negative time"):
        trace.next_flyable_s(-1.0)
    repeating = WeatherTrace([False, True, True], repeat=True)
    assert repeating.is_flyable(3 * HOUR_S)  # hour 3 = hour 0 of the second pass
    assert not repeating.is_flyable(4 * HOUR_S + 10)
    assert repeating.next_flyable_s(4 * HOUR_S) == 6 * HOUR_S
    # Past the last flyable hour of a pass, the next one is in the following pass.
    assert repeating.next_flyable_s(1.5 * HOUR_S) == 3 * HOUR_S
    assert repeating.next_no_fly_s(3 * HOUR_S) == 4 * HOUR_S
    assert WeatherTrace([True], repeat=True).next_flyable_s(10 * HOUR_S) == math.inf


def test_look_ups_agree_with_the_array() -> None:
    trace = WeatherTrace.markov(0.4, 3.0, 10, np.random.default_rng(3))
    flyable_hours = np.flatnonzero(~trace.no_fly)
    for t_s in np.random.default_rng(4).uniform(0, trace.horizon_s, 500):
        hour = int(t_s // HOUR_S)
        assert trace.is_flyable(float(t_s)) == (not trace.no_fly[hour])
        later = flyable_hours[flyable_hours >= hour]
        expected = (
            float(t_s)
            if not trace.no_fly[hour]
            else (later[0] * HOUR_S if later.size else math.inf)
        )
        assert trace.next_flyable_s(float(t_s)) == expected


def test_from_csv_reads_numbers_and_booleans(tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("no_fly\n0\n1\n1\n0\n")
    assert WeatherTrace.from_csv(numbers).no_fly.tolist() == [False, True, True, False]
    words = tmp_path / "words.csv"
    words.write_text("hour,no_fly\n0,False\n1, TRUE\n2,false\n\n")
    trace = WeatherTrace.from_csv(str(words), column="no_fly", repeat=True)
    assert trace.no_fly.tolist() == [False, True, False]
    assert trace.repeat


def test_from_csv_bad_value_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    path.write_text("hour,no_fly\n0,0\n1,1\n2,maybe\n3,0\n")
    with pytest.raises(ValueError, match=r"trace\.csv, row 4: column 'no_fly' is 'maybe'"):
        WeatherTrace.from_csv(path, column="no_fly")
    path.write_text("no_fly\n0\n2\n")
    with pytest.raises(ValueError, match=r"row 3: .* expected 0/1 or true/false"):
        WeatherTrace.from_csv(path)
    path.write_text("hour,no_fly\n0,0\n1\n")
    with pytest.raises(ValueError, match=r"row 3: column 'no_fly' is ''"):
        WeatherTrace.from_csv(path, column="no_fly")


def test_from_csv_structural_errors(tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    with pytest.raises(ValueError, match="no such file"):
        WeatherTrace.from_csv(path)
    path.write_text("")
    with pytest.raises(ValueError, match="the file is empty"):
        WeatherTrace.from_csv(path)
    path.write_text("no_fly\n")
    with pytest.raises(ValueError, match="no hourly rows"):
        WeatherTrace.from_csv(path)
    path.write_text("hour,no_fly\n0,1\n")
    with pytest.raises(ValueError, match=r"has columns \['hour', 'no_fly'\]; name the no-fly"):
        WeatherTrace.from_csv(path)
    with pytest.raises(ValueError, match="no column 'rain'"):
        WeatherTrace.from_csv(path, column="rain")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"no_fly_share": 1.2}, r"no_fly_share must be in \[0, 1\]"),
        ({"mean_spell_h": 0.5}, "mean_spell_h must be a number of hours >= 1"),
        ({"days": 0}, "days must be an integer >= 1"),
        ({"days": 1.5}, "days must be an integer >= 1"),
        ({"no_fly_share": 0.9, "mean_spell_h": 2.0}, "raise mean_spell_h to at least 9"),
    ],
)
def test_markov_invalid_parameters(kwargs: dict[str, float], message: str) -> None:
    params: dict[str, float] = {"no_fly_share": 0.3, "mean_spell_h": 3.0, "days": 1}
    params.update(kwargs)
    with pytest.raises(ValueError, match=message):
        WeatherTrace.markov(
            params["no_fly_share"],
            params["mean_spell_h"],
            params["days"],  # type: ignore[arg-type]
            np.random.default_rng(0),
        )


def test_indicator_must_be_binary_and_non_empty() -> None:
    with pytest.raises(ValueError, match="non-empty 1-D"):
        WeatherTrace([])
    with pytest.raises(ValueError, match="only 0/1 or booleans"):
        WeatherTrace([0, 2, 1])
    assert WeatherTrace(np.array([0, 1, 1])).no_fly.tolist() == [False, True, True]
