"""Hydra callbacks of ``twin -m`` (configured under ``hydra.callbacks`` in configs/config.yaml).

Like :mod:`twin.cli`, this is an entry-point module: it may import hydra; the work itself is
done by :mod:`twin.experiment.sweep`, :mod:`~twin.experiment.collect` and
:mod:`~twin.experiment.progress`, which do not.

- :class:`GatherSweep` writes the sweep's summary, failed jobs and comparison when the sweep
  ends and prints them; ``twin -m`` then exits with status 1 if any job failed.
- :class:`SweepProgress` draws a bar over the sweep's jobs on a terminal, whichever launcher
  runs them: it counts the job folders whose meta.json says the job finished.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, flag_override

from twin.cli_compose import ReplayLoader
from twin.experiment.collect import sweep_text
from twin.experiment.manifest import Manifest, PlannedJob, write_manifest
from twin.experiment.progress import busy, progress_enabled
from twin.experiment.runs_index import fold_under
from twin.experiment.sweep import collect_sweep

POLL_S = 0.5


def sweep_dir_of(config: DictConfig) -> Path:
    return Path(str(config.hydra.sweep.dir))


# Sweep folders gathered in this process that had failed jobs: twin.cli exits with status 1
# once Hydra is done (raising here would skip the other callbacks).
FAILED_SWEEPS: list[Path] = []
# Sweep folders started in this process (an interrupt names the one to resume).
STARTED_SWEEPS: list[Path] = []


class GatherSweep(Callback):
    """Gather the sweep folder when the sweep ends (``twin-collect`` does the same later)."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = sweep_dir_of(config)
        if not sweep_dir.is_dir():
            return
        fold_under(sweep_dir)  # the jobs' rows into runs/index.parquet, once
        try:
            result = collect_sweep(sweep_dir)
        except Exception as exc:  # the jobs' folders are intact: say how to gather them later
            print(
                f"twin: gathering {sweep_dir} failed: {type(exc).__name__}: {exc}\n"
                f"  the job folders are intact; retry with: twin-collect {sweep_dir}",
                file=sys.stderr,
                flush=True,
            )
            FAILED_SWEEPS.append(sweep_dir)
            return
        print(sweep_text(result), flush=True)
        if result.failed:
            FAILED_SWEEPS.append(sweep_dir)


def planned_overrides(config: DictConfig) -> list[list[str]] | None:
    """Each job's override list, in job order, when the sweeper fixes them in advance.

    The basic sweeper's own parser and splitter expand ``hydra.sweeper.params`` and the
    command line's sweep overrides exactly as the sweep will; other sweepers (Optuna) choose
    their jobs as they go: None.
    """
    sweeper = config.hydra.sweeper
    if not str(OmegaConf.select(sweeper, "_target_") or "").endswith("BasicSweeper"):
        return None
    params = OmegaConf.select(sweeper, "params") or {}
    arguments = [f"{key}={value}" for key, value in params.items()]
    arguments += [str(item) for item in config.hydra.overrides.task]
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

        parsed = OverridesParser.create().parse_overrides(arguments)
        batches = BasicSweeper.split_arguments(parsed, None)
    except Exception:  # the sweeper itself reports bad overrides
        return None
    return [list(job) for batch in batches for job in batch]


def count_jobs(config: DictConfig) -> int | None:
    """How many jobs the sweep will launch, when the sweeper says so in advance."""
    n_trials = OmegaConf.select(config.hydra.sweeper, "n_trials")
    if n_trials is not None:
        return int(n_trials)
    planned = planned_overrides(config)
    return None if planned is None else len(planned)


# Hydra overrides a resumed job must not repeat: the sweep folder and job subfolder are set by
# the resume itself, and each job runs alone (no sweeper).
_NOT_FOR_RESUME = ("hydra.sweep.", "hydra.mode", "hydra/sweeper", "hydra.sweeper.", "hydra.run.")


def sweep_manifest(config: DictConfig) -> Manifest:
    """The manifest of the sweep about to start (see twin.experiment.manifest)."""
    hydra_overrides = [str(o) for o in config.hydra.overrides.hydra]
    launcher_overrides = [
        o for o in hydra_overrides if not o.lstrip("+~").startswith(_NOT_FOR_RESUME)
    ]
    sweeper = str(OmegaConf.select(config.hydra.sweeper, "_target_") or "")
    launcher = str(OmegaConf.select(config.hydra.launcher, "_target_") or "")
    planned = planned_overrides(config)
    jobs = None
    if planned is not None:
        loader = GlobalHydra.instance().config_loader()
        if isinstance(loader, ReplayLoader):  # the jobs composed at once, on the spare cores
            loader.prefetch_sweep_configs(
                config, [o for o in planned if _needs_composing(config, o)]
            )
        base = _identity(config)
        jobs = [
            PlannedJob(
                number,
                overrides,
                *(
                    _seed_and_scenario(loader, config, overrides)
                    if _needs_composing(config, overrides)
                    else _overridden_identity(base, overrides)
                ),
            )
            for number, overrides in enumerate(planned)
        ]
    return Manifest(
        jobs, launcher_overrides, sweeper.rsplit(".", 1)[-1], launcher.rsplit(".", 1)[-1]
    )


_IDENTITY = ("run.seed", "run.scenario")


def _needs_composing(config: DictConfig, overrides: list[str]) -> bool:
    """Whether the job's run.seed and run.scenario can only be known by composing its config
    (0.3 s a job, serial before the first one starts): a config group override
    (``+experiment=x``: no dot in its key) that the sweep's config does not have already, a
    deletion, or a seed or scenario that is an interpolation. Otherwise they are the base
    config's, or the value of a ``run.seed=`` / ``run.scenario=`` override
    (:func:`_overridden_identity`)."""
    run = OmegaConf.select(config, "run")
    if run is None or any(OmegaConf.is_interpolation(run, key) for key in ("seed", "scenario")):
        return True
    # the sweep's own overrides that every job repeats (network=single_store) are in the
    # sweep's config already; a swept group (network=a,b) is not among them
    common = {str(o) for o in OmegaConf.select(config, "hydra.overrides.task", default=[])}
    for override in (o for o in overrides if o not in common):
        key = override.split("=", 1)[0]
        if "." not in key or key.startswith("~") or "=" not in override:
            return True
    return False


def _overridden_identity(
    base: tuple[int | None, str | None], overrides: list[str]
) -> tuple[int | None, str | None]:
    """The base seed and scenario with the job's ``run.seed=`` / ``run.scenario=`` values,
    parsed by Hydra's override parser as the launcher will parse them."""
    seed, scenario = base
    mine = [o for o in overrides if o.split("=", 1)[0].lstrip("+") in _IDENTITY]
    for parsed in OverridesParser.create().parse_overrides(mine):
        value = parsed.value()
        if parsed.key_or_group.endswith("seed"):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)  # a quoted number: the typed config makes it an int
            seed = value if isinstance(value, int) and not isinstance(value, bool) else None
        else:
            scenario = None if value is None else str(value)
    return seed, scenario


def _identity(config: DictConfig) -> tuple[int | None, str | None]:
    seed = OmegaConf.select(config, "run.seed")
    scenario = OmegaConf.select(config, "run.scenario")
    return (int(seed) if isinstance(seed, int) else None), (
        None if scenario is None else str(scenario)
    )


def _seed_and_scenario(
    loader: Any, config: DictConfig, overrides: list[str]
) -> tuple[int | None, str | None]:
    """The job's run.seed and run.scenario, composed the way the launcher will compose them."""
    try:
        return _identity(loader.load_sweep_config(config, list(overrides)))
    except Exception:  # the job itself will fail and say why; the manifest still lists it
        return None, None


def pin_sweep_dir(config: DictConfig) -> None:
    """Resolve ``hydra.sweep.dir`` once, in the sweep's own config, for every job.

    Launchers compose each job's config from ``hydra.overrides.hydra`` plus the job's
    overrides and resolve the sweep folder in it, so a folder name interpolating a swept key
    (``${run.scenario}``) or a per-process value would scatter the jobs. An override holding the
    resolved name makes every job land in the one folder.
    """
    resolved = str(config.hydra.sweep.dir)
    if "'" in resolved:
        return  # cannot be quoted as an override; the name is then resolved per job
    with flag_override(config, ["readonly", "struct"], [False, False]):
        config.hydra.sweep.dir = resolved
        config.hydra.overrides.hydra.append(f"hydra.sweep.dir='{resolved}'")


class SweepManifest(Callback):
    """Pin the sweep folder and write manifest.json into it before the first job starts."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        pin_sweep_dir(config)
        sweep_dir = sweep_dir_of(config)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        STARTED_SWEEPS.append(sweep_dir)
        write_manifest(sweep_dir, sweep_manifest(config))


class SweepProgress(Callback):
    """A bar over the jobs of a sweep, on a terminal only (see twin.experiment.progress)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Parallel launchers pickle the callbacks along with each job; the bar stays behind.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if not progress_enabled():
            return
        # tqdm imported here, on the sweep's own thread, before the bar's thread starts: a
        # launcher that forks workers holds tqdm's lock meanwhile (twin_launcher's pool), and a
        # tqdm half imported by the bar's thread has no lock to hold yet
        from tqdm import tqdm

        sweep_dir = sweep_dir_of(config)
        total = count_jobs(config)
        self._thread = threading.Thread(
            target=self._poll, args=(tqdm, sweep_dir, total), daemon=True
        )
        self._thread.start()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _poll(self, tqdm: Any, sweep_dir: Path, total: int | None) -> None:
        finished: set[Path] = set()
        with tqdm(total=total, desc="jobs", unit="job", leave=False, dynamic_ncols=True) as bar:
            while True:
                stopping = self._stop.wait(POLL_S)
                if sweep_dir.is_dir():
                    for meta in sweep_dir.glob("*/meta.json"):
                        if meta not in finished and _is_finished(meta):
                            finished.add(meta)
                if len(finished) != bar.n:
                    bar.n = len(finished)
                    bar.refresh()
                if stopping:
                    return


def _is_finished(meta: Path) -> bool:
    try:
        status = json.loads(meta.read_text(encoding="utf-8")).get("status")
        return status in ("ok", "failed", "interrupted")
    except (OSError, ValueError):
        return False  # being written (the rename is atomic, but be safe)


class SweepReport(Callback):
    """Write the sweep's HTML report when the sweep ends, after :class:`GatherSweep`."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from twin.report import render_sweep_report

        sweep_dir = sweep_dir_of(config)
        if not (sweep_dir / "summary.parquet").is_file():
            return  # nothing gathered (GatherSweep said why)
        try:
            with busy("sweep report"):  # elapsed time on a terminal
                report = render_sweep_report(sweep_dir)
        except Exception as exc:  # the sweep folder is intact; the report can be rebuilt
            print(
                f"twin: the sweep report failed: {type(exc).__name__}: {exc}\n"
                f"  rebuild it with: twin-report {sweep_dir}",
                file=sys.stderr,
                flush=True,
            )
            FAILED_SWEEPS.append(sweep_dir)
            return
        print(f"sweep report: {report.resolve()}", flush=True)
