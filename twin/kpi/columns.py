"""Tables of the same columns, pooled a column at a time: each column is stacked when a KPI
first reads it.

A network's pooled tables are long (a national day's cold-chain items: 1.2 M rows x 13
columns), and its KPIs come in parts that run side by side on threads
(:attr:`twin.domain.registry.KpiDomain.parts`), each reading a few whole columns. Stacking
every column before the first part starts put all the copying on one thread, ahead of both
parts; stacked on first read, the copying is shared between the parts' threads (a column both
read is stacked once: the second waits for the first), and a column no KPI reads is never
copied. The values are those of the tables stacked row-wise, in their order.
"""

from __future__ import annotations

import operator
import threading
from typing import Any

import numpy as np


class StackedColumns:
    """``tables`` (2-D, the same columns) stacked row-wise, read a column at a time.

    ``stacked[:, c]`` is column ``c`` of all rows (stacked on its first read, then kept,
    read-only: the threads share it); ``stacked[rows, c]`` selects rows of it (a mask or
    indices); ``np.asarray(stacked)`` is the whole stacked table. Any other key is an error.

    >>> a, b = np.arange(6.0).reshape(3, 2), np.arange(6.0, 10.0).reshape(2, 2)
    >>> stacked = StackedColumns([a, b])
    >>> stacked.shape, stacked[:, 1].tolist(), stacked[stacked[:, 0] > 3, -1].tolist()
    ((5, 2), [1.0, 3.0, 5.0, 7.0, 9.0], [5.0, 7.0, 9.0])
    """

    def __init__(self, tables: list[np.ndarray]) -> None:
        if not tables:
            raise ValueError("StackedColumns needs at least one table (for its columns)")
        self._tables = tables
        self.shape = (sum(table.shape[0] for table in tables), tables[0].shape[1])
        self.dtype = np.result_type(*tables)
        self._columns: dict[int, np.ndarray] = {}
        self._locks = [threading.Lock() for _ in range(self.shape[1])]

    def column(self, index: int) -> np.ndarray:
        """Column ``index`` of all rows, stacked once (the parts' threads share it)."""
        columns = self.shape[1]
        if not -columns <= index < columns:
            raise IndexError(f"column {index} of a table of {columns} columns")
        index %= columns
        with self._locks[index]:
            values = self._columns.get(index)
            if values is None:
                values = stack_column(self._tables, index)
                values.flags.writeable = False
                self._columns[index] = values
        return values

    def __getitem__(self, key: tuple[Any, int]) -> np.ndarray:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise TypeError(f"StackedColumns reads [rows, column], not [{key!r}]")
        rows, index = key
        values = self.column(operator.index(index))
        if isinstance(rows, slice) and rows == slice(None):
            return values
        return values[rows]

    def __len__(self) -> int:
        return self.shape[0]

    def __reduce__(self) -> tuple[type[StackedColumns], tuple[list[np.ndarray]]]:
        # pickled as its tables (its locks cannot be); the columns are stacked again on use
        return StackedColumns, (self._tables,)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if copy is False:
            raise ValueError("the whole table of StackedColumns is always a new array")
        stacked = np.column_stack([self.column(i) for i in range(self.shape[1])])
        return stacked if dtype is None else stacked.astype(dtype)


def stack_column(tables: list[np.ndarray], index: int) -> np.ndarray:
    """Column ``index`` of every table, one after another."""
    return np.concatenate([table[:, index] for table in tables])
