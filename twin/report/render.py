"""Render run, sweep and sizing folders to one self-contained HTML file each.

The HTML has its CSS inline and its figures as inline SVG: it fetches nothing, runs no
script (a Content-Security-Policy forbids both) and prints well. The same folder always gives
the same bytes. Templates are autoescaped, so names and config text show up as text.

A page is many short-lived objects (rows, cells, text) and few reference cycles: the cyclic
garbage collector is paused while one is built (a national run's page: 1.85 -> 1.55 s).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from twin.core.memory import collector_paused
from twin.report.embed import write_atomic
from twin.report.fmt import breakable, slug
from twin.report.load import load_run, load_sizing, load_sweep
from twin.report.run_page import run_context
from twin.report.tables import rows_html

REPORTS_DIR = Path("reports")


@collector_paused()  # see the module docstring
def render_run_report(run_dir: Path, out_path: Path | None = None) -> Path:
    """Write the report of one run folder and return its path.

    The default path is ``reports/run_<scenario>_<folder>.html`` under the current directory.
    Any of the run's files may be missing (a failed run may hold only meta.json); the report
    shows what exists and lists what does not.
    """
    run_dir = Path(run_dir)
    data = load_run(run_dir)
    context = run_context(data)
    context["title"] = f"Run report: {data.scenario}"
    context["toc"] = _toc(
        context,
        [
            ("error", "Error", "error"),
            ("headline", "Headline", "cards"),
            ("targets", "Targets", "summary_present"),
            ("lead-time", "Where the time goes", "lead_time"),
            ("load", "Load by hour", "load_heatmap"),
            ("kpis", "KPIs", "domains"),
            ("timeseries", "Over the day", "timeseries"),
            ("distributions", "Distributions", "distributions"),
            ("network", "Network", "network_map"),
            ("provenance", "Provenance", None),
        ],
    )
    out = out_path or REPORTS_DIR / f"run_{slug(data.scenario, 40)}_{_folder_name(run_dir)}.html"
    return write_atomic(Path(out), _render("run.html.j2", context))


@collector_paused()
def render_sweep_report(sweep_dir: Path, out_path: Path | None = None) -> Path:
    """Write the report of a sweep folder (``reports/sweep_<folder>.html`` by default)."""
    from twin.report.sweep_page import sweep_context  # only for sweep pages

    sweep_dir = Path(sweep_dir)
    context = sweep_context(load_sweep(sweep_dir))
    context["title"] = f"Sweep report: {sweep_dir.resolve().name}"
    context["toc"] = _toc(
        context,
        [
            ("question", "Question", "question"),
            ("answer", "Answer", "answer"),
            ("pareto", "Trade-off", "pareto"),
            ("failed", "Failed jobs", "failed_jobs"),
            ("parameters", "Parameters", "params"),
            ("effects", "KPIs by parameter", "sweep_figures"),
            ("jobs", "By job", "jobs_table"),
        ],
    )
    out = out_path or REPORTS_DIR / f"sweep_{_folder_name(sweep_dir)}.html"
    return write_atomic(Path(out), _render("sweep.html.j2", context))


@collector_paused()
def render_sizing_report(size_dir: Path, out_path: Path | None = None) -> Path:
    """Write the report of a sizing folder (``reports/sizing_<resource>_<folder>.html``)."""
    from twin.report.sizing_page import sizing_context  # only for sizing pages

    size_dir = Path(size_dir)
    context = sizing_context(load_sizing(size_dir))
    context["title"] = f"Sizing report: {context['resource']}"
    context["toc"] = _toc(
        context,
        [
            ("recommendation", "Recommendation", None),
            ("curves", "Curves", "figures"),
            ("points", "Points tried", "curve_table"),
        ],
    )
    name = f"sizing_{slug(context['resource'], 40)}_{_folder_name(size_dir)}.html"
    return write_atomic(Path(out_path or REPORTS_DIR / name), _render("sizing.html.j2", context))


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("twin.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["breakable"] = breakable
    environment.filters["rows_html"] = rows_html  # table body rows (twin.report.tables)
    return environment


def _render(template: str, context: dict[str, Any]) -> str:
    script, script_hash = _table_script()
    return (
        _environment()
        .get_template(template)
        .render(twin_version=_twin_version(), script=script, script_hash=script_hash, **context)
    )


@functools.cache
def _table_script() -> tuple[Markup, str]:
    """The small inline script that sorts and filters tables, and its CSP hash: the page's
    Content-Security-Policy allows exactly this script and nothing else."""
    source = resources.files("twin.report").joinpath("templates/_tables.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return Markup(source), f"sha256-{digest}"


@functools.cache
def _twin_version() -> str:
    try:
        return metadata.version("twin")
    except metadata.PackageNotFoundError:
        return "unknown"


def _toc(
    context: dict[str, Any], entries: list[tuple[str, str, str | None]]
) -> list[tuple[str, str]]:
    """Links to the sections that have content (``key`` None: always present)."""
    return [(anchor, label) for anchor, label, key in entries if key is None or context.get(key)]


def _folder_name(folder: Path) -> str:
    """The folder and its parent, e.g. ``2026-05-01_12-00-00`` or ``multirun-3``."""
    resolved = folder.resolve()
    parts = [resolved.parent.name, resolved.name] if resolved.parent.name else [resolved.name]
    return slug("_".join(parts), 80)
