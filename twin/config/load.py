"""Hydra composition of the configs/ tree into a validated :class:`TwinConfig`.

This module and the command line's (``twin.cli*``, ``hydra_plugins``) are the only places that
import hydra or omegaconf.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import importlib.resources
import re
import secrets
import types
import typing
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

import yaml
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.plugins import Plugins
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf._utils import get_omega_conf_dumper
from omegaconf.errors import OmegaConfBaseException

from twin.config.fulfilment import renamed_key
from twin.config.memory import check_memory
from twin.config.schema import TwinConfig
from twin.config.schema_node import schema_node
from twin.config.validate import validate
from twin.errors import ConfigError

SCHEMA_NAME = "twin_schema"
# One id per process: keeps two runs or sweeps started in the same second apart.
_PROCESS_UID = secrets.token_hex(3)


def config_dir() -> str:
    """Absolute path of the configs/ tree shipped inside the package."""
    return str(importlib.resources.files("twin.configs"))


def register() -> None:
    """Register the schema and the resolvers Hydra needs (idempotent, cheap after the first)."""
    store = ConfigStore.instance()
    if SCHEMA_NAME + ".yaml" not in store.list(""):
        store.store(name=SCHEMA_NAME, node=schema_node())  # cached: 0.2 s built, 0.02 s read
    _register_sweeper(store)
    if not OmegaConf.has_resolver("twin_uid"):
        OmegaConf.register_new_resolver("twin_uid", lambda: _PROCESS_UID)
    if not OmegaConf.has_resolver("twin_label"):
        OmegaConf.register_new_resolver("twin_label", folder_label)


def _register_sweeper(store: ConfigStore) -> None:
    """hydra_plugins/twin_sweeper as ``hydra/sweeper: basic``, the default sweeper (Optuna
    experiments still choose theirs), and hydra_plugins/twin_launcher as ``hydra/launcher:
    twin``, the default launcher (configs/config.yaml). Hydra's plugin scan does not see them
    in an editable install (setuptools' namespace finder cannot list modules), so they are
    registered by hand, after the scan: the scan reloads Hydra's BasicSweeper, which the
    twin's subclasses."""
    plugins = Plugins.instance()  # the scan, once per process
    if store.load("hydra/sweeper/basic.yaml").provider == "twin":
        return
    module = importlib.import_module("hydra_plugins.twin_sweeper.twin_sweeper")
    plugins.register(module.TwinBasicSweeper)
    store.store(group="hydra/sweeper", name="basic", node=module.TwinSweeperConf, provider="twin")
    launcher = importlib.import_module("hydra_plugins.twin_launcher.twin_launcher")
    plugins.register(launcher.TwinLauncher)  # hydra/launcher: twin, the default of twin -m
    store.store(
        group="hydra/launcher", name="twin", node=launcher.TwinLauncherConf, provider="twin"
    )


def folder_label(text: object) -> str:
    """A label (a scenario name) as one safe folder-name part: never a path, never empty.

    >>> folder_label("../../x")
    'x'
    >>> folder_label("base $2 'é'")
    'base_2'
    """
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._")
    return label[:64] or "run"


def load_config(overrides: Sequence[str] = (), config_name: str = "config") -> TwinConfig:
    """Compose configs/ with Hydra ``overrides`` and return the validated config.

    >>> cfg = load_config(["network=single_store", "run.replications=2"])
    >>> cfg.run.replications
    2
    """
    register()
    try:
        with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
            composed = compose(config_name=config_name, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        raise translate_error(exc) from None
    config = to_twin_config(composed)
    check_memory(config)
    return config


def to_twin_config(composed: DictConfig) -> TwinConfig:
    """Turn a composed DictConfig (with or without its ``hydra`` node) into a validated config."""
    node = composed
    if "hydra" in composed:
        node = composed.copy()
        with open_dict(node):
            del node["hydra"]
    try:
        config = OmegaConf.to_object(node)
    except OmegaConfBaseException as exc:
        raise translate_error(exc) from None
    if not isinstance(config, TwinConfig):
        raise ConfigError("<root>", type(config).__name__, "a config built on the twin schema")
    _reject_unknown_keys(config, TwinConfig, "")
    validate(config)
    return config


def _reject_unknown_keys(value: Any, cls: Any, key: str) -> None:
    """Keys added with ``+key=...`` that the schema does not know are errors, not ignored."""
    if not dataclasses.is_dataclass(cls):
        return
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for name in vars(value):
        full_key = f"{key}.{name}" if key else name
        if name not in known:
            raise ConfigError(
                full_key,
                getattr(value, name),
                f"a known key{did_you_mean(name, known)}; "
                f"{key or 'the root'} has: {', '.join(sorted(known))}",
            )
        _reject_unknown_keys(getattr(value, name), hints[name], full_key)


def to_yaml(config: TwinConfig) -> str:
    """The config as YAML text (what a run folder saves as config.yaml).

    The same text as ``OmegaConf.to_yaml(OmegaConf.structured(config))`` (a test compares
    them on every shipped config), written from the dataclasses directly: building the typed
    DictConfig cost more than a sweep job's simulation.
    """
    return yaml.dump(
        _plain(config),
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=False,
        Dumper=get_omega_conf_dumper(),
    )


def _plain(value: Any, hint: Any = None) -> Any:
    """``value`` as OmegaConf's ``to_container(enum_to_str=True)`` of its structured config:
    dataclasses as dicts in field order, enums by name, tuples as lists, ints as floats where
    the field is a float."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = _hints(type(value))
        return {
            f.name: _plain(getattr(value, f.name), hints.get(f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, list | tuple):
        item = _args(hint)[0] if _args(hint) else None
        return [_plain(v, item) for v in value]
    if isinstance(value, dict):
        args = _args(hint)
        item = args[1] if len(args) == 2 else None
        return {(k.name if isinstance(k, Enum) else k): _plain(v, item) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and float in _options(hint):
        return float(value)
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _args(hint: Any) -> tuple[Any, ...]:
    options = [o for o in _options(hint) if o is not type(None)]
    return typing.get_args(options[0]) if len(options) == 1 else ()


def _options(hint: Any) -> tuple[Any, ...]:
    """The types a hint allows (``float | None`` -> float, NoneType)."""
    if hint is None:
        return ()
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def from_yaml(text: str) -> TwinConfig:
    """Rebuild a validated config from YAML written by :func:`to_yaml`."""
    merged = OmegaConf.merge(schema_node(), OmegaConf.create(text))  # the cached schema node
    return to_twin_config(merged)  # type: ignore[arg-type]


# configs/ folders that look like groups but are not part of a run's config.
NOT_RUN_GROUPS = {
    "baseline": "a config group of a run (twin --help lists them); configs/baseline/ holds KPI "
    "baselines: check one with twin-baseline check NAME, or use +experiment=NAME for a what-if",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` (difflib), or ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=2, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


_NOT_IN_STRUCT = re.compile(r"Key '([^']+)' (?:is )?not in (?:struct|'\w+')")
_BAD_VALUE = re.compile(
    r"Value '(.*?)' (?:of type '\w+' )?(?:could not be converted to|is not a(?: valid)?) (\w+)"
)
_MISSING_OPTION = re.compile(r"Could not find '([^']+)'")


def translate_error(exc: BaseException) -> ConfigError:
    """A one-paragraph :class:`ConfigError` for a Hydra or OmegaConf composition error."""
    inner: BaseException = exc
    while inner.__cause__ is not None and isinstance(
        inner.__cause__, HydraException | OmegaConfBaseException
    ):
        inner = inner.__cause__
    text = str(inner)
    full_key = str(getattr(inner, "full_key", "") or "")
    missing = _MISSING_OPTION.search(str(exc))
    if missing:
        group = missing.group(1).rsplit("/", 1)[0]
        options = re.search(
            r"Available options in '[^']+':(.*?)(?:Config search path|$)", str(exc), re.S
        )
        listed = options.group(1).split() if options else []
        value = missing.group(1).rsplit("/", 1)[-1]
        expected = f"one of: {', '.join(listed)}" if listed else f"an option in configs/{group}"
        return ConfigError(group, value, expected + did_you_mean(value, listed))
    unknown = _NOT_IN_STRUCT.search(text)
    if unknown:
        key = full_key or unknown.group(1)
        if key in NOT_RUN_GROUPS:
            return ConfigError(key, "(not a config group of a run)", NOT_RUN_GROUPS[key])
        new_key = renamed_key(key)
        if new_key:
            return ConfigError(
                key,
                "(retired spelling)",
                f"the key {new_key}",
                "A store override spells a capacity as fulfilment.store does.",
            )
        parent = key.rsplit(".", 1)[0] if "." in key else ""
        known = known_keys(parent)
        if not known:  # a free-form mapping (e.g. network.format_mix): new keys need a '+'
            return ConfigError(
                key,
                "(new key)",
                f"an existing key of {parent}, or add it with a leading '+': +{key}=VALUE",
            )
        hint = did_you_mean(key.rsplit(".", 1)[-1], known)
        return ConfigError(
            key,
            "(unknown key)",
            f"a known key{hint}; {parent or 'the root'} has: {', '.join(known)}",
        )
    bad = _BAD_VALUE.search(text)
    if bad:
        return ConfigError(full_key or "?", bad.group(1), f"a value of type {bad.group(2)}")
    first_line = text.strip().splitlines()[0] if text.strip() else type(inner).__name__
    return ConfigError(full_key or "?", "(see message)", first_line)


def known_keys(path: str) -> list[str]:
    """Field names of the schema section at dotted ``path`` ('' for the root).

    A part under a mapping of sections (``fulfilment.store_overrides.S01``) is its key.
    """
    node: Any = TwinConfig
    for part in [p for p in path.split(".") if p]:
        if typing.get_origin(node) is dict:
            node = typing.get_args(node)[1]  # ``part`` is a key of the mapping
            continue
        if not dataclasses.is_dataclass(node):
            return []
        hints = typing.get_type_hints(node)
        if part not in hints:
            return []
        node = hints[part]
    return [f.name for f in dataclasses.fields(node)] if dataclasses.is_dataclass(node) else []
