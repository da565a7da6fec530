"""Fit the last mile to the ``trips`` and ``orders`` tables: courier speed and time per stop,
and the not-home rate.

A courier trip (van or bike) runs depart -> every customer's door -> back at the store; its
driving time is km / speed and each order on board costs one stop (park, walk, hand over). A
least-squares fit without intercept of ``end - depart`` on ``km`` and ``orders`` gives seconds
per km (the speed) and seconds per stop. In-home deliveries take a little longer at the door
(inside the stop time here). Drone flights are modelled by their own cruise speed and are
not fitted.

The not-home rate is failed attempts / attempts of courier deliveries (code refusals of in-home
deliveries count as failed: the logs do not tell them apart).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.core.sampling import DistSpec
from twin.data.read import OpsLogs
from twin.fit.families import Fit

HOUR_S = 3600.0
MIN_TRIPS = 30
COURIERS = ("van", "bike")


def fit_couriers(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """``delivery.<mode>.speed_kmh`` and ``stop_s`` mean for each courier mode with trips."""
    trips = logs.tables.get("trips")
    out: dict[str, Any] = {}
    if trips is None or trips.empty:
        notes.append("delivery speed: no trips logged; couriers keep their defaults")
        return out
    for mode in COURIERS:
        mine = trips[trips["mode"] == mode]
        y = (mine["end"] - mine["depart"]).to_numpy(dtype=float)
        km = mine["km"].to_numpy(dtype=float)
        stops = mine["orders"].to_numpy(dtype=float)
        ok = np.isfinite(y) & np.isfinite(km) & np.isfinite(stops) & (km > 0)
        if np.count_nonzero(ok) < MIN_TRIPS:
            notes.append(f"delivery {mode}: {np.count_nonzero(ok)} trips, not fitted")
            continue
        design = np.column_stack([km[ok], stops[ok]])
        (s_per_km, stop_s), *_ = np.linalg.lstsq(design, y[ok], rcond=None)
        speed = HOUR_S / max(float(s_per_km), 1e-6)
        resid = y[ok] - design @ np.array([s_per_km, stop_s])
        r2 = 1 - float(resid @ resid) / max(float(((y[ok] - y[ok].mean()) ** 2).sum()), 1e-12)
        dof = max(int(ok.sum()) - 2, 1)
        se = np.sqrt(np.diag(float(resid @ resid) / dof * np.linalg.inv(design.T @ design)))
        note = (
            f"trip time on km and orders: R2 = {r2:.3f}, n = {int(ok.sum())} trips, standard "
            f"errors {se[0] / s_per_km:.1%} (speed), {se[1] / max(stop_s, 1e-9):.1%} (stop)"
        )
        for name, value in (("speed_kmh", speed), ("stop_s", float(stop_s))):
            fits.append(Fit(f"delivery.{mode}.{name}", DistSpec("fixed", value), y[ok], 0, note))
            fits[-1].n = int(ok.sum())
        out[mode] = {"speed_kmh": round(speed, 4), "stop_s": {"mean": round(float(stop_s), 4)}}
        notes.append(f"delivery {mode}: {speed:.2f} km/h, {float(stop_s):.1f} s per stop ({note})")
    return out


def fit_not_home(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """``delivery.not_home_prob`` from the orders' attempts (empty: none logged)."""
    orders = logs.tables.get("orders")
    if orders is None:
        return {}
    attempts = orders["attempts"].to_numpy(dtype=float)
    failed = orders["failed_attempts"].to_numpy(dtype=float)
    courier = orders["vehicle"].isin(COURIERS).to_numpy()  # drones do not ring the bell
    ok = np.isfinite(attempts) & np.isfinite(failed) & (attempts > 0) & courier
    total = float(attempts[ok].sum())
    if total < MIN_TRIPS:
        notes.append("not-home rate: too few delivery attempts logged, not fitted")
        return {}
    rate = float(failed[ok].sum()) / total
    se = float(np.sqrt(rate * (1 - rate) / total))
    note = f"failed / attempts = {int(failed[ok].sum())} / {int(total)} (standard error {se:.4f})"
    fits.append(
        Fit("delivery.not_home_prob", DistSpec("fixed", rate), failed[ok], int(total), note)
    )
    notes.append(f"not-home rate: {rate:.4f}; {note}")
    return {"not_home_prob": round(rate, 6)}


def fit_delivery(logs: OpsLogs, fits: list[Fit], notes: list[str]) -> dict[str, Any]:
    """The ``delivery`` section fitted to the logs (keys it could fit)."""
    return fit_couriers(logs, fits, notes) | fit_not_home(logs, fits, notes)
