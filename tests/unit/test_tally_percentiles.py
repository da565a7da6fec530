"""A tally's percentiles are numpy's linear percentiles to the last bit (twin.kpi.stats)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from twin.kpi.stats import percentiles_linear, tally_summary

pytestmark = pytest.mark.unit

QUANTILES = (0.5, 0.9, 0.95)


def _samples(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    with_nan = rng.random(n)
    with_nan[rng.integers(0, n)] = np.nan
    return [
        rng.random(n),
        rng.exponential(300.0, n),
        np.round(rng.normal(0.0, 5.0, n)),  # ties, negatives, zeros
        rng.choice([0.0, -0.0, 1.0, np.inf, -np.inf, 1e300, -1e-300], n),
        rng.choice([0.0, -0.0], n),  # where equal values land decides the sign
        with_nan,
        rng.lognormal(0.0, 3.0, n) * rng.choice([-1.0, 1.0], n),
    ]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    )


@pytest.mark.parametrize("n", [*range(1, 42), 99, 100, 101, 1000, 1001, 20_001])
def test_percentiles_equal_numpys_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    for values in _samples(rng, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's inf - inf
            expected = np.percentile(values, [50, 90, 95])
        got = percentiles_linear(values, QUANTILES)
        assert all(_same(float(e), g) for e, g in zip(expected, got, strict=True)), (
            n,
            values,
            expected,
            got,
        )


def test_tally_summary_and_the_input_left_as_it_was() -> None:
    values = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    summary = tally_summary(values)
    assert summary == {"mean": 3.0, "p50": 3.0, "p90": 4.6, "p95": 4.8, "max": 5.0, "n": 5.0}
    np.testing.assert_array_equal(values, [5.0, 1.0, 4.0, 2.0, 3.0])
    assert math.isnan(tally_summary(np.zeros(0))["p50"])
