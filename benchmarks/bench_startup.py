"""Fixed costs a user waits for on small work, as ratios to ``python -c "import pandas"``.

Each command runs as a fresh process (as a user types it), interleaved with the reference,
best of ``--repeat`` (benchmarks/timing.py): wall time and CPU time (the child's user +
system time, steadier on a loaded machine). Targets (issue 21, on 2 cores): ``twin --help``
at most 4x the reference, the default run end to end (simulate, run folder, report) at most
8x. A config error and an import of ``twin`` itself are shown beside them. Then the default
run's own steps, timed in this process (warm, best of ``--repeat``), to show where the end to
end time goes beyond the imports: composing the config with Hydra (a single run composes it
once: twin.cli_compose), the config as YAML, the simulation, the run folder and the report.

    python -m benchmarks.bench_startup [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.timing import Timing, command, interleaved, load_line, ratio_line, timed

ROOT = Path(__file__).resolve().parent.parent


def subjects(folder: Path) -> dict[str, tuple[list[str], float | None]]:
    """Name -> (argv, target ratio). The run writes its folders under ``folder``."""
    python = sys.executable
    out = [f"hydra.run.dir={folder}/runs/${{now:%H-%M-%S-%f}}"]
    return {
        "import pandas": ([python, "-c", "import pandas"], None),
        "import twin": ([python, "-c", "import twin"], None),
        # what `twin --help` costs once the twin prints its own help before Hydra starts
        # (issue 20): the entry point's imports
        "import twin.cli": ([python, "-c", "import twin.cli"], 4.0),
        "twin --help": ([python, "-m", "twin", "--help"], 4.0),
        "twin run.days=0 (config error)": ([python, "-m", "twin", "run.days=0"], None),
        "twin (default run, report)": ([python, "-m", "twin", *out], 8.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--skip", action="append", default=[], help="leave out a command by name (repeatable)"
    )
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {k: v for k, v in subjects(folder).items() if k not in args.skip}
        functions = {
            name: command(argv, env=env, ok=(0, 2), cwd=folder) for name, (argv, _) in cases.items()
        }
        timings = interleaved(functions, args.repeat)
    reference = timings["import pandas"]
    print(f"startup, best of {args.repeat} interleaved runs per command")
    print(load_line())
    print(f"reference: import pandas {reference.wall:.2f} s wall, {reference.cpu:.2f} s CPU")
    for name, (_, target) in cases.items():
        if name != "import pandas":
            print(ratio_line(name, timings[name], reference, target))
    print("the default run's steps in this process (warm), as multiples of the reference:")
    for name, timing in _run_steps(args.repeat).items():
        print(f"  {name:<34} {timing.cpu:6.2f} s CPU  {timing.cpu / reference.cpu:5.2f}x")


def _run_steps(repeat: int) -> dict[str, Timing]:
    """Compose, YAML, simulate, run folder, report of the default run, best of ``repeat``."""
    import twin
    from twin.config.load import load_config, to_yaml
    from twin.experiment.run_folder import base_meta, write_result
    from twin.report import render_run_report

    steps = {
        name: Timing()
        for name in ("compose config (once)", "config as YAML", "simulate", "run folder", "report")
    }
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        for i in range(repeat + 1):  # the first round warms imports and caches
            config = load_config([])
            text = to_yaml(config)
            result = twin.simulate(config)
            meta = base_meta("bench", config.run.seed, config.run.replications, [])
            shutil.rmtree(run_dir, ignore_errors=True)
            work: dict[str, Callable[[], object]] = {
                "compose config (once)": partial(load_config, []),
                "config as YAML": partial(to_yaml, config),
                "simulate": partial(twin.simulate, config),
                "run folder": partial(write_result, run_dir, result, text, meta),
                "report": partial(render_run_report, run_dir, Path(tmp) / "r.html"),
            }
            for name, function in work.items():
                if name == "run folder":
                    shutil.rmtree(run_dir, ignore_errors=True)
                if i == 0:
                    function()
                else:
                    timed(function, steps[name])
    return steps


if __name__ == "__main__":
    main()
