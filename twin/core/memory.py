"""Give the memory freed by a finished simulation back to the operating system; keep worker
threads' numpy arrays on ordinary pages; pause the cyclic garbage collector over work that
allocates many objects and makes few reference cycles.

A region's run allocates and frees many blocks; glibc keeps the freed ones in its heap, where
what the run hands over (logs, rows) pins them, so a process that runs region after region
grows by the freed heap of each. ``malloc_trim`` returns the free pages. Elsewhere (no glibc)
this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Return freed heap pages to the system; True when the C library could do it."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


@contextmanager
def ordinary_pages() -> Iterator[None]:
    """Within the block, numpy does not ask for transparent huge pages for its large arrays.

    numpy advises the kernel to back every array of 4 MB or more with 2 MB huge pages. In a
    thread other than the main one, glibc serves those arrays from the thread's own arena,
    which it shrinks as soon as they are freed, so each new array is faulted in (and zeroed)
    again, 2 MB at a time: pooling a national network's logs on worker threads spent 0.7 s in
    the kernel for 0.15 s of work (network rows 1.1-1.5 s with huge pages, 0.56 s without).
    numpy's switch is process-wide; it is put back as it was when the block ends.
    """
    switch = _huge_page_switch()
    previous = switch(False) if switch is not None else None
    try:
        yield
    finally:
        if switch is not None:
            switch(previous)


def _huge_page_switch() -> Any:
    """numpy's ``_set_madvise_hugepage`` (numpy 2: in ``numpy._core``; 1.x: ``numpy.core``),
    which sets the switch and returns its previous value; None if this numpy has none."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return getattr(module, "_set_madvise_hugepage", None)
    return None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block (or the decorated function), the cyclic garbage collector does not run
    (as it was after).

    Work that allocates many objects that live until it ends (a region's run; a report's rows,
    cells and text) triggers a collection every few hundred allocations, and each one that
    reaches the older generations scans the whole growing heap, though such work makes few
    cycles worth collecting: a national run's report spent 0.3 s of 1.85 s in them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
