"""Exposing the chains: each product category's items run through their segments of air
(:func:`twin.domain.coldchain.shelf_life.chain_stages`), then breaches and write-offs per item and
order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.domain.coldchain.environment import AMBIENT, CHILLED, Intervals, Segments
from twin.domain.coldchain.kpis import EXPIRED_COLUMNS, ITEM_COLUMNS, NO_BREACH, ORDER_COLUMNS
from twin.domain.coldchain.shelf_life import chain_stages
from twin.domain.coldchain.shelf_life_kinetics import Kinetics

if TYPE_CHECKING:
    from twin.domain.coldchain.chain import ColdChain


class ChainSegments:
    """Each chain's (an order's temperature zone) segments as (chain, k) matrices, in order."""

    __slots__ = ("count", "duration_s", "env_c", "stage", "tau_s")

    def __init__(self, segments: Segments, intervals: Intervals, chains: int) -> None:
        seg_chain = intervals.chain[segments.interval]
        count = np.bincount(seg_chain, minlength=chains)
        rank = np.arange(seg_chain.size) - (np.cumsum(count) - count)[seg_chain]
        shape = (chains, int(count.max()) if chains else 0)
        self.env_c = np.zeros(shape)
        self.duration_s = np.zeros(shape)
        self.tau_s = np.ones(shape)
        self.stage = np.full(shape, -1, dtype=np.int64)
        self.env_c[seg_chain, rank] = segments.env_c
        self.duration_s[seg_chain, rank] = segments.duration_s
        self.tau_s[seg_chain, rank] = segments.tau_s
        self.stage[seg_chain, rank] = intervals.stage[segments.interval]
        self.count = count


def expose_chains(
    kinetics: Kinetics,
    start_temp_c: float,
    max_safe_temp_c: float,
    max_time_above_safe_s: float,
    chains: ChainSegments,
    rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the chains ``rows`` of one category through their segments (ragged chains).

    Returns (used shelf-life fraction, end temperature, breach stage or -1, time above the safe
    temperature), one value per row; the breach stage is the stage of the segment in which the
    cumulative time above the safe temperature first exceeds the allowance.
    """
    count = chains.count[rows]
    width = int(count.max()) if rows.size else 0
    exposure = chain_stages(
        kinetics,
        np.full(rows.size, float(start_temp_c)),
        [
            (chains.env_c[rows, k], chains.duration_s[rows, k], chains.tau_s[rows, k])
            for k in range(width)
        ],
        1.0,  # every stage names its own time constant
        max_safe_temp_c,
        lengths=count,
    )
    above = np.cumsum(exposure.time_above_safe_s, axis=0)
    total = above[-1] if width else np.zeros(rows.size)
    breached = total > max_time_above_safe_s
    stage = np.full(rows.size, NO_BREACH, dtype=np.int64)
    if width:
        column = np.argmax(above > max_time_above_safe_s, axis=0)
        stage[breached] = chains.stage[rows[breached], column[breached]]
    return exposure.consumed_fraction, exposure.end_temp_c, stage, total


def expose_orders(
    cold_chain: ColdChain,
    matrices: ChainSegments,
    chain_order: np.ndarray,
    chain_zone: np.ndarray,
    handover: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Order rows and item rows (``ORDER_COLUMNS``, ``ITEM_COLUMNS``) of the assessed orders:
    each category's chains exposed, each item's age at pick added, breaches and write-offs."""
    orders = cold_chain.online.orders
    n_orders = len(orders)
    created = np.array([order.created_s for order in orders], dtype=float)
    breach_stage = np.full(n_orders, np.iinfo(np.int64).max)
    time_above = np.zeros(n_orders)
    perishable_items = np.zeros(n_orders)
    threshold = cold_chain.config.write_off_below_remaining_frac
    item_blocks: list[np.ndarray] = []
    for c, category in enumerate(cold_chain.categories):
        zone = cold_chain.zone_of[c]
        rows = np.flatnonzero((chain_zone == zone) & (cold_chain.counts[chain_order, c] > 0))
        if rows.size == 0:
            continue
        owner = chain_order[rows]
        used, end_temp, stage, above = expose_chains(
            cold_chain.kinetics[c],
            category.storage_temp_c,
            category.max_safe_temp_c,
            category.max_time_above_safe_s,
            matrices,
            rows,
        )
        count = cold_chain.counts[owner, c]
        breached = stage != NO_BREACH
        np.minimum.at(breach_stage, owner[breached], stage[breached])
        is_perishable = zone != AMBIENT
        if is_perishable:
            np.maximum.at(time_above, owner, above)
            np.add.at(perishable_items, owner, count)
        item_owner = np.repeat(owner, count)
        within = np.arange(item_owner.size) - np.repeat(np.cumsum(count) - count, count)
        age = cold_chain.ages[c][cold_chain.age_offsets[item_owner, c] + within]
        item_used = np.repeat(used, count)
        left = 1.0 - age - item_used
        item_breached = np.repeat(breached, count)
        written_off = item_breached | (left < threshold)
        item_columns = {
            "order": item_owner,
            "created_s": created[item_owner],
            "handover_s": handover[item_owner],
            "category": c,
            "is_perishable": is_perishable,
            "is_chilled": zone == CHILLED,
            "left_frac": left,
            "lost_frac": item_used,
            "handover_temp_c": np.repeat(end_temp, count),
            "is_breached": item_breached,
            "is_written_off": written_off,
            "weight_kg": category.weight_per_item_kg,
            "value": category.value_per_item,
        }
        item_blocks.append(_table(item_columns, ITEM_COLUMNS, item_owner.size))
    assessed = np.flatnonzero(~np.isnan(handover))
    stage_of = breach_stage[assessed]
    order_columns = {
        "order": assessed,
        "created_s": created[assessed],
        "handover_s": handover[assessed],
        "perishable_items": perishable_items[assessed],
        "breach_stage": np.where(stage_of == np.iinfo(np.int64).max, NO_BREACH, stage_of),
        "time_above_safe_s": time_above[assessed],
    }
    order_rows = _table(order_columns, ORDER_COLUMNS, assessed.size)
    items = np.concatenate(item_blocks) if item_blocks else np.zeros((0, len(ITEM_COLUMNS)))
    return order_rows, items


def expired_rows(cold_chain: ColdChain) -> np.ndarray:
    """Write-offs of the chilled and frozen items of expired pickup orders."""
    cold = cold_chain.zone_of != AMBIENT
    weight = np.array([c.weight_per_item_kg for c in cold_chain.categories]) * cold
    value = np.array([c.value_per_item for c in cold_chain.categories]) * cold
    index_of = {order.id: i for i, order in enumerate(cold_chain.online.orders)}
    out = []
    for order in cold_chain.online.expired:
        i = index_of[order.id]
        counts = cold_chain.counts[i]
        items = float((counts * cold).sum())
        if items:
            out.append(
                (
                    i,
                    order.created_s,
                    order.expired_s,
                    items,
                    float(counts @ weight),
                    float(counts @ value),
                )
            )
    return np.array(out, dtype=float).reshape(-1, len(EXPIRED_COLUMNS))


def _table(columns: dict[str, Any], names: Sequence[str], rows: int) -> np.ndarray:
    """A float table with the columns ``names`` (scalars are repeated down the rows)."""
    return np.column_stack(
        [np.broadcast_to(np.asarray(columns[name], dtype=float), (rows,)) for name in names]
    ).reshape(rows, len(names))
