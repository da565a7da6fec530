"""The sweep manifest's seed and scenario per job, read from the overrides without composing
each job's config, equal what composing gives (twin.cli_callbacks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

from twin.cli_callbacks import _identity, _needs_composing, _overridden_identity
from twin.config.load import register


@pytest.fixture(scope="module")
def master() -> Iterator[DictConfig]:
    register()
    with initialize_config_module("twin.configs", version_base="1.3"):
        # as a sweep's config: its own overrides applied, the swept ones (a,b) not
        yield compose("config", overrides=["network=single_store"], return_hydra_config=True)


@pytest.mark.parametrize(
    "overrides",
    [
        ["run.seed=5"],
        ["run.seed='7'"],
        ["run.scenario=alt"],
        ["run.scenario='with space'", "run.seed=11"],
        ["++run.seed=3"],
        ["run.days=2", "formats.grocery.checkout.lanes=3"],
        ["network=single_store", "run.seed=9"],  # the sweep's own group override, repeated
        [],
    ],
)
def test_identity_from_the_overrides_equals_the_composed_one(
    master: DictConfig, overrides: list[str]
) -> None:
    assert not _needs_composing(master, overrides)
    loader = GlobalHydra.instance().config_loader()
    composed = loader.load_sweep_config(master, list(overrides))
    assert _overridden_identity(_identity(master), overrides) == _identity(composed)


@pytest.mark.parametrize(
    "overrides",
    [
        ["+experiment=more_lanes"],
        ["network=metro"],
        ["~run.scenario"],
        ["run.seed=1", "demand=default"],
    ],
)
def test_group_overrides_and_deletions_are_composed(
    master: DictConfig, overrides: list[str]
) -> None:
    assert _needs_composing(master, overrides)
