"""Typed buffers for per-entity attributes read one at a time inside the event loop.

A Python list of floats costs an object per value, each freed one by one when the run's
objects go; an ``array.array`` holds the numbers themselves (indexing makes a float on the
fly, from the interpreter's free list). numpy arrays are slower to index one value at a time.
"""

from __future__ import annotations

from array import array

import numpy as np


def doubles(values: np.ndarray) -> array[float]:
    """``values`` as a buffer of C doubles."""
    out: array[float] = array("d")
    out.frombytes(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return out


def longs(values: np.ndarray) -> array[int]:
    """``values`` as a buffer of 64-bit integers."""
    out: array[int] = array("q")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return out
