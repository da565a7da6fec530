"""The sweep page's decision first: the experiment's question and its answer.

The answer is the paired difference (common random numbers, 95 % CI) of each of the
experiment's own KPIs against the baseline job, as a forest plot and one sentence per KPI;
every other KPI that did not move is collapsed into one table.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from twin.report.fmt import domain_of, format_number, natural_key, network_level, unit_of
from twin.report.glance import label_of, time_scale
from twin.report.load import is_missing
from twin.report.tables import Cell, Table

HEADLINE_STATS = ("mean", "total", "value")


def experiment_of(config: dict[str, Any]) -> dict[str, Any]:
    node = config.get("experiment") if isinstance(config, dict) else None
    return node if isinstance(node, dict) else {}


def truly_swept(summary: pd.DataFrame | None, params: list[str]) -> list[str]:
    """Parameters that take two or more values across the jobs (the others are fixed
    overrides every job shares)."""
    if summary is None:
        return []
    return [p for p in params if summary[p].astype(str).nunique(dropna=True) > 1]


def network_comparison(comparison: pd.DataFrame) -> pd.DataFrame:
    parts = [network_level(g) for _, g in comparison.groupby("job", sort=True, observed=True)]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else comparison.iloc[0:0]


def experiment_kpis(
    rows: pd.DataFrame, experiment: dict[str, Any], swept: list[str]
) -> list[tuple[str, str]]:
    """The experiment's own (kpi, stat) pairs: its ``objectives`` when it names them, else the
    headline statistic of every KPI in the domains its swept keys touch (``...checkout.lanes``
    -> checkout), else the KPIs that moved."""
    available = {(str(k), str(s)) for k, s in zip(rows["kpi"], rows["stat"], strict=True)}
    objectives = []
    for objective in experiment.get("objectives") or []:
        kpi, _, stat = str(objective).partition(":")
        if (kpi, stat) in available:
            objectives.append((kpi, stat))
    if objectives:
        return objectives
    domains = {domain_of(str(k)) for k in rows["kpi"]}
    touched = {part for key in swept for part in key.split(".") if part in domains}
    pairs = sorted(
        (k, st)
        for k, st in available
        if domain_of(k) in touched and st in HEADLINE_STATS and not k.endswith("_n")
    )
    if not pairs:
        moved = rows[rows["is_significant"].astype(bool) & rows["stat"].isin(HEADLINE_STATS)]
        pairs = sorted({(str(k), str(s)) for k, s in zip(moved["kpi"], moved["stat"], strict=True)})
    return pairs


def units_by_pair(summary: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """Unit of each (kpi, stat): the ``n`` statistic is a count whatever the KPI measures."""
    if summary is None:
        return {}
    return {
        (str(k), str(s)): unit_of(str(k), str(s), u)
        for k, s, u in zip(summary["kpi"], summary["stat"], summary["unit"], strict=True)
    }


def difference_text(diff: float, unit: str) -> tuple[str, str]:
    """A positive amount and its unit for a difference (minutes or hours for long times;
    percentage points for fractions)."""
    size = abs(diff)
    if unit == "s":
        divisor, shown = time_scale(size)
        return format_number(size / divisor), shown
    if unit in ("frac", "fraction"):
        return format_number(size * 100), "percentage points"
    if unit == "currency":
        return "$" + format_number(size), ""
    return format_number(size), "" if unit in ("count", "") else unit


def sentence(
    kpi: str, stat: str, rows: pd.DataFrame, labels: dict[str, str], unit: str, baseline: str
) -> dict[str, Any]:
    """One sentence: how the KPI changed in each job against the baseline, significant or not,
    e.g. ``Checkout wait: 1.99 s shorter with job 2 (lanes=10) (± 2.65 s, not significant)``."""
    name = label_of(kpi) + ("" if stat in HEADLINE_STATS else f" ({stat})")
    parts = []
    any_significant = False
    for r in sorted(rows.itertuples(index=False), key=lambda r: natural_key(r.job)):
        if is_missing(r.diff_mean):
            continue
        diff = float(cast(float, r.diff_mean))
        half = float(cast(float, r.diff_half_width))
        amount, shown = difference_text(diff, unit)
        significant = bool(r.is_significant)
        any_significant |= significant
        verdict = "significant" if significant else "not significant"
        hw = "" if is_missing(half) else difference_text(half, unit)[0]
        job = labels.get(str(r.job), str(r.job))
        if diff == 0 and (not hw or half == 0):
            parts.append(f"unchanged with {job}")
            continue
        change = f"{'up' if diff > 0 else 'down'} {amount} {shown}".rstrip()
        parts.append(f"{change} with {job} (± {hw or '?'}, {verdict})")
    if not parts:
        text = f"{name}: no paired difference against {baseline}."
    else:
        text = f"{name}: " + "; ".join(parts) + "."
    return {"kpi": kpi, "stat": stat, "text": text, "significant": any_significant}


def signed_difference(mean: Any, half_width: Any, unit: str) -> str:
    """``+1.2 ± 0.4 s``; fractions in percentage points shown with ``%``."""
    if is_missing(mean):
        return "–"
    text_value = format_number(mean, unit)
    if float(mean) > 0:
        text_value = "+" + text_value
    if not is_missing(half_width):
        text_value += " ± " + format_number(half_width, unit)
    suffix = (
        "%" if unit in ("frac", "fraction") else (f" {unit}" if unit and unit != "count" else "")
    )
    return text_value + suffix


def unmoved_table(
    rows: pd.DataFrame,
    shown: set[tuple[str, str]],
    labels: dict[str, str],
    units: dict[tuple[str, str], str],
) -> Table:
    """Every other KPI whose difference is not significant for any job, in one long table."""
    table = Table(
        ["KPI", "Statistic", "Job", "Difference ± 95 % CI"],
        caption="KPIs that did not move (no significant difference for any job)",
        numeric_from=3,
    )
    moved = {
        (str(k), str(s))
        for k, s, sig in zip(rows["kpi"], rows["stat"], rows["is_significant"], strict=True)
        if bool(sig)
    }
    for r in rows.sort_values(["kpi", "stat"]).itertuples(index=False):
        pair = (str(r.kpi), str(r.stat))
        if pair in shown or pair in moved or r.stat == "n":
            continue
        unit = units.get(pair, unit_of(*pair))
        table.rows.append(
            [
                Cell(pair[0], "key"),
                Cell(pair[1]),
                Cell(labels.get(str(r.job), str(r.job))),
                Cell(signed_difference(r.diff_mean, r.diff_half_width, unit), "num"),
            ]
        )
    return table
