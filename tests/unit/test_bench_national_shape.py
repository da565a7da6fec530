"""bench_national's network shape: --regions, --stores and overrides after the options."""

import pytest

import twin
from benchmarks.bench_national import national_overrides
from twin.domain.registry import FORMATS
from twin.network import build_network

pytestmark = pytest.mark.unit


def test_finer_regions_keep_the_stores_and_take_the_overrides_after_the_options():
    overrides = national_overrides(4, 6, 1, ["network.n_zones=20"])
    network = build_network(twin.load_config(overrides).network, FORMATS.keys())
    assert len(network.regions) == 4
    assert [len(region.stores) for region in network.regions] == [6, 6, 6, 6]
    assert {len(region.zones) for region in network.regions} == {20}


def test_without_the_options_the_national_configs_shape_counts():
    overrides = national_overrides(None, None, 1, [])
    assert not [override for override in overrides if override.startswith("network.n_")]
    network = build_network(twin.load_config(overrides).network, FORMATS.keys())
    assert len(network.regions) == 42
