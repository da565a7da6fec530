"""Where a national task's time goes (issue 21): its phases, walk-in and online apart.

A national task is one region of 12 stores for one replication. This runs a sample of the
national regions (every ``--every``-th by size, heaviest first, so large and small ones both
count) in this process, phase by phase, as :func:`twin.model.run_region` runs them:

- draw: the region built and wired, every online order drawn, before time 0;
- event loop: the simulation to the horizon and the drain;
- logs: each store's and each region-level domain's logs (the cold-chain assessment);
- KPIs: the KPI rows and series of every store and of the region.

Then the same with ``orders.enabled=false``: the difference is what the online orders cost.
Each phase's figure is its best of ``--repeat`` passes, the two configs taking turns (CPU time
of this process; the wall time of a shared machine drifts by more than the changes this is
meant to show). The collector is paused over each region as ``run_region`` pauses it.

    python -m benchmarks.bench_phases [--every 6] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import twin
from benchmarks.timing import load_line
from twin.core.arrivals import DAY_S
from twin.core.memory import collector_paused
from twin.domain.registry import FORMATS
from twin.experiment.replications import heaviest_first
from twin.model import build_region, planned_region, run_until_stores_empty, summarise_region
from twin.network import build_network
from twin.plan.plan import plan_inputs

PHASES = ("draw", "event loop", "logs", "KPIs")


def sampled_regions(overrides: list[str], every: int) -> tuple[Any, list[Any]]:
    """The config and every ``every``-th national region by size, planned."""
    config = twin.load_config(["network=national", "run.days=1", *overrides])
    network = build_network(config.network, FORMATS.keys())
    inputs = plan_inputs(config, network)
    order = heaviest_first(config, network.regions)
    return config, [planned_region(config, network.regions[i], inputs) for i in order[::every]]


def phase_times(runs: dict[str, tuple[Any, list[Any]]], repeat: int) -> dict[str, dict[str, float]]:
    """Best CPU seconds of each phase over the sampled regions, for each named config; the
    configs take turns, pass after pass, so a machine that drifts weighs on both alike."""
    best = {name: dict.fromkeys(PHASES, float("inf")) for name in runs}
    for _ in range(repeat):
        for name, (config, regions) in runs.items():
            spent = dict.fromkeys(PHASES, 0.0)
            for region in regions:
                with collector_paused():
                    _one_region(config, region, spent)
            best[name] = {phase: min(best[name][phase], spent[phase]) for phase in PHASES}
    return best


def _one_region(config: Any, region: Any, spent: dict[str, float]) -> None:
    def timed(phase: str, step: Callable[[], Any]) -> Any:
        started = time.process_time()
        out = step()
        spent[phase] += time.process_time() - started
        return out

    env, sites, extensions = timed("draw", lambda: build_region(config, region, 0))
    timed("event loop", lambda: run_until_stores_empty(env, sites, config.run.days * DAY_S))

    def logs() -> dict[str, dict[str, Any]]:
        by_store = {sid: site.logs() for sid, site in sites.items()}
        for extension in extensions:
            for store_id, store_logs in extension.logs().items():
                by_store.setdefault(store_id, {}).update(store_logs)
        return by_store

    by_store = timed("logs", logs)
    timed("KPIs", lambda: summarise_region(config, region.name, 0, by_store, True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="sample every n-th region by size")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = {
        "all": sampled_regions([], args.every),
        "walk-in": sampled_regions(["orders.enabled=false"], args.every),
    }
    times = phase_times(runs, args.repeat)
    both, walk_in, n = times["all"], times["walk-in"], len(runs["all"][1])
    total = sum(both.values())
    print(f"{n} national regions (every {args.every}th by size), best of {args.repeat}")
    print(load_line())
    print(f"{'phase':<12}{'all (s)':>9}{'share':>8}{'walk-in':>9}{'online':>9}")
    for phase in PHASES:
        online = both[phase] - walk_in[phase]
        print(
            f"{phase:<12}{both[phase]:9.3f}{both[phase] / total:8.0%}"
            f"{walk_in[phase]:9.3f}{online:9.3f}"
        )
    online_total = total - sum(walk_in.values())
    print(
        f"{'task':<12}{total:9.3f}{1:8.0%}{sum(walk_in.values()):9.3f}{online_total:9.3f}"
        f"   online share {online_total / total:.0%}"
    )


if __name__ == "__main__":
    main()
