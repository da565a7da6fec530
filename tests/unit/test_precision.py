"""Sequential replications: run.precision adds replications until a KPI's CI is narrow enough."""

from __future__ import annotations

import math

import numpy as np
import pytest

import twin
from twin.errors import ConfigError
from twin.experiment.precision import PrecisionState, next_replications
from twin.kpi.stats import t_interval

pytestmark = pytest.mark.unit

SMALL = ["network=single_store", "formats.grocery.demand_scale=0.3"]


def network_values(result: twin.SimulationResult, kpi: str, stat: str) -> list[float]:
    rows = result.kpis
    rows = rows[(rows["store"] == "all") & (rows["kpi"] == kpi) & (rows["stat"] == stat)]
    return rows.sort_values("replication")["value"].tolist()


def test_replications_are_added_until_the_target_is_met() -> None:
    config = twin.load_config(
        [
            *SMALL,
            "run.replications=2",
            "run.precision.kpi=store.time_in_store_s",
            "run.precision.relative_half_width=0.03",
            "run.precision.max_replications=40",
        ]
    )
    result = twin.simulate(config)
    values = network_values(result, "store.time_in_store_s", "mean")
    mean, half_width = t_interval(np.array(values))
    assert 2 < len(values) < 40
    assert half_width / mean <= 0.03
    # the first replications are exactly those of a plain run with the same seed
    plain = twin.simulate(twin.load_config([*SMALL, "run.replications=2"]))
    assert values[:2] == network_values(plain, "store.time_in_store_s", "mean")
    summary = result.summary
    row = summary[
        (summary["store"] == "all")
        & (summary["kpi"] == "store.time_in_store_s")
        & (summary["stat"] == "mean")
    ].iloc[0]
    assert row["n_reps"] == len(values)


def test_max_replications_stops_the_search_with_a_warning() -> None:
    config = twin.load_config(
        [
            *SMALL,
            "run.replications=2",
            "run.precision.kpi=store.time_in_store_s",
            "run.precision.relative_half_width=0.0001",
            "run.precision.max_replications=4",
        ]
    )
    with pytest.warns(RuntimeWarning, match=r"after 4 replications \(target 0\.0%\)"):
        result = twin.simulate(config)
    assert sorted(result.kpis["replication"].unique()) == [0, 1, 2, 3]


def test_an_unknown_kpi_fails_before_time_zero() -> None:
    config = twin.load_config([*SMALL, "run.precision.kpi=checkout.wiat_s"])
    with pytest.raises(
        ConfigError,
        match=r"run\.precision\.kpi = 'checkout\.wiat_s'; expected "
        r"a KPI name, one of: .*checkout\.wait_s",
    ):
        twin.simulate(config)


def test_the_target_must_be_positive() -> None:
    with pytest.raises(ConfigError, match=r"run\.precision\.relative_half_width = 0"):
        twin.load_config([*SMALL, "run.precision.relative_half_width=0"])


@pytest.mark.parametrize(
    ("relative", "n_reps", "expected"),
    [
        (0.10, 4, 16),  # twice too wide: four times the replications
        (0.051, 10, 11),  # just too wide: at least one more
        (math.inf, 3, 6),  # no estimate yet (one replication, or zero mean): double
        (1.0, 10, 50),  # capped at max_replications
    ],
)
def test_next_replications(relative: float, n_reps: int, expected: int) -> None:
    state = PrecisionState(n_reps, 1.0, relative)
    assert next_replications(state, 0.05, n_reps, 50) == expected
