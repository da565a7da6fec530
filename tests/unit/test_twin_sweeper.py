"""The twin's sweeper checks a grid by composing one job per shape, and still stops a bad
value or an unknown key before any job runs (hydra_plugins/twin_sweeper)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException
from omegaconf import DictConfig

from twin.config.load import register


class CountingLoader:
    """The real config loader, counting the jobs it composes."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.composed: list[list[str]] = []

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> Any:
        self.composed.append(sweep_overrides)
        return self.loader.load_sweep_config(master_config, sweep_overrides)


@pytest.fixture(scope="module")
def master() -> Iterator[DictConfig]:
    register()
    with initialize_config_module("twin.configs", version_base="1.3"):
        yield compose("config", overrides=["network=single_store"], return_hydra_config=True)


def sweeper(master: DictConfig) -> tuple[Any, CountingLoader]:
    # as Hydra has it after its plugin scan (which reloads the plugin modules)
    module = importlib.import_module("hydra_plugins.twin_sweeper.twin_sweeper")
    loader = CountingLoader(GlobalHydra.instance().config_loader())
    sweeper = module.TwinBasicSweeper(max_batch_size=None)
    sweeper.config = master
    sweeper.hydra_context = type("Context", (), {"config_loader": loader})()
    return sweeper, loader


def test_the_default_sweeper_is_the_twins(master: DictConfig) -> None:
    assert master.hydra.sweeper._target_.endswith("twin_sweeper.TwinBasicSweeper")


def test_a_grid_composes_one_job_per_shape(master: DictConfig) -> None:
    grid = [
        [f"run.seed={seed}", f"formats.grocery.checkout.lanes={lanes}"]
        for seed in (1, 2)
        for lanes in (3, 4)
    ]
    groups = [["demand=default", "run.seed=5"], ["demand=default", "run.seed=6"]]
    forced = [["++run.days=2"], ["++run.days=3"]]
    added = [["+experiment=more_lanes"], ["+experiment=heatwave"]]  # additions: each composed
    check, loader = sweeper(master)
    check.validate_batch_is_legal(grid + groups + forced + added)
    assert loader.composed == [grid[0], groups[0], forced[0], *added]


@pytest.mark.parametrize(
    "bad", ["run.seed=abc", "formats.grocery.checkout.lanes=many", "run.no_such_key=1"]
)
def test_a_bad_later_job_still_stops_the_sweep(master: DictConfig, bad: str) -> None:
    batch = [["run.seed=1", "formats.grocery.checkout.lanes=3"]]
    key = bad.split("=")[0]
    other = "formats.grocery.checkout.lanes=4" if key == "run.seed" else "run.seed=2"
    batch.append(sorted([bad, other], key=lambda o: not o.startswith("run.seed")))
    check, _ = sweeper(master)
    with pytest.raises(ConfigCompositionException):
        check.validate_batch_is_legal(batch)
