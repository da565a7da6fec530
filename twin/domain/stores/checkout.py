"""Staffed checkout lanes and a self-checkout pod: the front end every format with tills shares.

Staffed lanes share one serpentine line or each have their own (join the shortest queue);
self-checkout kiosks share one line. Shoppers may balk on the visible line length and renege
when their patience runs out. Lanes open and close by hour. A format owns the shoppers'
journey up to the tills and hands each paying shopper to :meth:`CheckoutFront.pay`.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import simpy

from twin.config.checkout import CheckoutConfig
from twin.core.arrivals import DAY_S, HOUR_S
from twin.core.buffers import doubles, longs
from twin.core.sampling import block_drawer
from twin.domain.common import ProcessGen, concat_logs
from twin.domain.stores.shopper_choices import (
    MAX_VISIBLE_LINE,
    balk_probabilities,
    sco_choices,
    service_times,
)
from twin.domain.stores.site import StoreContext
from twin.domain.stores.staffing import roster, spans_roster

STAFFED, SELF_CHECKOUT = 0, 1
SERVED, BALKED, RENEGED_OUTCOME = 0, 1, 2
# The fields of one visit to the tills: a row of the tills' buffer in the event loop, and
# the per-visit arrays of CheckoutLog after the run (same names, same order).
VISIT_COLUMNS = (
    "shopper",
    "arrive_s",
    "join_s",
    "start_s",
    "end_s",
    "lane_kind",
    "units",
    "outcome",
    "revenue",
)


@dataclass(slots=True)
class CheckoutLog:
    """What the tills of one or more stores leave behind, as plain arrays.

    One entry per shopper who reached the tills, in the order they left them, plus the
    rosters of lanes and kiosks; several stores' logs concatenate (:func:`concat_logs`).
    """

    arrivals_s: np.ndarray  # every walk-in arrival of the store (not only those at the tills)
    shopper: np.ndarray  # int: the shopper's index among the store's arrivals
    arrive_s: np.ndarray  # came into the store
    join_s: np.ndarray  # reached the tills: joined a line (or balked)
    start_s: np.ndarray  # service started (balked, reneged: left the line)
    end_s: np.ndarray  # left the tills
    lane_kind: np.ndarray  # STAFFED or SELF_CHECKOUT
    units: np.ndarray
    outcome: np.ndarray  # SERVED, BALKED or RENEGED_OUTCOME
    revenue: np.ndarray  # paid (0 unless served)
    lane_roster: np.ndarray  # (k, 3) staffed lane-hours, overtime included (staffing.py)
    kiosk_roster: np.ndarray  # (k, 3) self-checkout kiosk-hours, overtime included
    # staffed lanes kept open after closing time for shoppers still inside (also in
    # ``lane_roster``: overtime is labour)
    overtime_roster: np.ndarray

    @staticmethod
    def concat(logs: list[CheckoutLog]) -> CheckoutLog:
        return concat_logs(CheckoutLog, logs)


class Line:
    """``capacity`` servers fed by one FIFO line of shopper indices; capacity can change."""

    __slots__ = ("busy", "capacity", "queue", "waiting")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.busy = 0
        self.waiting = 0  # live entries in ``queue`` (reneged ones are skipped lazily)
        self.queue: deque[tuple[int, float, float]] = deque()  # (shopper, arrive_s, join_s)


WAITING, STARTED, GAVE_UP = 0, 1, 2


class CheckoutFront:
    """A store's tills, with every shopper's checkout attributes drawn at creation.

    Index ``i`` is the store's i-th arrival; ``units`` and ``revenue`` are per arrival (a
    shopper who never reaches the tills simply never arrives here). A format calls
    :meth:`drive` once with the times its shoppers reach the tills.

    The tills are the hottest path of the twin, so they are event-driven rather than one
    process per shopper: reaching the tills, the end of a service and the end of a shopper's
    patience are plain callbacks on timeouts (2-3 events per shopper instead of ~6), with the
    same first-come-first-served, balking and reneging behaviour as a process would have.
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        checkout: CheckoutConfig,
        units: np.ndarray,
        revenue: np.ndarray,
    ) -> None:
        self.env = env
        self.context = context
        self.checkout = checkout
        n = units.size
        uses_sco = sco_choices(checkout, units, context.stream("checkout.choice").random(n))
        staffed_s = service_times(checkout.staffed, context, "checkout.staffed", units)
        sco_s = service_times(checkout.self_checkout, context, "checkout.sco", units)
        patience = block_drawer(checkout.reneging.patience_s, context.stream("patience"))(n)
        balk_u = context.stream("balk").random(n)
        # Typed buffers: the callbacks index them (cheaper than numpy scalars, and no Python
        # object per value as in a list).
        self.units = longs(units)
        self.revenue = doubles(revenue)
        self.uses_sco = uses_sco.tolist()  # True and False are shared objects
        self.service_s = doubles(np.where(uses_sco, sco_s, staffed_s))
        self.patience_s = doubles(patience) if checkout.reneging.enabled else None
        self.balk_u = doubles(balk_u)
        self.balk_prob = balk_probabilities(checkout)
        self.state = [WAITING] * n
        # One row of VISIT_COLUMNS per visit, appended as it ends: one call, no Python object
        # per value; :meth:`log` names the columns after the run.
        self.visits = array("d")

        # lanes open in each hour: of the day (24, every day alike), or of the horizon (planned)
        self.lanes_by_hour = list(context.staffed_lanes) or [
            self._lanes_at_hour(h) for h in range(24)
        ]
        if checkout.discipline == "shared":
            self.shared_line: Line | None = Line(self.lanes_by_hour[0])
            self.lanes: list[Line] = []
        else:
            self.shared_line = None
            self.lanes = [Line(1) for _ in range(checkout.lanes)]
        self.lanes_open = self.lanes_by_hour[0]
        self._open_at = [context.open_hour <= h < context.close_hour for h in range(24)]
        self.kiosks = Line(checkout.sco_kiosks if self._open_at[0] else 0)
        # Closing: the doors close at close_hour, but lanes stay open until the last shopper
        # who came in has left (overtime); the kiosks close with them.
        self._left = 0  # shoppers who left the tills (served, balked or reneged)
        self._due = 0  # shoppers who must leave before the current overtime ends
        self._overtime_start_s = -1.0  # < 0: not in overtime
        self.overtime_lanes: list[tuple[float, float]] = []  # (start_s, end_s) per lane
        self.overtime_spans: list[tuple[float, float]] = []  # closing time -> store empty
        self.all_left = env.event()  # every shopper who reaches the tills has left them

    def drive(self, arrivals_s: np.ndarray, reach_s: np.ndarray, shoppers: np.ndarray) -> None:
        """Start the tills: shopper ``shoppers[k]`` reaches them at ``reach_s[k]``.

        Also runs the hourly lane schedule. Shoppers reaching the tills after the horizon
        simply never do (they are still in the store when the run ends).
        """
        order = np.argsort(reach_s, kind="stable")
        self._reach_s = doubles(reach_s[order])
        self._reach_shoppers = longs(shoppers[order])
        self._arrivals_s = doubles(arrivals_s)
        self._next_reach = 0
        self._total = int(shoppers.size)
        # For each closing time, how many of these shoppers came in before it.
        days = round(self.context.horizon_s / DAY_S)
        self._closes_s = [d * DAY_S + self.context.close_hour * HOUR_S for d in range(days)]
        came_in = np.sort(arrivals_s[shoppers])
        self._due_by_close = np.searchsorted(came_in, self._closes_s, side="left").tolist()
        self._next_close = 0
        if self._total == 0:
            self.all_left.succeed()
        if self._reach_s:
            self.env.timeout(self._reach_s[0]).callbacks.append(self._on_reach)
        self.env.process(self._lane_schedule())

    def _on_reach(self, _event: Any) -> None:
        """The next shopper reaches the tills; one timeout chains to the one after."""
        k = self._next_reach
        i = self._reach_shoppers[k]
        self.arrive(i, self._arrivals_s[i])
        k += 1
        self._next_reach = k
        if k < len(self._reach_s):
            delay = self._reach_s[k] - self.env.now
            self.env.timeout(delay if delay > 0 else 0.0).callbacks.append(self._on_reach)

    def _lanes_at_hour(self, hour: int) -> int:
        if not self.context.open_hour <= hour < self.context.close_hour:
            return 0
        by_hour = self.checkout.lanes_by_hour
        return by_hour[hour] if by_hour else self.checkout.lanes

    def _lane_schedule(self) -> ProcessGen:
        """Open and close staffed lanes on the hour (a closing lane serves its customer first).

        At closing time the doors close to new shoppers; if shoppers are still inside, the
        lanes of the last open hour (at least one, at most one per shopper inside) and the
        kiosks stay open until the last of them leaves (:meth:`_left_tills` closes lanes as
        the store empties and ends the overtime).
        """
        env = self.env
        step = 0
        period = len(self.lanes_by_hour)
        while True:
            yield env.timeout(HOUR_S)
            step += 1  # hours since time 0: the plan's index (it may cover the horizon)
            hour = step % 24
            closes = self._closes_s
            if self._next_close < len(closes) and env.now >= closes[self._next_close]:
                due = self._due_by_close[self._next_close]
                self._next_close += 1
                if not self._open_at[hour] and self._left < due:
                    self._start_overtime(due)
                    continue
            if self._overtime_start_s >= 0.0:
                if not self._open_at[hour]:
                    continue  # still serving the last shoppers
                self._end_overtime()  # (only if the store reopens before they left)
            if self._open_at[hour] and self.kiosks.capacity != self.checkout.sco_kiosks:
                self.kiosks.capacity = self.checkout.sco_kiosks
                self._fill(self.kiosks)
            elif not self._open_at[hour]:
                self.kiosks.capacity = 0
            self._set_lanes(self.lanes_by_hour[step % period])

    def _set_lanes(self, lanes: int) -> None:
        if lanes == self.lanes_open:
            return
        self.lanes_open = lanes
        if self.shared_line is not None:
            self.shared_line.capacity = lanes
            self._fill(self.shared_line)

    def _start_overtime(self, due: int) -> None:
        """Closing time with shoppers inside: keep the last hour's lanes open, at least one and
        at most one per shopper still inside."""
        self._due = due
        self._overtime_start_s = self.env.now
        self._set_lanes(max(1, min(self.lanes_open, due - self._left)))

    def _end_overtime(self) -> None:
        self._close_lanes(0)
        self.overtime_spans.append((self._overtime_start_s, self.env.now))
        self._overtime_start_s = -1.0
        self.kiosks.capacity = 0

    def _close_lanes(self, lanes: int) -> None:
        """In overtime: close lanes down to ``lanes`` (each serves its customer first)."""
        now = self.env.now
        self.overtime_lanes.extend([(self._overtime_start_s, now)] * (self.lanes_open - lanes))
        self._set_lanes(lanes)

    def _left_tills(self) -> None:
        """A shopper left the tills. After closing time, lanes close as the store empties
        (never more lanes than shoppers still inside); the last one ends the overtime."""
        self._left += 1
        if self._overtime_start_s >= 0.0:
            inside = self._due - self._left
            if inside == 0:
                self._end_overtime()
            elif inside < self.lanes_open:
                self._close_lanes(inside)
        if self._left == self._total:
            self.all_left.succeed()

    def _staffed_line(self) -> Line:
        if self.shared_line is not None:
            return self.shared_line
        open_lanes = self.lanes[: self.lanes_open] or self.lanes
        return min(open_lanes, key=_line_load)

    def arrive(self, i: int, arrive_s: float) -> None:
        """Shopper ``i`` reaches the tills now: choose a checkout, balk, start or queue.

        Emits (after the run, from the visit log): checkout.wait_s, checkout.balked_frac,
        checkout.reneged_frac, checkout.lane_utilisation_frac and the other checkout KPIs.
        """
        now = self.env.now
        is_sco = self.uses_sco[i]
        line = self.kiosks if is_sco else self._staffed_line()
        if self.balk_u[i] < self.balk_prob[min(line.waiting, MAX_VISIBLE_LINE)]:
            self.state[i] = GAVE_UP
            self.visits.extend((i, arrive_s, now, now, now, is_sco, self.units[i], BALKED, 0.0))
            self._left_tills()
            return
        if line.busy < line.capacity and not line.waiting:
            line.busy += 1
            self._start(line, i, arrive_s, now)
            return
        line.queue.append((i, arrive_s, now))
        line.waiting += 1
        if self.patience_s is not None:
            timer = self.env.timeout(self.patience_s[i])
            timer.callbacks.append(partial(self._renege, line, i, arrive_s, now))

    def _start(self, line: Line, i: int, arrive_s: float, join_s: float) -> None:
        self.state[i] = STARTED
        done = self.env.timeout(self.service_s[i])
        done.callbacks.append(partial(self._finish, line, i, arrive_s, join_s, self.env.now))

    def _finish(
        self, line: Line, i: int, arrive_s: float, join_s: float, start_s: float, _event: Any
    ) -> None:
        self.visits.extend(
            (
                i,
                arrive_s,
                join_s,
                start_s,
                self.env.now,
                self.uses_sco[i],
                self.units[i],
                SERVED,
                self.revenue[i],
            )
        )
        if line.waiting and line.busy <= line.capacity:
            self._start_next(line)  # the server goes straight to the next shopper
        else:
            line.busy -= 1
        self._left_tills()

    def _start_next(self, line: Line) -> None:
        queue = line.queue
        state = self.state
        i, arrive_s, join_s = queue.popleft()
        while state[i] != WAITING:  # gave up while waiting
            i, arrive_s, join_s = queue.popleft()
        line.waiting -= 1
        self._start(line, i, arrive_s, join_s)

    def _fill(self, line: Line) -> None:
        """Start waiting shoppers on servers that just opened."""
        while line.waiting and line.busy < line.capacity:
            line.busy += 1
            self._start_next(line)

    def _renege(self, line: Line, i: int, arrive_s: float, join_s: float, _event: Any) -> None:
        if self.state[i] != WAITING:
            return
        self.state[i] = GAVE_UP
        line.waiting -= 1
        now = self.env.now
        self.visits.extend(
            (i, arrive_s, join_s, now, now, self.uses_sco[i], self.units[i], RENEGED_OUTCOME, 0.0)
        )
        self._left_tills()

    def log(self, arrivals_s: np.ndarray) -> CheckoutLog:
        """The ``checkout`` KPI domain's log (``arrivals_s``: every arrival of the store)."""
        rows = np.array(self.visits, dtype=float).reshape(-1, len(VISIT_COLUMNS))
        visit = {name: rows[:, k] for k, name in enumerate(VISIT_COLUMNS)}
        visit["shopper"] = visit["shopper"].astype(np.int64)
        context = self.context
        checkout = self.checkout
        open_hours = range(context.open_hour, context.close_hour)
        lanes_by_hour = context.staffed_lanes or checkout.lanes_by_hour or None
        cost_per_h = checkout.cashier_cost_per_h
        lane_overtime = spans_roster(self.overtime_lanes, cost_per_h)
        kiosk_overtime = spans_roster(self.overtime_spans * checkout.sco_kiosks)
        lanes = roster(context.horizon_s, open_hours, lanes_by_hour, checkout.lanes, cost_per_h)
        kiosks = roster(context.horizon_s, open_hours, None, checkout.sco_kiosks)
        return CheckoutLog(
            arrivals_s=arrivals_s,
            **visit,
            lane_roster=np.concatenate([lanes, lane_overtime]),
            kiosk_roster=np.concatenate([kiosks, kiosk_overtime]),
            overtime_roster=lane_overtime,
        )


def _line_load(line: Line) -> int:
    return line.busy + line.waiting
