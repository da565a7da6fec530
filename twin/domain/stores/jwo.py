"""A just-walk-out (checkout-free) store: gates in, shop, walk out, receipt later.

A party (an account holder and the guests it pays for) arrives at the door. When the store is
at its occupancy cap the party waits outside in one first-come-first-served line until it fits
as a whole (and gives up when its patience runs out), or is turned away at once, as configured.
Admitted, it queues at the entry gates, where each person scans the account's QR code; shops as
in a grocery store (same basket and browse draws, from the same named streams, so a store
converted from grocery sees the same shoppers); and walks out with no checkout. Its basket is
then recognised automatically, or sent to human review by a pool of reviewers on duty by hour,
and the receipt is issued. Automatic recognition may miss items (leakage) or charge items not
taken (a refund later, with support time to handle the dispute).

"In the store" runs from admission (the gate line is inside the door) to walking out; the
``store`` KPIs (time in store, occupancy) use that span, and outside waits are ``jwo`` KPIs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import simpy

from twin.config.schema import DemandConfig, RunConfig
from twin.config.store_formats import JwoConfig
from twin.core.buffers import doubles, longs
from twin.core.sampling import block_drawer
from twin.domain.common import ProcessGen, concat_logs
from twin.domain.servers import CallbackPool
from twin.domain.stores.basket import draw_shoppers
from twin.domain.stores.jwo_door import Door
from twin.domain.stores.site import StoreContext, walk_in_arrivals
from twin.domain.stores.staffing import roster
from twin.domain.stores.store_kpis import StoreLog

ADMITTED, TURNED_AWAY, GAVE_UP = 0.0, 1.0, 2.0  # a party's outcome at the door
NO_CAP = 1 << 62


@dataclass(slots=True)
class JwoLog:
    """Per-party arrays of one or more just-walk-out stores (NaN: did not happen by the end)."""

    arrive_s: np.ndarray
    outcome: np.ndarray  # ADMITTED, TURNED_AWAY, GAVE_UP, or NaN (still outside at the end)
    people: np.ndarray  # 1 + guests
    door_s: np.ndarray  # admitted, turned away, or gave up
    gate_start_s: np.ndarray
    gate_end_s: np.ndarray
    exit_s: np.ndarray
    is_reviewed: np.ndarray  # 0/1, decided at creation
    review_join_s: np.ndarray
    review_start_s: np.ndarray
    receipt_s: np.ndarray
    basket_value: np.ndarray
    leak_value: np.ndarray  # value of items taken but not charged
    false_items: np.ndarray  # items charged but not taken
    refund_value: np.ndarray
    dispute_s: np.ndarray  # support time for the refund (0 without a false charge)
    dispute_cost: np.ndarray
    gate_roster: np.ndarray  # (k, 3) rows of (start_s, end_s, cost_per_h), see staffing.py
    attendant_roster: np.ndarray
    reviewer_roster: np.ndarray

    @staticmethod
    def concat(logs: list[JwoLog]) -> JwoLog:
        return concat_logs(JwoLog, logs)


@dataclass(frozen=True, slots=True)
class RecognitionDraws:
    """Per-party recognition outcomes, drawn at creation."""

    is_reviewed: np.ndarray
    auto_receipt_s: np.ndarray
    review_s: np.ndarray
    leak_value: np.ndarray
    false_items: np.ndarray
    refund_value: np.ndarray
    dispute_s: np.ndarray


def draw_guests(context: StoreContext, guest_probs: list[float], n: int) -> np.ndarray:
    """Guests per party, by inverse transform of one uniform each (stable under new probs)."""
    cumulative = np.cumsum(np.asarray(guest_probs, dtype=float))
    u = context.stream("jwo.guests").random(n)
    guests = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    return np.minimum(guests, len(guest_probs) - 1)


def gate_times(fmt: JwoConfig, context: StoreContext, guests: np.ndarray) -> np.ndarray:
    """The account holder's scan plus one scan per guest, each from its own stream."""
    n = guests.size
    gate = fmt.gate
    holder = block_drawer(gate.scan_s, context.stream("jwo.gate.scan"))(n)
    most = len(gate.guest_probs) - 1
    if most == 0:
        return holder
    guest_scans = block_drawer(gate.scan_s, context.stream("jwo.gate.guest_scan"))(n * most)
    shown = np.arange(most) < guests[:, None]
    return holder + (guest_scans.reshape(n, most) * shown).sum(axis=1)


def draw_recognition(
    fmt: JwoConfig, context: StoreContext, units: np.ndarray, basket_value: np.ndarray
) -> RecognitionDraws:
    """Review decision, receipt and review times, missed and falsely charged items."""
    rec = fmt.recognition
    n = units.size
    is_reviewed = context.stream("jwo.review").random(n) < rec.p_review
    auto_receipt_s = block_drawer(rec.auto_receipt_s, context.stream("jwo.receipt.auto"))(n)
    review_s = block_drawer(rec.review_s, context.stream("jwo.review.time"))(n)
    whole_units = units.astype(np.int64)
    missed = context.stream("jwo.missed_items").binomial(whole_units, rec.p_missed_item)
    false_items = context.stream("jwo.false_items").binomial(whole_units, rec.p_false_charge_item)
    if rec.is_review_exact:  # a reviewer fixes the basket before the receipt goes out
        missed = np.where(is_reviewed, 0, missed)
        false_items = np.where(is_reviewed, 0, false_items)
    price = basket_value / np.maximum(units, 1.0)
    dispute_s = block_drawer(rec.dispute_s, context.stream("jwo.dispute"))(n)
    return RecognitionDraws(
        is_reviewed,
        auto_receipt_s,
        review_s,
        missed * price,
        false_items.astype(float),
        false_items * price,
        np.where(false_items > 0, dispute_s, 0.0),
    )


class JwoSite:
    """One just-walk-out store wired into an environment; :meth:`logs` gives its arrays.

    The class is the ``jwo`` format's site builder (:data:`twin.domain.registry.FORMATS`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        context: StoreContext,
        fmt: JwoConfig,
        demand: DemandConfig,
        run: RunConfig,
    ) -> None:
        self.env = env
        self.context = context
        self.fmt = fmt
        self.arrivals_s = walk_in_arrivals(context, demand, run, fmt.demand_scale)
        n = self.arrivals_s.size
        draws = draw_shoppers(context, demand, n)
        guests = draw_guests(context, fmt.gate.guest_probs, n)
        occupancy = fmt.occupancy
        patience = block_drawer(occupancy.patience_s, context.stream("jwo.outside.patience"))(n)
        self.recognition = draw_recognition(fmt, context, draws.units, draws.revenue)
        self.basket_value = draws.revenue
        self.people_array = 1 + guests
        # Typed buffers: the visit process indexes them (cheaper than numpy scalars, and no
        # Python object per value as in a list).
        self.people = longs(self.people_array)
        self.gate_s = doubles(gate_times(fmt, context, guests))
        self.browse_s = doubles(draws.browse_s)
        self.patience_s = doubles(patience)
        self.is_reviewed = self.recognition.is_reviewed.tolist()  # shared True and False
        self.auto_receipt_s = doubles(self.recognition.auto_receipt_s)
        self.review_s = doubles(self.recognition.review_s)
        self.leaves_when_full = occupancy.is_capped and occupancy.when_full == "leave"
        # What happened when, per party (NaN: not by the end of the run).
        not_yet = np.full(n, math.nan)
        self.outcome = doubles(not_yet)
        self.door_s = doubles(not_yet)
        self.gate_start_s = doubles(not_yet)
        self.gate_end_s = doubles(not_yet)
        self.exit_s = doubles(not_yet)
        self.review_join_s = doubles(not_yet)
        self.review_start_s = doubles(not_yet)
        self.receipt_s = doubles(not_yet)

        # Event-driven like the tills (twin.domain.stores.checkout): an arrival, the end of a gate
        # scan, walking out, the end of the outside patience, the automatic receipt of a
        # reviewed basket and the end of a review are plain callbacks on timeouts carrying the
        # party's index, with the same first-come-first-served behaviour a process per party
        # would have. The receipt of a basket nobody reviews needs no event (see jwo_log).
        self.door = Door(occupancy.cap if occupancy.is_capped else NO_CAP, self._admitted)
        self.gates = CallbackPool(fmt.gate.gates, self._start_scan)
        rec = fmt.recognition
        self.reviewers_by_hour = list(rec.reviewers_by_hour) or [rec.reviewers] * 24
        self.reviewers = CallbackPool(self.reviewers_by_hour[0], self._start_review)
        # A run that drains until the stores are empty (twin.model on main, issue 15) waits for
        # this: every party walked out or left at the door.
        self.last_shopper_left = env.event()
        self._parties_gone = 0
        if n == 0:
            self.last_shopper_left.succeed()
        self._arrivals = doubles(self.arrivals_s)
        self._next_arrival = 0
        if n:
            env.timeout(self._arrivals[0] - env.now).callbacks.append(self._on_arrive)
        if rec.reviewers_by_hour:
            env.process(self._reviewer_shifts())

    def _reviewer_shifts(self) -> ProcessGen:
        """Reviewers come and go on the hour (one leaving finishes the basket in hand)."""
        env = self.env
        by_hour = self.reviewers_by_hour
        hour = 0
        while True:
            yield env.timeout(3600.0)
            hour = (hour + 1) % 24
            if by_hour[hour] != self.reviewers.capacity:
                self.reviewers.set_capacity(by_hour[hour])

    def _on_arrive(self, _event: simpy.Event) -> None:
        """The next party reaches the door; one timeout chains to the one after.

        Door (cap), gates, shop, walk out; then recognition or review, then the receipt.
        Emits (after the run, from the per-party arrays): jwo.outside_wait_s,
        jwo.turned_away_frac, jwo.gate_wait_s, jwo.review_frac, jwo.receipt_delay_s,
        jwo.reviewer_utilisation_frac, jwo.leakage_money, jwo.false_charge_frac, and the
        store KPIs (time in store and occupancy from admission to walking out).
        """
        env = self.env
        i = self._next_arrival
        self._next_arrival = i + 1
        if i + 1 < len(self._arrivals):
            env.timeout(self._arrivals[i + 1] - env.now).callbacks.append(self._on_arrive)
        door = self.door
        people = self.people[i]
        if door.fits_now(people):
            door.inside += people
            self._admitted(i)
        elif self.leaves_when_full:
            self.outcome[i] = TURNED_AWAY
            self.door_s[i] = env.now
            self._party_gone()
        else:
            door.request(i, people)
            env.timeout(self.patience_s[i], i).callbacks.append(self._on_patience_out)

    def _on_patience_out(self, event: simpy.Event) -> None:
        i = cast(int, event.value)
        if self.door.give_up(i):
            self.outcome[i] = GAVE_UP
            self.door_s[i] = self.env.now
            self._party_gone()

    def _admitted(self, i: int) -> None:
        self.outcome[i] = ADMITTED
        self.door_s[i] = self.env.now
        self.gates.arrive(i)

    def _start_scan(self, i: int) -> None:
        self.gate_start_s[i] = self.env.now
        self.env.timeout(self.gate_s[i], i).callbacks.append(self._on_scanned)

    def _on_scanned(self, event: simpy.Event) -> None:
        i = cast(int, event.value)
        self.gates.release()
        self.gate_end_s[i] = self.env.now
        self.env.timeout(self.browse_s[i], i).callbacks.append(self._on_walk_out)

    def _on_walk_out(self, event: simpy.Event) -> None:
        i = cast(int, event.value)
        self.door.leave(self.people[i])
        self.exit_s[i] = self.env.now
        self._party_gone()
        if self.is_reviewed[i]:
            self.env.timeout(self.auto_receipt_s[i], i).callbacks.append(self._on_to_review)

    def _on_to_review(self, event: simpy.Event) -> None:
        i = cast(int, event.value)
        self.review_join_s[i] = self.env.now
        self.reviewers.arrive(i)

    def _start_review(self, i: int) -> None:
        self.review_start_s[i] = self.env.now
        self.env.timeout(self.review_s[i], i).callbacks.append(self._on_reviewed)

    def _on_reviewed(self, event: simpy.Event) -> None:
        i = cast(int, event.value)
        self.reviewers.release()
        self.receipt_s[i] = self.env.now

    def logs(self) -> dict[str, Any]:
        """The store's logs by domain: ``store`` (common) and ``jwo``."""
        log = self.jwo_log()
        walked_out = ~np.isnan(log.exit_s)
        inside = (log.outcome == ADMITTED) & ~walked_out
        charged = log.basket_value - log.leak_value  # false charges are refunded later
        store = StoreLog(
            self.arrivals_s,
            log.door_s[walked_out],
            log.exit_s[walked_out],
            charged[walked_out],
            log.door_s[inside],
        )
        return {"store": store, "jwo": log}

    def _party_gone(self) -> None:
        """A party walked out or left at the door; the last one ends the run's drain."""
        self._parties_gone += 1
        if self._parties_gone == len(self.people):
            self.last_shopper_left.succeed()

    def receipts_s(self) -> np.ndarray:
        """Receipt times; an unreviewed basket's is its exit plus the automatic receipt time.

        That is the time a timeout from the exit would fire at (the same float sum), counted
        only if it fires before the run stopped (``env.now`` after the run: the horizon, or the
        end of a drain; a run stops before the events at its end time).
        """
        receipt_s = np.array(self.receipt_s, dtype=float)
        auto_s = np.array(self.exit_s, dtype=float) + self.recognition.auto_receipt_s
        issued = ~self.recognition.is_reviewed & (auto_s < self.env.now)  # NaN: not out
        receipt_s[issued] = auto_s[issued]
        return receipt_s

    def jwo_log(self) -> JwoLog:
        fmt = self.fmt
        context = self.context
        rec = self.recognition
        open_hours = range(context.open_hour, context.close_hour)
        horizon_s = context.horizon_s
        return JwoLog(
            self.arrivals_s,
            np.array(self.outcome, dtype=float),
            self.people_array.astype(float),
            np.array(self.door_s, dtype=float),
            np.array(self.gate_start_s, dtype=float),
            np.array(self.gate_end_s, dtype=float),
            np.array(self.exit_s, dtype=float),
            rec.is_reviewed.astype(float),
            np.array(self.review_join_s, dtype=float),
            np.array(self.review_start_s, dtype=float),
            self.receipts_s(),
            self.basket_value,
            rec.leak_value,
            rec.false_items,
            rec.refund_value,
            rec.dispute_s,
            rec.dispute_s / 3600.0 * fmt.recognition.support_cost_per_h,
            roster(horizon_s, open_hours, None, fmt.gate.gates),
            roster(horizon_s, open_hours, None, fmt.gate.attendants, fmt.gate.attendant_cost_per_h),
            roster(
                horizon_s,
                range(24),
                self.reviewers_by_hour,
                0,
                fmt.recognition.reviewer_cost_per_h,
            ),
        )


__all__ = ["ADMITTED", "GAVE_UP", "TURNED_AWAY", "Door", "JwoLog", "JwoSite"]
