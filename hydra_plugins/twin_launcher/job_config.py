"""Each job's config exactly as Hydra's ``load_sweep_config`` composes it, composing once per
shape.

Composing a job's config from the configs/ tree takes about 0.3 s on 2 cores, as much as a
small job's simulation. The jobs of a grid differ only in the values of the same keys, so a
:class:`JobComposer` composes the first job of each *shape* (its config-group overrides,
additions and the keys it sets) with Hydra, keeps it pickled, and builds every other job of
that shape from a copy: the job's values applied as Hydra applies command-line values, then
``hydra.overrides.task`` and ``hydra.job.override_dirname`` rewritten from the job's overrides
(everything else of the composed config depends on the shape only).
``tests/unit/test_twin_launcher.py`` compares the result with Hydra's on a grid.
"""

import pickle
from collections.abc import Sequence
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from omegaconf import DictConfig, open_dict, read_write

Shape = tuple[str, ...]
_PLAIN = (str, int, float, bool, type(None))


def _sets_a_key(override: Override) -> bool:
    """``key.sub=...`` or ``++key.sub=...``: never a config group, a package, an addition
    (``+key``: the composed config has the key already), a deletion or a Hydra key."""
    key = override.key_or_group
    return (
        "." in key
        and "/" not in key
        and override.package is None
        and not override.is_delete()
        and not override.is_add()
        and not override.is_hydra_override()
    )


def is_value_override(override: Override) -> bool:
    """A key set to a plain value (not a dict or list function, which merges into the node,
    so is not a plain set)."""
    return _sets_a_key(override) and isinstance(override.value(), _PLAIN)


def _is_value_sweep(override: Override) -> bool:
    """``key.sub=1,2`` (or a range): a sweep whose every job sets a plain value."""
    if not _sets_a_key(override):
        return False
    try:
        return all(isinstance(value, _PLAIN) for value in override.sweep_iterator())
    except Exception:  # an interval (an optimiser's search space): not listed in advance
        return False


def shape_of(parsed: Sequence[Override]) -> Shape:
    """What a job's config depends on besides its values: jobs of one shape compose alike."""
    return tuple(
        f"{o.type.name} {o.key_or_group}" if is_value_override(o) else str(o.input_line)
        for o in parsed
    )


def apply_values(parsed: Sequence[Override], config: DictConfig) -> None:
    """Set the job's values in ``config`` as Hydra sets command-line values (typed, checked)."""
    ConfigLoaderImpl._apply_overrides_to_config([o for o in parsed if is_value_override(o)], config)


class JobComposer:
    """Job configs of one sweep (``master``: the sweep's config), one Hydra composition per
    shape, and none for the jobs that only set values: those start from the sweep's own
    config, which Hydra composed with every group the jobs have (:meth:`_from_master`)."""

    def __init__(self, loader: Any, master: DictConfig) -> None:
        self.loader = loader
        self.master = master
        self._parser = OverridesParser.create()
        self._shapes: dict[Shape, bytes] = {}
        self._master_task: tuple[set[str], bool] | None = None
        self.composed = 0  # Hydra compositions made (the tests count them)

    def parse(self, overrides: Sequence[str]) -> list[Override]:
        return self._parser.parse_overrides(list(overrides))

    def base(self, parsed: Sequence[Override], overrides: Sequence[str]) -> DictConfig:
        """A private copy of the config of ``parsed``'s shape (its own values not yet set)."""
        return pickle.loads(self._blob(parsed, overrides))  # a copy, 5x faster than deepcopy

    def prepare(self, overrides: Sequence[str]) -> None:
        """Compose the job's shape now if it is new (before workers are forked)."""
        self._blob(self.parse(overrides), overrides)

    def _blob(self, parsed: Sequence[Override], overrides: Sequence[str]) -> bytes:
        shape = shape_of(parsed)
        blob = self._shapes.get(shape)
        if blob is None:
            if self._from_master(parsed):
                blob = pickle.dumps(self.master)
            else:
                config = self.loader.load_sweep_config(self.master, list(overrides))
                self.composed += 1
                blob = pickle.dumps(config)
            self._shapes[shape] = blob
        return blob

    def compose(self, overrides: Sequence[str]) -> DictConfig:
        """The job's config, equal to ``loader.load_sweep_config(master, overrides)``."""
        parsed = self.parse(overrides)
        config = self.base(parsed, overrides)
        apply_values(parsed, config)
        task = [o for o in parsed if not o.is_hydra_override()]
        naming = config.hydra.job.config.override_dirname
        with read_write(config.hydra), open_dict(config.hydra):
            config.hydra.overrides.task = [str(o.input_line) for o in task]
            config.hydra.job.override_dirname = get_overrides_dirname(
                overrides=task,
                kv_sep=naming.kv_sep,
                item_sep=naming.item_sep,
                exclude_keys=list(naming.exclude_keys),
            )
        return config

    def _from_master(self, parsed: Sequence[Override]) -> bool:
        """Whether the sweep's config is this job's config but for its values.

        Hydra composed the sweep's config from its command line with the swept overrides left
        out. If every swept override there sets a plain value (``run.seed=1,2``), and every
        override of the job that is not a plain value is one of the command line's own
        (``network=single_store``), the job composes to the same config with its values set.
        """
        if self._master_task is None:
            lines = [str(o) for o in self.master.hydra.overrides.task]
            fixed, sweeps_values_only = set(), True
            for override in self.parse(lines):
                if override.is_sweep_override():
                    sweeps_values_only &= _is_value_sweep(override)
                else:
                    fixed.add(str(override.input_line))
            self._master_task = (fixed, sweeps_values_only)
        fixed, sweeps_values_only = self._master_task
        return sweeps_values_only and all(
            is_value_override(o) or str(o.input_line) in fixed for o in parsed
        )

    def weight(self, overrides: Sequence[str]) -> float:
        """A job's relative cost for ordering, heaviest first: run.days x run.replications
        (the job's values, else the sweep's). Only an order: every job runs whatever it says."""
        values = {"run.days": 1.0, "run.replications": 1.0}
        for key in values:
            base = self.master.get("run", {}).get(key.split(".")[1])
            if isinstance(base, int | float) and not isinstance(base, bool):
                values[key] = float(base)
        for override in self.parse(overrides):
            value = override.value()
            if override.key_or_group in values and isinstance(value, int | float):
                values[override.key_or_group] = float(value)
        return values["run.days"] * values["run.replications"]
