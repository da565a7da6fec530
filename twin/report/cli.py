"""``twin-report PATH [--out FILE]``: rebuild the HTML report of a run, sweep or sizing folder.

Reads saved files only; never simulates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from twin.cli_help import REPORT_EPILOG
from twin.errors import TwinError
from twin.experiment.progress import busy
from twin.experiment.run_folder import unfinished_run
from twin.report.load import detect_kind
from twin.report.render import render_run_report, render_sizing_report, render_sweep_report

EXPECTED = (
    "expected a run folder (meta.json or kpis.parquet, written by `twin`), a sweep folder "
    "(summary.parquet with a job column, failed_jobs.json, or numbered job folders 0/, 1/, ... "
    "each with meta.json) or a sizing folder (sizing.json or sizing_curve.parquet, written by "
    "`twin-size`)"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``twin-report``; returns the process exit code (0 on success)."""
    parser = argparse.ArgumentParser(
        prog="twin-report",
        description="Rebuild the self-contained HTML report of a run, sweep or sizing folder "
        "from its saved files (nothing is simulated).",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", type=Path, help="run, sweep or sizing folder")
    parser.add_argument(
        "--out", type=Path, default=None, help="HTML file to write (default: reports/<name>.html)"
    )
    args = parser.parse_args(argv)
    path: Path = args.path
    if not path.exists():
        return _fail(f"twin-report: {path} does not exist; {EXPECTED}.")
    unfinished = unfinished_run(path)
    if unfinished:
        return _fail(f"twin-report: {path} is incomplete: {unfinished}")
    kind = detect_kind(path)
    if kind is None:
        what = "is a file, not a folder" if path.is_file() else "holds none of those files"
        return _fail(f"twin-report: {path} {what}; {EXPECTED}.")
    render = {
        "run": render_run_report,
        "sweep": render_sweep_report,
        "sizing": render_sizing_report,
    }[kind]
    try:
        with busy(f"{kind} report"):  # elapsed time on a terminal: plots take seconds
            out = render(path, args.out)
    except (TwinError, OSError) as exc:
        return _fail(f"twin-report: could not build the {kind} report of {path}: {exc}")
    except Exception as exc:  # a file that passed the checks but not the pages: still one line
        return _fail(
            f"twin-report: could not build the {kind} report of {path}: a file there does not "
            f"follow docs/CONTRACTS.md ({type(exc).__name__})"
        )
    print(f"{kind} report written to {out}")
    return 0


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
