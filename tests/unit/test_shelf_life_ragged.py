"""Ragged chains (``chain_stages(..., lengths=...)``) equal each item's own chain."""

from __future__ import annotations

import numpy as np
import pytest

from twin.domain.coldchain.shelf_life import chain_stages
from twin.domain.coldchain.shelf_life_kinetics import Kinetics

pytestmark = pytest.mark.unit

HOUR_S = 3600.0


@pytest.mark.parametrize("model", ["q10", "arrhenius"])
def test_each_item_goes_through_its_own_stages_only(model: str) -> None:
    rng = np.random.default_rng(3)
    n, width = 40, 6
    lengths = rng.integers(0, width + 1, n)
    env = rng.uniform(-5.0, 35.0, (width, n))
    duration = rng.uniform(0.0, 3 * HOUR_S, (width, n))
    tau = rng.choice([HOUR_S, 6 * HOUR_S], (width, n))
    start = rng.uniform(2.0, 6.0, n)
    ref_life = rng.uniform(2.0, 10.0, n) * 86400.0  # per-item kinetics are taken along
    kinetics = Kinetics(model, ref_life, 4.0, 3.0, 70_000.0)
    ragged = chain_stages(
        kinetics,
        start,
        [(env[k], duration[k], tau[k]) for k in range(width)],
        HOUR_S,
        8.0,
        lengths=lengths,
    )
    for i in range(n):
        own = chain_stages(
            Kinetics(model, ref_life[i], 4.0, 3.0, 70_000.0),
            start[i],
            [(env[k, i], duration[k, i], tau[k, i]) for k in range(lengths[i])],
            HOUR_S,
            8.0,
        )
        assert ragged.end_temp_c[i] == pytest.approx(float(own.end_temp_c), rel=1e-13)
        assert ragged.consumed_fraction[i] == pytest.approx(float(own.consumed_fraction), rel=1e-13)
        above = ragged.time_above_safe_s[:, i]
        assert above[: lengths[i]] == pytest.approx(own.time_above_safe_s.ravel(), rel=1e-13)
        assert np.all(above[lengths[i] :] == 0.0)


def test_lengths_must_fit_the_stages() -> None:
    kinetics = Kinetics("q10", 86400.0, 4.0, 3.0)
    stages = [(10.0, 60.0)]
    with pytest.raises(ValueError, match='"lengths" must be between 0 and the number of stages'):
        chain_stages(kinetics, np.array([4.0, 4.0]), stages, HOUR_S, 8.0, lengths=[1, 2])
    with pytest.raises(ValueError, match='"lengths" needs one value per item'):
        chain_stages(kinetics, np.array([4.0, 4.0]), stages, HOUR_S, 8.0, lengths=[1])
