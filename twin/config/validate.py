"""Validation of a composed config, before time 0, with errors that name the full key."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from twin.config.limits import check_number
from twin.core.sampling import DistSpec, validate_dist
from twin.errors import ConfigError


def validate(config: Any, key: str = "") -> None:
    """Check a config dataclass tree; raise :class:`ConfigError` on the first bad field.

    Field bounds come from the field metadata (see :mod:`twin.config.fields`); a dataclass's own
    ``check(key)`` method adds cross-field rules and runs after its fields are checked.
    """
    if isinstance(config, DistSpec):
        _check_dist_numbers(config, key or "dist")
        validate_dist(config, key or "dist")
        return
    if not dataclasses.is_dataclass(config):
        return
    for spec in dataclasses.fields(config):
        value = getattr(config, spec.name)
        full_key = f"{key}.{spec.name}" if key else spec.name
        _check_field(full_key, value, spec.metadata)
        _check_finite(full_key, value, spec.metadata)
        if isinstance(value, DistSpec):
            _check_dist_numbers(value, full_key)
            validate_dist(value, full_key, positive=bool(spec.metadata.get("dist_positive")))
        elif dataclasses.is_dataclass(value):
            validate(value, full_key)
        elif isinstance(value, dict):
            for name, item in value.items():
                if dataclasses.is_dataclass(item):
                    validate(item, f"{full_key}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    validate(item, f"{full_key}[{index}]")
    check = getattr(config, "check", None)
    if callable(check):
        check(key)


def _check_finite(key: str, value: Any, metadata: Any) -> None:
    """NaN and inf refused, and the unit's ceiling (twin.config.limits) unless one is declared."""
    declared = (metadata or {}).get("le")
    if declared is None:
        declared = (metadata or {}).get("lt")
    if isinstance(value, list):
        item_le = (metadata or {}).get("item_le")
        for index, item in enumerate(value):
            check_number(f"{key}[{index}]", item, item_le)
    elif isinstance(value, dict):
        for name, item in value.items():
            check_number(f"{key}.{name}", item)
    else:
        check_number(key, value, declared)


def _check_dist_numbers(spec: DistSpec, key: str) -> None:
    for name in ("mean", "cv", "sd", "low", "high"):
        check_number(f"{key}.{name}", getattr(spec, name))
    for index, item in enumerate(spec.values):
        check_number(f"{key}.values[{index}]", item)


def _check_field(key: str, value: Any, metadata: Any) -> None:
    if not metadata:
        return
    choices = metadata.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(key, value, f"one of {', '.join(choices)}")
    _check_bounds(
        key, value, metadata.get("ge"), metadata.get("gt"), metadata.get("le"), metadata.get("lt")
    )
    length = metadata.get("length")
    if isinstance(value, list):
        if length is not None and value and len(value) != length:
            raise ConfigError(key, value, f"a list of exactly {length} values (got {len(value)})")
        for index, item in enumerate(value):
            _check_bounds(
                f"{key}[{index}]",
                item,
                metadata.get("item_ge"),
                None,
                metadata.get("item_le"),
                None,
            )


def _check_bounds(key: str, value: Any, ge: Any, gt: Any, le: Any, lt: Any) -> None:
    if ge is None and gt is None and le is None and lt is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(key, value, "a number")
    if math.isnan(value):
        raise ConfigError(key, value, "a number, not NaN")
    if ge is not None and value < ge:
        raise ConfigError(key, value, f"a number >= {ge:g}")
    if gt is not None and value <= gt:
        raise ConfigError(key, value, f"a number > {gt:g}")
    if le is not None and value > le:
        raise ConfigError(key, value, f"a number <= {le:g}")
    if lt is not None and value >= lt:
        raise ConfigError(key, value, f"a number < {lt:g}")
