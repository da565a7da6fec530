"""Pickers by weekday and hour: the picking work of a store's expected orders over the
utilisation target and, in hours with pickup orders, enough for their promises.

Express pickups and the other channels' orders are worked ``planner.pickers.lead_h`` after
they are placed; booked pickups (``orders.pickup.slots``) from their release to their window
(:func:`twin.plan.load.booked_spread`). Readiness: tasks wait as in M/M/c, then run in
parallel (:func:`twin.plan.staffing.ready_prob`), express within ``promise_s``, booked
within ``booked_release_s``; with ``slots.express: when_free`` express is offered only when
idle pickers can keep it, so only the windows are planned for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.config.orders import CHANNELS
from twin.config.schema import TwinConfig
from twin.plan.load import WEEK, PickMoments, booked_spread, shift_week
from twin.plan.staffing import by_utilisation, ready_prob

PICKUP = CHANNELS.index("pickup")


@dataclass
class PickerRule:
    """The picker sizing of one region: channel moments and pickup makespans by pickers."""

    config: TwinConfig
    moments: list[PickMoments]
    _makespans: dict[int, np.ndarray] = field(default_factory=dict)
    _decided: dict[tuple[float, float, float], tuple[int, int]] = field(default_factory=dict)
    _spread: np.ndarray | None = None

    @property
    def work_s(self) -> np.ndarray:
        return np.array([m.work_s for m in self.moments])

    @property
    def spread(self) -> np.ndarray:
        """(24, 24) share of a booked pickup's work by hour of placing and hour worked."""
        if self._spread is None:
            pickup = self.config.orders.pickup
            release_s = self.config.fulfilment.store.picking.booked_release_s
            self._spread = booked_spread(pickup.slots, pickup.promise_s, release_s)
        return self._spread

    def makespans(self, pickers: int) -> np.ndarray:
        # beyond an order's task count more pickers do not shorten its pick
        pickers = min(pickers, self.moments[PICKUP].most_tasks)
        if pickers not in self._makespans:
            self._makespans[pickers] = self.moments[PICKUP].makespans(pickers)
        return self._makespans[pickers]

    def pickers(self, work: float, task_s: float, express: float) -> tuple[int, int]:
        """(pickers, shortfall) for an hour's work; with pickup orders (``express`` >= 0: the
        share of them due ``promise_s`` after ordering, the rest booked), for their promises.

        Inputs are rounded (work to 0.01 erlang, task time to 10 s, shares to 0.01) and
        decisions remembered, so a national network plans its ~500 stores in about the time
        of one region.
        """
        key = (round(work, 2), round(task_s, -1), round(express, 2))
        if key not in self._decided:
            self._decided[key] = self._pickers(*key)
        return self._decided[key]

    def _pickers(self, work: float, task_s: float, express: float) -> tuple[int, int]:
        cfg = self.config.planner.pickers
        need, short = by_utilisation(work, cfg.utilisation_target, cfg.min_pickers, cfg.max_pickers)
        if express < 0 or short:
            return need, short
        promise_s = self.config.orders.pickup.promise_s
        release_s = self.config.fulfilment.store.picking.booked_release_s
        booked_s = max(promise_s, release_s)  # a booked order's time from release to window

        def ready(c: int, spans: np.ndarray) -> float:
            in_time = ready_prob(c, work, task_s, promise_s, spans) if express > 0 else 0.0
            booked = ready_prob(c, work, task_s, booked_s, spans) if express < 1 else 0.0
            return express * in_time + (1.0 - express) * booked

        c = max(need, 1)
        best = ready(64, self.makespans(64))  # with pickers to spare
        goal = min(cfg.ready_target, best - 0.01)
        while ready(c, self.makespans(c)) < goal:
            c += 1
            if c > cfg.max_pickers:
                return cfg.max_pickers, c - cfg.max_pickers
        return c, 0


def picker_week(
    rule: PickerRule, store_id: str, orders_week: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(pickers, shortfall) of one store by weekday and hour: the configured levels (fixed
    mode or explicit schedules), or planned from its expected orders (channel, 7, 24)."""
    config = rule.config
    picking = config.fulfilment.store.picking
    flat = config.fulfilment.capacity_of(store_id).pickers
    cfg = config.planner.pickers
    if cfg.mode == "fixed" or picking.pickers_by_hour or flat is not None:
        by_hour = picking.by_hour(flat)
        return np.tile(np.asarray(by_hour, dtype=np.int64), (7, 1)), np.zeros(WEEK, np.int64)
    # orders by the hour their work is planned: express and other channels lead_h after
    # ordering; booked pickups spread from release to window (rule.spread)
    share = config.orders.pickup.slots.share
    booked = orders_week[PICKUP] * share @ rule.spread
    now = orders_week.copy()
    now[PICKUP] *= 1.0 - share
    planned = np.stack([shift_week(week, cfg.lead_h) for week in now])
    planned[PICKUP] += booked
    work_s = rule.work_s
    work = (planned * work_s[:, None, None]).sum(axis=0) / 3600.0
    tasks = sum(
        planned[c] * (m.work_s / m.task_s if m.task_s else 0.0) for c, m in enumerate(rule.moments)
    )
    # hours with pickups to be ready: express ones placed (as without booking), booked ones
    # worked; ``express`` is their express share (-1: no pickups)
    present = (now[PICKUP] > 0) | (booked > 1e-9)
    express = np.where(present, 1.0, -1.0)
    pickups = planned[PICKUP]
    np.divide(pickups - booked, pickups, out=express, where=present & (pickups > 1e-9))
    if config.orders.pickup.slots.express == "when_free":
        # express is offered only when idle pickers can keep it: plan for the windows
        express = np.where(present, 0.0, -1.0)
    week = np.zeros(WEEK, dtype=np.int64)
    short = np.zeros(WEEK, dtype=np.int64)
    for day in range(7):
        for hour in range(picking.start_hour, picking.end_hour):
            w = float(work[day, hour])
            n_tasks = float(tasks[day, hour])
            task_s = w * 3600.0 / n_tasks if n_tasks > 0 else 0.0
            week[day, hour], short[day, hour] = rule.pickers(
                w, task_s or 1.0, float(express[day, hour])
            )
    return week, short
