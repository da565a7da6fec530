"""``twin-validate LOGS --config-dir DIR +site=NAME [overrides]``: the twin against reality.

Observed KPIs come from the logs through the twin's own KPI code (:mod:`twin.data.logs`);
the twin simulates the same days (``--replications`` runs). Per headline KPI: the observed
value, the simulated mean and a prediction interval for one more run, and a verdict. The
intervals are simultaneous 95 % intervals (Bonferroni over the headline KPIs), so a twin that
matches fails the whole check about 5 % of the time, not once in every few KPIs. Exit 0 when
every headline KPI is consistent, 1 otherwise, 2 on bad input.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from twin.cli_help import VALIDATE_EPILOG
from twin.config.load import load_config
from twin.config.schema import TwinConfig
from twin.data.logs import observed_kpis
from twin.data.read import LogError, OpsLogs, read_logs
from twin.errors import ConfigError
from twin.experiment.replications import simulate

HEADLINE = (
    ("store.shoppers_n", "total"),
    ("store.time_in_store_s", "mean"),
    ("store.revenue_money", "total"),
    ("checkout.wait_s", "mean"),
    ("checkout.lane_utilisation_frac", "mean"),
    ("checkout.balked_frac", "mean"),
    ("checkout.reneged_frac", "mean"),
    ("pickup.ready_within_promise_frac", "mean"),
    ("delivery.on_time_frac", "mean"),
)
CONFIDENCE = 0.95


@dataclass
class Verdict:
    kpi: str
    stat: str
    observed: float
    simulated_mean: float
    low: float
    high: float
    consistent: bool

    @property
    def relative_error(self) -> float:
        return (self.simulated_mean - self.observed) / self.observed if self.observed else np.nan


def prediction_interval(values: np.ndarray, level: float, bounded: bool) -> tuple[float, float]:
    """t prediction interval for one more replication; [0, 1] for fractions, >= 0 otherwise."""
    n = values.size
    mean, sd = float(values.mean()), float(values.std(ddof=1)) if n > 1 else 0.0
    half = float(stats.t.ppf(0.5 + level / 2, max(n - 1, 1))) * sd * np.sqrt(1 + 1 / n)
    low, high = max(mean - half, 0.0), mean + half
    return low, min(high, 1.0) if bounded else high


def compare(observed: dict[tuple[str, str], float], kpis: pd.DataFrame) -> list[Verdict]:
    network = kpis[(kpis["store"] == "all") & (kpis["region"] == kpis["region"].iloc[0])]
    compared: list[tuple[str, str, float, np.ndarray]] = []
    for kpi, stat in HEADLINE:
        if (kpi, stat) not in observed:
            continue  # e.g. no orders logged: no online KPIs
        sim = network[(network["kpi"] == kpi) & (network["stat"] == stat)]["value"].to_numpy()
        sim = sim[np.isfinite(sim)]
        obs = observed[(kpi, stat)]
        if sim.size and np.isfinite(obs):
            compared.append((kpi, stat, obs, sim))
    level = 1 - (1 - CONFIDENCE) / max(len(compared), 1)  # Bonferroni over those compared
    verdicts = []
    for kpi, stat, obs, sim in compared:
        low, high = prediction_interval(sim, level, kpi.endswith("_frac"))
        tolerance = 1e-9 * max(abs(high), 1.0)
        ok = low - tolerance <= obs <= high + tolerance
        verdicts.append(Verdict(kpi, stat, obs, float(sim.mean()), low, high, ok))
    return verdicts


def validate_twin(logs: OpsLogs, config: TwinConfig) -> list[Verdict]:
    cost = config.formats.grocery.checkout.cashier_cost_per_h
    observed = observed_kpis(logs, cashier_cost_per_h=cost)
    return compare(observed, simulate(config).kpis)


def table_text(verdicts: list[Verdict]) -> str:
    lines = [f"{'KPI':34} {'observed':>12} {'twin mean':>12} {'interval':>27}  verdict"]
    for v in verdicts:
        interval = f"[{v.low:.4g}, {v.high:.4g}]"
        word = "consistent" if v.consistent else "NOT consistent"
        lines.append(
            f"{v.kpi + ' ' + v.stat:34} {v.observed:12.4g} {v.simulated_mean:12.4g} "
            f"{interval:>27}  {word}"
        )
    return "\n".join(lines)


def write_page(path: Path, name: str, verdicts: list[Verdict], replications: int) -> Path:
    rows = "".join(
        f"<tr><td>{html.escape(v.kpi)} ({v.stat})</td><td>{v.observed:.4g}</td>"
        f"<td>{v.simulated_mean:.4g}</td><td>{v.relative_error:+.1%}</td>"
        f"<td>[{v.low:.4g}, {v.high:.4g}]</td>"
        f"<td class='{'ok' if v.consistent else 'bad'}'>"
        f"{'consistent' if v.consistent else 'not consistent'}</td></tr>"
        for v in verdicts
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>twin-validate: {html.escape(name)}</title><style>body{{font-family:sans-serif}}"
        "td,th{padding:2px 8px;text-align:right}.ok{color:#060}.bad{color:#b00}</style>"
        f"</head><body><h1>Twin against the logs: {html.escape(name)}</h1>"
        f"<p>{replications} replications of the logged days; simultaneous {CONFIDENCE:.0%} "
        "prediction intervals over the headline KPIs.</p><table><tr><th>KPI</th>"
        "<th>observed</th><th>twin mean</th><th>twin - observed</th><th>interval</th>"
        f"<th>verdict</th></tr>{rows}</table></body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="twin-validate",
        description=__doc__,
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("logs", type=Path, help="folder of operations logs (docs/DATA.md)")
    parser.add_argument("--config-dir", type=Path, help="folder with site/NAME.yaml (twin-fit)")
    parser.add_argument("--replications", type=int, default=10, help="simulated runs")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"))
    args, overrides = parser.parse_known_args(argv)
    try:
        logs = read_logs(args.logs)
        search = (
            [f"hydra.searchpath=[file://{args.config_dir.resolve()}]"] if args.config_dir else []
        )
        fixed = [
            f"run.days={logs.days}",
            f"run.start_weekday={logs.start_weekday}",
            f"run.replications={max(args.replications, 2)}",
            "run.records=false",
            "run.warmup_s=0",
        ]
        config = load_config([*search, *overrides, *fixed])
    except (LogError, ConfigError) as exc:
        print(f"twin-validate: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    verdicts = validate_twin(logs, config)
    name = next((o.split("=", 1)[1] for o in overrides if o.startswith("+site=")), "twin")
    page = write_page(args.report_dir / f"validate_{name}.html", name, verdicts, args.replications)
    print(table_text(verdicts))
    passed = all(v.consistent for v in verdicts)
    print(
        f"verdict: {'PASS' if passed else 'FAIL'} ({sum(v.consistent for v in verdicts)}"
        f"/{len(verdicts)} headline KPIs consistent)"
    )
    print(f"report: {page.resolve()}")
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
