"""Which store runs which format: a deterministic share of ``format_mix``, then the overrides."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from twin.errors import ConfigError


def choices_text(names: Collection[str], most: int = 12) -> str:
    """``names`` as a readable list, shortened when long."""
    listed = list(names)
    if len(listed) <= most:
        return ", ".join(listed)
    return f"{', '.join(listed[:most])}, ... ({len(listed)} in all)"


def check_format_mix(mix: Mapping[str, float], known_formats: Collection[str]) -> None:
    """Every format in ``mix`` is known, every weight >= 0 and their sum > 0."""
    for name, weight in mix.items():
        key = f"network.format_mix.{name}"
        if name not in known_formats:
            raise ConfigError(key, name, f"a store format, one of: {choices_text(known_formats)}")
        if not weight >= 0:
            raise ConfigError(key, weight, "a weight >= 0")
    if not sum(mix.values()) > 0:
        raise ConfigError("network.format_mix", dict(mix), "weights by format name with a sum > 0")


def formats_from_mix(
    mix: Mapping[str, float], n_stores: int, rng: np.random.Generator
) -> list[str]:
    """``n_stores`` formats in the proportions of ``mix``, in shuffled order.

    Counts follow the largest-remainder method (ties to the format listed first), so a 2:1 mix
    over 9 stores gives exactly 6 and 3.
    """
    names = list(mix)
    quotas = np.array([mix[name] for name in names], dtype=float)
    quotas *= n_stores / quotas.sum()
    counts = np.floor(quotas).astype(int)
    left_over = n_stores - int(counts.sum())
    by_remainder = np.argsort(-(quotas - counts), kind="stable")
    counts[by_remainder[:left_over]] += 1
    formats = [name for name, count in zip(names, counts, strict=True) for _ in range(count)]
    return [formats[i] for i in rng.permutation(n_stores)]


def apply_overrides(
    formats: dict[str, str], overrides: Mapping[str, str], known_formats: Collection[str]
) -> dict[str, str]:
    """``formats`` (store id -> format) with ``overrides`` applied; both must name known things."""
    result = dict(formats)
    for store_id, fmt in overrides.items():
        key = f"network.format_overrides.{store_id}"
        if store_id not in result:
            raise ConfigError(
                key, store_id, f"a store id of this network, one of: {choices_text(result)}"
            )
        if fmt not in known_formats:
            raise ConfigError(key, fmt, f"a store format, one of: {choices_text(known_formats)}")
        result[store_id] = fmt
    return result
