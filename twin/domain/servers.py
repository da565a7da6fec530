"""A pool of identical servers fed by one FIFO line, lean enough for the hot loop.

Unlike ``simpy.Resource`` its capacity can change during the run (lanes opening and closing
by hour) and a waiting request can renege in O(1): the request event is triggered with
:data:`RENEGED` and skipped when it reaches the head of the line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import simpy

SERVED = 1
RENEGED = 2


class ServerPool:
    """``capacity`` servers, one line. ``waiting`` counts live requests in the line."""

    __slots__ = ("busy", "capacity", "env", "line", "waiting")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.busy = 0
        self.waiting = 0
        self.line: deque[simpy.Event] = deque()

    def request(self) -> simpy.Event:
        """An event that succeeds with :data:`SERVED` when a server is this request's."""
        event = simpy.Event(self.env)
        if self.busy < self.capacity and not self.waiting:
            self.busy += 1
            event.succeed(SERVED)
        else:
            self.line.append(event)
            self.waiting += 1
        return event

    def release(self) -> None:
        """Free a server: hand it to the next live request, or let it go idle (or close)."""
        if self.waiting and self.busy <= self.capacity:
            line = self.line
            event = line.popleft()
            while event.triggered:  # reneged while waiting
                event = line.popleft()
            self.waiting -= 1
            event.succeed(SERVED)
        else:
            self.busy -= 1

    def renege(self, event: simpy.Event) -> None:
        """Withdraw a waiting request (its patience ran out); no-op once it was served."""
        if not event.triggered:
            self.waiting -= 1
            event.succeed(RENEGED)

    def set_capacity(self, capacity: int) -> None:
        """Open or close servers; a closing server finishes its current customer first."""
        self.capacity = capacity
        line = self.line
        while self.waiting and self.busy < capacity:
            event = line.popleft()
            if event.triggered:
                continue
            self.waiting -= 1
            self.busy += 1
            event.succeed(SERVED)

    @property
    def load(self) -> int:
        """Customers at this pool: in service plus waiting (what a shopper sees)."""
        return self.busy + self.waiting


class CallbackPool:
    """``capacity`` servers fed by one FIFO line of party indices; ``start(party)`` on service.

    The callback counterpart of :class:`ServerPool` (no reneging): the
    capacity can change during the run and a closing server finishes its party first.
    """

    __slots__ = ("busy", "capacity", "line", "start")

    def __init__(self, capacity: int, start: Callable[[int], None]) -> None:
        self.capacity = capacity
        self.start = start
        self.busy = 0
        self.line: deque[int] = deque()

    def arrive(self, party: int) -> None:
        """``party`` wants a server: start it now or queue it."""
        if self.busy < self.capacity and not self.line:
            self.busy += 1
            self.start(party)
        else:
            self.line.append(party)

    def release(self) -> None:
        """Free a server: hand it to the next party in line, or let it go idle (or close)."""
        if self.line and self.busy <= self.capacity:
            self.start(self.line.popleft())
        else:
            self.busy -= 1

    def set_capacity(self, capacity: int) -> None:
        """Open or close servers; waiting parties take the ones that opened."""
        self.capacity = capacity
        line = self.line
        while line and self.busy < capacity:
            self.busy += 1
            self.start(line.popleft())
