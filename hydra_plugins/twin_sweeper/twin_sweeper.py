"""Hydra's basic sweeper, validating a batch of jobs without composing every job's config.

Before launching a batch, Hydra's :class:`BasicSweeper` composes the config of every job to
catch errors early: 0.3 s a job on 2 cores, serial before the first job starts (the launcher
then composes each job again, in its worker). Jobs of a grid differ in the values of the same
keys, so :class:`TwinBasicSweeper` composes one job per *shape* (its group overrides and the keys it
sets) and checks the other jobs' values by applying them to that config, which is typed by
the schema: a value of the wrong type or an unknown key still stops the sweep before any job
runs, with Hydra's message. Registered by :func:`twin.config.load.register` as
``hydra/sweeper: basic``, the default sweeper of ``twin -m``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from omegaconf import DictConfig

TWIN_SWEEPER = "hydra_plugins.twin_sweeper.twin_sweeper.TwinBasicSweeper"


@dataclass
class TwinSweeperConf(BasicSweeperConf):
    _target_: str = TWIN_SWEEPER


def is_value_override(override: Override) -> bool:
    """``key.sub=value`` or ``++key.sub=value``: a value, never a config group, a package, an
    addition (``+key``: the composed config has the key already) or a deletion."""
    key = override.key_or_group
    return (
        "." in key
        and "/" not in key
        and override.package is None
        and not override.is_delete()
        and not override.is_add()
        and not key.startswith("hydra.")
    )


class TwinBasicSweeper(BasicSweeper):
    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.config is not None and self.hydra_context is not None
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create()
        composed: dict[tuple[str, ...], DictConfig] = {}
        for overrides in batch:
            parsed = parser.parse_overrides(list(overrides))
            values = [o for o in parsed if is_value_override(o)]
            shape = tuple(
                f"{o.type.name} {o.key_or_group}" if is_value_override(o) else str(o.input_line)
                for o in parsed
            )
            config = composed.get(shape)
            if config is None:  # the first job of its shape: composed as Hydra does
                composed[shape] = loader.load_sweep_config(
                    master_config=self.config, sweep_overrides=list(overrides)
                )
            else:  # the same keys: its values checked against the typed config
                ConfigLoaderImpl._apply_overrides_to_config(values, config)
