"""A command's config composed in a second process while this one imports the job's modules.

``twin`` spends ~0.4 s composing its config (Hydra: YAML, defaults, merges) and ~0.5 s
importing what a job needs (pandas, the run folder, the sweep's gathering), one after the
other, with a second core idle. :func:`compose_ahead` forks a child as soon as Hydra's own
modules are in (:mod:`twin.cli` imports the job's modules after it): the child goes through
Hydra's start exactly as this process will (same command line, search path, registered
schema) up to the first composition, sends that config back and exits. This process's first
composition (:class:`twin.cli_compose.ReplayLoader`) takes the child's config when the request
is the same one (mode, config name, overrides); in every other case, and when the child failed
(bad input: the error is then this process's own, as before), died, or took longer than
``WAIT_S``, this process composes as it always did. The config is the same either way: the
same code composed it from the same inputs.

What the child's composition says (warnings, log records) is replayed here, where the
command's output goes; the child writes nothing itself. No child is started without ``fork``,
with a single usable core (nothing would run at the same time) or when another thread runs
(a fork copies only the calling thread, and a lock another thread held would never be
released in the child).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, Pipe
from typing import Any, NoReturn

WAIT_S = 30.0  # how long this process waits for the child's config before composing itself

Key = tuple[Any, ...]  # a composition request: (run mode, config name, overrides, ...)
Warned = list[tuple[str, type[Warning], str, int]]  # message, category, file, line
Answer = tuple[Key, Any, Warned, list[logging.LogRecord]]


class ComposeAhead:
    """The child composing this command's config; :meth:`take` its config, once."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
        self.open = True

    def take(self, key: Key) -> Any | None:
        """The child's config if it composed the request ``key``, else None; the child is
        gone after this either way."""
        answer: Answer | None = None
        try:
            if self.conn.poll(WAIT_S):
                answer = self.conn.recv()
        except (EOFError, OSError):  # the child died before answering
            answer = None
        finally:
            self.close()
        if answer is None:
            return None
        sent_key, config, warned, logged = answer
        if sent_key != key or config is None:
            return None
        replay(warned, logged)
        return config

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
    """Whether a child can compose while this process imports (see the module's doc)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return cores > 1


def compose_ahead(start_hydra: Callable[[Connection], None]) -> ComposeAhead | None:
    """Fork a child that runs ``start_hydra(conn)``: Hydra's start with a loader that sends its
    first composition on ``conn`` (:func:`send_and_exit`). None if no child is wanted."""
    if not wanted():
        return None
    try:
        ours, theirs = Pipe(duplex=False)
    except OSError:  # no file descriptors left: compose here
        return None
    try:
        pid = os.fork()
    except OSError:  # no process or memory left for a child: compose here
        ours.close()
        theirs.close()
        return None
    if pid == 0:  # the child: never returns
        try:
            ours.close()
            _silence()
            start_hydra(theirs)
        finally:
            os._exit(0)
    theirs.close()
    return ComposeAhead(pid, ours)


def send_and_exit(conn: Connection, key: Key, compose: Callable[[], Any]) -> NoReturn:
    """In the child: compose, send (key, config or None, warnings, log records), exit."""
    config = None
    with _recorded() as (warned, logged), suppress(Exception):
        config = compose()
    with suppress(Exception):
        conn.send((key, config, warned, logged))
    os._exit(0)


def replay(warned: Warned, logged: list[logging.LogRecord]) -> None:
    """Say here what the child's composition said: its warnings, then its log records."""
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
