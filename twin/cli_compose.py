"""A single run composes its config once (the CLI's narrow hook into how Hydra starts a run).

Left alone, ``twin [overrides]`` composed the config three times, about 0.3 s each: the twin
checked it before Hydra started (for a one-line error on bad input), Hydra's ``get_mode``
composed it to read ``hydra.mode``, and ``Hydra.run`` composed it to run. For a single run
(no ``-m``, no ``--flag``) :func:`one_compose` makes Hydra use :class:`OneComposeHydra`:

- ``get_mode`` composes the config as the run will (run mode, the same search path), checks it
  as the twin's precheck did (bad input: :class:`ConfigError`, before any run folder exists)
  and reads ``hydra.mode`` from it;
- the run's own composition then replays that config instead of composing it again. Hydra
  runs with ``hydra.mode=RUN`` appended to the overrides when no config sets a mode; the kept
  config gets that override as the composition would (the mode set, the override listed
  under ``hydra.overrides.hydra``), so the run folder's .hydra files are the same.

A sweep (``-m``, no other flag) composed its config twice the same way (``get_mode``, then
``Hydra.multirun``): :class:`OneComposeSweepHydra` keeps the first and replays it, with
``hydra.mode=MULTIRUN`` set as Hydra's second composition sets it; its errors are Hydra's own
(a sweep composition that fails is left to Hydra's path, which reports it as before).

That first composition may come from a forked child that composed it while this process
imported the job's modules (``ahead``; in the child, ``send_to``): :func:`twin.cli.main`,
:mod:`twin.core.forked`. A sweep's jobs are composed once each (the loader keeps them for the
manifest and the launcher alike: :meth:`ReplayLoader.load_sweep_config`), the ones the
manifest needs all at once over the usable cores (:meth:`ReplayLoader.prefetch_sweep_configs`).

Everything else is Hydra's: the run folder, logging, callbacks. A config that sets
``hydra.mode: MULTIRUN`` without ``-m`` is a sweep and takes Hydra's own path, as does
``--cfg``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

import hydra._internal.hydra as hydra_module
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.config_search_path import ConfigSearchPath
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from twin.config.load import to_twin_config, translate_error
from twin.config.memory import check_memory
from twin.core.forked import Child, in_shares, send_and_exit

# The override Hydra appends for a single run when no config sets hydra.mode
# (hydra._internal.utils._run_app).
RUN_MODE_OVERRIDE = "hydra.mode=RUN"
MULTIRUN_MODE_OVERRIDE = "hydra.mode=MULTIRUN"
SWEEP_FLAGS = ("-m", "--multirun")


def single_run(args: Sequence[str]) -> bool:
    """A single run's command line: no ``-m``/``--multirun`` and no other flag (``--cfg``...)."""
    return not any(arg.startswith("-") for arg in args)


def plain_sweep(args: Sequence[str]) -> bool:
    """A sweep's command line: ``-m``/``--multirun`` and no other flag."""
    flags = [arg for arg in args if arg.startswith("-")]
    return len(flags) == 1 and flags[0] in SWEEP_FLAGS


@contextmanager
def one_compose(
    sweep: bool = False, ahead: Child | None = None, send_to: Connection | None = None
) -> Iterator[None]:
    """While inside, Hydra's entry point starts :class:`OneComposeHydra` (a sweep:
    :class:`OneComposeSweepHydra`); restored after. With ``ahead``, its first composition is
    the compose-ahead child's when the child composed the same request; with ``send_to`` (in
    that child), its first composition is sent there and the process ends
    (:mod:`twin.core.forked`)."""
    chosen: type[OneComposeHydra] = OneComposeSweepHydra if sweep else OneComposeHydra
    # class attributes, not a subclass made here: Hydra's joblib launcher pickles the Hydra
    # object, whose class must be found by its name
    chosen.ahead, chosen.send_to = ahead, send_to
    try:
        with hydra_class(chosen):
            yield
    finally:
        chosen.ahead, chosen.send_to = None, None


@contextmanager
def hydra_class(chosen: type[hydra_module.Hydra]) -> Iterator[None]:
    """While inside, Hydra's entry point starts ``chosen``; restored after."""
    original = hydra_module.Hydra
    hydra_module.Hydra = chosen  # type: ignore[misc]
    try:
        yield
    finally:
        hydra_module.Hydra = original  # type: ignore[misc]


class ReplayLoader(ConfigLoaderImpl):
    """Hydra's config loader that can hand back one config it was given, once; whose first
    composition can be the compose-ahead child's (``ahead``); which, in that child, sends its
    first composition to the parent and ends the child (``send_to``, :func:`twin.cli.main`);
    and which composes each of a sweep's job requests once (:meth:`load_sweep_config`)."""

    def __init__(
        self,
        config_search_path: ConfigSearchPath,
        ahead: Child | None = None,
        send_to: Connection | None = None,
    ) -> None:
        super().__init__(config_search_path=config_search_path)
        self.kept: tuple[RunMode, str | None, list[str], DictConfig] | None = None
        self.ahead = ahead
        self.send_to = send_to
        self.sweep_configs: dict[SweepRequest, bytes] = {}  # composed, pickled (see below)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (Hydra's joblib launcher) without the compose-ahead child's pipes."""
        return {**self.__dict__, "ahead": None, "send_to": None, "sweep_configs": {}}

    def load_sweep_config(
        self, master_config: DictConfig, sweep_overrides: list[str]
    ) -> DictConfig:
        """Hydra's ``load_sweep_config``, composing each job's request once per sweep.

        A sweep over config groups (``+experiment=a,b,c``) composed each job twice, ~0.4 s
        each, one after the other before the first job: for its manifest's seed and scenario,
        then for the launcher's job shapes. The composition (before Hydra copies the sweep
        config's resolver cache into it, which is done on every call, as Hydra does) is kept
        pickled; every call gets its own copy. A config that does not pickle (a plugin's
        structured config whose class Hydra's plugin scan loaded twice) is composed each time.
        """
        request = _sweep_request(master_config, sweep_overrides)
        blob = self.sweep_configs.get(request)
        if blob is not None:
            sweep_config: DictConfig = pickle.loads(blob)
        else:
            sweep_config = self._compose_sweep(request)
            blob = _pickled(sweep_config)
            if blob is not None:
                self.sweep_configs[request] = blob
        OmegaConf.copy_cache(from_config=master_config, to_config=sweep_config)
        return sweep_config

    def prefetch_sweep_configs(self, master_config: DictConfig, jobs: list[list[str]]) -> None:
        """Compose the requests of ``jobs`` not yet composed, one share per usable core
        (:func:`twin.core.forked.in_shares`): on 2 cores a group sweep's compositions take half
        the time. A request that fails is left to the call that needs it, which composes it
        (and raises)."""
        todo = list(dict.fromkeys(_sweep_request(master_config, job) for job in jobs))
        todo = [request for request in todo if request not in self.sweep_configs]
        self.sweep_configs.update(in_shares("sweep configs", todo, self._blobs))

    def _blobs(self, requests: list[SweepRequest]) -> dict[SweepRequest, bytes]:
        blobs = {}
        for request in requests:
            with suppress(HydraException, OmegaConfBaseException):
                blob = _pickled(self._compose_sweep(request))
                if blob is not None:
                    blobs[request] = blob
        return blobs

    def _compose_sweep(self, request: SweepRequest) -> DictConfig:
        config_name, overrides = request
        return self.load_configuration(
            config_name=config_name, overrides=list(overrides), run_mode=RunMode.RUN
        )

    def load_configuration(
        self,
        config_name: str | None,
        overrides: list[str],
        run_mode: RunMode,
        from_shell: bool = True,
        validate_sweep_overrides: bool = True,
    ) -> DictConfig:
        def compose() -> DictConfig:
            return super(ReplayLoader, self).load_configuration(
                config_name=config_name,
                overrides=overrides,
                run_mode=run_mode,
                from_shell=from_shell,
                validate_sweep_overrides=validate_sweep_overrides,
            )

        request = (run_mode, config_name, list(overrides), from_shell, validate_sweep_overrides)
        if self.send_to is not None:  # in the compose-ahead child: never returns
            send_and_exit(self.send_to, request, compose)
        kept, self.kept = self.kept, None
        if kept is not None and kept[:3] == (run_mode, config_name, overrides):
            return kept[3]
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            composed = ahead.take(request)
            if composed is not None:
                return composed
        return compose()


SweepRequest = tuple[str | None, tuple[str, ...]]  # a job's config name and overrides


def _sweep_request(master_config: DictConfig, sweep_overrides: Sequence[str]) -> SweepRequest:
    """What Hydra's ``load_sweep_config`` asks ``load_configuration`` for: the sweep's config
    name, and its Hydra overrides followed by the job's overrides."""
    hydra_overrides = OmegaConf.to_container(master_config.hydra.overrides.hydra)
    assert isinstance(hydra_overrides, list)
    overrides = (*(str(o) for o in hydra_overrides), *(str(o) for o in sweep_overrides))
    return master_config.hydra.job.config_name, overrides


def _pickled(config: DictConfig) -> bytes | None:
    """``config`` pickled, or None if it does not pickle."""
    try:
        return pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


class OneComposeHydra(hydra_module.Hydra):
    """Hydra whose ``get_mode`` composes the run's config once, checks it, and keeps it."""

    config_loader: ReplayLoader
    ahead: Child | None = None  # set by one_compose while it runs
    send_to: Connection | None = None  # ... in the compose-ahead child

    @classmethod
    def create_main_hydra2(
        cls, task_name: str, config_search_path: ConfigSearchPath
    ) -> OneComposeHydra:
        loader = ReplayLoader(config_search_path, cls.ahead, cls.send_to)
        hydra = cls(task_name=task_name, config_loader=loader)
        GlobalHydra.instance().initialize(hydra)
        return hydra

    def get_mode(self, config_name: str | None, overrides: list[str]) -> Any:
        """``hydra.mode`` of the run's config, composed once; bad input raises ConfigError."""
        try:
            cfg = self.config_loader.load_configuration(
                config_name=config_name, overrides=list(overrides), run_mode=RunMode.RUN
            )
        except (HydraException, OmegaConfBaseException) as exc:
            if super().get_mode(config_name, overrides) == RunMode.MULTIRUN:
                return RunMode.MULTIRUN  # a config asks for a sweep: Hydra's own path
            raise translate_error(exc) from None
        check_memory(to_twin_config(cfg))
        return self.keep(RunMode.RUN, config_name, overrides, cfg)

    def keep(
        self, run_mode: RunMode, config_name: str | None, overrides: list[str], cfg: DictConfig
    ) -> Any:
        """Keep ``cfg`` for Hydra's composition in ``run_mode``; ``hydra.mode`` of ``cfg``.

        With no mode set Hydra appends ``hydra.mode=RUN`` (or ``MULTIRUN``) to the overrides
        and composes again: the kept config gets that override as the composition would."""
        mode = cfg.hydra.mode
        if mode is None:
            line = RUN_MODE_OVERRIDE if run_mode == RunMode.RUN else MULTIRUN_MODE_OVERRIDE
            parsed = OverridesParser.create().parse_overrides([line])
            ConfigLoaderImpl._apply_overrides_to_config(parsed, cfg)
            cfg.hydra.overrides.hydra.append(line)
            self.config_loader.kept = (run_mode, config_name, [*overrides, line], cfg)
        elif mode == run_mode:
            self.config_loader.kept = (run_mode, config_name, list(overrides), cfg)
        return mode


class OneComposeSweepHydra(OneComposeHydra):
    """Hydra whose ``get_mode`` composes a sweep's config as ``Hydra.multirun`` will, and
    keeps it for that composition."""

    def get_mode(self, config_name: str | None, overrides: list[str]) -> Any:
        try:
            cfg = self.config_loader.load_configuration(
                config_name=config_name, overrides=list(overrides), run_mode=RunMode.MULTIRUN
            )
        except (HydraException, OmegaConfBaseException):  # Hydra's path reports it, as before
            return hydra_module.Hydra.get_mode(self, config_name, overrides)
        return self.keep(RunMode.MULTIRUN, config_name, overrides, cfg)
