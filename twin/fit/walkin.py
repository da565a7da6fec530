"""Fit the walk-in inputs (arrivals, baskets, shopping, tills, patience, staffing) to logs.

Everything here is vectorised over the visits table (a million visits fit in seconds). The
result is a nested dict of config values (written to the site YAML) and the per-parameter
:class:`Fit` objects the fit report shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from twin.core.sampling import DistSpec
from twin.data.read import DAY_S, OpsLogs
from twin.fit.families import Fit, fit_censored_lognormal, fit_counts, fit_positive

HOUR_S = 3600.0
DISPERSION_BIN_S = 300.0
MIN_RENEGED = 10  # fewer reneges: patience not fitted (nearly all waits censored)
DISPERSION_FLAG = 1.5  # index of dispersion of 5-minute counts above which arrivals are flagged


@dataclass
class WalkInFit:
    config: dict[str, Any] = field(default_factory=dict)
    fits: list[Fit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hourly: pd.DataFrame | None = None  # observed counts per (day, hour)


def spec_dict(spec: DistSpec) -> dict[str, Any]:
    """The non-default fields of a spec (what a YAML needs), floats rounded."""
    out: dict[str, Any] = {"kind": spec.kind}
    for key, value in asdict(spec).items():
        if key == "kind" or value in (0.0, [], ""):
            continue
        out[key] = round(value, 6) if isinstance(value, float) else value
    return out


def _least_squares(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Normal equations of a two-column design (fast on a million rows)."""
    return np.linalg.solve(design.T @ design, design.T @ y)


def _regression(
    name: str, y: np.ndarray, units: np.ndarray, fits: list[Fit]
) -> tuple[DistSpec, DistSpec, str]:
    """y = fixed + per_item x units: means by least squares, variances from squared residuals.

    Gamma components with those means and variances (the data identify the sum only).
    """
    ok = np.isfinite(y) & np.isfinite(units) & (y >= 0)
    y, units = y[ok], units[ok]
    design = np.column_stack([np.ones_like(units), units])
    var_design = np.column_stack([np.ones_like(units), units**2])
    weights = np.ones_like(y)
    for _ in range(3):  # weighted least squares, weights 1 / Var(y | units) (heteroscedastic)
        root = np.sqrt(weights)
        fixed, per_item = _least_squares(design * root[:, None], y * root)
        resid2 = (y - design @ np.array([fixed, per_item])) ** 2
        var_fixed, var_item = _least_squares(var_design, resid2)
        variance = var_design @ np.array([max(var_fixed, 1e-6), max(var_item, 1e-6)])
        weights = 1.0 / np.maximum(variance, 1e-6)
    fixed, per_item = max(float(fixed), 1e-3), max(float(per_item), 1e-3)
    cv_fixed = float(np.sqrt(max(var_fixed, 1e-6))) / fixed
    cv_item = float(np.sqrt(max(var_item, 1e-6))) / per_item
    r2 = 1 - resid2.sum() / max(float(((y - y.mean()) ** 2).sum()), 1e-12)
    note = f"regression on units: R2 = {r2:.3f}, n = {y.size}"
    for part, mean, cv in (("fixed", fixed, cv_fixed), ("per_item", per_item, cv_item)):
        spec = DistSpec(kind="gamma", mean=round(mean, 4), cv=round(min(max(cv, 0.01), 5.0), 4))
        fit = Fit(f"{name}.{part}", spec, y, y.size, note)
        fit.line = (units, y, fixed, per_item)
        fits.append(fit)
    return fits[-2].spec, fits[-1].spec, note


def _arrivals(logs: OpsLogs, out: WalkInFit) -> None:
    visits = logs.tables["visits"]
    stores = visits["store"].nunique()
    t = visits["arrival"].to_numpy(dtype=float)
    day = np.floor(t / DAY_S).astype(np.int64)
    hour = np.floor((t - day * DAY_S) / HOUR_S).astype(np.int64)
    counts = np.zeros((logs.days, 24))
    np.add.at(counts, (day.clip(0, logs.days - 1), hour.clip(0, 23)), 1.0)
    counts /= stores  # per store
    weekdays = (logs.start_weekday + np.arange(logs.days)) % 7
    open_hours = np.flatnonzero(counts.sum(axis=0) > 0)
    open_hour, close_hour = int(open_hours.min()), int(open_hours.max()) + 1
    daily = counts.sum(axis=1)
    total = float(daily.mean())
    factors = [1.0] * 7
    for wd in range(7):
        if np.any(weekdays == wd):
            factors[wd] = round(float(daily[weekdays == wd].mean() / total), 6)
    weekend = weekdays >= 5
    shares_wd = counts[~weekend].sum(axis=0) if np.any(~weekend) else counts[weekend].sum(axis=0)
    shares_we = counts[weekend].sum(axis=0) if np.any(weekend) else shares_wd
    # dispersion: 5-minute counts within each (day, hour) against their hour's mean
    bins = np.floor(t / DISPERSION_BIN_S).astype(np.int64)
    per_bin = np.bincount(bins, minlength=int(logs.days * DAY_S / DISPERSION_BIN_S))
    per_bin = per_bin.reshape(-1, int(HOUR_S / DISPERSION_BIN_S)).astype(float)
    busy = per_bin.sum(axis=1) >= 12
    dispersion = float(per_bin[busy].var(axis=1, ddof=1).sum() / per_bin[busy].mean(axis=1).sum())
    flag = " (non-Poisson: over-dispersed)" if dispersion > DISPERSION_FLAG else " (Poisson-like)"
    out.notes.append(f"arrivals: index of dispersion of 5-min counts = {dispersion:.2f}{flag}")
    out.config["demand"] = {
        "daily_shoppers_per_store": round(total, 3),
        "weekday_hour_shares": [round(float(v / shares_wd.sum()), 6) for v in shares_wd],
        "weekend_hour_shares": [round(float(v / shares_we.sum()), 6) for v in shares_we],
        "day_factors": factors,
    }
    out.config["grocery"] = {"open_hour": open_hour, "close_hour": close_hour}
    out.hourly = pd.DataFrame(counts)


def _roster(logs: OpsLogs, out: WalkInFit) -> dict[str, Any]:
    rosters = logs.tables.get("rosters")
    if rosters is None or rosters.empty:
        out.notes.append("rosters: none logged; lanes and kiosks keep their defaults")
        return {}
    checkout: dict[str, Any] = {}
    hour = (np.floor(rosters["start"].to_numpy(dtype=float) / HOUR_S) % 24).astype(int)
    for resource, key in (("staffed_lanes", "lanes"), ("sco_kiosks", "sco_kiosks")):
        mine = (rosters["resource"] == resource).to_numpy()
        level = rosters["level"].to_numpy(dtype=float)[mine]
        by_hour = np.zeros(24)
        # the schedule covers the opening hours; lanes kept open after closing until the
        # store empties are the twin's closing behaviour (overtime), not part of the roster
        grocery = out.config.get("grocery", {})
        open_hours = range(int(grocery.get("open_hour", 0)), int(grocery.get("close_hour", 24)))
        for h in open_hours:
            at = level[hour[mine] == h]
            by_hour[h] = float(np.median(at)) if at.size else 0.0
        checkout[key] = round(float(by_hour.max())) if mine.any() else 0
        if resource == "staffed_lanes":
            open_levels = by_hour[by_hour > 0]
            if open_levels.size and open_levels.min() != open_levels.max():
                checkout["lanes_by_hour"] = [round(float(v)) for v in by_hour]
    return checkout


def fit_walk_in(logs: OpsLogs) -> WalkInFit:
    out = WalkInFit()
    _arrivals(logs, out)
    v = logs.tables["visits"]
    items = v["items"].to_numpy(dtype=float)
    arrival = v["arrival"].to_numpy(dtype=float)
    join = v["queue_join"].to_numpy(dtype=float)
    start = v["service_start"].to_numpy(dtype=float)
    end = v["service_end"].to_numpy(dtype=float)
    outcome = v["outcome"].to_numpy(dtype=object)
    kind = v["checkout_kind"].to_numpy(dtype=object)
    served = outcome == "served"
    basket = fit_counts("demand.basket.units", items[np.isfinite(items)])
    spend = fit_positive(
        "demand.spend_per_item", (v["spend"].to_numpy(dtype=float) / items)[served]
    )
    out.fits += [basket, spend]
    reached = np.isfinite(join)
    browse_fixed, browse_item, _ = _regression(
        "demand.browse", (join - arrival)[reached], items[reached], out.fits
    )
    checkout = _roster(logs, out)
    for label, key in (("staffed", "staffed"), ("self_checkout", "self_checkout")):
        mine = served & (kind == label)
        if np.count_nonzero(mine) < 30:
            out.notes.append(f"{key} service: {np.count_nonzero(mine)} transactions, not fitted")
            continue
        fixed, per_item, _ = _regression(
            f"checkout.{key}", (end - start)[mine], items[mine], out.fits
        )
        checkout[key] = {
            "fixed_s": spec_dict(fixed),
            "per_item_s": spec_dict(per_item),
            "payment_s": {"kind": "fixed", "mean": 0.0},  # inside fixed_s: not identifiable
        }
    reneged = outcome == "reneged"
    waits = start - join
    if np.count_nonzero(reneged) >= MIN_RENEGED:
        patience = fit_censored_lognormal(
            "checkout.reneging.patience_s", waits[reneged], waits[served & (waits > 0)]
        )
        out.fits.append(patience)
        checkout["reneging"] = {"enabled": True, "patience_s": spec_dict(patience.spec)}
    else:  # almost every wait is censored: the patience is not identifiable from the logs
        out.notes.append(
            f"patience: {np.count_nonzero(reneged)} reneges (fewer than {MIN_RENEGED}), not "
            "fitted (keeps the twin's law)"
        )
    at_sco = reached & (kind == "self_checkout")
    if at_sco.any():
        max_items = int(np.nanmax(items[at_sco]))
        # sco_share is the share of all shoppers at the tills (FMI's share of transactions)
        eligible = reached & np.isin(kind, ("staffed", "self_checkout"))
        share = int(np.count_nonzero(at_sco & eligible)) / max(int(np.count_nonzero(eligible)), 1)
        checkout["sco_share"] = round(float(share), 6)
        checkout["sco_max_items"] = max_items
        out.notes.append(
            f"self-checkout share {share:.4f} of {np.count_nonzero(eligible)} shoppers at the tills"
            f" (baskets of at most {max_items} items)"
        )
    out.config["demand"]["basket"] = {
        "quick_share": 0.0,
        "stockup_units": spec_dict(basket.spec),
    }
    out.config["demand"]["browse_fixed_s"] = spec_dict(browse_fixed)
    out.config["demand"]["browse_per_item_s"] = spec_dict(browse_item)
    out.config["demand"]["spend_per_item"] = spec_dict(spend.spec)
    out.config["grocery"]["checkout"] = checkout
    out.notes.append("balking: not fitted (keeps the twin's logistic law)")
    return out
