"""A just-walk-out store's door: the occupancy cap and the one outside line, as callbacks."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class Door:
    """The occupancy cap: at most ``cap`` people inside; parties wait outside in FIFO order.

    Parties are indices. A party is admitted only as a whole and only when nobody is ahead of
    it; admitting a party from the line calls ``admit(party)``. Giving up and leaving are O(1)
    amortised: a party that gave up is skipped when it reaches the head of the line.
    """

    __slots__ = ("admit", "cap", "inside", "line", "outside")

    def __init__(self, cap: int, admit: Callable[[int], None]) -> None:
        self.cap = cap
        self.admit = admit
        self.inside = 0  # people
        self.outside: set[int] = set()  # parties waiting in the outside line
        self.line: deque[tuple[int, int]] = deque()  # (party, people), given-up ones included

    @property
    def waiting(self) -> int:
        """Parties waiting outside."""
        return len(self.outside)

    def fits_now(self, people: int) -> bool:
        """Whether a party of ``people`` can walk straight in."""
        return not self.outside and self.inside + people <= self.cap

    def request(self, party: int, people: int) -> bool:
        """Let ``party`` in now (True) or put it at the back of the outside line (False)."""
        if self.fits_now(people):
            self.inside += people
            return True
        self.line.append((party, people))
        self.outside.add(party)
        return False

    def leave(self, people: int) -> None:
        """A party walked out: let in whoever now fits at the head of the line."""
        self.inside -= people
        if self.outside:
            self._admit()

    def give_up(self, party: int) -> bool:
        """A waiting party's patience ran out: True if it was still outside (else a no-op)."""
        if party not in self.outside:
            return False
        self.outside.remove(party)
        self._admit()  # a large party at the head may have held up smaller ones
        return True

    def _admit(self) -> None:
        line = self.line
        outside = self.outside
        while line:
            party, people = line[0]
            if party not in outside:  # gave up while waiting
                line.popleft()
                continue
            if self.inside + people > self.cap:
                return
            line.popleft()
            outside.remove(party)
            self.inside += people
            self.admit(party)
