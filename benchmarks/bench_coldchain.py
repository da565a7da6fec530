"""Run-time cost of the cold chain: the default scenario with it on against the same run off.

Both run in this process, alternating, best of ``--repeat`` (CPU time, so a busy machine
matters less); the printed ratio (on / off) is the figure to watch. The cold chain's own share
(draws before the run, ``logs()`` after it, KPI rows) is timed separately.

    python -m benchmarks.bench_coldchain [--replications 5] [--repeat 3] [overrides ...]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import twin
from twin.domain.coldchain import chain as coldchain
from twin.domain.registry import KPI_DOMAINS, KpiDomain

SPENT = {"draws": 0.0, "logs": 0.0, "kpis": 0.0}


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - start

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    coldchain.ColdChain.__init__ = _timed("draws", coldchain.ColdChain.__init__)  # type: ignore[method-assign]
    coldchain.ColdChain.logs = _timed("logs", coldchain.ColdChain.logs)  # type: ignore[method-assign]
    domain = KPI_DOMAINS["coldchain"]
    KPI_DOMAINS["coldchain"] = KpiDomain(_timed("kpis", domain.kpis), domain.series, domain.concat)

    best = {False: float("inf"), True: float("inf")}
    own = float("inf")
    for _ in range(args.repeat):
        for enabled in (False, True):
            config = twin.load_config(
                [
                    f"run.replications={args.replications}",
                    f"coldchain.enabled={str(enabled).lower()}",
                    *args.overrides,
                ]
            )
            for name in SPENT:
                SPENT[name] = 0.0
            start = time.process_time()
            twin.simulate(config)
            best[enabled] = min(best[enabled], time.process_time() - start)
            if enabled:
                own = min(own, sum(SPENT.values()))
    per_rep = 1000.0 / args.replications
    print(f"cold chain off: {best[False] * per_rep:.0f} ms CPU per replication")
    print(f"cold chain on:  {best[True] * per_rep:.0f} ms CPU per replication")
    print(f"cold chain own work: {own * per_rep:.0f} ms per replication")
    print(f"ratio on / off: {best[True] / best[False]:.3f}")


if __name__ == "__main__":
    main()
