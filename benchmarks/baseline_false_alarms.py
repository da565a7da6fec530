"""False alarms and power of the baseline check's statistical layer, measured over many seeds.

Re-runs one baseline with seeds 1001, 1002, ... (optionally with a change applied) and checks
each run against the recorded baseline in Welch mode, the weaker, unpaired layer. With no
change, every flagged baseline is a false alarm; with a change, a flagged one is a detection.
The numbers in docs/BASELINES.md come from this script.

    python -m benchmarks.baseline_false_alarms grocery_single_store --seeds 100
    python -m benchmarks.baseline_false_alarms grocery_single_store --seeds 60 \
        -o formats.grocery.checkout.staffed.per_item_s.mean=3.08
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from twin.experiment.baseline_check import measure
from twin.experiment.baseline_record import default_baseline_dir, key_text, read_record
from twin.experiment.baseline_spec import load_specs
from twin.experiment.baseline_stats import compare_statistical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a baseline of configs/baseline")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("-o", "--override", action="append", default=[], help="a change to apply")
    args = parser.parse_args()
    spec = load_specs()[args.name]
    old = read_record(default_baseline_dir(), args.name)
    flagged_runs = 0
    flagged_kpis: Counter[str] = Counter()
    n_kpis = 0
    started = time.perf_counter()
    for seed in range(1001, 1001 + args.seeds):
        new = measure(spec, seed=seed, extra_overrides=args.override)
        differences = compare_statistical(old.values, new.values, spec.tolerance, is_paired=False)
        drifted = [d for d in differences if d.is_drift]
        n_kpis += len(differences)
        flagged_runs += bool(drifted)
        flagged_kpis.update(key_text(d.key) for d in drifted)
    print(
        f"{args.name} {' '.join(args.override) or '(seed only)'}: "
        f"{flagged_runs}/{args.seeds} runs flagged, "
        f"{sum(flagged_kpis.values())}/{n_kpis} KPI comparisons flagged "
        f"({time.perf_counter() - started:.0f} s)"
    )
    for key, count in flagged_kpis.most_common(10):
        print(f"  {count:4d}  {key}")


if __name__ == "__main__":
    main()
