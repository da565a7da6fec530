"""The twin's own ``--help`` pages: what each command does, its groups and keys, examples.

Printed before Hydra starts (no config composition, no plugin scan), so it is instant. Only the
standard library is imported here. Hydra's own page stays available as ``--hydra-help`` and
the whole composed config as ``twin --cfg job``.
"""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path

HELP_FLAGS = ("-h", "--help")

# Config groups chosen as ``group=option`` (they are in config.yaml's defaults list).
GROUPS = {
    "network": "stores, customer zones, roads, regions, store formats",
    "demand": "walk-in arrivals by hour and weekday, baskets, browse time, spend",
    "orders": "online orders: pickup, delivery, replenishment (docs/ORDERS.md)",
    "fulfilment": "picking, zoned lockers, collection",
    "delivery": "vans, cargo bikes, drones, weather (docs/DELIVERY.md)",
    "coldchain": "freshness of online orders (docs/COLDCHAIN.md)",
    "sizing": "twin-size targets and search",
}
# Groups added on top with a leading '+' (not in the defaults list).
ADDED_GROUPS = {
    "experiment": "a named what-if question with its baseline; use with -m to compare",
    "checkout_layout": "the grocery front end: staffed lanes, self-checkout kiosks",
    "store_conversion": "which stores are converted to another format",
}
# configs/ folders that are not config groups of a run, and where they belong.
NOT_GROUPS = {"baseline": "twin-baseline", "hydra": "hydra", "store": "formats.<format>"}

KEYS = [
    ("run.scenario=NAME", "label of the run (folder name, scenario column)"),
    ("run.seed=N", "base seed of every random stream (same seed, same KPIs)"),
    ("run.replications=N", "independent replications (95% CI half-widths from N >= 2)"),
    ("run.days=N  run.start_weekday=0..6", "simulated days, first weekday (0 = Monday)"),
    ("run.workers=N  run.executor=process|dask|ray", "parallel replications and regions"),
    ("run.records=true", "per-entity record tables (docs/DATA.md)"),
    ("network.n_stores=N  network.format_mix={grocery:0.7,jwo:0.3}", "the network"),
    ("formats.grocery.checkout.lanes=N", "staffed lanes of every grocery store"),
    ("orders.demand_scale=X", "online demand multiplier"),
]

EXAMPLES = [
    ("twin network=single_store run.replications=5", "one store, 5 replications"),
    ("twin -m formats.grocery.checkout.lanes=6,7,8", "a sweep: one job per value"),
    ("twin -m +experiment=more_lanes run.replications=10", "a what-if against its baseline"),
    ("twin -m formats.grocery.checkout.lanes=6,7,8 hydra/launcher=joblib", "jobs on all cores"),
    ("twin --cfg job network=single_store", "print the whole composed config"),
    ("twin-runs --status failed --since 2026-12-01", "list runs and sweep jobs"),
    ('twin-query "select scenario, count(*) from runs group by 1"', "SQL over every run"),
]

OTHER_COMMANDS = [
    ("twin-size", "size pickers and lockers to meet service targets"),
    ("twin-collect SWEEP_DIR", "gather a sweep folder again"),
    ("twin-report PATH", "rebuild the HTML report of a run, sweep or sizing folder"),
    ("twin-baseline record|check", "record or check the KPI baselines"),
    ("twin-runs / twin-query", "list runs; SQL over every run (docs/QUERIES.md)"),
    ("twin-kpis", "the KPI catalogue as Markdown"),
]


def wants_help(argv: list[str]) -> bool:
    return any(arg in HELP_FLAGS for arg in argv)


def configs_dir() -> Path:
    """configs/ as shipped in the package (twin.configs), without importing Hydra."""
    return Path(str(importlib.resources.files("twin.configs")))


def options_of(group: str) -> list[str]:
    folder = configs_dir() / group
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(name[:-5] for name in names if name.endswith(".yaml"))


def _rows(pairs: list[tuple[str, str]], width: int) -> list[str]:
    return [f"  {left:<{width}} {right}" for left, right in pairs]


def twin_help() -> str:
    """``twin --help``: the manual's first page (at most 120 lines)."""
    lines = [
        "twin: a discrete-event digital twin of omnichannel grocery retail (stores, self-checkout,",
        "online orders, pickers, lockers, vans, bikes, drones, cold chain).",
        "",
        "usage: twin [-q|-v] [-m] [GROUP=OPTION ...] [+GROUP=OPTION ...] [KEY=VALUE ...]",
        "",
        "One run simulates the configured network and writes a run folder under runs/ (config,",
        "kpis, summary, timeseries, meta.json, twin.log) plus an HTML report under reports/, and",
        "prints a KPI summary. With -m, a comma list of values makes a sweep: one job per",
        "combination, one line per job, then the sweep's summary and comparison.",
        "",
        "options:",
        "  -h, --help        this page (--hydra-help: Hydra's own page)",
        "  -m, --multirun    sweep over comma-separated values",
        "  -q, --quiet       only warnings and errors on the console",
        "  -v, --verbose     debug messages on the console, Hydra's launch lines",
        "  --cfg job         print the composed config instead of running",
        "",
        "config groups (GROUP=OPTION; default marked *):",
    ]
    defaults = _defaults()
    for group, meaning in GROUPS.items():
        options = [o + ("*" if defaults.get(group) == o else "") for o in options_of(group)]
        lines.append(f"  {group:<17} {', '.join(options)}")
        lines.append(f"  {'':<17}   {meaning}")
    lines.append("added on top (+GROUP=OPTION):")
    for group, meaning in ADDED_GROUPS.items():
        lines.append(f"  +{group:<16} {', '.join(options_of(group))}")
        lines.append(f"  {'':<17}   {meaning}")
    lines += [
        "store formats: formats.grocery, formats.jwo, formats.bookstore, formats.bar",
        "  (configs/store/; mix them with network.format_mix)",
        "",
        "most used keys (KEY=VALUE; a new key needs +KEY=VALUE):",
        *_rows(KEYS, 46),
        "",
        "examples:",
    ]
    for command, what in EXAMPLES:
        lines += [f"  {command}", f"      {what}"]
    lines += ["", "other commands (each has --help):", *_rows(OTHER_COMMANDS, 28)]
    lines += [
        "",
        "Every value's type, unit and range: twin/config/schema.py; defaults with sources: the",
        "YAML comments in configs/; KPIs: docs/KPIS.md; queries over runs: docs/QUERIES.md.",
    ]
    return "\n".join(lines)


def _defaults() -> dict[str, str]:
    """Default option of each group, read from config.yaml's defaults list (no YAML parser)."""
    found: dict[str, str] = {}
    try:
        text = (configs_dir() / "config.yaml").read_text(encoding="utf-8")
    except OSError:
        return found
    for line in text.splitlines():
        item = line.strip()
        if item.startswith("- ") and ":" in item:
            group, option = item[2:].split(":", 1)
            found.setdefault(group.strip(), option.split("#")[0].strip())
    return found


def size_help() -> str:
    """``twin-size --help``."""
    return "\n".join(
        [
            "twin-size: the smallest pickup capacity (pickers, locker compartments per zone) that",
            "meets the service targets with 95% confidence, at each demand scale.",
            "",
            "usage: twin-size [-q|-v] [GROUP=OPTION ...] [KEY=VALUE ...]",
            "",
            "Takes the same groups and keys as twin (twin --help). It screens capacities with",
            "queueing formulas, simulates around them (a bar counts the simulations), confirms the",
            "pick on fresh seeds and writes a sizing folder under runs/sizing/ (sizing.json,",
            "sizing_curve.parquet/.png, config.yaml, meta.json) and an HTML report under reports/.",
            "",
            "most used keys:",
            *_rows(
                [
                    ("sizing.store=ID", "the store to size (default: the first)"),
                    ("sizing.ready_within_promise_target=X", "pickup orders ready in promise"),
                    ("sizing.overflow_target=X", "locker overflow per zone at most X"),
                    ("sizing.demand_scales=[1.0,1.5]", "demand multipliers to size for"),
                    ("sizing.replications=N  sizing.days=N", "per capacity point"),
                    ("sizing.max_capacity=N", "search limit per resource"),
                    ("run.workers=N", "processes for the simulations"),
                ],
                40,
            ),
            "",
            "examples:",
            "  twin-size network=single_store",
            "  twin-size network=single_store sizing.ready_within_promise_target=0.9",
            "  twin-size --cfg job      # the composed config",
        ]
    )


@dataclass(frozen=True)
class ArgparseHelp:
    """Description and epilog of an argparse command."""

    description: str
    epilog: str


RUNS_HELP = ArgparseHelp(
    "twin-runs: list the runs, sweep jobs and sizings under runs/, one line each (start, run id,\n"
    "kind, status, scenario, wall time, overrides, folder), from the index runs/index.parquet\n"
    "(rebuilt from the run folders when missing).",
    "examples:\n"
    "  twin-runs                                  every run and job\n"
    "  twin-runs --status failed --since 2026-12-01\n"
    "  twin-runs --scenario more_lanes --param formats.grocery.checkout.lanes=8\n"
    "  twin-runs --reindex                        rebuild the index from the folders\n"
    "See docs/QUERIES.md for SQL over the same runs (twin-query).",
)

QUERY_HELP = ArgparseHelp(
    "twin-query: DuckDB SQL over every run under runs/. Views:\n"
    "  runs        the index: run_id, kind, status, scenario, started_at, wall_time_s, git_sha,\n"
    "              path, overrides, and one typed column per override key\n"
    "  kpis, summary, timeseries\n"
    "              every run folder's table once (never a sweep's gathered copy), with run_id\n"
    "  network     the summary rows of the whole network",
    "examples:\n"
    '  twin-query "select count(*) from runs"\n'
    '  twin-query "select r.network, s.mean from summary s join runs r using (run_id)\n'
    "              where s.kpi = 'checkout.wait_s' and s.stat = 'mean' and s.store = 'all'\"\n"
    "  twin-query --csv out.csv \"select * from runs where status = 'failed'\"\n"
    "Keys with dots are quoted column names. More in docs/QUERIES.md.",
)


COLLECT_EPILOG = """examples:
  twin-collect runs/sweeps/2026-12-04/17-13-22_default_c76686
  twin-collect SWEEP_DIR --baseline formats.grocery.checkout.lanes=8
  twin-collect SWEEP_DIR --baseline job=0
Exit status 0 when every job succeeded, 1 when any failed, 2 when it is not a sweep folder."""

REPORT_EPILOG = """examples:
  twin-report runs/2026-12-04/17-11-24_default_22d118     a run's page
  twin-report runs/sweeps/DATE/TIME_default_UID           a sweep's page
  twin-report runs/sizing/DATE/TIME_default_UID --out sizing.html"""

BASELINE_EPILOG = """examples:
  twin-baseline check                  every baseline in configs/baseline against tests/baselines
  twin-baseline check grocery_metro    one baseline
  twin-baseline record grocery_metro   record it again after an intended model change"""

FIT_EPILOG = """examples:
  twin-fit examples/ops_week/logs --name ops_week --out fitted
  twin --config-dir fitted +site=ops_week                 run the fitted twin
Exit status 0 when the fit was written, 2 for bad logs (one line: file, column, row)."""

VALIDATE_EPILOG = """examples:
  twin-validate examples/ops_week/logs --config-dir fitted +site=ops_week
  twin-validate LOGS --config-dir fitted +site=ops_week formats.grocery.checkout.lanes=4
Exit status 0 when every headline KPI is consistent with the logs, 1 when any is not, 2 for
bad logs or a bad config."""
