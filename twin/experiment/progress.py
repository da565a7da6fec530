"""Progress bars over replications and sweep jobs: on a terminal only, quiet in CI and in logs.

A bar is drawn on stderr when it is a terminal, the ``CI`` variable is unset and
``TWIN_PROGRESS`` is not ``0``; ``TWIN_PROGRESS=1`` forces it on. Worker processes of a
parallel launcher draw nothing (several bars on one line would be noise).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # tqdm is imported where a bar is drawn: not on a run that draws none
    from tqdm import tqdm


def progress_enabled(stream: Any = None) -> bool:
    """Whether to draw a progress bar on ``stream`` (stderr by default)."""
    forced = os.environ.get("TWIN_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    if os.environ.get("CI"):
        return False
    if multiprocessing.current_process().name != "MainProcess":
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TaskBar:
    """A ``progress(done, total)`` callback for :func:`twin.simulate` that draws one bar.

    ``simulate`` may call it for several batches (sequential replications restart ``done``
    at 1); the bar keeps counting across them.
    """

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self._bar: tqdm[Any] | None = None
        self._label = label
        self._enabled = progress_enabled() if enabled is None else enabled
        self._base = 0
        self._last_done = 0
        self._last_total = 0

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._last_done == self._last_total > 0:
            self._base += self._last_total  # the last batch was complete: a new one began
        self._last_done, self._last_total = done, total
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                desc=self._label,
                unit="task",
                leave=False,
                file=sys.stderr,
                dynamic_ncols=True,
            )
        self._bar.total = self._base + total
        self._bar.n = self._base + done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def task_progress(label: str, enabled: bool | None = None) -> Iterator[TaskBar]:
    """``with task_progress("default") as progress: simulate(config, progress=progress)``."""
    bar = TaskBar(label, enabled)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def count_progress(
    label: str, unit: str, total: int | None = None, enabled: bool | None = None
) -> Iterator[Any]:
    """A bar (a counter when ``total`` is unknown) fed with ``progress(done)``; on a terminal.

    ``with count_progress("sizing", " sim") as progress: size_pickup(config, progress=progress)``
    """
    if not (progress_enabled() if enabled is None else enabled):
        yield lambda done: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit=unit, leave=False, file=sys.stderr, dynamic_ncols=True)

    def update(done: int) -> None:
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


@contextmanager
def busy(label: str, enabled: bool | None = None) -> Iterator[None]:
    """An elapsed-time indicator for one long step with no countable parts (a report's
    plots): ``label: 12s`` refreshed twice a second on a terminal, nothing otherwise."""
    if not (progress_enabled() if enabled is None else enabled):
        yield
        return
    import threading

    from tqdm import tqdm

    stop = threading.Event()
    bar = tqdm(total=None, desc=label, bar_format="{desc}: {elapsed}", leave=False, file=sys.stderr)

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2)
        bar.close()
