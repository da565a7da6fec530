"""Pooled tables stacked a column at a time (twin/kpi/columns.py): the network rows' KPI parts
read them from several threads at once."""

from __future__ import annotations

import pickle
import threading
import time

import numpy as np
import pytest

from twin.kpi import columns
from twin.kpi.columns import StackedColumns


def test_parts_on_threads_share_each_column_stacked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads reading the same column at once get one stacked copy (the later ones wait for
    it) and every value of it; a column nobody reads is never stacked."""
    stacked: list[int] = []
    stack_column = columns.stack_column

    def slow_stack_column(tables: list[np.ndarray], index: int) -> np.ndarray:
        stacked.append(index)
        time.sleep(0.05)  # long enough for every thread to ask for the column meanwhile
        return stack_column(tables, index)

    rng = np.random.default_rng(5)
    tables = [rng.random((n, 3)) for n in (4, 0, 7, 2)]
    pooled = StackedColumns(tables)
    monkeypatch.setattr(columns, "stack_column", slow_stack_column)
    start = threading.Barrier(6)
    got: list[np.ndarray] = []

    def read(column: int) -> None:
        start.wait()
        got.append(pooled[:, column])

    threads = [threading.Thread(target=read, args=(k % 2,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert sorted(stacked) == [0, 1]  # columns 0 and 1 once each, column 2 never
    whole = np.vstack(tables)
    for column in (0, 1):
        same = [values for values in got if values is pooled[:, column]]
        assert len(same) == 3
        np.testing.assert_array_equal(same[0], whole[:, column])
    assert pooled.shape == whole.shape and len(pooled) == whole.shape[0]


def test_rows_of_a_column_and_the_whole_table() -> None:
    tables = [np.arange(6.0).reshape(3, 2), np.arange(6.0, 8.0).reshape(1, 2)]
    pooled = StackedColumns(tables)
    np.testing.assert_array_equal(pooled[np.array([True, False, True, True]), 0], [0.0, 4.0, 6.0])
    np.testing.assert_array_equal(pooled[np.array([3, 1]), 1], [7.0, 3.0])
    np.testing.assert_array_equal(np.asarray(pooled), np.vstack(tables))
    assert np.asarray(pooled, dtype=np.float32).dtype == np.float32
    copied = pickle.loads(pickle.dumps(pooled))  # a result handed between processes
    np.testing.assert_array_equal(np.asarray(copied), np.vstack(tables))
    assert pooled[:, -1] is pooled[:, 1]  # a column counted from the end is the same column
    with pytest.raises(ValueError):
        pooled[:, 0][0] = 1.0  # shared by the parts' threads: read-only
    with pytest.raises(IndexError, match="column 2 of a table of 2 columns"):
        pooled[:, 2]
    for key in ([0, 1], 0, np.array([True, False, True, True])):
        with pytest.raises(TypeError, match=r"reads \[rows, column\]"):
            pooled[key]  # type: ignore[index]
    with pytest.raises(ValueError, match="always a new array"):
        np.asarray(pooled, copy=False)
    assert StackedColumns([np.zeros((1, 2), np.int64), np.zeros((1, 2))]).dtype == np.float64


def test_no_tables_is_an_error_that_says_so() -> None:
    with pytest.raises(ValueError, match="at least one table"):
        StackedColumns([])
