"""``twin-runs`` (list runs and sweep jobs) and ``twin-query "SQL"`` (DuckDB over every run).

Both read the runs index under ``runs/`` (:mod:`twin.experiment.runs_index`), rebuilding it
when it is missing; ``twin-runs --reindex`` rebuilds it on demand. See docs/QUERIES.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from twin.cli_help import QUERY_HELP, RUNS_HELP, ArgparseHelp
from twin.experiment.runs_index import load_index, parse_override, reindex

STATUSES = ("ok", "failed", "running")


def _runs_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise SystemExit(f"{sys.argv[0].rsplit('/', 1)[-1]}: --runs {value}: no such folder")
    return path


def _parser(prog: str, text: ArgparseHelp) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=text.description,
        epilog=text.epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", default="runs", help="the runs folder (default: ./runs)")
    return parser


def runs_parser() -> argparse.ArgumentParser:
    parser = _parser("twin-runs", RUNS_HELP)
    parser.add_argument("--reindex", action="store_true", help="rebuild runs/index.parquet")
    parser.add_argument("--scenario", help="only this scenario (run.scenario)")
    parser.add_argument("--status", choices=STATUSES, help="only runs with this status")
    parser.add_argument("--kind", choices=("run", "job", "sizing"), help="only this kind")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only runs overriding KEY with VALUE (repeatable), e.g. network=single_store",
    )
    parser.add_argument("--since", help="started on or after this date (YYYY-MM-DD[ HH:MM])")
    parser.add_argument("--until", help="started before this date (YYYY-MM-DD[ HH:MM])")
    parser.add_argument("--limit", type=int, default=0, help="only the newest N rows")
    return parser


def _date(option: str, value: str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        message = f"twin-runs: {option} {value!r}: expected a date like 2026-12-01"
        raise SystemExit(message) from None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def select_runs(index: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The rows of ``index`` that pass the filters of ``twin-runs``."""
    keep = pd.Series(True, index=index.index)
    if args.scenario:
        keep &= index["scenario"] == args.scenario
    if args.status:
        keep &= index["status"] == args.status
    if args.kind:
        keep &= index["kind"] == args.kind
    for item in args.param:
        parsed = parse_override(item)
        if parsed is None:
            raise SystemExit(f"twin-runs: --param {item!r}: expected KEY=VALUE")
        key, value = parsed
        if key not in index.columns:
            keep &= False
            continue
        column = index[key]
        keep &= column.astype(object).map(lambda v, want=value: _same(v, want)).astype(bool)
    since, until = _date("--since", args.since), _date("--until", args.until)
    if since is not None:
        keep &= index["started_at"] >= since
    if until is not None:
        keep &= index["started_at"] < until
    selected = index[keep.fillna(False)]
    return selected.tail(args.limit) if args.limit > 0 else selected


def _same(value: object, wanted: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return False
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        try:
            return float(value) == float(wanted)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return str(value) == str(wanted)


def run_line(row: pd.Series) -> str:
    """One run as one line: start, id, kind, status, scenario, wall time, overrides, folder."""
    started = row["started_at"]
    when = started.strftime("%Y-%m-%d %H:%M") if not pd.isna(started) else "?"
    wall = f"{row['wall_time_s']:.1f}s" if not pd.isna(row["wall_time_s"]) else "-"
    overrides = " ".join(json.loads(row["overrides"])) or "(defaults)"
    return (
        f"{when}  {row['run_id']}  {row['kind']:<6} {row['status']:<7} {row['scenario']:<16} "
        f"{wall:>8}  {overrides}  [{row['path']}]"
    )


def runs_main(argv: Sequence[str] | None = None) -> None:
    args = runs_parser().parse_args(argv)
    root = Path(args.runs)
    if args.reindex:
        root.mkdir(parents=True, exist_ok=True)
        index = reindex(root)
        print(f"twin-runs: reindexed {len(index)} runs into {root / 'index.parquet'}")
        return
    index = load_index(_runs_dir(args.runs))
    selected = select_runs(index, args)
    for _, row in selected.iterrows():
        print(run_line(row))
    print(f"{len(selected)} of {len(index)} runs", file=sys.stderr)


def query_parser() -> argparse.ArgumentParser:
    parser = _parser("twin-query", QUERY_HELP)
    parser.add_argument("sql", help="a DuckDB query over runs, kpis, summary, timeseries, network")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--csv", metavar="FILE", help="write the result as CSV ('-': stdout)")
    out.add_argument("--json", metavar="FILE", help="write JSON records ('-': stdout)")
    out.add_argument("--parquet", metavar="FILE", help="write the result as parquet")
    parser.add_argument("--max-rows", type=int, default=60, help="table rows shown (default 60)")
    return parser


def query_main(argv: Sequence[str] | None = None) -> None:
    import duckdb

    from twin.experiment.warehouse import query

    args = query_parser().parse_args(argv)
    try:
        result = query(_runs_dir(args.runs), args.sql)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"twin-query: bad SQL: {first}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.csv:
        result.to_csv(sys.stdout if args.csv == "-" else args.csv, index=False)
    elif args.json:
        text = result.to_json(orient="records", date_format="iso", indent=1)
        _write_or_print(args.json, text)
    elif args.parquet:
        result.to_parquet(args.parquet, index=False)
    else:
        with pd.option_context(
            "display.max_rows", args.max_rows, "display.max_columns", None, "display.width", 200
        ):
            print(result.to_string(index=False, max_rows=args.max_rows))
        print(f"({len(result)} rows)", file=sys.stderr)


def _write_or_print(target: str, text: str) -> None:
    if target == "-":
        print(text)
    else:
        Path(target).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":  # python -m twin.runs_cli {runs|query} ...
    command, *rest = sys.argv[1:] or ["runs"]
    (query_main if command == "query" else runs_main)(rest)
