"""What the sweep report shows, as plain data for the ``sweep.html.j2`` template."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from twin.report.embed import figure_to_svg
from twin.report.fmt import (
    format_number,
    headline_pairs,
    natural_key,
    network_level,
    unit_of,
)
from twin.report.load import SweepData, is_missing
from twin.report.plots import comparison_figure, sweep_figure
from twin.report.tables import Cell, Table, estimate, text

# small multiples per figure, so that a figure fits one printed page
PANELS_PER_FIGURE = 6
COMPARISON_PANELS_PER_FIGURE = 4


def sweep_context(data: SweepData) -> dict[str, Any]:
    summary = data.summary
    top = _network_rows(summary) if summary is not None else None
    pairs = headline_pairs(top) if top is not None and len(top) else []
    jobs = _jobs(data)
    n_failed = sum(1 for j in jobs.values() if j["status"] != "ok")
    counter = iter(range(1, 10_000))
    context: dict[str, Any] = {
        "source": str(data.path.resolve()),
        "params": [{"name": p, "levels": _values_text(summary[p])} for p in data.params]
        if summary is not None
        else [],
        "facts": [
            ("Jobs", str(len(jobs))),
            ("Succeeded", str(len(jobs) - n_failed)),
            ("Failed", str(n_failed)),
            ("Swept parameters", str(len(data.params))),
        ],
        "jobs_table": _jobs_table(jobs, data.params, top, pairs),
        "failed_jobs": [_failed_job(j) for j in data.failed_jobs],
        "sweep_figures": [],
        "comparison": None,
        "has_summary": summary is not None,
    }
    if top is not None and len(top):
        for param in data.params:
            if top[param].nunique(dropna=True) < 2:
                continue
            for chunk in _chunks(pairs, PANELS_PER_FIGURE):
                fig = sweep_figure(top, param, chunk, data.params)
                alt = f"KPIs against {param}"
                context["sweep_figures"].append(
                    {"alt": alt, "svg": figure_to_svg(fig, f"f{next(counter)}", alt)}
                )
    if data.comparison is not None and len(data.comparison):
        context["comparison"] = _comparison(data, jobs, top, counter)
    return context


def _network_rows(summary: pd.DataFrame) -> pd.DataFrame:
    parts = [network_level(group) for _, group in summary.groupby("job", sort=True)]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else summary.iloc[0:0]


def _jobs(data: SweepData) -> dict[str, dict[str, Any]]:
    """Every job, from the summary, the failed list and the job folders, keyed by job id."""
    jobs: dict[str, dict[str, Any]] = {}
    if data.summary is not None:
        columns = ["job", "job_dir", "status", *data.params]
        for row in data.summary[columns].drop_duplicates(subset=["job"]).itertuples(index=False):
            values = dict(zip(columns, row, strict=True))
            jobs[str(values["job"])] = {
                "job_dir": values["job_dir"],
                "status": str(values["status"]),
                "params": {p: values[p] for p in data.params},
            }
    for failed in data.failed_jobs:
        job = str(failed.get("job"))
        entry = jobs.setdefault(job, {"job_dir": failed.get("job_dir"), "params": {}})
        entry["status"] = "failed"
        if not entry["params"]:
            entry["params"] = _params_from_overrides(failed.get("overrides"), data.params)
    for job, meta in data.job_meta.items():
        if job not in jobs:
            jobs[job] = {
                "job_dir": job,
                "status": str(meta.get("status") or "unknown"),
                "params": _params_from_overrides(meta.get("overrides"), data.params),
            }
    return dict(sorted(jobs.items(), key=lambda kv: natural_key(kv[0])))


def _params_from_overrides(overrides: Any, params: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    items = overrides if isinstance(overrides, list) else []
    if isinstance(overrides, dict):
        items = [f"{k}={v}" for k, v in overrides.items()]
    for item in items:
        key, _, value = str(item).lstrip("+~").partition("=")
        if key in params:
            found[key] = value
    return found


def _jobs_table(
    jobs: dict[str, dict[str, Any]],
    params: list[str],
    top: pd.DataFrame | None,
    pairs: list[tuple[str, str]],
) -> Table:
    columns = [(kpi, stat) for kpi, stat in pairs if not (stat == "p90" and (kpi, "mean") in pairs)]
    headers = [
        "Job",
        "Status",
        *map(short_name, params),
        *(f"{kpi} {stat}" for kpi, stat in columns),
    ]
    table = Table(
        headers, caption="Whole network, mean ± 95 % CI half-width", numeric_from=2 + len(params)
    )
    lookup: dict[tuple[str, str, str], Any] = {}
    if top is not None:
        lookup = {(str(r.job), str(r.kpi), str(r.stat)): r for r in top.itertuples(index=False)}
    for job, info in jobs.items():
        status = info["status"]
        cells = [Cell(job, "key"), Cell(status, "" if status == "ok" else "bad")]
        cells += [text(_value_text(info["params"].get(p))) for p in params]
        for kpi, stat in columns:
            r = lookup.get((job, kpi, stat))
            cells.append(
                estimate(r.mean, r.half_width, kpi, stat, r.unit) if r else Cell("–", "num")
            )
        table.rows.append(cells)
    return table


def _comparison(
    data: SweepData,
    jobs: dict[str, dict[str, Any]],
    top: pd.DataFrame | None,
    counter: Any,
) -> dict[str, Any]:
    assert data.comparison is not None
    cmp = data.comparison
    parts = [network_level(g) for _, g in cmp.groupby("job", sort=True)]
    rows = pd.concat([p for p in parts if len(p)] or [cmp.iloc[0:0]], ignore_index=True)
    units: dict[str, str] = {}
    if top is not None:
        units = {str(k): str(u) for k, u in zip(top["kpi"], top["unit"], strict=True)}
    pairs = [
        p for p in headline_pairs(rows) if len(rows[(rows["kpi"] == p[0]) & (rows["stat"] == p[1])])
    ]
    baselines = sorted({str(b) for b in rows["baseline_job"]}, key=natural_key)
    headers = ["Job", *map(short_name, data.params), *(f"{kpi} {stat}" for kpi, stat in pairs)]
    table = Table(
        headers,
        caption="Paired difference (job − baseline) ± 95 % CI half-width; "
        "* and bold: significant (the interval excludes zero)",
        numeric_from=1 + len(data.params),
    )
    lookup = {(str(r.job), str(r.kpi), str(r.stat)): r for r in rows.itertuples(index=False)}
    job_ids = sorted({str(j) for j in rows["job"]}, key=natural_key)
    n_significant = 0
    for job in job_ids:
        params = jobs.get(job, {}).get("params", {})
        cells = [Cell(job + (" (baseline)" if job in baselines else ""), "key")]
        cells += [text(_value_text(params.get(p))) for p in data.params]
        for kpi, stat in pairs:
            r = lookup.get((job, kpi, stat))
            if r is None:
                cells.append(Cell("–", "num"))
                continue
            unit = unit_of(kpi, stat, units.get(kpi))
            significant = bool(r.is_significant) and not is_missing(r.diff_mean)
            n_significant += significant
            cell_text = _signed(r.diff_mean, r.diff_half_width, unit) + (
                " *" if significant else ""
            )
            cells.append(Cell(cell_text, "num sig" if significant else "num", unit))
        table.rows.append(cells)
    labels = {
        j: _job_label(j, jobs.get(str(j), {}).get("params", {})) for j in rows["job"].unique()
    }
    figures = []
    for chunk in _chunks(pairs, COMPARISON_PANELS_PER_FIGURE):
        fig = comparison_figure(rows, chunk, labels, units)
        alt = "Differences from the baseline"
        figures.append({"alt": alt, "svg": figure_to_svg(fig, f"f{next(counter)}", alt)})
    return {
        "baselines": baselines,
        "table": table,
        "figures": figures,
        "n_significant": n_significant,
    }


def _failed_job(entry: dict[str, Any]) -> dict[str, str]:
    error = entry.get("error")
    if isinstance(error, dict):
        kind = str(error.get("type") or "Error")
        message = str(error.get("message") or "")
        traceback = str(error.get("traceback") or "")
    else:
        kind, message, traceback = "Error", "" if error is None else str(error), ""
    overrides = entry.get("overrides")
    if isinstance(overrides, list):
        overrides_text = " ".join(str(o) for o in overrides)
    elif isinstance(overrides, dict):
        overrides_text = " ".join(f"{k}={v}" for k, v in overrides.items())
    else:
        overrides_text = "" if overrides is None else json.dumps(overrides)
    return {
        "job": str(entry.get("job", "?")),
        "job_dir": str(entry.get("job_dir") or ""),
        "overrides": overrides_text,
        "type": kind,
        "message": message,
        "traceback": traceback,
    }


def _signed(mean: Any, half_width: Any, unit: str) -> str:
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


def _values_text(values: pd.Series) -> str:
    unique = list(pd.unique(values.dropna()))
    try:
        unique = sorted(unique)
    except TypeError:
        unique = sorted(unique, key=str)
    return ", ".join(_value_text(v) for v in unique)


def _value_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, (float, np.floating)):
        return "–" if np.isnan(value) else f"{float(value):g}"
    return str(value)


def _job_label(job: Any, params: dict[str, Any]) -> str:
    settings = ", ".join(f"{k.rsplit('.', 1)[-1]}={_value_text(v)}" for k, v in params.items())
    return f"{job}: {settings}" if settings else f"job {job}"


def short_name(param: str) -> str:
    """Last part of a dotted override key, for column headers (the full keys are listed
    under "Swept parameters")."""
    return param.rsplit(".", 1)[-1]


def _chunks(items: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    """At most ``size`` per chunk, in chunks of near-equal length (7 by 6 -> 4 + 3, not 6 + 1)."""
    if not items:
        return []
    count = math.ceil(len(items) / size)
    step = math.ceil(len(items) / count)
    return [items[i : i + step] for i in range(0, len(items), step)]
