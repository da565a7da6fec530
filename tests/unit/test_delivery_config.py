"""Last-mile config: defaults and their YAML with sources, variants, pinned error messages."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import twin
from twin.config.delivery import DeliveryConfig
from twin.config.load import config_dir
from twin.errors import ConfigError

pytestmark = pytest.mark.unit

ONE_STORE = ["network=single_store"]


def invalid(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        twin.load_config(ONE_STORE + overrides)


# --- defaults and variants ---------------------------------------------------------------------


def test_default_is_the_mixed_fleet_and_its_yaml_restates_the_schema() -> None:
    assert twin.load_config(ONE_STORE).delivery == DeliveryConfig()
    assert twin.load_config([*ONE_STORE, "delivery=mixed"]).delivery == DeliveryConfig()


def test_every_default_value_names_its_source() -> None:
    numeric = re.compile(r"^\s*[a-z_0-9]+:\s*(-?[0-9.]+|\{.*\}|\[.*\]|[a-z_]+)\s")
    tagged = re.compile(r"#.*(\[[PIL]\]|derived|assumption|DOMAIN|only|\|)")
    for name in ("mixed", "courier_only", "drone_heavy"):
        text = (Path(config_dir()) / "delivery" / f"{name}.yaml").read_text()
        for line in text.splitlines():
            if numeric.match(line + " ") and not line.strip().startswith(("trace_", "enabled")):
                assert tagged.search(line), f"{name}.yaml: no source on: {line.strip()}"


def test_variants_change_only_the_fleets() -> None:
    base = DeliveryConfig()
    couriers = twin.load_config([*ONE_STORE, "delivery=courier_only"]).delivery
    assert couriers.drone.drones == 0
    assert "drone" not in couriers.channel_modes["delivery"]
    assert dataclasses.replace(couriers, channel_modes=base.channel_modes, drone=base.drone) == base
    heavy = twin.load_config([*ONE_STORE, "delivery=drone_heavy"]).delivery
    assert heavy.drone.drones > base.drone.drones
    assert heavy.drone.payload_kg > base.drone.payload_kg
    assert heavy.bike.vehicles == 0


# --- pinned error messages ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1.5"])
def test_payload_must_be_positive(value: str) -> None:
    invalid(
        [f"delivery.drone.payload_kg={value}"],
        f"Invalid configuration: delivery.drone.payload_kg = {float(value)!r}; "
        "expected a number > 0.",
    )


def test_range_shorter_than_the_nearest_zone_fails_before_time_zero() -> None:
    # the configured fleet (with the planner on, no drone is planned for a store none reaches)
    config = twin.load_config(
        [*ONE_STORE, "planner.fleet.mode=fixed", "delivery.drone.range_km=0.5"]
    )
    with pytest.raises(ConfigError) as raised:
        twin.simulate(config)
    message = str(raised.value)
    assert message.startswith(
        "Invalid configuration: delivery.drone.range_km = 0.5; expected a round trip of at "
        "least 2.24 km, twice the straight line from store S01 to its nearest customer zone "
        "Z002 (1.12 km)."
    ), message
    assert message.endswith("or set delivery.drone.drones=0 to run without drones.")


def test_range_check_is_skipped_without_drones() -> None:
    config = twin.load_config(
        [*ONE_STORE, "delivery.drone.range_km=0.5", "delivery.drone.drones=0"]
    )
    twin.simulate(config)


def test_a_channel_with_orders_needs_a_courier_fleet() -> None:
    invalid(
        ["delivery.van.vehicles=0", "delivery.bike.vehicles=0"],
        "Invalid configuration: delivery.channel_modes.delivery = ['drone', 'bike', 'van']; "
        "expected at least one courier mode (van or bike) with vehicles: channel delivery has "
        "orders (orders.delivery.daily_orders_per_store = 15) and drones cannot carry every "
        "order; the fleets are delivery.van.vehicles = 0, delivery.bike.vehicles = 0, "
        "delivery.drone.drones = 2. Add vehicles, list a courier mode, or set "
        "orders.delivery.enabled=false.",
    )


def test_a_drone_only_channel_is_refused() -> None:
    invalid(
        ["delivery.channel_modes.replenishment=[drone]"],
        "delivery.channel_modes.replenishment = ['drone']; expected at least one courier mode",
    )


def test_no_fleet_is_fine_for_a_channel_without_orders() -> None:
    twin.load_config(
        [
            *ONE_STORE,
            "delivery.channel_modes.replenishment=[drone]",
            "orders.replenishment.enabled=false",
        ]
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["delivery.drone.packs=0"],
            "delivery.drone.packs = 0; expected at least 1 battery pack when drones = 2. "
            "Set delivery.drone.drones=0 to run without drones.",
        ),
        (
            ["delivery.bike.batch_orders=5"],
            "delivery.bike.batch_orders = 5; expected at most capacity_orders (4).",
        ),
        (
            ["delivery.channel_modes.delivery=[truck]"],
            "delivery.channel_modes.delivery = ['truck']; expected a non-empty list of distinct "
            "modes from van, bike, drone.",
        ),
        (
            ["delivery.dispatch=waves", "delivery.wave_hours=[11,9]"],
            "delivery.wave_hours = [11.0, 9.0]; expected at least one wave hour, increasing",
        ),
        (
            ["delivery.drone.weather.no_fly_share=0.9"],
            "delivery.drone.weather.mean_spell_h = 3.0; expected at least 9 h with "
            "no_fly_share = 0.9",
        ),
        (
            ["delivery.drone.weather.kind=trace"],
            "delivery.drone.weather.trace_csv = ''; expected the path of an existing hourly CSV",
        ),
        (
            ["delivery.bike.end_hour=8"],
            "delivery.bike.end_hour = 8; expected an hour after start_hour (8).",
        ),
        (
            ["delivery.on_not_home=neighbour"],
            "delivery.on_not_home = 'neighbour'; expected one of retry, locker, doorstep.",
        ),
        (
            ["delivery.inhome.fail_prob=1.5"],
            "delivery.inhome.fail_prob = 1.5; expected a number <= 1.",
        ),
        (
            ["+delivery.drone.wings=4"],
            "delivery.drone.wings = 4; expected a known key; delivery.drone has: charge_s,",
        ),
    ],
)
def test_bad_values_name_key_value_and_expectation(overrides: list[str], message: str) -> None:
    invalid(overrides, message)


def test_a_weather_trace_file_is_read(tmp_path: Path) -> None:
    trace = tmp_path / "weather.csv"
    trace.write_text("no_fly\n" + "0\n" * 10 + "1\n" * 14)
    config = twin.load_config(
        [
            *ONE_STORE,
            "delivery.drone.weather.kind=trace",
            f"delivery.drone.weather.trace_csv={trace}",
        ]
    )
    assert config.delivery.drone.weather.trace_csv == str(trace)
    bad = tmp_path / "bad.csv"
    bad.write_text("no_fly\nmaybe\n")
    config = twin.load_config(
        [*ONE_STORE, "delivery.drone.weather.kind=trace", f"delivery.drone.weather.trace_csv={bad}"]
    )
    with pytest.raises(ConfigError, match=re.escape("delivery.drone.weather.trace_csv = ")):
        twin.simulate(config)
