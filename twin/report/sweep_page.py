"""What the sweep report shows, as plain data for the ``sweep.html.j2`` template."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from twin.report.decision import (
    HEADLINE_STATS,
    experiment_kpis,
    experiment_of,
    network_comparison,
    sentence,
    truly_swept,
    units_by_pair,
    unmoved_table,
)
from twin.report.embed import figure_to_svg
from twin.report.fmt import (
    headline_pairs,
    natural_key,
    network_level,
)
from twin.report.load import SweepData
from twin.report.plots_decision import forest_figure, pareto_figure
from twin.report.plots_effects import sweep_figure
from twin.report.tables import Cell, Table, estimate

# small multiples per figure, so that a figure fits one printed page
PANELS_PER_FIGURE = 6
FOREST_PANELS_PER_FIGURE = 8


def sweep_context(data: SweepData) -> dict[str, Any]:
    summary = data.summary
    top = _network_rows(summary) if summary is not None else None
    swept = truly_swept(summary, data.params)
    fixed = [p for p in data.params if p not in swept]
    jobs = _jobs(data)
    n_failed = sum(1 for j in jobs.values() if j["status"] != "ok")
    counter = iter(range(1, 10_000))
    experiment = experiment_of(data.config)
    labels = {job: _job_label(job, {p: info["params"].get(p) for p in swept})
              for job, info in jobs.items()}  # fmt: skip
    context: dict[str, Any] = {
        "source": str(data.path.resolve()),
        "experiment_name": str(experiment.get("name") or ""),
        "question": " ".join(str(experiment.get("question") or "").split()),
        "answer": None,
        "pareto": None,
        "params": [{"name": p, "levels": _values_text(summary[p])} for p in swept]
        if summary is not None
        else [],
        "fixed": [f"{p}={_values_text(summary[p])}" for p in fixed] if summary is not None else [],
        "facts": [
            ("Jobs", str(len(jobs))),
            ("Succeeded", str(len(jobs) - n_failed)),
            ("Failed", str(n_failed)),
            ("Swept parameters", str(len(swept))),
        ],
        "jobs_table": _jobs_table(jobs, swept, top, labels),
        "failed_jobs": [_failed_job(j) for j in data.failed_jobs],
        "sweep_figures": [],
        "has_summary": summary is not None,
    }
    focus: list[tuple[str, str]] = []
    if data.comparison is not None and len(data.comparison):
        answer = _answer(data, experiment, swept, labels, counter)
        context["answer"] = answer
        focus = answer["pairs"] + answer["moved_pairs"]
    elif top is not None and len(top):
        focus = headline_pairs(top)[:PANELS_PER_FIGURE]
    objectives = _objectives(experiment, top)
    if len(objectives) >= 2 and top is not None:
        context["pareto"] = _pareto(data, top, objectives, labels, counter)
        focus = focus or objectives
    if top is not None and len(top):
        for param in swept:
            for chunk in _chunks(focus, PANELS_PER_FIGURE):
                fig = sweep_figure(top, param, chunk, swept)
                alt = f"KPIs against {param}"
                context["sweep_figures"].append(
                    {"alt": alt, "svg": figure_to_svg(fig, f"f{next(counter)}", alt)}
                )
    return context


def _answer(
    data: SweepData,
    experiment: dict[str, Any],
    swept: list[str],
    labels: dict[str, str],
    counter: Any,
) -> dict[str, Any]:
    assert data.comparison is not None
    rows = network_comparison(data.comparison)
    units = units_by_pair(data.summary)
    baselines = sorted({str(b) for b in rows["baseline_job"]}, key=natural_key)
    baseline = " and ".join(f"the baseline {labels.get(b, 'job ' + b)}" for b in baselines)
    pairs = experiment_kpis(rows, experiment, swept)
    shown = set(pairs)
    moved = rows[rows["is_significant"].astype(bool) & rows["stat"].isin(HEADLINE_STATS)]
    moved_pairs = sorted(
        {(str(k), str(s)) for k, s in zip(moved["kpi"], moved["stat"], strict=True)} - shown
    )
    key = rows["kpi"].astype(str) + "\0" + rows["stat"].astype(str)

    def sentences(chosen: list[tuple[str, str]]) -> list[dict[str, Any]]:
        said = [
            sentence(k, st, rows[key == f"{k}\0{st}"], labels, units.get((k, st), ""), baseline)
            for k, st in chosen
        ]
        return sorted(said, key=lambda x: not x["significant"])  # what moved first

    figures = []
    for chunk in _chunks(pairs, FOREST_PANELS_PER_FIGURE):
        fig = forest_figure(rows, chunk, labels, units, baseline)
        alt = f"Differences from {baseline}"
        figures.append({"alt": alt, "svg": figure_to_svg(fig, f"f{next(counter)}", alt)})
    return {
        "baseline": baseline,
        "sentences": sentences(pairs),
        "moved": sentences(moved_pairs),
        "pairs": pairs,
        "moved_pairs": moved_pairs,
        "figures": figures,
        "unmoved": unmoved_table(rows, shown | set(moved_pairs), labels, units),
    }


def _objectives(experiment: dict[str, Any], top: pd.DataFrame | None) -> list[tuple[str, str]]:
    found = []
    for objective in experiment.get("objectives") or []:
        kpi, _, stat = str(objective).partition(":")
        if top is not None and len(top[(top["kpi"] == kpi) & (top["stat"] == stat)]):
            found.append((kpi, stat))
    return found


def _pareto(
    data: SweepData,
    top: pd.DataFrame,
    objectives: list[tuple[str, str]],
    labels: dict[str, str],
    counter: Any,
) -> dict[str, Any]:
    sweeper = (data.multirun.get("hydra") or {}).get("sweeper") or {}
    directions = sweeper.get("direction") or ["minimize"] * len(objectives)
    if isinstance(directions, str):
        directions = [directions] * len(objectives)
    (kx, sx), (ky, sy) = objectives[:2]
    x = top[(top["kpi"] == kx) & (top["stat"] == sx)].set_index("job")["mean"]
    y = top[(top["kpi"] == ky) & (top["stat"] == sy)].set_index("job")["mean"]
    both = pd.concat([x.rename("x"), y.rename("y")], axis=1).dropna().reset_index()
    both["label"] = [labels.get(str(j), str(j)) for j in both["job"]]
    fig = pareto_figure(both, objectives, [str(d) for d in directions])
    storage = sweeper.get("storage")
    return {
        "figure": {"alt": "Pareto front", "svg": figure_to_svg(fig, f"f{next(counter)}", "Pareto")},
        "storage": str(storage) if storage else "",
        "study_file": next((str(p.name) for p in sorted(data.path.glob("*.db"))), ""),
    }


def _network_rows(summary: pd.DataFrame) -> pd.DataFrame:
    parts = [network_level(group) for _, group in summary.groupby("job", sort=True, observed=True)]
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
    swept: list[str],
    top: pd.DataFrame | None,
    labels: dict[str, str],
) -> Table:
    """Long and narrow: a row per (job, KPI) with its headline statistic."""
    table = Table(
        ["Job", "Status", "KPI", "Statistic", "Mean ± 95 % CI"],
        caption="Whole network, every job and KPI (sort or filter the columns)",
        numeric_from=4,
    )
    pairs = headline_pairs(top, with_p90=False) if top is not None else []
    lookup = {}
    if top is not None:
        lookup = {(str(r.job), str(r.kpi), str(r.stat)): r for r in top.itertuples(index=False)}
    for job, info in jobs.items():
        status = info["status"]
        if not any((job, kpi, stat) in lookup for kpi, stat in pairs):
            status_cell = Cell(status, "" if status == "ok" else "bad")
            table.rows.append([Cell(labels.get(job, job), "key"), status_cell, *[Cell("–")] * 3])
            continue
        for kpi, stat in pairs:
            r = lookup.get((job, kpi, stat))
            if r is None:
                continue
            table.rows.append(
                [
                    Cell(labels.get(job, job), "key"),
                    Cell(status, "" if status == "ok" else "bad"),
                    Cell(kpi, "key"),
                    Cell(stat),
                    estimate(r.mean, r.half_width, kpi, stat, r.unit),
                ]
            )
    return table


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
    """``job 1 (lanes=9)``: the job and its truly swept settings only."""
    settings = ", ".join(f"{short_name(k)}={_value_text(v)}" for k, v in params.items())
    return f"job {job} ({settings})" if settings else f"job {job}"


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
