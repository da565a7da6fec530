"""Per-store fits: each store's headline inputs, and whether the stores differ.

The twin's config has one demand profile, one till law and one online profile for every
store, so a site of several stores is fitted pooled. Here each store with enough data gets its
own estimate of the inputs that most often differ between stores, and a test of homogeneity
at :data:`ALPHA` says whether the pooled value stands for every store (Poisson dispersion
test for counts, a one-way F test for means, a chi-square test for shares). The report and
the site YAML say which inputs are pooled although the stores differ; ``DIR/NAME_stores.csv``
holds the per-store values. A store with fewer than :data:`MIN_ROWS` observations of an input
has no estimate of its own (pooled: too few data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from twin.data.read import OpsLogs

ALPHA = 0.01
MIN_ROWS = 30


@dataclass(frozen=True, slots=True)
class StoreParameter:
    """One input estimated per store: values (NaN: too few data), the test and its verdict."""

    name: str
    unit: str
    values: dict[str, float]
    p_value: float
    test: str

    @property
    def differs(self) -> bool:
        return bool(self.p_value < ALPHA)


def _counts(name: str, unit: str, counts: pd.Series, days: int) -> StoreParameter:
    """Per-store totals over the same days: Poisson dispersion test of equal rates."""
    n = counts.to_numpy(dtype=float)
    mean = n.mean() if n.size else 0.0
    chi2 = float(((n - mean) ** 2).sum() / mean) if mean > 0 else 0.0
    p = float(stats.chi2.sf(chi2, n.size - 1)) if n.size > 1 else 1.0
    values = {str(s): float(v) / days for s, v in counts.items()}
    return StoreParameter(name, unit, values, p, "Poisson dispersion")


def _means(name: str, unit: str, store: pd.Series, x: pd.Series) -> StoreParameter:
    """Per-store means; a one-way F test (vectorised group sums) of equal means."""
    frame = pd.DataFrame({"store": store.to_numpy(), "x": x.to_numpy(dtype=float)}).dropna()
    grouped = frame.groupby("store")["x"].agg(["count", "mean", "var"])
    ok = grouped[grouped["count"] >= MIN_ROWS]
    values = {str(s): float(m) if s in ok.index else np.nan for s, m in grouped["mean"].items()}
    p = 1.0
    if len(ok) > 1:
        n, m, v = ok["count"].to_numpy(float), ok["mean"].to_numpy(float), ok["var"].to_numpy(float)
        grand = float((n * m).sum() / n.sum())
        between = float((n * (m - grand) ** 2).sum()) / (len(ok) - 1)
        within = float(((n - 1) * v).sum()) / max(float(n.sum()) - len(ok), 1.0)
        p = float(stats.f.sf(between / within, len(ok) - 1, n.sum() - len(ok))) if within else 1.0
    return StoreParameter(name, unit, values, p, "one-way F")


def _share(name: str, store: pd.Series, yes: pd.Series, of: pd.Series) -> StoreParameter:
    """Per-store shares yes / of; a chi-square test of equal shares."""
    frame = pd.DataFrame(
        {"store": store.to_numpy(), "yes": yes.to_numpy(float), "of": of.to_numpy(float)}
    )
    grouped = frame.groupby("store")[["yes", "of"]].sum()
    ok = grouped[grouped["of"] >= MIN_ROWS]
    values = {
        str(s): float(r["yes"] / r["of"]) if s in ok.index else np.nan
        for s, r in grouped.iterrows()
    }
    p = 1.0
    if len(ok) > 1 and 0 < ok["yes"].sum() < ok["of"].sum():
        table = np.column_stack([ok["yes"], ok["of"] - ok["yes"]])
        p = float(stats.chi2_contingency(table)[1])
    return StoreParameter(name, "frac", values, p, "chi-square")


def store_parameters(logs: OpsLogs) -> list[StoreParameter]:
    """The per-store inputs the logs allow (none for a single store)."""
    if len(logs.stores) < 2:
        return []
    v = logs.tables["visits"]
    stores = pd.Series(0, index=logs.stores)
    out = [
        _counts(
            "demand.daily_shoppers_per_store",
            "shoppers/day",
            stores.add(v.groupby("store").size(), fill_value=0),
            logs.days,
        ),
        _means("demand.basket (units)", "units", v["store"], v["items"]),
        _means("time to the tills", "s", v["store"], v["queue_join"] - v["arrival"]),
    ]
    served = v["outcome"] == "served"
    out.append(
        _means(
            "till service time (staffed)",
            "s",
            v["store"][served & (v["checkout_kind"] == "staffed")],
            (v["service_end"] - v["service_start"])[served & (v["checkout_kind"] == "staffed")],
        )
    )
    at_tills = v["checkout_kind"].notna()
    out.append(
        _share(
            "checkout.sco_share",
            v["store"][at_tills],
            (v["checkout_kind"] == "self_checkout")[at_tills],
            at_tills[at_tills],
        )
    )
    orders = logs.tables.get("orders")
    if orders is not None and len(orders):
        by_store = stores.add(orders.groupby("store").size(), fill_value=0)
        out.append(_counts("online orders per store", "orders/day", by_store, logs.days))
        units = orders[[f"{z}_units" for z in ("ambient", "chilled", "frozen")]].sum(axis=1)
        out.append(_means("units per online order", "units", orders["store"], units))
        pick = orders["pick_end"] - orders["pick_start"]
        out.append(_means("picking time per order", "s", orders["store"], pick))
        courier = orders["vehicle"].isin(("van", "bike"))
        out.append(
            _share(
                "delivery.not_home_prob",
                orders["store"][courier],
                orders["failed_attempts"][courier],
                orders["attempts"][courier],
            )
        )
    return out


def notes_of(parameters: list[StoreParameter], n_stores: int) -> list[str]:
    """One line per input: pooled because the stores agree, or pooled although they differ."""
    lines = []
    for p in parameters:
        fitted = sum(np.isfinite(v) for v in p.values.values())
        few = f"; {n_stores - fitted} stores with too few data" if fitted < n_stores else ""
        verdict = (
            "stores DIFFER, pooled (the config has one value)"
            if p.differs
            else "stores agree, pooled"
        )
        lines.append(f"per store: {p.name}: {verdict} ({p.test} p = {p.p_value:.3g}{few})")
    return lines


def store_table(parameters: list[StoreParameter]) -> pd.DataFrame:
    """One row per store, one column per input (NaN: too few data)."""
    frame = pd.DataFrame({f"{p.name} [{p.unit}]": pd.Series(p.values) for p in parameters})
    frame.index.name = "store"
    return frame


def write_store_table(path: Path, parameters: list[StoreParameter]) -> Path:
    """``NAME_stores.csv``: :func:`store_table` as CSV (empty cells: too few data)."""
    store_table(parameters).to_csv(path, float_format="%.6g")
    return path


def yaml_comment(parameters: list[StoreParameter]) -> str:
    """Comment lines for the site YAML: which inputs are pooled although the stores differ."""
    differ = [p.name for p in parameters if p.differs]
    if not parameters:
        return ""
    if not differ:
        return "# Pooled over the stores, which agree on every input tested per store.\n"
    return (
        "# Pooled over the stores, although they DIFFER in: " + ", ".join(differ) + "\n"
        "# (per-store values: the _stores.csv beside the fit report).\n"
    )
