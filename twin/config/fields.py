"""Declaring config fields with their range checks next to their defaults.

``num(default, ge=0)`` is a dataclass field whose metadata carries the check; the validator in
:mod:`twin.config.validate` walks a config and applies every check, naming the full key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any


def num(
    default: Any,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    doc: str = "",
) -> Any:
    """A numeric field with optional bounds (ge/gt/le/lt)."""
    return field(default=default, metadata={"ge": ge, "gt": gt, "le": le, "lt": lt, "doc": doc})


def prob(default: float, doc: str = "") -> Any:
    """A probability or fraction in [0, 1]."""
    return num(default, ge=0.0, le=1.0, doc=doc)


def choice(default: str, choices: tuple[str, ...], doc: str = "") -> Any:
    """A string that must be one of ``choices``."""
    return field(default=default, metadata={"choices": choices, "doc": doc})


def dist(factory: Callable[[], Any], *, positive: bool = True, doc: str = "") -> Any:
    """A :class:`twin.core.sampling.DistSpec` field; ``positive`` forbids negative draws."""
    return field(default_factory=factory, metadata={"dist_positive": positive, "doc": doc})


def items(
    factory: Callable[[], Any],
    *,
    ge: float | None = None,
    le: float | None = None,
    length: int | None = None,
    doc: str = "",
) -> Any:
    """A list field whose items are bounded, optionally of a fixed length."""
    return field(
        default_factory=factory,
        metadata={"item_ge": ge, "item_le": le, "length": length, "doc": doc},
    )
