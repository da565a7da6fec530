"""The twin launcher's worker processes: forked once per sweep, fed one job at a time.

Each worker has its own pipe: the launcher sends it a job (number, overrides), the worker
sends back the job's JobReturn and waits for the next. The launcher always knows which job
each worker runs, so a worker that dies (SIGKILL, out of memory) fails exactly that job
(:class:`WorkerDied`) and is replaced; no other job is lost or run twice. Nothing here waits
without a way out: a worker's death wakes the launcher (its sentinel), a worker whose pipe
closes exits, and :meth:`ForkPool.close` kills what has not exited in time.
(``concurrent.futures.ProcessPoolExecutor`` on Python 3.11 can hang in ``shutdown`` after a
worker was killed, and hides which job a dead worker was running.)
"""

import importlib
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from hydra.core.utils import JobReturn

from hydra_plugins.twin_launcher import worker
from hydra_plugins.twin_launcher.worker import failed

Job = tuple[int, list[str]]  # job number, its overrides
_CLOSE_WAIT_S = 10.0  # how long close() waits for a worker to finish before killing it
_IDLE_DEATHS_MAX = 3  # per worker: more deaths before any job, and the pool gives up


class WorkerDied(RuntimeError):
    """A worker process ended while running the job (SIGKILL, out of memory)."""


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    job: Job | None = None


class ForkPool:
    """``n_workers`` processes forked from this one, running jobs of ``state``."""

    def __init__(self, state: worker.WorkerState, n_workers: int) -> None:
        self.state = state
        self.context = multiprocessing.get_context("fork")
        self.size = n_workers
        self.workers: list[_Worker] = []
        self.pids: set[int] = set()  # every worker ever started
        for _ in range(n_workers):
            self._start_worker()

    def _start_worker(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=worker.serve, args=(self.state, theirs, ours), daemon=True
        )
        sys.stdout.flush()  # a forked worker must not write the parent's buffered output again
        sys.stderr.flush()
        with _progress_bars_still():
            process.start()
        theirs.close()
        assert process.pid is not None
        self.pids.add(process.pid)
        added = _Worker(process, ours)
        self.workers.append(added)
        return added

    def run(self, jobs: list[Job]) -> Iterator[tuple[int, JobReturn]]:
        """Run ``jobs`` in this order on the workers; yield (number, return) as they end."""
        queue = deque(jobs)
        idle_deaths = 0  # workers lost before taking a job, since the last job ended
        while queue or self._busy():
            for idle in [w for w in self.workers if w.job is None]:
                if not queue:
                    break
                job = queue.popleft()
                try:
                    idle.conn.send(job)
                except OSError:  # it died between jobs: the job goes to another worker
                    queue.appendleft(job)
                    self._drop(idle)
                    idle_deaths += 1
                    continue
                idle.job = job
            for ended in self._collect(None):
                idle_deaths = 0
                yield ended
            if idle_deaths > _IDLE_DEATHS_MAX * self.size:
                raise RuntimeError(f"worker processes keep dying before a job ({idle_deaths})")
            while queue and len(self.workers) < self.size:  # a worker died: replace it
                self._start_worker()

    def _busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.job is not None]

    def _collect(self, timeout: float | None) -> Iterator[tuple[int, JobReturn]]:
        """Wait for at least one busy worker to answer or die; yield what ended."""
        busy = self._busy()
        if not busy:
            return
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        for w in busy:
            if w.conn not in ready and w.process.sentinel not in ready:
                continue
            assert w.job is not None
            number, overrides = w.job
            answer = None
            with suppress(EOFError, OSError):  # an answer sent just before the end counts
                if w.conn in ready or w.conn.poll():
                    answer = w.conn.recv()
            w.job = None
            if answer is None:  # the worker ended mid-job
                self._drop(w)
                died = WorkerDied(f"job {number}: its worker process ended")
                yield number, failed(died, overrides)
            else:
                yield number, answer

    def _drop(self, dead: _Worker) -> None:
        dead.conn.close()
        dead.process.join(_CLOSE_WAIT_S)
        if dead.process.is_alive():  # closed its pipe but hangs on: not a worker any more
            dead.process.kill()
            dead.process.join()
        self.workers.remove(dead)

    def interrupt(self, signum: int) -> None:
        """Pass an interrupt to the workers running a job (their jobs record it)."""
        for w in self._busy():
            if w.process.pid is not None:
                with suppress(ProcessLookupError):
                    os.kill(w.process.pid, signum)

    def close(self) -> None:
        """Let running jobs end (at most ``_CLOSE_WAIT_S``), then stop every worker."""
        deadline = time.monotonic() + _CLOSE_WAIT_S
        while self._busy() and time.monotonic() < deadline:
            for _ in self._collect(max(0.0, deadline - time.monotonic())):
                pass
        for w in self.workers:
            with suppress(OSError):
                w.conn.send(None)  # no more jobs
            w.conn.close()
        for w in self.workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
        self.workers.clear()


def _progress_bars_still() -> AbstractContextManager[Any]:
    """Hold tqdm's lock while forking: a progress-bar thread must not be mid-write (a forked
    child would inherit the stream's lock taken). Only if tqdm is imported; if another thread
    is importing it right now, the import here waits for that one to finish."""
    if "tqdm" not in sys.modules:
        return nullcontext()
    return importlib.import_module("tqdm").tqdm.get_lock()
