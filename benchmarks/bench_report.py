"""Rebuilding a run report against simulating the day it reports on.

Simulates the default configuration (``twin`` with no overrides: the default day), writes its
run folder, then renders the run report from that folder, in this process, best of
``--repeat`` each. The printed ratio render / simulate is the figure to watch (issue 19: at
most 1); absolute times depend on the machine. Also prints the report's size (limit 1 MB).

    python benchmarks/bench_report.py [--repeat 2] [OVERRIDE ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import twin
from twin.config.load import to_yaml
from twin.experiment.run_folder import base_meta, write_result
from twin.report import render_run_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("overrides", nargs="*", help="config overrides (default: none)")
    args = parser.parse_args()
    config = twin.load_config(args.overrides)
    simulate_s = render_s = float("inf")
    size = 0
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = twin.simulate(config)
            simulate_s = min(simulate_s, time.perf_counter() - started)
        meta = base_meta("bench", config.run.seed, config.run.replications, args.overrides)
        write_result(run_dir, result, to_yaml(config), meta)
        for _ in range(args.repeat):
            started = time.perf_counter()
            out = render_run_report(run_dir, Path(tmp) / "report.html")
            render_s = min(render_s, time.perf_counter() - started)
            size = out.stat().st_size
    print(f"simulate the day : {simulate_s:7.2f} s (best of {args.repeat})")
    print(f"render the report: {render_s:7.2f} s (best of {args.repeat}), {size / 1e6:.2f} MB")
    print(f"ratio render / simulate: {render_s / simulate_s:.2f} (target <= 1)")


if __name__ == "__main__":
    main()
