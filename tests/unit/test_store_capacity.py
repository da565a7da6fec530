"""Locker capacity has one spelling: a store override keyed as ``fulfilment.store``, and one
helper (``FulfilmentConfig.capacity_of``) that the model, the planner and the sizing share."""

from __future__ import annotations

import pytest

import twin
from twin.config.fulfilment import CapacityConfig, capacity_key, renamed_key
from twin.domain.registry import FORMATS
from twin.experiment.sizing_output import recommendation_overrides
from twin.experiment.sizing_setup import resources_of, with_capacities
from twin.model import run_region
from twin.network.build import build_network

pytestmark = pytest.mark.unit

SINGLE = ["network=single_store", "planner.pickers.mode=fixed"]


def test_a_store_runs_the_store_capacities_unless_its_override_sets_them() -> None:
    config = twin.load_config(
        [*SINGLE, "+fulfilment.store_overrides={S01:{lockers:{chilled:{compartments:11}}}}"]
    )
    lockers = config.fulfilment.store.lockers
    s01 = config.fulfilment.capacity_of("S01")
    assert s01.pickers is None  # -1: keep fulfilment.store.picking
    assert s01.compartments == {
        "ambient": lockers.ambient.compartments,
        "chilled": 11,
        "frozen": lockers.frozen.compartments,
    }
    other = config.fulfilment.capacity_of("S99")  # no override at all
    assert other.compartments["chilled"] == lockers.chilled.compartments


def test_the_sizing_writes_what_the_helper_reads() -> None:
    config = twin.load_config(SINGLE)
    resources = resources_of(config)
    assert {r.name for r in resources} == {
        "pickers",
        "lockers.ambient",
        "lockers.chilled",
        "lockers.frozen",
    }
    capacities = {"pickers": 3, "lockers.ambient": 5, "lockers.chilled": 6, "lockers.frozen": 2}
    trial = with_capacities(config, "S01", capacities, resources)
    s01 = trial.fulfilment.capacity_of("S01")
    assert s01.pickers == 3
    assert s01.compartments == {"ambient": 5, "chilled": 6, "frozen": 2}
    # ... and the override it prints for the user loads into the same capacities
    applied = twin.load_config([*SINGLE, *recommendation_overrides("S01", capacities)])
    assert applied.fulfilment.capacity_of("S01") == s01


def test_only_sized_resources_have_a_capacity_key() -> None:
    assert capacity_key("pickers") == "pickers"
    assert capacity_key("lockers.frozen") == "lockers.frozen.compartments"
    with pytest.raises(ValueError, match=r"not a sized resource: 'lockers\.warm'"):
        capacity_key("lockers.warm")
    with pytest.raises(ValueError, match="not a sized resource"):
        CapacityConfig().set_capacity("frozen_compartments", 2)


def test_the_retired_spelling_names_its_new_key() -> None:
    old = "fulfilment.store_overrides.S07.frozen_compartments"
    assert renamed_key(old) == "fulfilment.store_overrides.S07.lockers.frozen.compartments"
    assert renamed_key("fulfilment.store_overrides.S07.pickers") is None
    assert renamed_key("fulfilment.store.lockers.frozen.compartments") is None


def test_the_model_builds_the_locker_bank_from_the_helper() -> None:
    config = twin.load_config(
        [
            *SINGLE,
            "run.days=1",
            "+fulfilment.store_overrides={S01:{lockers:{ambient:{compartments:3},"
            "frozen:{compartments:1}}}}",
        ]
    )
    region = build_network(config.network, FORMATS.keys()).regions[0]
    result = run_region(config, region, 0, keep_logs=True)
    (lockers,) = result.logs["lockers"]
    expected = config.fulfilment.capacity_of("S01").compartments
    assert lockers.compartments.tolist() == [3, expected["chilled"], 1]
