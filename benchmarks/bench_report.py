"""Rebuilding a run report against simulating the day it reports on.

Simulates the default configuration (``twin`` with no overrides: the default day), writes its
run folder, then renders the run report from that folder, in this process, best of
``--repeat`` each. The printed ratio render / simulate is the figure to watch (issue 19: at
most 1); absolute times depend on the machine. Also prints the report's size (limit 1 MB).

    python benchmarks/bench_report.py [--repeat 2] [OVERRIDE ...]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    best = {"simulate": (math.inf, math.inf), "render": (math.inf, math.inf)}
    size = 0

    def timed(name: str, work: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        took = (time.perf_counter() - wall, time.process_time() - cpu)
        best[name] = (min(best[name][0], took[0]), min(best[name][1], took[1]))
        return out

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        # alternate the two, so a busy spell on a shared machine hits both alike
        for i in range(args.repeat):
            result = timed("simulate", lambda: twin.simulate(config))
            if i == 0:
                meta = base_meta("bench", config.run.seed, config.run.replications, args.overrides)
                write_result(run_dir, result, to_yaml(config), meta)
            out = timed("render", lambda: render_run_report(run_dir, Path(tmp) / "report.html"))
            size = out.stat().st_size
    (sim_wall, sim_cpu), (ren_wall, ren_cpu) = best["simulate"], best["render"]
    print(f"simulate the day : {sim_wall:7.2f} s wall, {sim_cpu:7.2f} s CPU")
    print(f"render the report: {ren_wall:7.2f} s wall, {ren_cpu:7.2f} s CPU, {size / 1e6:.2f} MB")
    print(f"(best of {args.repeat} each, alternated)")
    print(
        f"ratio render / simulate: {ren_cpu / sim_cpu:.2f} CPU, {ren_wall / sim_wall:.2f} wall "
        "(target <= 1; CPU time is the steadier on a shared machine)"
    )


if __name__ == "__main__":
    main()
