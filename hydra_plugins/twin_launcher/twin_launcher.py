"""The twin's Hydra launcher (``hydra/launcher: twin``, the default of ``twin -m``).

Hydra's joblib launcher composes every job's config in its worker (0.3 s, more than a small
job's simulation) and pickles Hydra's whole singleton state with every job; a loky worker
imports the twin once. This launcher composes each job from the sweep's composed shapes
(:mod:`.job_config`: one Hydra composition per shape, reused from the sweeper's check) and runs
the jobs on ``n_jobs`` worker processes forked once per sweep (:mod:`.pool`, :mod:`.worker`),
heaviest first, each worker running many jobs. The job numbers, folders, configs and so the
KPIs are those of a serial sweep. ``n_jobs`` (``hydra.launcher.n_jobs``): unset, the usable
cores divided by ``run.workers`` (a job may use several); ``-1`` all cores; capped at the
number of jobs. With one worker the jobs run one after another in this process, as with Hydra's
basic launcher. Platforms without ``fork`` run serially.

A job that fails is the job's own business (``twin`` records it; the others go on). A worker
that dies (SIGKILL, out of memory) fails the job it was running (:class:`WorkerDied`; its
folder says ``incomplete`` for ``twin-collect --resume``) and a new worker takes its place:
no other job is lost or run twice.
SIGINT / SIGTERM (Ctrl-C): forwarded to the workers, whose running jobs record
``interrupted``; jobs not started do not start; the interrupt goes on to ``twin``.
"""

import gc
import logging
import multiprocessing
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, configure_log, filter_overrides, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.twin_launcher import worker
from hydra_plugins.twin_launcher.job_config import JobComposer
from hydra_plugins.twin_launcher.pool import ForkPool, Job, WorkerDied
from twin.core.forked import usable_cores

__all__ = ["TWIN_LAUNCHER", "TwinLauncher", "TwinLauncherConf", "WorkerDied", "workers_for"]

TWIN_LAUNCHER = "hydra_plugins.twin_launcher.twin_launcher.TwinLauncher"
log = logging.getLogger(__name__)


@dataclass
class TwinLauncherConf:
    _target_: str = TWIN_LAUNCHER
    # worker processes: null = usable cores // run.workers; -1 = all cores; capped at the jobs
    n_jobs: int | None = None


def workers_for(n_jobs: int | None, run_workers: Any, jobs: int) -> int:
    """Worker processes for ``jobs`` jobs.

    >>> workers_for(None, 1, 10) == min(usable_cores(), 10)
    True
    >>> workers_for(4, 1, 3), workers_for(None, 64, 8)
    (3, 1)
    """
    cores = usable_cores()
    if n_jobs is None:
        per_job = run_workers if isinstance(run_workers, int) and run_workers > 0 else 1
        wanted = cores // per_job
    elif n_jobs < 0:
        wanted = cores + 1 + n_jobs
    else:
        wanted = n_jobs
    return max(1, min(wanted, jobs))


class TwinLauncher(Launcher):
    def __init__(self, n_jobs: int | None = None, **unused: Any) -> None:
        self.n_jobs = n_jobs
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None
        self.composer: JobComposer | None = None
        self.worker_pids: set[int] = set()  # every worker of this launcher (tests count them)

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.config = config
        self.task_function = task_function
        self.hydra_context = hydra_context
        self.composer = JobComposer(hydra_context.config_loader, config)
        gc.freeze()  # see launch()

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        setup_globals()
        assert self.config is not None and self.composer is not None
        # Everything alive now (modules, the sweep's configs) lives as long as the sweep: the
        # garbage collector need not scan it again (0.1 s a full collection, several a job),
        # and forked workers share it unwritten.
        gc.freeze()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        jobs: list[Job] = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        run_workers = OmegaConf.select(self.config, "run.workers", default=1)
        n_workers = workers_for(self.n_jobs, run_workers, len(jobs))
        if "fork" not in multiprocessing.get_all_start_methods():
            n_workers = 1
        log.info("Launching %d jobs on %d worker processes", len(jobs), n_workers)
        for number, overrides in jobs:
            log.info("\t#%d : %s", number, " ".join(filter_overrides(overrides)))
        if n_workers == 1:
            return [self._run_here(number, overrides) for number, overrides in jobs]
        for _, job in jobs:  # every shape composed here, before the fork
            self.composer.prepare(job)
        returns = self._run_on_pool(jobs, n_workers)
        return [returns[number] for number, _ in jobs]

    def _state(self) -> worker.WorkerState:
        assert self.composer and self.hydra_context and self.task_function
        return worker.WorkerState(self.composer, self.hydra_context, self.task_function)

    def _run_here(self, number: int, overrides: list[str]) -> JobReturn:
        assert self.config is not None
        result = worker.run_one(self._state(), number, overrides)
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        return result

    def _run_on_pool(self, jobs: list[Job], n_workers: int) -> dict[int, JobReturn]:
        assert self.composer is not None
        weights = {number: self.composer.weight(overrides) for number, overrides in jobs}
        todo = sorted(jobs, key=lambda job: -weights[job[0]])  # heaviest first; stable
        returns: dict[int, JobReturn] = {}
        pool = ForkPool(self._state(), n_workers)
        try:
            for number, result in pool.run(todo):
                returns[number] = result
        except BaseException as stop:  # Interrupted, KeyboardInterrupt: stop every worker
            pool.interrupt(int(getattr(stop, "signum", signal.SIGINT)))
            raise
        finally:
            self.worker_pids.update(pool.pids)
            pool.close()
        return returns
