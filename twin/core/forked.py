"""Work done in a forked child while this process does other work; its answer taken or not.

A command that has two independent pieces of work and a second idle core forks a child for
one (:func:`fork_child`); the child computes, sends ``(key, value, warnings, log records)``
back (:func:`send_and_exit`) and ends. :meth:`Child.take` returns the value only when the
child answered the request ``key`` the caller expects; if the child failed, died, or took
longer than the caller's wait, it returns None and the caller does the work itself, so the
results and the errors are the same either way, only later. The child writes nothing: what
its work said (warnings, log records) is replayed here, where the command's output goes; it
dies on SIGINT/SIGTERM, and is stopped and reaped by :meth:`Child.take` or
:meth:`Child.close` whatever it did.

No child is forked (:func:`wanted`) without ``fork``, with a single usable core (nothing would
run at the same time), or while another thread runs: a fork copies only the calling thread,
and a lock another thread held would never be released in the child. Used by ``twin``'s
composition ahead and a group sweep's compositions (:mod:`twin.cli`, :mod:`twin.cli_compose`),
the run report's figures (:mod:`twin.report.run_page`) and a sweep's gathering
(:mod:`twin.experiment.jobs`).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from multiprocessing.connection import Connection, Pipe
from typing import Any, NoReturn, TypeVar

WAIT_S = 30.0  # how long a caller waits for the child's answer by default, then works itself

Key = tuple[Any, ...]  # what the child was asked (e.g. a composition: mode, config, overrides)
Warned = list[tuple[str, type[Warning], str, int]]  # message, category, file, line
Answer = tuple[Key, Any, Warned, list[logging.LogRecord]]
T = TypeVar("T")
V = TypeVar("V")


class Child:
    """A forked child working for this process; :meth:`take` its answer, once."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
        self.open = True

    def take(self, key: Key, wait_s: float | None = None) -> Any | None:
        """The child's value if it answered the request ``key`` within ``wait_s`` (default
        :data:`WAIT_S`), else None; the child is gone after this either way."""
        answer: Answer | None = None
        try:
            if self.conn.poll(WAIT_S if wait_s is None else wait_s):
                answer = self.conn.recv()
        except (EOFError, OSError):  # the child died before answering
            answer = None
        finally:
            self.close()
        if answer is None:
            return None
        sent_key, value, warned, logged = answer
        if sent_key != key or value is None:
            return None
        replay(warned, logged)
        return value

    def close(self) -> None:
        """Stop the child (if it still runs) and reap it."""
        if not self.open:
            return
        self.open = False
        self.conn.close()
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def wanted() -> bool:
    """Whether a child can work beside this process (see the module's doc)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    return usable_cores() > 1


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def fork_child(work: Callable[[Connection], None]) -> Child | None:
    """Fork a child that runs ``work(conn)``, which answers on ``conn`` with
    :func:`send_and_exit`. None if no child is wanted or none can be made: work here."""
    if not wanted():
        return None
    try:
        ours, theirs = Pipe(duplex=False)
    except OSError:  # no file descriptors left
        return None
    try:
        pid = os.fork()
    except OSError:  # no process or memory left for a child
        ours.close()
        theirs.close()
        return None
    if pid == 0:  # the child: never returns
        try:
            ours.close()
            _silence()
            work(theirs)
        finally:
            os._exit(0)
    theirs.close()
    return Child(pid, ours)


def in_shares(
    name: str,
    items: Sequence[T],
    work: Callable[[list[T]], dict[Any, V]],
    per_share: int = 1,
    wait_s: float | None = None,
) -> dict[Any, V]:
    """``work`` over ``items`` in shares (round robin), one share per usable core with at least
    ``per_share`` items each: a forked child for each share but the first, which this process
    does meanwhile. A share whose child failed, died or was not forked is done here, so the
    merged answer is the same either way; no child is left behind, whatever happens here."""
    n_shares = min(usable_cores(), len(items) // per_share)
    shares = [list(items[i::n_shares]) for i in range(n_shares)] if n_shares > 1 else [list(items)]
    children = [
        ((name, index), share, fork_child(partial(_answer, (name, index), work, share)))
        for index, share in enumerate(shares[1:], start=1)
    ]
    merged: dict[Any, V] = {}
    try:
        merged.update(work(shares[0]))
        for key, share, child in children:
            done = child.take(key, wait_s) if child is not None else None
            merged.update(done if done is not None else work(share))
    finally:
        for _, _, child in children:
            if child is not None:
                child.close()
    return merged


def _answer(key: Key, work: Callable[[list[T]], Any], share: list[T], conn: Connection) -> None:
    send_and_exit(conn, key, lambda: work(share))


def send_and_exit(conn: Connection, key: Key, compute: Callable[[], Any]) -> NoReturn:
    """In the child: compute, send (key, value or None if it failed, warnings, log records),
    and end the child."""
    value = None
    with _recorded() as (warned, logged), suppress(Exception):
        value = compute()
    with suppress(Exception):
        conn.send((key, value, warned, logged))
    os._exit(0)


def replay(warned: Warned, logged: list[logging.LogRecord]) -> None:
    """Say here what the child's work said: its warnings, then its log records."""
    for message, category, filename, lineno in warned:
        warnings.warn_explicit(message, category, filename, lineno)
    for record in logged:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


def _silence() -> None:
    """The child writes nothing (its output is replayed by the parent) and dies on a signal."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the child's, to its end)


@contextmanager
def _recorded() -> Iterator[tuple[Warned, list[logging.LogRecord]]]:
    """Every warning and log record while inside, kept (as plain, picklable values)."""
    warned: Warned = []
    logged: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            record.msg, record.args = record.getMessage(), None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            logged.append(record)

    root = logging.getLogger()
    keep = Keep(logging.DEBUG)
    root.addHandler(keep)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the parent's filters decide when replayed
            yield warned, logged
        warned.extend((str(w.message), w.category, w.filename, w.lineno) for w in caught)
    finally:
        root.removeHandler(keep)
