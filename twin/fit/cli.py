"""``twin-fit LOGS --name NAME --out DIR``: fit the twin's inputs to a folder of operations logs.

Writes ``DIR/site/NAME.yaml`` (a ``# @package _global_`` config: ``twin --config-dir DIR
+site=NAME`` runs the fitted twin) and ``DIR/NAME_fit.html`` (the fit report).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from tqdm import tqdm

from twin.cli_help import FIT_EPILOG
from twin.data.read import LogError, OpsLogs, read_logs
from twin.fit.delivery import fit_delivery
from twin.fit.fulfilment import fit_fulfilment
from twin.fit.online import fit_online
from twin.fit.report import write_fit_report
from twin.fit.stores import (
    notes_of,
    store_parameters,
    store_table,
    write_store_table,
    yaml_comment,
)
from twin.fit.walkin import WalkInFit, fit_walk_in


def site_config(logs: OpsLogs, fit: WalkInFit) -> dict[str, Any]:
    """The fitted twin as a config tree (keys the schema knows, nothing else)."""
    stores = len(logs.stores)
    config: dict[str, Any] = {}
    if stores == 1:  # the experiment pattern: a +group config may override a default group
        config["defaults"] = [{"override /network": "single_store"}]
    logged_roster = "lanes" in fit.config["grocery"].get("checkout", {})
    if logged_roster:  # the logged roster is the staffing: the planner must not replace it
        config["planner"] = {"lanes": {"mode": "fixed"}}
    return (
        config
        | {
            "run": {"days": logs.days, "start_weekday": logs.start_weekday},
            # [assumption] several stores: a generated metro of that many stores, pooled inputs
            "network": {"n_stores": stores},
            "demand": fit.config["demand"],
            "formats": {"grocery": fit.config["grocery"]},
            "orders": fit.config.get("orders", {"enabled": False}),  # none logged: none
        }
        | _online_sections(fit.config)
    )


def _online_sections(fitted: dict[str, Any]) -> dict[str, Any]:
    """The fulfilment and delivery sections, where the logs allowed a fit."""
    out: dict[str, Any] = {}
    if fitted.get("fulfilment"):
        out["fulfilment"] = {"store": fitted["fulfilment"]}
    if fitted.get("delivery"):
        out["delivery"] = fitted["delivery"]
    return out


def write_site(
    out: Path, name: str, config: dict[str, Any], source: Path, comment: str = ""
) -> Path:
    path = out / "site" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# @package _global_\n"
        f"# Fitted by twin-fit from {source} (see {name}_fit.html for each parameter's fit).\n"
        f"# Run it: twin --config-dir {out} +site={name}\n"
        f"{comment}"
    )
    path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def fit_folder(logs_dir: Path, name: str, out: Path, progress: bool = False) -> tuple[Path, Path]:
    steps = tqdm(total=3, desc="twin-fit", disable=not progress, unit="step")
    logs = read_logs(logs_dir)
    steps.update()
    fit = fit_walk_in(logs)
    if "orders" in logs.tables and len(logs.tables["orders"]):
        fit.config["orders"] = fit_online(logs, fit.fits, fit.notes)
        fit.config["fulfilment"] = fit_fulfilment(logs, fit.fits, fit.notes)
        fit.config["delivery"] = fit_delivery(logs, fit.fits, fit.notes)
    per_store = store_parameters(logs)
    fit.notes += notes_of(per_store, len(logs.stores))
    steps.update()
    site = write_site(out, name, site_config(logs, fit), logs_dir, yaml_comment(per_store))
    if per_store:
        write_store_table(out / f"{name}_stores.csv", per_store)
    report = write_fit_report(
        out / f"{name}_fit.html", name, fit.fits, fit.notes, store_table(per_store)
    )
    steps.update()
    steps.close()
    return site, report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="twin-fit",
        description=__doc__,
        epilog=FIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("logs", type=Path, help="folder of operations logs (docs/DATA.md)")
    parser.add_argument("--name", required=True, help="site name: DIR/site/NAME.yaml")
    parser.add_argument("--out", type=Path, required=True, help="config folder to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        site, report = fit_folder(args.logs, args.name, args.out, sys.stderr.isatty())
    except LogError as exc:
        print(f"twin-fit: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"fitted config: {site}")
    print(f"fit report: {report}")
    print(f"run it: twin --config-dir {args.out.resolve()} +site={args.name}")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
