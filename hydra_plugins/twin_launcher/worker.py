"""What runs in a worker process of the twin launcher: set up once, then one job per call.

Workers are forked from the sweep's process after it composed the sweep and its job shapes,
so they start in milliseconds with everything imported and Hydra's state (its singletons, the
config loader, the task function, the composed shapes) already in memory: nothing is imported
or pickled per worker or per job besides the job number and its overrides. :func:`start`
runs once per worker (the pool's initializer) and keeps that state in :data:`_STATE`, this
process's only global (one worker, one sweep).

Signals: a worker ignores SIGINT and SIGTERM between jobs; during a job it has the handler
it inherited from ``twin`` (the job records ``interrupted`` in its meta.json and stops). The
launcher forwards the signal it gets to its workers, so Ctrl-C and ``kill`` behave as in a
serial sweep. A worker whose parent died exits instead of waiting for work forever.
"""

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from hydra.core.utils import JobReturn, run_job
from hydra.types import HydraContext, TaskFunction
from omegaconf import open_dict

from hydra_plugins.twin_launcher.job_config import JobComposer

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_WATCH_PARENT_S = 1.0


@dataclass
class WorkerState:
    composer: JobComposer
    hydra_context: HydraContext
    task_function: TaskFunction
    stop: Any  # a multiprocessing Event: set by the launcher on an interrupt
    started: Any  # a shared array: 1 at the position of every job a worker started
    handlers: dict[int, Any] = field(default_factory=dict)  # the job-time signal handlers
    jobs: int = 0


_STATE: WorkerState | None = None


def start(state: WorkerState) -> None:
    """The pool's initializer: keep the sweep's state, quiet signals, watch the parent."""
    global _STATE
    state.handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    _STATE = state
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_PARENT_S)
    os._exit(1)  # the sweep's process is gone (SIGKILL): nobody waits for this worker


def run(position: int, number: int, overrides: list[str]) -> tuple[int, JobReturn | None]:
    """Run job ``number`` as Hydra's launchers do (``run_job``); (pid, None) if the sweep was
    interrupted before the job started. ``position``: the job's place in the pool's list."""
    state = _STATE
    assert state is not None, "worker.start runs first (the pool's initializer)"
    if state.stop.is_set():
        return os.getpid(), None
    state.started[position] = 1
    config = state.composer.compose(overrides)
    with open_dict(config):
        config.hydra.job.id = number
        config.hydra.job.num = number
    for sig, handler in state.handlers.items():
        signal.signal(sig, handler)
    try:
        result = run_job(
            hydra_context=state.hydra_context,
            task_function=state.task_function,
            config=config,
            job_dir_key="hydra.sweep.dir",
            job_subdir_key="hydra.sweep.subdir",
        )
    finally:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
    state.jobs += 1
    return os.getpid(), result
