"""What runs in a worker process of the twin launcher: set up once, then one job per message.

Workers are forked from the sweep's process after it composed the sweep and its job shapes,
so they start in milliseconds with everything imported and Hydra's state (its singletons, the
config loader, the task function, the composed shapes) already in memory: nothing is imported
or pickled per worker or per job besides the job number and its overrides (and the job's
return, sent back). :func:`serve` is the worker process's whole life (:mod:`.pool` starts it).

Signals: a worker ignores SIGINT and SIGTERM between jobs; during a job it has the handler
it inherited from ``twin`` (the job records ``interrupted`` in its meta.json and stops). The
launcher forwards the signal it gets to its workers, so Ctrl-C and ``kill`` behave as in a
serial sweep. A worker whose parent died exits instead of waiting for work forever.
"""

import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from hydra.core.utils import JobReturn, JobStatus, run_job
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


def failed(exc: BaseException, overrides: list[str]) -> JobReturn:
    """The return of a job that did not run to its end in the usual way."""
    result = JobReturn(overrides=overrides, status=JobStatus.FAILED)
    result.return_value = exc
    return result


def serve(state: WorkerState, conn: Connection, parent_end: Connection) -> None:
    """Run the jobs that come on ``conn`` until it closes or sends None."""
    parent_end.close()  # this process's copy of the launcher's end
    handlers: dict[int, Any] = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        number, overrides = job
        stop = False
        try:
            answer = run(state, handlers, number, overrides)
        except BaseException as exc:  # Interrupted (the job recorded it), SystemExit
            answer, stop = failed(exc, overrides), True
        try:
            conn.send(answer)
        except OSError:  # the launcher is gone
            return
        except Exception as exc:  # the return would not pickle: nothing was sent
            conn.send(failed(RuntimeError(f"job {number}: its return: {exc!r}"), overrides))
        if stop:
            return


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_PARENT_S)
    os._exit(1)  # the sweep's process is gone (SIGKILL): nobody waits for this worker


def run(
    state: WorkerState, handlers: dict[int, Any], number: int, overrides: list[str]
) -> JobReturn:
    """:func:`run_one` with the job-time signal ``handlers`` (ignored again after the job)."""
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    try:
        return run_one(state, number, overrides)
    finally:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)


def run_one(state: WorkerState, number: int, overrides: list[str]) -> JobReturn:
    """Run job ``number`` as Hydra's launchers do (``run_job``), in this process (a worker,
    or the sweep's own process when it has one worker)."""
    config = state.composer.compose(overrides)
    with open_dict(config):
        config.hydra.job.id = number
        config.hydra.job.num = number
    return run_job(
        hydra_context=state.hydra_context,
        task_function=state.task_function,
        config=config,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )
