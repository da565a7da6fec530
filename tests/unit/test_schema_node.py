"""The cached schema node (twin.config.schema_node) is the node OmegaConf builds, and stays so."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from omegaconf import DictConfig, ListConfig, OmegaConf

from twin.config.schema import TwinConfig
from twin.config.schema_node import schema_key, schema_node

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _shape(node: Any) -> Any:
    """Values with every node's type, reference type, object type and flags."""
    meta = node._metadata
    head = (type(node).__name__, str(meta.ref_type), str(meta.object_type), str(meta.flags))
    if isinstance(node, DictConfig):
        return (head, {k: _shape(node._get_node(k)) for k in node})
    if isinstance(node, ListConfig):
        return (head, [_shape(node._get_node(i)) for i in range(len(node))])
    return (head, repr(node._value()))


def test_the_cached_node_is_the_built_one_and_is_read_back(tmp_path: Path) -> None:
    built = OmegaConf.structured(TwinConfig)
    first = schema_node(tmp_path)  # builds and writes
    files = list(tmp_path.glob("twin_schema.*.pickle"))
    assert [f.name for f in files] == [f"twin_schema.{schema_key()}.pickle"]
    second = schema_node(tmp_path)  # reads
    assert second is not first
    assert _shape(first) == _shape(built) == _shape(second)


def test_a_damaged_or_stale_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / f"twin_schema.{schema_key()}.pickle"
    path.write_bytes(b"\x80\x05not a pickle")
    (tmp_path / "twin_schema.0000.pickle").write_bytes(b"old")
    node = schema_node(tmp_path)
    assert _shape(node) == _shape(OmegaConf.structured(TwinConfig))
    assert [f.name for f in tmp_path.glob("twin_schema.*")] == [path.name]
    assert _shape(schema_node(tmp_path)) == _shape(node)


def test_the_key_changes_with_a_default_a_type_or_a_nested_field() -> None:
    inner = dataclasses.make_dataclass("Inner", [("rate", float, dataclasses.field(default=1.0))])
    outer = dataclasses.make_dataclass(
        "Outer", [("inner", inner, dataclasses.field(default_factory=inner))]
    )
    other_default = dataclasses.make_dataclass(
        "Inner", [("rate", float, dataclasses.field(default=2.0))]
    )
    other_type = dataclasses.make_dataclass("Inner", [("rate", int, dataclasses.field(default=1))])
    keys = {
        schema_key(outer),
        schema_key(other_default),
        schema_key(other_type),
        schema_key(inner),
    }
    assert len(keys) == 4
    assert schema_key(outer) == schema_key(outer)


SCRIPT = """
import json, sys
from omegaconf import OmegaConf
from hydra import compose, initialize_config_dir
from twin.config.load import config_dir, register
register()
out = {}
for overrides in json.loads(sys.argv[1]):
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    out[" ".join(overrides)] = OmegaConf.to_container(cfg, resolve=False)
print(json.dumps(out, sort_keys=True, default=str))
"""


def test_the_composed_config_is_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    cases = [
        [],
        ["network=national"],
        ["+experiment=heatwave", "run.replications=2"],
        ["network=single_store", "formats.grocery.checkout.lanes=5", "delivery=mixed"],
    ]

    def composed(cache: str) -> dict[str, Any]:
        env = {**os.environ, "TWIN_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, json.dumps(cases)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=True,
        )
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    no_cache = composed("")
    assert not list(tmp_path.iterdir())
    writes = composed(str(tmp_path))
    reads = composed(str(tmp_path))
    assert len(list(tmp_path.glob("twin_schema.*.pickle"))) == 1
    assert no_cache == writes == reads
    assert len(no_cache) == len(cases)
