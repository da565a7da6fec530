"""twin-fit on a million visits: wall time, and its ratio to a reference measured in the run.

The logs are the example week (examples/ops_week/logs) copied to enough stores for a million
visits. The reference is the least any fit must do: read the visits parquet and sort the
arrivals. Issue 18 asks for under a minute on 2 cores.

    python benchmarks/bench_fit.py [--visits 1000000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from twin.fit.cli import fit_folder

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ops_week" / "logs"


def million_visits(folder: Path, visits_n: int) -> int:
    visits = pd.read_parquet(EXAMPLE / "visits.parquet")
    rosters = pd.read_parquet(EXAMPLE / "rosters.parquet")
    copies = -(-visits_n // len(visits))
    stores = [f"S{k:04d}" for k in range(copies)]
    pd.concat([visits.assign(store=s) for s in stores], ignore_index=True).to_parquet(
        folder / "visits.parquet", index=False
    )
    pd.concat([rosters.assign(store=s) for s in stores], ignore_index=True).to_parquet(
        folder / "rosters.parquet", index=False
    )
    return copies * len(visits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp) / "logs"
        logs.mkdir()
        n = million_visits(logs, args.visits)
        started = time.perf_counter()
        arrivals = pd.read_parquet(logs / "visits.parquet", columns=["arrival"])["arrival"]
        np.sort(arrivals.to_numpy(dtype="datetime64[ns]"))
        reference_s = time.perf_counter() - started
        started = time.perf_counter()
        fit_folder(logs, "bench", Path(tmp) / "out")
        fit_s = time.perf_counter() - started
    print(f"twin-fit on {n:,} visits: {fit_s:.1f} s (target: under 60 s)")
    print(
        f"reference (read + sort the arrivals): {reference_s:.2f} s; "
        f"ratio {fit_s / reference_s:.0f}x"
    )


if __name__ == "__main__":
    main()
