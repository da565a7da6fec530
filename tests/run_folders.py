"""Run and sweep folders for the report tests, made by the real producers.

A run folder is what ``twin`` writes: ``twin.simulate`` on a tiny config (one day, a few
stores) and the run-folder writer (:func:`twin.experiment.run_folder.write_result`, or
``write_failure`` for a run that raised). A sweep folder is one such folder per job plus what
``twin -m`` gathers at the end (:func:`twin.experiment.sweep.collect_sweep`). So a change in
what a producer writes reaches the report tests at once: no hand-written fixture can go stale.

Each distinct folder is simulated once per test session (``Producers`` keeps them under a
session temporary folder) and copied to where a test wants it, so tests may damage their copy.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

import twin
from twin.config.load import to_yaml
from twin.errors import ConfigError
from twin.experiment.run_folder import base_meta, write_failure, write_result
from twin.experiment.sweep import collect_sweep

LANES = "formats.grocery.checkout.lanes"
KIOSKS = "formats.grocery.checkout.sco_kiosks"
TINY = ["run.days=1", "planner.lanes.mode=fixed"]  # fixed: swept lanes are the lanes open


class Producers:
    """Run and sweep folders from the real producers, made once per session and copied."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache

    def run(
        self,
        path: Path,
        *,
        scenario: str = "default",
        n_stores: int = 3,
        n_reps: int = 3,
        n_regions: int = 1,
        failed: bool = False,
        with_timeseries: bool = True,
    ) -> Path:
        """A run folder of ``n_stores`` grocery stores in ``n_regions`` regions, walk-ins only
        (online orders off keeps the reports quick to render), one day, ``n_reps``
        replications; ``failed``: the folder of a run whose config was refused."""
        overrides = [
            f"network.n_stores={n_stores}",
            f"network.n_regions={n_regions}",
            f"run.replications={n_reps}",
            f"run.scenario={scenario!r}",
            "orders.enabled=false",
            *TINY,
        ]
        made = self._made("run", [*overrides, f"failed={failed}"])
        if not made.is_dir():
            write_run(made, overrides, failed)
        shutil.copytree(made, path)
        if not with_timeseries:
            (path / "timeseries.parquet").unlink()
        return path

    def sweep(
        self,
        path: Path,
        *,
        lanes: Sequence[int] = (4, 6, 8, 10),
        kiosks: Sequence[int] = (0, 4),
        failed_jobs: Sequence[int] = (),
        baseline_job: int | None = 0,
    ) -> Path:
        """A sweep over lanes x self-checkout kiosks of one store (3 replications a job),
        gathered as ``twin -m`` gathers it; ``failed_jobs`` raised a config error;
        ``baseline_job`` (its lanes and kiosks) is the experiment's baseline."""
        grid = [(lane, kiosk) for lane in lanes for kiosk in kiosks]
        baseline = []
        if baseline_job is not None:
            lane, kiosk = grid[baseline_job]
            baseline = [f"experiment.baseline='{LANES}={lane},{KIOSKS}={kiosk}'"]
        key = [*map(str, grid), f"failed={list(failed_jobs)}", *baseline]
        made = self._made("sweep", key)
        if not made.is_dir():
            base = ["network=single_store", "orders.enabled=false", "run.replications=3", *TINY]
            for job, (lane, kiosk) in enumerate(grid):
                swept = [f"{LANES}={lane}", f"{KIOSKS}={kiosk}"]  # what meta.json records
                write_run(made / str(job), [*base, *baseline, *swept], job in failed_jobs, swept)
            collect_sweep(made)
        shutil.copytree(made, path)
        return path

    def _made(self, kind: str, key: list[str]) -> Path:
        digest = hashlib.sha1("\n".join(key).encode()).hexdigest()[:12]
        return self.cache / f"{kind}-{digest}"


def write_run(
    path: Path, overrides: list[str], failed: bool, shown: list[str] | None = None
) -> None:
    """What ``twin`` writes for ``overrides``; ``shown`` are the overrides meta.json records
    (a sweep job's own ones)."""
    config = twin.load_config(overrides)
    meta = base_meta(
        config.run.scenario, config.run.seed, config.run.replications, shown or overrides
    )
    if failed:
        write_failure(path, ConfigError(LANES, 0, "a number >= 1"), meta, to_yaml(config))
        return
    write_result(path, twin.simulate(config), to_yaml(config), meta)
