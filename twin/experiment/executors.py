"""Where the (replication, region) tasks of a run execute: here, in local processes, or on an
existing distributed engine (Dask or Ray) — no home-made distribution layer.

Every executor returns results in task order, and each task draws only from its own named
streams, so the KPIs are identical whichever executor ran them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from twin.errors import ConfigError

Task = TypeVar("Task")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]  # (tasks done, tasks in all)


def run_serial(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    address: str,
    progress: Progress | None,
) -> list[Any]:
    return _collect((function(task) for task in tasks), len(tasks), progress)


def run_processes(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    address: str,
    progress: Progress | None,
) -> list[Any]:
    if workers <= 1 or len(tasks) <= 1:
        return run_serial(function, tasks, workers, address, progress)
    with contextlib.ExitStack() as stack:
        folder = _results_folder(stack)
        pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, len(tasks))))
        task_of = {
            pool.submit(
                _through_file, (function, task, f"{folder}/{i}.pickle" if folder else None)
            ): i
            for i, task in enumerate(tasks)
        }
        return _in_task_order(task_of, progress)


def _in_task_order(task_of: dict[Future[Any], int], progress: Progress | None) -> list[Any]:
    """The results of the futures (``{future: task index}``), read back as each task ends,
    returned in task order; the first task to fail (in time, not in task order) cancels
    those not started and is raised.

    Read in task order instead, the results of tasks that ended while an earlier one still
    ran would all be read after it: on many workers, a serial tail of result files (a
    national region's: ~10-20 ms each) after the last task."""
    out: list[Any] = [None] * len(task_of)
    try:
        for done, future in enumerate(as_completed(task_of), start=1):
            out[task_of[future]] = _read_back(future.result())
            if progress:
                progress(done, len(task_of))
    except BaseException:
        for future in task_of:
            future.cancel()
        raise
    return out


def _results_folder(stack: contextlib.ExitStack) -> str | None:
    """A temporary folder for the results' files, removed when ``stack`` closes (after the
    pool, entered later, has shut down); None if none can be made (results then go back
    through the pool's pipe)."""
    try:
        return stack.enter_context(tempfile.TemporaryDirectory(prefix="twin-results-"))
    except OSError:
        return None


def _through_file(job: tuple[Callable[[Any], Any], Any, str | None]) -> tuple[bool, Any]:
    """Run one task in a worker and leave its result in a file: (True, the file's path).

    A result sent back through the pool's pipe (a region's logs: ~8 MB) kept the worker
    waiting until the parent, busy or descheduled, had read all of it: ~30 ms between two
    tasks of a national run, ~18 ms through a file. If there is no folder or the file cannot
    be written (a full disk), the result goes back through the pipe: (False, the result)."""
    function, task, path = job
    result = function(task)
    if path is None:
        return False, result
    try:
        with open(path, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(path)
        return False, result
    return True, path


def _read_back(handed: tuple[bool, Any]) -> Any:
    """The result a worker handed back (:func:`_through_file`); its file removed."""
    in_file, value = handed
    if not in_file:
        return value
    with open(value, "rb") as saved:
        result = pickle.load(saved)
    os.remove(value)
    return result


def _collect(results: Iterator[Any], total: int, progress: Progress | None) -> list[Any]:
    """Results in task order, reporting progress as each arrives."""
    out = []
    for done, result in enumerate(results, start=1):
        out.append(result)
        if progress:
            progress(done, total)
    return out


def run_dask(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    address: str,
    progress: Progress | None,
) -> list[Any]:
    """On a Dask cluster at ``address``, or a local one with ``workers`` processes."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ConfigError(
            "run.executor",
            "dask",
            "an installed Dask: pip install 'twin[cluster]' (or dask[distributed])",
        ) from exc
    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(function, list(tasks), pure=False)
        if progress:
            for done, _ in enumerate(as_completed(futures), start=1):
                progress(done, len(tasks))
        return list(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_ray(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    address: str,
    progress: Progress | None,
) -> list[Any]:
    """On a Ray cluster at ``address``, or a local Ray with ``workers`` CPUs."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "run.executor", "ray", "an installed Ray: pip install 'twin[ray]' (or ray)"
        ) from exc
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address)
        else:
            ray.init(num_cpus=workers, include_dashboard=False)
    try:
        remote = ray.remote(function)
        refs = [remote.remote(task) for task in tasks]
        if progress:
            pending = list(refs)
            done = 0
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                done += len(ready)
                progress(done, len(tasks))
        return list(ray.get(refs))
    finally:
        if started_here:
            ray.shutdown()


EXECUTORS: dict[str, Callable[..., list[Any]]] = {
    "process": run_processes,
    "dask": run_dask,
    "ray": run_ray,
}
