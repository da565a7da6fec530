"""Give the memory freed by a finished simulation back to the operating system.

A region's run allocates and frees many blocks; glibc keeps the freed ones in its heap, where
what the run hands over (logs, rows) pins them, so a process that runs region after region
grows by the freed heap of each. ``malloc_trim`` returns the free pages. Elsewhere (no glibc)
this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
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
