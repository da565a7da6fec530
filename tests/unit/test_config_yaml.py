"""config.yaml of a run folder: the fast writer gives OmegaConf's text exactly, and reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from twin.config.load import from_yaml, load_config, to_yaml
from twin.config.schema import TwinConfig

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
CASES = (
    [[]]
    + [[f"network={p.stem}"] for p in sorted((CONFIGS / "network").glob("*.yaml"))]
    + [[f"delivery={p.stem}"] for p in sorted((CONFIGS / "delivery").glob("*.yaml"))]
    + [[f"+experiment={p.stem}"] for p in sorted((CONFIGS / "experiment").glob("*.yaml"))]
    + [["network=single_store", "run.seed=7", "formats.grocery.checkout.lanes=3"]]
)


@pytest.mark.parametrize("overrides", CASES, ids=lambda o: " ".join(o) or "default")
def test_to_yaml_writes_omegaconfs_text_of_every_shipped_config(overrides: list[str]) -> None:
    config = load_config(overrides)
    text = to_yaml(config)
    assert text == OmegaConf.to_yaml(OmegaConf.structured(config))
    assert from_yaml(text) == config


def test_to_yaml_of_the_bare_schema_writes_ints_of_float_fields_as_floats() -> None:
    config = TwinConfig()  # dataclass defaults, some of them ints in float fields
    assert to_yaml(config) == OmegaConf.to_yaml(OmegaConf.structured(config))
