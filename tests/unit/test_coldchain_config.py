"""Cold-chain config: defaults, the YAML files that restate them, and pinned error messages."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from twin.config.coldchain import (
    ColdChainConfig,
    ProductCategoryConfig,
    activation_energy_matching_q10,
)
from twin.config.load import config_dir
from twin.config.validate import validate
from twin.domain.coldchain.shelf_life import shelf_life_s
from twin.domain.coldchain.shelf_life_kinetics import Kinetics
from twin.errors import ConfigError

pytestmark = pytest.mark.unit

KEY = "coldchain"
DAY_S = 86400.0


def composed(option: str) -> ColdChainConfig:
    """configs/coldchain/<option>.yaml merged onto the schema and validated."""
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        raw = compose(overrides=[f"+coldchain={option}"])
    node = OmegaConf.merge(OmegaConf.structured(ColdChainConfig), raw.coldchain)
    config = OmegaConf.to_object(node)
    assert isinstance(config, ColdChainConfig)
    validate(config, KEY)
    return config


def invalid(config: ColdChainConfig, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate(config, KEY)


# --- defaults ----------------------------------------------------------------------------------


def test_defaults_are_valid() -> None:
    validate(ColdChainConfig(), KEY)


def test_default_yaml_restates_the_schema_defaults() -> None:
    assert composed("default") == ColdChainConfig()


def test_heatwave_yaml_is_the_default_on_a_hot_day() -> None:
    hot = composed("heatwave")
    assert hot.enabled and hot.heatwave.enabled
    assert dataclasses.replace(hot, heatwave=ColdChainConfig().heatwave) == ColdChainConfig()
    assert max(hot.outdoor_profile_c()) == 35.0
    assert max(ColdChainConfig().outdoor_profile_c()) == 25.0
    assert hot.shop_floor_profile_c()[12] == ColdChainConfig().shop_floor_profile_c()[12] + 2.0


def test_every_default_value_names_its_source() -> None:
    text = (Path(config_dir()) / "coldchain" / "default.yaml").read_text()
    numeric = re.compile(r"^\s*[a-z_0-9]+:\s*(-?[0-9.]+|\{.*\})\s")
    tagged = re.compile(r"#.*(\[[PIL]\]|\[P-secondary\]|derived|assumption|DOMAIN)")
    for line in text.splitlines():
        if numeric.match(line + " "):
            assert tagged.search(line), f"no source on: {line.strip()}"


def test_defaults_follow_domain_md() -> None:
    categories = ColdChainConfig().categories
    assert set(categories) == {"produce", "dairy", "meat_fish", "frozen", "ambient"}
    assert categories["dairy"].q10 == 5.0
    assert categories["meat_fish"].q10 == 2.5
    assert categories["produce"].q10 == 3.0
    assert categories["meat_fish"].ref_shelf_life_s == 2 * DAY_S
    assert categories["dairy"].ref_shelf_life_s == 10 * DAY_S
    assert sum(c.order_item_share for c in categories.values()) == pytest.approx(1.0)
    packaging = ColdChainConfig().packaging
    assert (packaging.bare_pack_s, packaging.insulated_tote_s) == (3600.0, 21600.0)


@pytest.mark.parametrize("name", ["produce", "dairy", "meat_fish", "frozen", "ambient"])
def test_both_models_agree_near_the_reference_temperature(name: str) -> None:
    category = ColdChainConfig().categories[name]
    kinetics = {
        model: Kinetics(
            model,
            category.ref_shelf_life_s,
            category.ref_temp_c,
            category.q10,
            category.activation_energy_j_per_mol,
        )
        for model in ("q10", "arrhenius")
    }
    near = category.ref_temp_c + 2.0
    assert float(shelf_life_s(kinetics["arrhenius"], near)) == pytest.approx(
        float(shelf_life_s(kinetics["q10"], near)), rel=0.01
    )
    assert category.activation_energy_j_per_mol == pytest.approx(
        activation_energy_matching_q10(category.q10, category.ref_temp_c), rel=1e-3
    )


# --- bad input, pinned messages ----------------------------------------------------------------


def test_time_constant_must_be_positive() -> None:
    config = ColdChainConfig()
    config.packaging.insulated_tote_s = 0.0
    invalid(config, "coldchain.packaging.insulated_tote_s = 0.0; expected a number > 0.")


def test_q10_must_exceed_one() -> None:
    config = ColdChainConfig()
    config.categories["dairy"].q10 = 1.0
    invalid(config, "coldchain.categories.dairy.q10 = 1.0; expected a number > 1.")


def test_max_safe_temperature_not_below_storage() -> None:
    config = ColdChainConfig()
    config.categories["frozen"].max_safe_temp_c = -20.0
    invalid(
        config,
        "Invalid configuration: coldchain.categories.frozen.max_safe_temp_c = -20.0; expected a "
        "temperature >= storage_temp_c (-18 C). An item would be unsafe in its own storage.",
    )


@pytest.mark.parametrize(("share", "expected"), [(1.5, "a number <= 1."), (-0.1, "a number >= 0.")])
def test_share_must_be_a_fraction(share: float, expected: str) -> None:
    config = ColdChainConfig()
    config.categories["meat_fish"].order_item_share = share
    invalid(
        config, f"coldchain.categories.meat_fish.order_item_share = {share}; expected {expected}"
    )


def test_shares_must_add_up_to_one() -> None:
    config = ColdChainConfig()
    config.categories["dairy"].order_item_share = 0.2
    invalid(config, "order_item_share values that add up to 1 (they add up to 1.08). Rebalance")


def test_enabled_needs_a_category() -> None:
    config = ColdChainConfig(enabled=True, categories={})
    invalid(config, "coldchain.categories = {}; expected at least one product category.")


def test_unknown_model_and_zone_list_the_valid_ones() -> None:
    invalid(
        ColdChainConfig(
            categories={"x": ProductCategoryConfig(model="linear", order_item_share=1.0)}
        ),
        "coldchain.categories.x.model = 'linear'; expected one of q10, arrhenius.",
    )
    invalid(
        ColdChainConfig(categories={"x": ProductCategoryConfig(zone="warm", order_item_share=1.0)}),
        "coldchain.categories.x.zone = 'warm'; expected one of ambient, chilled, frozen.",
    )


def test_hourly_profile_needs_24_values() -> None:
    config = ColdChainConfig()
    config.environment.outdoor_c_by_hour = [20.0] * 23
    invalid(config, "expected a list of exactly 24 values (got 23).")


def test_fault_duration_is_a_positive_distribution() -> None:
    config = ColdChainConfig()
    config.faults.van_cooler.duration_s.mean = 0.0
    invalid(config, "coldchain.faults.van_cooler.duration_s.mean = 0.0; expected a number > 0")


def test_unknown_key_in_yaml_is_an_error() -> None:
    with pytest.raises(Exception, match="tau_s"):
        OmegaConf.merge(
            OmegaConf.structured(ColdChainConfig), OmegaConf.create({"packaging": {"tau_s": 1.0}})
        )
