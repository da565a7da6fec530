"""``twin-baseline``: record KPI baselines of small seeded scenarios, or check against them.

``twin-baseline record [NAMES]`` runs each baseline of ``configs/baseline/`` and writes
``tests/baselines/<name>.json`` (:mod:`twin.experiment.baseline_record`).
``twin-baseline check [NAMES]`` re-runs them and compares in two layers (exact, then
statistical; :mod:`twin.experiment.baseline_check`), prints the drifted KPIs and exits 1
on drift. See docs/BASELINES.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from twin.cli_help import BASELINE_EPILOG
from twin.errors import ConfigError, TwinError
from twin.experiment.baseline_check import check, format_report, measure
from twin.experiment.baseline_record import (
    RECORD_COMMAND,
    baseline_path,
    default_baseline_dir,
    write_record,
)
from twin.experiment.baseline_spec import BaselineSpec, load_specs


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def _select(specs: dict[str, BaselineSpec], names: Iterable[str]) -> list[BaselineSpec]:
    chosen = list(names) or sorted(specs)
    unknown = [n for n in chosen if n not in specs]
    if unknown:
        raise ConfigError("baseline", unknown[0], "one of: " + ", ".join(sorted(specs)))
    return [specs[n] for n in chosen]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin-baseline",
        description="Record KPI baselines or check the model against them (docs/BASELINES.md).",
        epilog=BASELINE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("names", nargs="*", help="baselines (default: all in configs/baseline)")
    common.add_argument(
        "--dir", type=Path, default=None, help="folder of baseline files (default: tests/baselines)"
    )
    common.add_argument(
        "--specs",
        type=Path,
        default=None,
        help="folder of baseline specs (default: configs/baseline)",
    )
    common.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes per run (results do not depend on it)",
    )
    sub.add_parser("list", parents=[common], help="list the baselines and whether recorded")
    sub.add_parser("record", parents=[common], help="run and write tests/baselines/<name>.json")
    check_parser = sub.add_parser(
        "check", parents=[common], help="re-run and compare; exit 1 on drift"
    )
    check_parser.add_argument(
        "--seed", type=int, default=None, help="run with another seed (statistical layer only)"
    )
    check_parser.add_argument(
        "-o",
        "--override",
        action="append",
        default=[],
        help="extra Hydra override for every run (e.g. to try a change)",
    )
    check_parser.add_argument("--max-rows", type=int, default=30, help="rows per drift table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``twin-baseline {list,record,check} [NAMES]``: 0 ok, 1 drift, 2 bad input."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    baseline_dir = args.dir or default_baseline_dir()
    try:
        specs = _select(load_specs(args.specs), args.names)
        if args.command == "list":
            for spec in specs:
                recorded = baseline_path(baseline_dir, spec.name).is_file()
                print(
                    f"{spec.name:<28} {spec.replications:>3} reps  seed {spec.seed}  "
                    f"{'recorded' if recorded else 'NOT RECORDED'}  {spec.description}"
                )
            return 0
        if args.command == "record":
            for spec in specs:
                path = write_record(baseline_dir, measure(spec, workers=args.workers))
                print(f"recorded {spec.name}: {path}")
            return 0
        has_drift = False
        for spec in specs:
            report = check(spec, baseline_dir, args.seed, tuple(args.override), args.workers)
            has_drift |= report.has_drift
            print(format_report(report, spec, args.max_rows))
    except TwinError as exc:
        print(f"twin-baseline: {exc}", file=sys.stderr)
        return 2
    if has_drift:
        print(
            f"\nKPI drift. If the change is intended, review the tables above, then re-record "
            f"({RECORD_COMMAND} [NAMES]) and commit tests/baselines/ with the change."
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
