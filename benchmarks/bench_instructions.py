"""Instructions a sample of national regions' runs take, this tree against a git ref.

On the shared 2-core sandbox the CPU time of the same work moves by a fifth from one pass to
the next (seven regions: 4.4-6.4 s in one process), so a change worth 1-2 % of a task cannot
be seen in seconds. valgrind's instruction count can: it is the same, run after run, for the
same code and seed (``PYTHONHASHSEED=0``). This counts, for the tree at ``--against`` (from
``git archive``) and for the working tree, the instructions of one process that builds the
national network, plans the sampled regions and runs them (``run_region``), and of one that
does everything but the runs; the difference is the regions' runs. Instructions are not
seconds (a cache miss costs more than an add), so a speed claim still needs the timed
benchmarks; this says whether, and by how much, the work itself changed. The four processes
run side by side, one per core; each takes ~50x its native time (2-3 min for two regions).

    python -m benchmarks.bench_instructions [--against HEAD] [--every 21]

Needs valgrind (Debian: ``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.timing import load_line

REPO = Path(__file__).resolve().parents[1]

# Run in each tree, with the tree first on the path; uses only twin's API, so older refs
# (without this benchmark) run it too. argv: every, "runs" or "start-up", the tree.
CHILD = """
import sys
from pathlib import Path
import twin
every, part, tree = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).resolve()
if not Path(twin.__file__).resolve().is_relative_to(tree):
    sys.exit(f"twin imported from {twin.__file__}, not from {tree}")
from twin.domain.registry import FORMATS
from twin.experiment.replications import heaviest_first
from twin.model import planned_region, run_region
from twin.network import build_network
from twin.plan.plan import plan_inputs
config = twin.load_config(["network=national", "run.days=1"])
network = build_network(config.network, FORMATS.keys())
inputs = plan_inputs(config, network)
order = heaviest_first(config, network.regions)
regions = [planned_region(config, network.regions[i], inputs) for i in order[::every]]
for region in regions if part == "runs" else ():
    run_region(config, region, 0, True)
print(len(regions))
"""

COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def collected(valgrind_stderr: str) -> int:
    """The instruction count callgrind reports at the end of a run."""
    found = COLLECTED.findall(valgrind_stderr)
    if not found:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{valgrind_stderr[-2000:]}")
    return int(found[-1])


def count(tree: Path, every: int, part: str) -> tuple[int, int]:
    """Instructions of one child process in ``tree`` (``part``: "runs" or "start-up"), and
    how many regions it sampled."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            CHILD,
            str(every),
            part,
            str(tree),
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {part} process in {tree} failed:\n{done.stderr[-2000:]}")
    return collected(done.stderr), int(done.stdout.split()[-1])


def is_commit(ref: str) -> bool:
    """Whether ``ref`` names a commit of this repository."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` (a commit, branch or tag) written under ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=REPO, capture_output=True, check=True
    )
    tree = into / "tree"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the git ref to compare with")
    parser.add_argument(
        "--every", type=int, default=21, help="sample every n-th region by size (21: two)"
    )
    args = parser.parse_args()
    if args.every < 1:
        parser.error(f"--every: {args.every}; expected a whole number >= 1")
    if not is_commit(args.against):
        parser.error(f"--against: {args.against!r}; expected a commit, branch or tag of {REPO}")
    if shutil.which("valgrind") is None:
        print("valgrind not found; install it (Debian: apt-get install valgrind)", file=sys.stderr)
        raise SystemExit(2)
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as scratch:
        trees = {args.against: export(args.against, Path(scratch)), "working tree": REPO}
        jobs = [(name, part) for name in trees for part in ("runs", "start-up")]
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            counts = dict(
                zip(
                    jobs,
                    pool.map(lambda job: count(trees[job[0]], args.every, job[1]), jobs),
                    strict=True,
                )
            )
    n_regions = counts[("working tree", "runs")][1]
    print(
        f"instructions (valgrind callgrind, PYTHONHASHSEED=0): {n_regions} national regions "
        f"(one in every {args.every} by size), planned and run"
    )
    print(load_line())
    print(f"{'tree':<16}{'whole (M)':>12}{'start-up (M)':>14}{'runs (M)':>12}")
    runs = {}
    for name in trees:
        whole, start = counts[(name, "runs")][0], counts[(name, "start-up")][0]
        runs[name] = whole - start
        print(f"{name:<16}{whole / 1e6:12,.0f}{start / 1e6:14,.0f}{runs[name] / 1e6:12,.0f}")
    ratio = runs["working tree"] / runs[args.against]
    print(
        f"working tree / {args.against}, the regions' runs: {ratio:.4f}x "
        f"({(ratio - 1) * 100:+.2f} %)"
    )


if __name__ == "__main__":
    main()
