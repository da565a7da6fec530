"""The twin launcher (hydra_plugins/twin_launcher): each job's config is the one Hydra composes,
jobs run on workers forked once per sweep, in order or not their returns and numbers are a
serial sweep's, and a worker that dies loses no job it had not started."""

from __future__ import annotations

import importlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import initialize_config_module
from hydra._internal.callbacks import Callbacks
from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobStatus
from hydra.types import HydraContext, RunMode
from omegaconf import DictConfig, OmegaConf

from twin.config.load import register

# Hydra's own logging set-up off: the jobs run in the test process
QUIET = ["hydra/job_logging=none", "hydra/hydra_logging=none"]
GRID = [
    "network=single_store",
    "run.seed=1,2",
    "formats.grocery.checkout.lanes=3,4",
    "++run.days=1,2",
]


@pytest.fixture(scope="module")
def hydra() -> Iterator[Any]:
    register()
    with initialize_config_module("twin.configs", version_base="1.3"):
        yield GlobalHydra.instance()


def master(hydra: Any, overrides: list[str], sweep_dir: Path | None = None) -> DictConfig:
    """The sweep's config, as ``twin -m`` composes it."""
    folder = [f"hydra.sweep.dir={sweep_dir}"] if sweep_dir else []
    return hydra.hydra.compose_config(
        "config", [*QUIET, *folder, *overrides], run_mode=RunMode.MULTIRUN
    )


def jobs_of(config: DictConfig) -> list[list[str]]:
    """Every job's overrides, as the basic sweeper splits them."""
    lines = [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
    lines += [str(o) for o in config.hydra.overrides.task]
    parsed = OverridesParser.create().parse_overrides(lines)
    return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]


def composer_module() -> Any:
    return importlib.import_module("hydra_plugins.twin_launcher.job_config")


def launcher_module() -> Any:
    return importlib.import_module("hydra_plugins.twin_launcher.twin_launcher")


def same(a: DictConfig, b: DictConfig) -> None:
    assert OmegaConf.to_container(a, resolve=False) == OmegaConf.to_container(b, resolve=False)
    assert OmegaConf.to_yaml(a) == OmegaConf.to_yaml(b)
    assert OmegaConf.to_container(a.hydra.job, resolve=True) == OmegaConf.to_container(
        b.hydra.job, resolve=True
    )


@pytest.mark.parametrize(
    ("sweep", "compositions"),
    [
        (GRID, 0),  # values only: every job from the sweep's own config
        (["network=single_store,metro", "run.seed=1,2"], 2),  # a swept group: one per network
        (["+experiment=more_lanes,heatwave", "run.seed=5"], 2),  # additions: one each
        (["+experiment=more_lanes", "run.seed=7"], 0),  # the experiment's sweeper params
        (["demand=default", "hydra.job.config.override_dirname.kv_sep=-", "run.seed=1,2"], 0),
    ],
)
def test_each_job_config_is_the_one_hydra_composes(
    hydra: Any, sweep: list[str], compositions: int
) -> None:
    config = master(hydra, sweep)
    loader = hydra.config_loader()
    composer = composer_module().JobComposer(loader, config)
    jobs = jobs_of(config)
    assert len(jobs) >= 2
    for overrides in jobs:
        same(composer.compose(overrides), loader.load_sweep_config(config, overrides))
    assert composer.composed == compositions


def test_a_job_the_sweep_config_cannot_give_is_composed(hydra: Any) -> None:
    config = master(hydra, ["run.seed=1,2"])
    loader = hydra.config_loader()
    composer = composer_module().JobComposer(loader, config)
    other = ["run.seed=1", "network=single_store"]  # a group the sweep's config has not
    same(composer.compose(other), loader.load_sweep_config(config, other))
    assert composer.composed == 1


def returns_of(hydra: Any, launcher: Any, config: DictConfig, jobs: list[list[str]]) -> list[Any]:
    def task(cfg: DictConfig) -> dict[str, Any]:
        job = HydraConfig.get()
        if cfg.run.seed == 13:  # a worker that dies mid-job (out of memory, SIGKILL)
            os._exit(9)
        return {
            "num": job.job.num,
            "id": job.job.id,
            "override_dirname": job.job.override_dirname,
            "output_dir": job.runtime.output_dir,
            "seed": cfg.run.seed,
            "days": cfg.run.days,
            "lanes": cfg.formats.grocery.checkout.lanes,
            "pid": os.getpid(),
        }

    context = HydraContext(config_loader=hydra.config_loader(), callbacks=Callbacks())
    launcher.setup(hydra_context=context, task_function=task, config=config)
    return list(launcher.launch(jobs, initial_job_idx=0))


def test_parallel_jobs_are_numbered_placed_and_set_as_hydra_serial_ones(
    hydra: Any, tmp_path: Path
) -> None:
    twin = launcher_module().TwinLauncher
    results = {}
    for name, launcher in [
        ("hydra", BasicLauncher()),
        ("serial", twin(n_jobs=1)),
        ("parallel", twin(n_jobs=2)),
    ]:
        config = master(hydra, GRID, tmp_path / name)
        returned = returns_of(hydra, launcher, config, jobs_of(config))
        assert [r.status for r in returned] == [JobStatus.COMPLETED] * 8
        values = [dict(r.return_value) for r in returned]
        pids = {v.pop("pid") for v in values}
        for v in values:
            v["output_dir"] = str(Path(v["output_dir"]).relative_to(tmp_path / name))
            v["id"] = str(v["id"])
        results[name] = (values, pids, launcher)
    assert results["serial"][0] == results["hydra"][0]
    assert results["parallel"][0] == results["hydra"][0]
    assert results["serial"][1] == {os.getpid()}
    # 8 jobs on 2 workers forked once each: never a worker per job, never this process
    parallel_pids, launcher = results["parallel"][1], results["parallel"][2]
    assert os.getpid() not in parallel_pids
    assert parallel_pids <= launcher.worker_pids and len(launcher.worker_pids) == 2


def test_a_worker_that_dies_loses_no_job_it_had_not_started(hydra: Any, tmp_path: Path) -> None:
    config = master(hydra, ["network=single_store", "run.seed=1,2,13,4,5,6"], tmp_path)
    launcher = launcher_module().TwinLauncher(n_jobs=2)
    returned = returns_of(hydra, launcher, config, jobs_of(config))
    failed = [i for i, r in enumerate(returned) if r.status == JobStatus.FAILED]
    assert failed == [2]  # only the job whose worker died; the one beside it went on
    with pytest.raises(launcher_module().WorkerDied):
        _ = returned[2].return_value
    done = [r.return_value for r in returned if r.status == JobStatus.COMPLETED]
    assert [d["seed"] for d in done] == [1, 2, 4, 5, 6]  # each once, in job order
    # the jobs after the death ran on the surviving worker and a new one forked in its place
    assert len(launcher.worker_pids) == 3
    assert {d["pid"] for d in done} <= launcher.worker_pids


@pytest.mark.parametrize(
    ("n_jobs", "run_workers", "jobs", "expected"),
    [
        (None, 1, 100, "cores"),
        (None, 2, 100, "half"),
        (1, 1, 5, 1),
        (8, 1, 3, 3),
        (-1, 4, 99, "cores"),
    ],
)
def test_how_many_workers(n_jobs: Any, run_workers: int, jobs: int, expected: Any) -> None:
    module = launcher_module()
    cores = module.usable_cores()
    wanted = {"cores": cores, "half": max(1, cores // 2)}.get(expected, expected)
    assert module.workers_for(n_jobs, run_workers, jobs) == wanted


def test_a_worker_that_dies_between_jobs_loses_no_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed while idle: the job sent to it next goes to another worker (no job fails)."""
    pool_module = importlib.import_module("hydra_plugins.twin_launcher.pool")
    worker_module = importlib.import_module("hydra_plugins.twin_launcher.worker")

    def job(state: Any, handlers: Any, number: int, overrides: list[str]) -> Any:
        return worker_module.failed(ValueError(f"{number} ran in {os.getpid()}"), overrides)

    monkeypatch.setattr(worker_module, "run", job)  # the forked workers inherit it
    pool = pool_module.ForkPool(None, 2)
    try:
        idle = pool.workers[0].process
        os.kill(idle.pid, signal.SIGKILL)
        idle.join()
        returned = dict(pool.run([(n, [f"run.seed={n}"]) for n in range(6)]))
    finally:
        pool.close()
    assert sorted(returned) == list(range(6))
    ran_in = {str(r._return_value).split(" ran in ")[1] for r in returned.values()}
    assert str(idle.pid) not in ran_in
    assert all(str(r._return_value).startswith(f"{n} ran in") for n, r in returned.items())
