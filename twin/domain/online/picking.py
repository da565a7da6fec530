"""In-store picking: pickers on shifts take pick tasks from one priority queue, in runs.

A free picker takes up to ``batch_size`` tasks (earliest due first, or first come) and picks
them in one run: one walk overhead (the longest of the tasks' walks), then every item, zone by
zone (ambient, chilled, frozen last: the walk path rule), then stages each task's tote. All
tasks of a run are done when the run ends. Pickers come and go with the shift plan on the hour;
a picker whose shift ends finishes the run first.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from twin.core.arrivals import DAY_S, HOUR_S
from twin.domain.common import concat_logs
from twin.domain.online.orders import N_ZONES, Order, TaskSpec
from twin.domain.stores.staffing import roster

TASK_COLUMNS = ("order", "channel", "queued_s", "started_s", "ended_s", "units")
RUN_COLUMNS = ("start_s", "end_s", "tasks", "units")


@dataclass(slots=True, eq=False)
class PickTask:
    order: Order
    units: tuple[int, int, int]
    pick_s: tuple[float, float, float]
    walk_s: float
    stage_s: float
    queued_s: float = 0.0
    started_s: float = 0.0


class PickingStation:
    """The pickers of one store and their queue of pick tasks."""

    __slots__ = (
        "busy",
        "by_priority",
        "capacity",
        "env",
        "max_batch",
        "on_done",
        "queue",
        "runs",
        "seq",
        "shift",
        "tasks_log",
    )

    def __init__(
        self,
        env: simpy.Environment,
        pickers_by_hour: list[int],
        horizon_s: float,
        batch_size: int,
        earliest_due_first: bool,
        on_done: Callable[[PickTask], None],
    ) -> None:
        self.env = env
        self.max_batch = batch_size
        self.by_priority = earliest_due_first
        self.on_done = on_done
        self.queue: list[tuple[float, int, PickTask]] = []
        self.seq = 0
        self.busy = 0
        self.capacity = pickers_by_hour[0]
        # rows of RUN_COLUMNS and TASK_COLUMNS, flat (no Python object per value)
        self.runs = array("d")
        self.tasks_log = array("d")
        days = max(1, round(horizon_s / DAY_S))
        # 24 values (every day alike) or one per hour of the horizon (planned)
        self.shift = [pickers_by_hour[h % len(pickers_by_hour)] for h in range(days * 24)]
        env.process(self._shifts())

    @property
    def backlog(self) -> int:
        """Tasks waiting for a picker."""
        return len(self.queue)

    def can_pick_within(self, tasks: list[TaskSpec], within_s: float) -> bool:
        """Whether the idle pickers, starting now, finish ``tasks`` (in order, each to the
        first free picker) within ``within_s``: O(tasks), an order has a handful."""
        idle = self.capacity - self.busy
        if idle <= 0 or self.queue:
            return False
        free = [0.0] * min(idle, len(tasks))
        for _, pick_s, walk_s, stage_s in tasks:
            heapq.heapreplace(free, free[0] + walk_s + pick_s[0] + pick_s[1] + pick_s[2] + stage_s)
        return max(free) <= within_s

    def submit(self, task: PickTask) -> None:
        """Queue a task; a free picker starts at once."""
        now = self.env.now
        task.queued_s = now
        if self.max_batch == 1 and self.busy < self.capacity and not self.queue:
            # a free picker and nobody ahead: the task the queue would hand out at once
            self.busy += 1
            self._start(task, now)
            return
        key = task.order.due_s if self.by_priority else task.order.created_s
        # frozen parts of an order go after its other parts (frozen picked last)
        self.seq += 1
        heapq.heappush(self.queue, (key, self.seq + (1 << 40) * (task.units[2] > 0), task))
        if self.busy < self.capacity:
            self._start_runs()

    def _start(self, task: PickTask, now: float) -> None:
        """A run of one task (no batching): :meth:`_start_runs` for a batch of one."""
        task.started_s = now
        order = task.order
        if not order.pick_started_s <= now:  # NaN: its first task
            order.pick_started_s = now
        walk = task.walk_s if task.walk_s > 0.0 else 0.0  # max(0.0, walk_s), as a batch's
        pick_s = task.pick_s
        work = pick_s[0] + pick_s[1] + pick_s[2] + task.stage_s
        self.env.timeout(walk + work, (now, walk, [task])).callbacks.append(self._finish)

    def _start_runs(self) -> None:
        queue = self.queue
        env = self.env
        if self.max_batch == 1:
            while self.busy < self.capacity and queue:
                self.busy += 1
                self._start(heapq.heappop(queue)[2], env.now)
            return
        while self.busy < self.capacity and queue:
            batch = [heapq.heappop(queue)[2] for _ in range(min(self.max_batch, len(queue)))]
            self.busy += 1
            now = env.now
            walk = 0.0
            work = 0.0
            for task in batch:
                task.started_s = now
                if not task.order.pick_started_s <= now:  # NaN: its first task
                    task.order.pick_started_s = now
                walk = max(walk, task.walk_s)
                work += task.pick_s[0] + task.pick_s[1] + task.pick_s[2] + task.stage_s
            env.timeout(walk + work, (now, walk, batch)).callbacks.append(self._finish)

    def _finish(self, event: simpy.Event) -> None:
        start_s, walk_s, batch = event.value  # type: ignore[misc]
        now = self.env.now
        self.busy -= 1
        # zone segments of the run: walk, then every task's ambient, chilled, frozen items
        at = start_s + walk_s
        if len(batch) == 1:  # the default (no batching): the same sums, without the loops
            pick_s = batch[0].pick_s
            chilled_at = at + pick_s[0]
            segment_start = [at, chilled_at, chilled_at + pick_s[1]]
        else:
            segment_start = [0.0] * N_ZONES
            for z in range(N_ZONES):
                segment_start[z] = at
                at += sum(task.pick_s[z] for task in batch)
        units = 0
        for task in batch:
            order = task.order
            for z in range(N_ZONES):
                if task.units[z] and not order.left_storage_s[z] <= segment_start[z]:
                    order.left_storage_s[z] = segment_start[z]
            n = task.units[0] + task.units[1] + task.units[2]
            units += n
            self.tasks_log.extend((order.id, order.channel, task.queued_s, start_s, now, n))
            self.on_done(task)
        self.runs.extend((start_s, now, len(batch), units))
        self._start_runs()

    def _shifts(self) -> Any:
        env = self.env
        for hour in range(1, len(self.shift)):
            yield env.timeout(hour * HOUR_S - env.now)
            self.capacity = self.shift[hour]
            self._start_runs()

    def log(self) -> PickingLog:
        waiting = [
            (t.order.id, t.order.channel, t.queued_s, np.inf, np.inf, sum(t.units))
            for _, _, t in self.queue
        ]
        tasks = np.concatenate(
            [
                np.array(self.tasks_log, dtype=float).reshape(-1, len(TASK_COLUMNS)),
                np.array(waiting, dtype=float).reshape(-1, len(TASK_COLUMNS)),
            ]
        )
        runs = np.array(self.runs, dtype=float).reshape(-1, len(RUN_COLUMNS))
        # the shift has one level per hour of the horizon (whole days, at least one): the
        # roster of those days, with every hour of the day listed
        days = len(self.shift) // 24
        shift = roster(days * DAY_S, range(24), self.shift, 0)
        return PickingLog(
            tasks, runs, np.ascontiguousarray(shift[:, 0]), np.ascontiguousarray(shift[:, 1])
        )


@dataclass(slots=True)
class PickingLog:
    """What the pickers of one or more stores did: tasks, runs and picker-hours on shift."""

    tasks: np.ndarray  # rows of TASK_COLUMNS (started/ended inf: still waiting at the end)
    runs: np.ndarray  # rows of RUN_COLUMNS
    shift_start_s: np.ndarray  # one (start, end) per picker-hour on shift
    shift_end_s: np.ndarray

    @staticmethod
    def concat(logs: list[PickingLog]) -> PickingLog:
        return concat_logs(PickingLog, logs)
