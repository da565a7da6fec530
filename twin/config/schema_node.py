"""The schema as the OmegaConf node Hydra composes onto, built once per schema (a cache file).

``OmegaConf.structured(TwinConfig)`` takes about 0.2 s (OmegaConf copies every nested node at
each level it is set), once in every process that composes a config: most of a config error's
time and a fifth of the default run's start-up beyond imports. Unpickling the same node takes
0.02 s. The node is kept in the user's cache folder (``cache_dir``; like matplotlib's font
cache), under a key that changes whenever what ``structured`` reads changes: every dataclass
of the schema tree with its fields' names, types and defaults (a default factory's value in
full), every enum's members, and the OmegaConf and Python versions. A missing, damaged or
stale file is rebuilt; where the folder cannot be written, or ``TWIN_CACHE_DIR`` is set
empty, the node is built every time, as before."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import os
import pickle
import sys
import typing
from pathlib import Path
from typing import Any

import omegaconf
from omegaconf import DictConfig, OmegaConf

from twin.config.schema import TwinConfig

PREFIX = "twin_schema."


def cache_dir() -> Path | None:
    """``TWIN_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/twin`` or ``~/.cache/twin``."""
    folder = os.environ.get("TWIN_CACHE_DIR")
    if folder is not None:
        return Path(folder) if folder.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "twin"


def schema_node(folder: Path | None = None) -> DictConfig:
    """``OmegaConf.structured(TwinConfig)``, from the cache file when it is current."""
    folder = cache_dir() if folder is None else folder
    if folder is None:
        return OmegaConf.structured(TwinConfig)
    path = folder / f"{PREFIX}{schema_key()}.pickle"
    try:
        node = pickle.loads(path.read_bytes())
        if isinstance(node, DictConfig):
            return node
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    node = OmegaConf.structured(TwinConfig)
    _write(path, pickle.dumps(node, protocol=pickle.HIGHEST_PROTOCOL))
    return node


def _write(path: Path, data: bytes) -> None:
    """Write atomically (a parallel process reads the old file or the new one), drop stale ones."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, path)
        for old in path.parent.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        temp.unlink(missing_ok=True)


def schema_key(root: Any = TwinConfig) -> str:
    """A hash of everything ``OmegaConf.structured(root)`` reads (see the module's text)."""
    lines = [f"omegaconf {omegaconf.__version__}", f"python {sys.version}"]
    _describe(root, set(), lines)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:20]


def _describe(hint: Any, seen: set[Any], lines: list[str]) -> None:
    """Append the dataclasses and enums reachable from ``hint``, each once, in field order."""
    if hint in seen:
        return
    seen.add(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = [(member.name, member.value) for member in hint]
        lines.append(f"enum {hint.__module__}.{hint.__qualname__} {members!r}")
        return
    if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        for arg in typing.get_args(hint):  # containers, unions, optionals
            _describe(arg, seen, lines)
        return
    hints = typing.get_type_hints(hint)
    lines.append(f"class {hint.__module__}.{hint.__qualname__}")
    for field in dataclasses.fields(hint):
        if field.default is not dataclasses.MISSING:
            default = repr(field.default)
        elif field.default_factory is not dataclasses.MISSING:
            default = repr(field.default_factory())
        else:
            default = "(required)"
        lines.append(f"  {field.name}: {hints[field.name]!r} = {default}")
        _describe(hints[field.name], seen, lines)
