"""One-time in-home access codes: single use, window only, outcome counts, uniqueness."""

from __future__ import annotations

import numpy as np
import pytest

from twin.domain.lastmile.access_code import CODE_SPACE, AccessCodes, AccessOutcome

pytestmark = pytest.mark.unit


def _codes(seed: int = 0, block: int = 1024) -> AccessCodes:
    return AccessCodes(np.random.default_rng(seed), block=block)


def test_code_cannot_be_used_twice() -> None:
    codes = _codes()
    code = codes.issue(100.0, 200.0, now_s=0.0)
    assert codes.verify(code, 150.0) is AccessOutcome.ACCEPTED
    assert codes.verify(code, 160.0) is AccessOutcome.REFUSED_USED
    # Used takes precedence over the window: a replay after the window still reads as used.
    assert codes.verify(code, 500.0) is AccessOutcome.REFUSED_USED


def test_code_only_valid_inside_its_window_inclusive() -> None:
    codes = _codes()
    code = codes.issue(100.0, 200.0, now_s=0.0)
    assert codes.verify(code, 99.999) is AccessOutcome.REFUSED_OUTSIDE_WINDOW
    assert codes.verify(code, 200.001) is AccessOutcome.REFUSED_OUTSIDE_WINDOW
    # Refusals do not use the code up.
    assert codes.verify(code, 100.0) is AccessOutcome.ACCEPTED
    late = codes.issue(100.0, 200.0, now_s=0.0)
    assert codes.verify(late, 200.0) is AccessOutcome.ACCEPTED


def test_unknown_code_is_refused() -> None:
    codes = _codes()
    issued = codes.issue(0.0, 10.0, now_s=0.0)
    unknown = (issued + 1) % CODE_SPACE
    assert codes.verify(unknown, 5.0) is AccessOutcome.REFUSED_UNKNOWN


def test_refusal_reasons_are_counted() -> None:
    codes = _codes()
    assert codes.counts == dict.fromkeys(AccessOutcome, 0)
    first = codes.issue(0.0, 100.0, now_s=0.0)
    second = codes.issue(50.0, 150.0, now_s=0.0)
    issued = {first, second}
    unknown = next(c for c in range(CODE_SPACE) if c not in issued)
    assert codes.verify(second, 10.0) is AccessOutcome.REFUSED_OUTSIDE_WINDOW
    assert codes.verify(first, 10.0) is AccessOutcome.ACCEPTED
    assert codes.verify(first, 20.0) is AccessOutcome.REFUSED_USED
    assert codes.verify(unknown, 20.0) is AccessOutcome.REFUSED_UNKNOWN
    assert codes.verify(unknown, 21.0) is AccessOutcome.REFUSED_UNKNOWN
    assert codes.verify(second, 160.0) is AccessOutcome.REFUSED_OUTSIDE_WINDOW
    assert codes.verify(second, 60.0) is AccessOutcome.ACCEPTED
    assert codes.verify(first, 30.0) is AccessOutcome.REFUSED_USED
    assert codes.counts == {
        AccessOutcome.ACCEPTED: 2,
        AccessOutcome.REFUSED_OUTSIDE_WINDOW: 2,
        AccessOutcome.REFUSED_USED: 2,
        AccessOutcome.REFUSED_UNKNOWN: 2,
    }


def test_codes_are_six_digits_and_reproducible() -> None:
    first = _codes(seed=5)
    again = _codes(seed=5)
    drawn = [first.issue(0.0, 1.0, now_s=0.0) for _ in range(50)]
    assert drawn == [again.issue(0.0, 1.0, now_s=0.0) for _ in range(50)]
    assert all(0 <= code < CODE_SPACE for code in drawn)
    assert drawn != [_codes(seed=6).issue(0.0, 1.0, now_s=0.0) for _ in range(50)]


class _CollidingRng:
    """Stands in for a Generator: hands out a scripted sequence of codes."""

    def __init__(self, codes: list[int]) -> None:
        self._codes = codes

    def integers(self, low: int, high: int, size: int) -> np.ndarray:
        batch, self._codes = self._codes[:size], self._codes[size:]
        return np.asarray(batch)


def test_live_codes_are_never_reissued_but_expired_ones_may_be() -> None:
    rng = _CollidingRng([7, 7, 7, 8, 7])
    codes = AccessCodes(rng, block=1)  # type: ignore[arg-type]
    assert codes.issue(0.0, 100.0, now_s=0.0) == 7
    # 7 is live (its window ends at 100), so the draws of 7 are skipped until 8.
    assert codes.issue(0.0, 100.0, now_s=50.0) == 8
    # At now_s = 150 the first 7 has expired and may be drawn again for a new delivery.
    assert codes.issue(150.0, 250.0, now_s=150.0) == 7
    assert codes.verify(7, 200.0) is AccessOutcome.ACCEPTED


def test_many_live_codes_are_unique() -> None:
    codes = _codes(seed=11)
    issued = [codes.issue(0.0, 1e9, now_s=0.0) for _ in range(20_000)]
    assert len(set(issued)) == len(issued)
    assert codes.live_count(0.0) == 20_000


def test_expired_codes_are_forgotten_and_memory_stays_bounded() -> None:
    codes = _codes(seed=3, block=64)
    # A long run: each code is live for 100 s and one is issued per second.
    for second in range(20_000):
        now = float(second)
        code = codes.issue(now, now + 100.0, now_s=now)
        assert codes.verify(code, now + 1.0) is AccessOutcome.ACCEPTED
    assert len(codes._grants) <= 4 * 128  # about twice the live codes, never the whole run
    assert codes.counts[AccessOutcome.ACCEPTED] == 20_000


@pytest.mark.parametrize(
    ("window", "now_s", "message"),
    [
        ((200.0, 100.0), 0.0, r"start <= end, got \[200.0, 100.0\]"),
        ((0.0, 100.0), 150.0, "has already ended at now_s = 150.0"),
    ],
)
def test_invalid_windows_raise(window: tuple[float, float], now_s: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _codes().issue(window[0], window[1], now_s=now_s)


def test_invalid_block_raises() -> None:
    with pytest.raises(ValueError, match="block must be >= 1"):
        _codes(block=0)
