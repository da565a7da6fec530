"""One store's online fulfilment: picking, then pickup (locker, counter, curbside) or dispatch.

An order's pick tasks go to the store's pickers; when the last is done the order is *picked*.
A delivery order is then ready for dispatch and goes on the store's dispatch desk. A pickup
order is staged (a booked one first waits in its temperature zones until ``load_before_s``
before its window): into locker compartments (one part per temperature zone; a part finding
none free goes to the staffed counter, or waits for a compartment), at the counter, or for
curbside runners; it is *ready* when every part is in place. Its customer comes at the booked
slot (or after being told it is ready) plus a dwell, some before the slot; one who comes
early waits. An order not collected within its hold limit after max(ready, slot start) is
returned to stock and refunded (the expired hook gets it, with its zones, for write-offs).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from twin.config.fulfilment import StoreFulfilmentConfig
from twin.domain.common import ProcessGen
from twin.domain.online.dispatch import DispatchDesk
from twin.domain.online.lockers import LockerBank
from twin.domain.online.orders import COLLECTED, DISPATCHED, EXPIRED, N_ZONES, Order
from twin.domain.online.picking import PickingStation, PickTask
from twin.domain.servers import ServerPool

LOCKER, COUNTER, CURBSIDE = range(3)
METHODS = {"locker": LOCKER, "counter": COUNTER, "curbside": CURBSIDE}

ExpiredHook = Callable[[Order], None]


class StoreFulfilment:
    """Everything one store needs to serve online orders, wired into an environment."""

    def __init__(
        self,
        env: simpy.Environment,
        store_id: str,
        store_index: int,
        cfg: StoreFulfilmentConfig,
        pickers_by_hour: list[int],
        compartments: list[int],
        horizon_s: float,
        expired_hooks: list[ExpiredHook],
    ) -> None:
        self.env = env
        self.store_id = store_id
        self.store_index = store_index
        collection = cfg.collection
        self.method = METHODS[collection.method]
        self.by_promise = collection.relative_to == "promise"
        self.overflow_waits = cfg.lockers.overflow == "wait"
        picking = cfg.picking
        self.picking = PickingStation(
            env,
            pickers_by_hour,
            horizon_s,
            picking.batch_size,
            picking.priority == "edf",
            self._task_done,
        )
        zones = [cfg.lockers.zone(name) for name in ("ambient", "chilled", "frozen")]
        self.lockers = (
            LockerBank(
                [zone.class_counts(count) for zone, count in zip(zones, compartments, strict=True)],
                cfg.lockers.allow_larger,
            )
            if self.method == LOCKER
            else None
        )
        self.counter = ServerPool(env, collection.counter_staff)
        self.bays = ServerPool(env, collection.curbside_bays)
        self.runners = ServerPool(env, collection.curbside_runners)
        self.release_s = picking.booked_release_s
        self.load_before_s = cfg.lockers.load_before_s
        self.desk = DispatchDesk(env, store_id, store_index)
        self.orders: list[Order] = []
        self.expired_hooks = expired_hooks

    def accept(self, order: Order) -> None:
        """A new order for this store: queue its pick tasks (a booked pickup's when its
        window is ``booked_release_s`` away); a pickup customer is on the way."""
        env = self.env
        order.store = self.store_index
        self.orders.append(order)
        order.tasks_left = len(order.tasks)
        release_in = order.due_s - self.release_s - env.now
        if release_in > 0 and order.booked_lead_s == order.booked_lead_s:  # booked, not NaN
            env.timeout(release_in, order).callbacks.append(self._release)
        else:
            self._submit(order)
        if order.is_pickup and self.by_promise:
            env.process(self._collect(order))

    def _release(self, event: simpy.Event) -> None:
        self._submit(event.value)  # type: ignore[arg-type]

    def _submit(self, order: Order) -> None:
        submit = self.picking.submit
        for units, pick_s, walk_s, stage_s in order.tasks:
            submit(PickTask(order, units, pick_s, walk_s, stage_s))

    def _task_done(self, task: PickTask) -> None:
        order = task.order
        order.tasks_left -= 1
        if order.tasks_left:
            return
        now = self.env.now
        order.picked_s = now
        if not order.is_pickup:
            order.ready_s = now
            order.outcome = DISPATCHED
            self.desk.put(order)
            return
        if self.method == LOCKER and order.booked_lead_s == order.booked_lead_s:  # booked
            load_in = order.due_s - self.load_before_s - now
            if load_in > 0:  # staged in its zones until shortly before the window
                order.locker_load_s = now + load_in
                self.env.timeout(load_in, order).callbacks.append(self._load)
                return
        self._stage(order)

    def _load(self, event: simpy.Event) -> None:
        self._stage(event.value)  # type: ignore[arg-type]

    def _stage(self, order: Order) -> None:
        """Put a picked pickup order where its customer collects it; ready once in place."""
        now = self.env.now
        if self.method == LOCKER:
            lockers = self.lockers
            assert lockers is not None
            for zone in range(N_ZONES):
                if order.locker_count[zone] and not lockers.offer(order, zone, now):
                    order.overflowed = True
                    if self.overflow_waits:
                        order.parts_waiting += 1
                        lockers.waiting[zone].append(order)
                    else:
                        order.at_counter = True
            if order.parts_waiting:
                return
        elif self.method == COUNTER:
            order.at_counter = True
        self._ready(order)

    def _ready(self, order: Order) -> None:
        env = self.env
        now = env.now
        order.ready_s = now
        slot_start = order.due_s if self.by_promise else now
        deadline = max(now, slot_start) + order.hold_s
        if self.by_promise:
            arrive = max(order.created_s, order.due_s + order.arrive_offset_s)
        else:
            arrive = now + order.arrive_offset_s
        if arrive > deadline:
            env.timeout(deadline - now, order).callbacks.append(self._expire)
            return
        if self.by_promise:
            if order.customer is not None:
                order.customer.succeed()
        else:
            env.process(self._collect(order, arrive))

    def _collect(self, order: Order, arrive: float = math.nan) -> ProcessGen:
        """The customer comes, waits for the order if it is not ready, and collects it.

        Emits (from the order log): pickup.customer_wait_s.
        """
        env = self.env
        if self.by_promise:
            arrive = max(order.created_s, order.due_s + order.arrive_offset_s)
        if arrive > env.now:
            yield env.timeout(arrive - env.now)
        if order.outcome == EXPIRED:
            return  # came after the hold limit: the order went back to stock, refunded
        order.arrived_s = env.now
        if self.method == CURBSIDE:
            yield self.bays.request()
        if math.isnan(order.ready_s):
            order.customer = env.event()
            yield order.customer
        if self.method == CURBSIDE:
            yield self.runners.request()
            yield env.timeout(order.runner_s)
            self.runners.release()
            self.bays.release()
        else:
            if self.lockers is not None and max(order.stays) >= 0:
                yield env.timeout(order.retrieval_s)
                self._release_lockers(order)
            if order.at_counter:
                yield self.counter.request()
                yield env.timeout(order.counter_s)
                self.counter.release()
        order.collected_s = env.now
        order.outcome = COLLECTED

    def _release_lockers(self, order: Order) -> None:
        lockers = self.lockers
        assert lockers is not None
        now = self.env.now
        for zone in lockers.release(order, now):
            waiting = lockers.waiting[zone]
            while waiting and lockers.place(waiting[0], zone, now):
                placed = waiting.popleft()
                placed.parts_waiting -= 1
                if not placed.parts_waiting:
                    self._ready(placed)

    def _expire(self, event: simpy.Event) -> None:
        """Return an uncollected order to stock at its hold limit and refund it."""
        order: Order = event.value  # type: ignore[assignment]
        order.outcome = EXPIRED
        order.expired_s = self.env.now
        if self.lockers is not None:
            self._release_lockers(order)
        for hook in self.expired_hooks:
            hook(order)
