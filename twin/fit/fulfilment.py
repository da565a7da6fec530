"""Fit the store's online fulfilment to the ``orders`` table: picking time per unit and the
locker dwell (order ready -> collected).

Picking: an order whose units are all in one temperature zone and at most
:data:`ONE_TASK_UNITS` is one pick task (the twin's default ``split_by_zone`` and
``max_items_per_task``), so its ``pick_end - pick_start`` is one run: walk + its items + staging.
A regression on units gives the per-unit time (all zones alike) and the fixed part (walk plus
staging: the data identify only their sum, written to ``walk_s`` with ``stage_s`` 0).

Locker dwell: for collected pickup orders, ``handed_over - ready`` is how long the order
waited to be collected (the customer's arrival after the notice plus opening the locker: the
data identify only their sum). It is written as ``collection.dwell_s`` with
``relative_to: ready`` (customers come when notified), ``early_frac`` 0 and
``lockers.retrieval_s`` 0, so the fitted twin holds lockers as long as the logs show.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from twin.core.sampling import DistSpec
from twin.data.read import OpsLogs
from twin.fit.families import Fit, fit_censored_lognormal, fit_positive
from twin.fit.online import ZONES
from twin.fit.walkin import _regression, spec_dict

ONE_TASK_UNITS = 15  # the twin's default max_items_per_task
MIN_ORDERS = 30


def fit_picking(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """``fulfilment.store.picking`` per-unit and fixed times (empty: too few one-task orders)."""
    orders = logs.tables["orders"]
    units = np.column_stack([orders[f"{z}_units"].to_numpy(dtype=float) for z in ZONES])
    duration = (orders["pick_end"] - orders["pick_start"]).to_numpy(dtype=float)
    total = np.nansum(units, axis=1)
    one_task = (
        (np.count_nonzero(np.nan_to_num(units) > 0, axis=1) == 1)
        & (total >= 1)
        & (total <= ONE_TASK_UNITS)
        & np.isfinite(duration)
    )
    n = int(np.count_nonzero(one_task))
    if n < MIN_ORDERS:
        notes.append(f"picking: {n} one-task orders with pick_start and pick_end, not fitted")
        return {}
    y, units = duration[one_task], total[one_task]
    fixed, per_item, note = _regression("fulfilment.store.picking", y, units, fits)
    # each item's time is its own draw: Var(y | u) = var_fixed + u x var_item (the till
    # regression's u^2 model would read the spread as a fixed part)
    resid2 = (y - fixed.mean - per_item.mean * units) ** 2
    design = np.column_stack([np.ones_like(units), units])
    var_fixed, var_item = np.linalg.lstsq(design, resid2, rcond=None)[0]
    if min(var_fixed, var_item) <= 0:  # not separable (e.g. mostly one-unit orders): one cv
        shape = fixed.mean**2 + units * per_item.mean**2
        cv2 = max(float(shape @ resid2 / (shape @ shape)), 1e-8)
        var_fixed, var_item = cv2 * fixed.mean**2, cv2 * per_item.mean**2
        note += "; one cv for both parts (their spreads are not separable here)"
    fixed = _with_cv(fixed, var_fixed)
    per_item = _with_cv(per_item, var_item)
    fits[-2].spec, fits[-1].spec = fixed, per_item
    notes.append(
        f"picking: {note} on one-task orders (one zone, <= {ONE_TASK_UNITS} units); "
        "fixed = walk + staging"
    )
    per_unit = spec_dict(per_item)
    return {
        "per_item_s": {zone: dict(per_unit) for zone in ZONES},
        "walk_s": spec_dict(fixed),
        "stage_s": {"kind": "fixed", "mean": 0.0},  # inside walk_s: not identifiable
    }


def _with_cv(spec: DistSpec, variance: float) -> DistSpec:
    cv = float(np.sqrt(max(float(variance), 1e-6))) / max(spec.mean, 1e-9)
    return dataclasses.replace(spec, cv=round(min(max(cv, 0.01), 5.0), 4))


def fit_collection(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """``fulfilment.store.collection`` and locker retrieval from the locker dwell."""
    orders = logs.tables["orders"]
    pickup = (orders["mode"] == "pickup").to_numpy()
    outcome = orders["outcome"].to_numpy(dtype=object)
    ready = orders["ready"].to_numpy(dtype=float)
    dwell_all = orders["handed_over"].to_numpy(dtype=float) - ready
    done = pickup & (outcome == "collected") & np.isfinite(dwell_all)
    dwell = dwell_all[done]
    if dwell.size < MIN_ORDERS:
        notes.append(f"locker dwell: {dwell.size} collected pickup orders, not fitted")
        return {}
    cold = np.nan_to_num(orders["chilled_units"].to_numpy(dtype=float)) + np.nan_to_num(
        orders["frozen_units"].to_numpy(dtype=float)
    )
    expired = pickup & (outcome == "expired") & np.isfinite(ready)
    # an order returned to stock was not collected within the hold, which runs from the later
    # of ready and the promise: its dwell was at least that; the hold is estimated as the
    # longest such wait of a collected order with cold items
    hold_from = np.fmax(ready, orders["promised"].to_numpy(dtype=float))
    waited = orders["handed_over"].to_numpy(dtype=float) - hold_from
    held = waited[done & (cold > 0)]
    hold_s = float(np.nanmax(held)) if held.size else float(dwell.max())
    returned = orders["returned"].to_numpy(dtype=float) - ready
    if expired.any():
        # logged: the customer had not come by the time the order was returned
        at_least = np.where(np.isfinite(returned), returned, (hold_from - ready) + hold_s)[expired]
        fit = fit_censored_lognormal("fulfilment.store.collection.dwell_s", dwell, at_least)
        fit.note = f"{fit.note}: expired orders' dwell >= the hold ({hold_s:.0f} s, estimated)"
    else:
        fit = fit_positive("fulfilment.store.collection.dwell_s", dwell)
    fits.append(fit)
    notes.append(
        f"locker dwell (order ready -> collected): {dwell.size} collected pickup orders, "
        f"{int(expired.sum())} expired (censored); customers come when notified, retrieval "
        "inside the dwell"
    )
    return {
        "collection": {"relative_to": "ready", "dwell_s": spec_dict(fit.spec), "early_frac": 0.0},
        "lockers": {"retrieval_s": {"kind": "fixed", "mean": 0.0}},
    }


def fit_fulfilment(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """The ``fulfilment.store`` section fitted to the orders table (keys it could fit)."""
    store: dict[str, Any] = {}
    picking = fit_picking(logs, fits, notes)
    if picking:
        store["picking"] = picking
    store |= fit_collection(logs, fits, notes)
    return store
