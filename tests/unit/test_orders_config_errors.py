"""Bad online-order, fulfilment and sizing settings fail before time 0 with pinned messages."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

import twin
from twin.config.validate import validate
from twin.core.sampling import DistSpec
from twin.errors import ConfigError

pytestmark = pytest.mark.unit

STORE = "fulfilment.store"

# Through Hydra, as a user types them: the message names the full key, value, expectation.
COMMAND_LINE = [
    (  # negative dwell
        [f"{STORE}.collection.dwell_s={{kind:lognormal,mean:-600,cv:1}}"],
        "Invalid configuration: fulfilment.store.collection.dwell_s.mean = -600.0; expected a "
        "number > 0 for a lognormal distribution.",
    ),
    (  # zero compartments in a zone that has items
        [f"{STORE}.lockers.frozen.compartments=0"],
        "Invalid configuration: fulfilment.store.lockers.frozen.compartments = 0; expected at "
        "least 1 compartment: pickup orders have frozen items (orders.zones.frozen.share = "
        "0.08). Set the share to 0, or use collection.method counter.",
    ),
    (
        ["+fulfilment.store_overrides={S01:{lockers:{chilled:{compartments:0}}}}"],
        "fulfilment.store_overrides.S01.lockers.chilled.compartments = 0; expected at least 1 "
        "compartment: pickup orders have chilled items (orders.zones.chilled.share = 0.35).",
    ),
    (  # the spelling before issue 17: refused, naming the key that replaced it
        ["+fulfilment.store_overrides={S01:{pickers:4,chilled_compartments:10}}"],
        "Invalid configuration: fulfilment.store_overrides.S01.chilled_compartments = "
        "'(retired spelling)'; expected the key "
        "fulfilment.store_overrides.S01.lockers.chilled.compartments.",
    ),
    (  # a typo under a store's override: the keys it has
        ["+fulfilment.store_overrides={S01:{lockers:{chilled:{compartment:10}}}}"],
        "fulfilment.store_overrides.S01.lockers.chilled.compartment = '(unknown key)'; expected "
        "a known key (did you mean 'compartments'?)",
    ),
    (  # targets outside [0, 1]
        ["sizing.ready_within_promise_target=1.5"],
        "Invalid configuration: sizing.ready_within_promise_target = 1.5; expected a number <= 1.",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), COMMAND_LINE)
def test_bad_input_names_key_value_and_expectation(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        twin.load_config(["network=single_store", *overrides])


@pytest.fixture(scope="module")
def base() -> twin.TwinConfig:
    return twin.load_config(["network=single_store"])


def _set(path: str, value: Any) -> Callable[[twin.TwinConfig], None]:
    def apply(config: twin.TwinConfig) -> None:
        *parents, name = path.split(".")
        node: Any = config
        for part in parents:
            node = getattr(node, part)
        setattr(node, name, value)

    return apply


def _all(*changes: Callable[[twin.TwinConfig], None]) -> Callable[[twin.TwinConfig], None]:
    def apply(config: twin.TwinConfig) -> None:
        for change in changes:
            change(config)

    return apply


C = f"{STORE}.collection"
# The same checks on the composed config (fast): each case changes one composed config.
SCHEMA = [
    (
        _set(f"{C}.dwell_s", DistSpec(kind="fixed", mean=-60.0)),
        "fulfilment.store.collection.dwell_s.mean = -60.0; expected a number >= 0.",
    ),
    (
        _set(f"{C}.dwell_s", DistSpec(kind="normal", mean=600.0, sd=300.0, low=-60.0)),
        "fulfilment.store.collection.dwell_s.low = -60.0; expected a truncation bound >= 0 for "
        "a duration.",
    ),
    (
        _set(f"{C}.early_s", DistSpec(kind="exponential", mean=-1.0)),
        "fulfilment.store.collection.early_s.mean = -1.0; expected a number > 0 for a "
        "exponential distribution.",
    ),
    (
        _set("sizing.overflow_target", -0.1),
        "Invalid configuration: sizing.overflow_target = -0.1; expected a number >= 0.",
    ),
    (
        _set("sizing.ready_within_promise_target", -0.5),
        "sizing.ready_within_promise_target = -0.5; expected a number >= 0.",
    ),
    (
        _set("orders.zones.ambient.share", 0.7),
        "orders.zones.ambient.share = 0.7; expected zone shares that add up to 1 (ambient + "
        "chilled + frozen = 1.13).",
    ),
    (
        _set(f"{C}.counter_staff", 0),
        "fulfilment.store.collection.counter_staff = 0; expected at least 1 when orders are "
        "handed over at the counter",
    ),
    (
        _all(_set(f"{C}.method", "curbside"), _set(f"{C}.curbside_runners", 0)),
        "fulfilment.store.collection.curbside_runners = 0; expected at least 1 for "
        "collection.method curbside.",
    ),
    (
        _set("fulfilment.channels_by_format", {"grocery": ["pickup", "drone"]}),
        "fulfilment.channels_by_format.grocery = 'drone'; expected channel names from pickup, "
        "delivery, replenishment.",
    ),
    (
        _set("fulfilment.channels_by_format", {"market": ["pickup"]}),
        "fulfilment.channels_by_format.market = 'market'; expected a store format, one of: ",
    ),
    (
        _set(f"{STORE}.lockers.ambient.size_shares", [1.0]),
        "fulfilment.store.lockers.ambient.size_shares = [1.0]; expected one share per size "
        "class (2 in size_volume_l, at least one).",
    ),
    (
        _set(f"{STORE}.lockers.chilled.size_volume_l", [47.0, 24.0]),
        "fulfilment.store.lockers.chilled.size_volume_l = [47.0, 24.0]; expected volumes > 0, "
        "from the smallest class to the largest.",
    ),
    (
        _set(f"{STORE}.lockers.ambient.compartments", -1),
        "fulfilment.store.lockers.ambient.compartments = -1; expected a number >= 0.",
    ),
    (
        _set("orders.pickup.handoff", "delivery"),
        "orders.pickup.handoff = 'delivery'; expected 'pickup' (the pickup channel's own handoff).",
    ),
    (
        _set("orders.delivery.close_hour", 6),
        "orders.delivery.close_hour = 6; expected an hour after open_hour (8).",
    ),
    (
        _set(f"{STORE}.picking.end_hour", 5),
        "fulfilment.store.picking.end_hour = 5; expected an hour after start_hour (7).",
    ),
    (
        _set("sizing.demand_scales", []),
        "sizing.demand_scales = []; expected a non-empty list of demand levels > 0",
    ),
    (
        _set(f"{STORE}.picking.priority", "random"),
        "fulfilment.store.picking.priority = 'random'; expected one of edf, fcfs.",
    ),
]


@pytest.mark.parametrize(("change", "message"), SCHEMA)
def test_bad_values_fail_validation_with_pinned_messages(
    base: twin.TwinConfig, change: Callable[[twin.TwinConfig], None], message: str
) -> None:
    config = copy.deepcopy(base)
    change(config)
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate(config)


def test_a_zone_without_items_needs_no_compartments() -> None:
    cfg = twin.load_config(
        [
            "network=single_store",
            f"{STORE}.lockers.frozen.compartments=0",
            "orders.zones.frozen.share=0",
            "orders.zones.ambient.share=0.65",
        ]
    )
    assert cfg.fulfilment.store.lockers.frozen.compartments == 0


def test_counter_collection_needs_no_compartments() -> None:
    cfg = twin.load_config(
        [
            "network=single_store",
            f"{STORE}.lockers.frozen.compartments=0",
            f"{STORE}.collection.method=counter",
        ]
    )
    assert cfg.fulfilment.store.collection.method == "counter"


def test_unknown_sizing_store_lists_the_stores() -> None:
    from twin.experiment.sizing import size_pickup

    cfg = twin.load_config(["network=single_store", "sizing.store=S99"])
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "Invalid configuration: sizing.store = 'S99'; expected a store offering pickup, "
            "one of: S01."
        ),
    ):
        size_pickup(cfg)
