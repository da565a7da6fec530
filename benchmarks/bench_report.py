"""Rebuilding a run report against simulating the day it reports on.

Simulates the default configuration (``twin`` with no overrides: the default day), writes its
run folder, then renders the run report from that folder, in this process, interleaved, best
of ``--repeat`` each (benchmarks/timing.py). The printed ratio render / simulate is the figure
to watch (issue 19: at most 1); absolute times depend on the machine. Also prints:

- where the render's time goes (read the folder, build the page and its figures, fill the
  template and write the file), to see what to speed up next;
- the cold command, ``twin-report RUN`` as a fresh process (imports included), against
  ``python -c "import pandas"`` measured in the same run (the reference of bench_startup);
- the report's size (issue 19: at most 1 MB).

    python -m benchmarks.bench_report [--repeat 3] [OVERRIDE ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any, cast

import twin
from benchmarks.timing import Timing, command, interleaved, load_line, ratio_line, timed
from twin.config.load import to_yaml
from twin.experiment.run_folder import base_meta, write_result
from twin.report import render_run_report
from twin.report.embed import write_atomic
from twin.report.load import RunData, load_run
from twin.report.render import _render
from twin.report.run_page import run_context

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("overrides", nargs="*", help="config overrides (default: none)")
    args = parser.parse_args()
    config = twin.load_config(args.overrides)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir, out = Path(tmp) / "run", Path(tmp) / "report.html"
        result = twin.simulate(config)
        meta = base_meta("bench", config.run.seed, config.run.replications, args.overrides)
        write_result(run_dir, result, to_yaml(config), meta)
        render_run_report(run_dir, out)  # warm: imports and template compilation
        # alternate the two, so a busy spell on a shared machine hits both alike
        timings = interleaved(
            {
                "simulate": lambda: twin.simulate(config),
                "render": lambda: render_run_report(run_dir, out),
            },
            args.repeat,
        )
        phases = _phases(run_dir, out, args.repeat)
        size = out.stat().st_size
        cold = _cold(run_dir, Path(tmp), args.repeat)
    sim, ren = timings["simulate"], timings["render"]
    print(f"run report of the default day, best of {args.repeat} interleaved runs each")
    print(load_line())
    print(f"simulate the day : {sim.wall:7.2f} s wall, {sim.cpu:7.2f} s CPU")
    print(f"render the report: {ren.wall:7.2f} s wall, {ren.cpu:7.2f} s CPU, {size / 1e6:.2f} MB")
    for name, timing in phases.items():
        print(f"  {name:<32} {timing.wall:6.3f} s wall, {timing.cpu:6.3f} s CPU")
    print(ratio_line("ratio render / simulate", ren, sim, 1.0))
    print("(CPU time is the steadier on a shared machine)")
    print(ratio_line("twin-report RUN (fresh process) / import pandas", cold[1], cold[0], None))
    print(f"report size: {size / 1e6:.2f} MB (target <= 1 MB)")


def _phases(run_dir: Path, out: Path, repeat: int) -> dict[str, Timing]:
    """The render's parts, best of ``repeat`` each: read, page and figures, HTML."""
    phases = {name: Timing() for name in ("read the run folder", "page and figures", "HTML")}
    for _ in range(repeat):
        data = cast(RunData, timed(lambda: load_run(run_dir), phases["read the run folder"]))
        page = cast(dict[str, Any], timed(partial(run_context, data), phases["page and figures"]))
        html = partial(_render, "run.html.j2", {**page, "title": "bench", "toc": []})
        timed(lambda: write_atomic(out, html()), phases["HTML"])  # noqa: B023 - called at once
    return phases


def _cold(run_dir: Path, folder: Path, repeat: int) -> tuple[Timing, Timing]:
    """``import pandas`` and ``twin-report RUN`` as fresh processes, interleaved."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    report = (
        "import sys; from twin.report.cli import main; "
        f"raise SystemExit(main([{str(run_dir)!r}, '--out', {str(folder / 'cold.html')!r}]))"
    )
    timings = interleaved(
        {
            "import pandas": command([sys.executable, "-c", "import pandas"], env=env),
            "twin-report": command([sys.executable, "-c", report], env=env, cwd=folder),
        },
        repeat,
    )
    return timings["import pandas"], timings["twin-report"]


if __name__ == "__main__":
    main()
