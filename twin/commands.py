"""The console commands (pyproject.toml's ``[project.scripts]``, and ``python -m twin``).

Each runs its module's ``main`` and then ends the process at once, without Python's teardown:
once a command is done, the interpreter would free every object and module one by one, which
costs 0.25-0.3 s after a default run (10 % of it) and 0.35-0.5 s after a national day, and
changes nothing a user sees. What teardown does that matters happens first (:func:`finish`):
the ``atexit`` handlers (logging's flush and close, temporary folders, executors), a flush of
every file still open for writing, and of stdout and stderr. A command that leaves a
non-daemon thread running ends the usual way, after it.

``main(argv)`` itself returns or raises as before: tests and callers in Python are not ended.
"""

from __future__ import annotations

import atexit
import gc
import io
import os
import sys
import threading
from collections.abc import Callable
from importlib import import_module
from typing import Any, NoReturn

FLUSH_FAILED = 120  # Python's own exit status when flushing stdout or stderr fails at exit


def command(module: str, function: str) -> Callable[[], NoReturn]:
    """The console command that runs ``module.function`` (imported when the command runs)."""

    def run_command() -> NoReturn:
        run(module, function)

    return run_command


twin = command("twin.cli", "main")
twin_collect = command("twin.experiment.collect", "main")
twin_kpis = command("twin.kpi_doc", "main")
twin_report = command("twin.report.cli", "main")
twin_baseline = command("twin.experiment.baseline_cli", "main")
twin_size = command("twin.sizing_cli", "main")
twin_fit = command("twin.fit.cli", "main")
twin_validate = command("twin.fit.validate", "main")
twin_runs = command("twin.runs_cli", "runs_main")
twin_query = command("twin.runs_cli", "query_main")


def run(module: str, function: str) -> NoReturn:
    """Run ``module.function()`` as a command: its return value (an exit code, or None for 0)
    or its ``SystemExit`` is the process's exit status."""
    main: Callable[[], Any] = getattr(import_module(module), function)
    try:
        code = exit_status(main())
    except SystemExit as stop:
        code = exit_status(stop.code)
    finish(code)


def exit_status(code: Any) -> int:
    """What Python makes of ``sys.exit(code)``: None is 0, an int itself, anything else is
    printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def finish(code: int) -> NoReturn:
    """End the process with ``code`` once nothing is left to write (see the module's text)."""
    main_thread = threading.main_thread()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main_thread):
        sys.exit(code)  # Python waits for the thread: the usual ending
    atexit._run_exitfuncs()
    _flush_open_files()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (``twin ... | head``), a closed stream
            code = code or FLUSH_FAILED
    os._exit(code)


def _flush_open_files() -> None:
    """Flush what a file object still open for writing holds in its buffer (a file closed
    at teardown would have been flushed then), frozen objects (``gc.freeze``) included."""
    gc.unfreeze()
    for obj in gc.get_objects():
        if isinstance(obj, io.IOBase) and obj not in (sys.stdout, sys.stderr):
            try:
                if not obj.closed and obj.writable():
                    obj.flush()
            except (OSError, ValueError):
                pass
