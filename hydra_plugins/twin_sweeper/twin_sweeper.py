"""Hydra's basic sweeper, validating a batch of jobs without composing every job's config.

Before launching a batch, Hydra's :class:`BasicSweeper` composes the config of every job to
catch errors early: 0.3 s a job on 2 cores, serial before the first job starts (the launcher
then composes each job again, in its worker). Jobs of a grid differ in the values of the same
keys, so :class:`TwinBasicSweeper` composes one job per *shape* (its group overrides and the keys it
sets) and checks the other jobs' values by applying them to that config, which is typed by
the schema: a value of the wrong type or an unknown key still stops the sweep before any job
runs, with Hydra's message. With the twin launcher (hydra_plugins/twin_launcher) the shapes
come from its :class:`JobComposer`, which builds every job's config from them (and composes
none for jobs that only set values). Registered by :func:`twin.config.load.register` as
``hydra/sweeper: basic``, the default sweeper of ``twin -m``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig

from hydra_plugins.twin_launcher.job_config import apply_values, shape_of

TWIN_SWEEPER = "hydra_plugins.twin_sweeper.twin_sweeper.TwinBasicSweeper"


@dataclass
class TwinSweeperConf(BasicSweeperConf):
    _target_: str = TWIN_SWEEPER


class TwinBasicSweeper(BasicSweeper):
    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        assert self.config is not None and self.hydra_context is not None
        loader = self.hydra_context.config_loader
        parser = OverridesParser.create()
        # the twin launcher builds its jobs from the shapes composed here
        composer = getattr(getattr(self, "launcher", None), "composer", None)
        composed: dict[tuple[str, ...], DictConfig] = {}
        for overrides in batch:
            parsed = parser.parse_overrides(list(overrides))
            shape = shape_of(parsed)
            config = composed.get(shape)
            if config is None:  # the first job of its shape: composed as Hydra does
                composed[shape] = (
                    composer.base(parsed, overrides)
                    if composer is not None
                    else loader.load_sweep_config(
                        master_config=self.config, sweep_overrides=list(overrides)
                    )
                )
            # its values checked against the typed config
            apply_values(parsed, composed[shape])
