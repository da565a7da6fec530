"""Named experiments, launcher configs, progress bars and sweeper objectives."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

import twin
from twin.cli_callbacks import count_jobs
from twin.config.experiment import split_selectors
from twin.config.load import config_dir, register
from twin.errors import ConfigError
from twin.experiment.collect import experiment_hint
from twin.experiment.objectives import objective_values
from twin.experiment.progress import TaskBar, progress_enabled

pytestmark = pytest.mark.unit

EXPERIMENTS = sorted(p.stem for p in (Path(config_dir()) / "experiment").glob("*.yaml"))
HAS_OPTUNA = importlib.util.find_spec("hydra_plugins.hydra_optuna_sweeper") is not None
HAS_RAY = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
HAS_SUBMITIT = importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is not None


def composed(overrides: list[str]) -> DictConfig:
    register()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        return compose("config", overrides=overrides, return_hydra_config=True)


def needs_optuna(name: str) -> bool:
    return "optuna" in (Path(config_dir()) / "experiment" / f"{name}.yaml").read_text()


def test_the_ready_questions_are_there() -> None:
    assert {"peak_saturday", "more_lanes", "fewer_lanes_sco_heavy"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_experiment_composes_names_itself_and_asks_a_question(name: str) -> None:
    if needs_optuna(name) and not HAS_OPTUNA:
        pytest.skip("hydra-optuna-sweeper is not installed (pip install 'twin[optuna]')")
    config = twin.load_config([f"+experiment={name}", "network=single_store"])
    assert config.experiment.name == name
    assert config.run.scenario == name
    assert config.experiment.question.strip().endswith("?")


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_the_baseline_of_an_experiment_is_one_of_its_sweep_jobs(name: str) -> None:
    if needs_optuna(name) and not HAS_OPTUNA:
        pytest.skip("hydra-optuna-sweeper is not installed")
    cfg = composed([f"+experiment={name}", "network=single_store"])
    if not cfg.experiment.baseline:
        assert cfg.experiment.objectives, "an experiment either compares or optimises"
        return
    params = cfg.hydra.sweeper.params
    for selector in split_selectors(cfg.experiment.baseline):
        key, _, value = selector.partition("=")
        assert key in params, f"{name}: baseline key {key} is not swept"
        swept = [v.strip() for v in str(params[key]).split(",")]
        assert any(v == value or _numbers_equal(v, value) for v in swept), (name, swept, value)


def _numbers_equal(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def test_a_variant_group_sets_several_keys_at_once() -> None:
    base = twin.load_config(["network=single_store"]).formats.grocery.checkout
    heavy = twin.load_config(["+experiment=fewer_lanes_sco_heavy", "network=single_store"])
    staffed = twin.load_config(
        ["+experiment=fewer_lanes_sco_heavy", "network=single_store", "checkout_layout=staffed"]
    )
    checkout = heavy.formats.grocery.checkout
    assert (checkout.lanes, checkout.sco_kiosks) == (4, 8) and checkout.sco_share == 0.5
    again = staffed.formats.grocery.checkout
    assert (again.lanes, again.sco_kiosks, again.sco_share) == (
        base.lanes,
        base.sco_kiosks,
        base.sco_share,
    )


def test_experiment_objectives_must_be_kpi_stat_pairs() -> None:
    with pytest.raises(ConfigError, match=r"experiment\.objectives\[0\] = 'checkout\.wait_s'"):
        twin.load_config(["network=single_store", "experiment.objectives=[checkout.wait_s]"])


def test_joblib_launcher_uses_every_core() -> None:
    launcher = composed(["hydra/launcher=joblib"]).hydra.launcher
    assert launcher.n_jobs == -1 and launcher.prefer == "processes"


@pytest.mark.skipif(not HAS_SUBMITIT, reason="hydra-submitit-launcher is not installed")
def test_slurm_launcher_config() -> None:
    cfg = composed(["hydra/launcher=slurm", "run.workers=4", "hydra.launcher.partition=cpu"])
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert launcher.cpus_per_task == 4 and launcher.partition == "cpu"
    assert launcher.timeout_min == 120 and launcher.max_num_timeout == 0
    assert str(launcher.submitit_folder).startswith(str(cfg.hydra.sweep.dir))


@pytest.mark.skipif(not HAS_RAY, reason="hydra-ray-launcher is not installed")
def test_ray_cluster_launcher_config() -> None:
    launcher = composed(["hydra/launcher=ray_cluster", "run.workers=2"]).hydra.launcher
    assert launcher.ray.init.address == "auto" and launcher.ray.remote.num_cpus == 2


def test_sweep_folders_carry_a_per_process_id() -> None:
    cfg = composed([])
    run_dir, sweep_dir = str(cfg.hydra.run.dir), str(cfg.hydra.sweep.dir)
    uid = sweep_dir.rsplit("_", 1)[-1]
    assert len(uid) == 6 and run_dir.endswith("_" + uid)


def test_callbacks_are_configured() -> None:
    callbacks = composed([]).hydra.callbacks
    assert callbacks.gather_sweep._target_ == "twin.cli_callbacks.GatherSweep"
    assert callbacks.sweep_progress._target_ == "twin.cli_callbacks.SweepProgress"


def test_count_jobs_of_a_basic_sweep() -> None:
    cfg = OmegaConf.create(
        {
            "hydra": {
                "sweeper": {
                    "_target_": "hydra._internal.core_plugins.basic_sweeper.BasicSweeper",
                    "params": {"a": "1,2,3"},
                },
                "overrides": {"task": ["b=x,y", "c=1", "d=range(0,4)"]},
            }
        }
    )
    assert count_jobs(cfg) == 3 * 2 * 4
    cfg.hydra.sweeper = {"_target_": "optuna.Sweeper", "n_trials": 7}
    assert count_jobs(cfg) == 7


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CI": "true"}, False),
        ({"CI": "true", "TWIN_PROGRESS": "1"}, True),
        ({"TWIN_PROGRESS": "0"}, False),
        ({}, False),  # pytest's captured stderr is not a terminal
    ],
)
def test_progress_is_quiet_in_ci_and_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    for name in ("CI", "TWIN_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert progress_enabled() is expected


def test_task_bar_counts_across_batches(capsys: pytest.CaptureFixture[str]) -> None:
    bar = TaskBar("demo", enabled=True)
    for done in (1, 2, 3):
        bar(done, 3)
    for done in (1, 2):  # run.precision asked for two more
        bar(done, 2)
    assert bar._bar is not None and (bar._bar.n, bar._bar.total) == (5, 5)
    bar.close()
    assert "demo" in capsys.readouterr().err


def test_a_disabled_task_bar_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    bar = TaskBar("demo", enabled=False)
    bar(1, 1)
    bar.close()
    assert capsys.readouterr().err == ""


def summary_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": "s",
            "region": ["R1", "R1", "R1"],
            "store": ["all", "all", "S01"],
            "kpi": ["checkout.wait_s", "checkout.labour_cost_money", "checkout.wait_s"],
            "stat": ["mean", "total", "mean"],
            "mean": [12.5, 900.0, 99.0],
            "half_width": 1.0,
            "n_reps": 3,
            "unit": "s",
        }
    )


def test_objective_values_read_the_network_level() -> None:
    summary = summary_rows()
    assert objective_values([], summary) is None
    assert objective_values(["checkout.wait_s:mean"], summary) == 12.5
    assert objective_values(
        ["checkout.labour_cost_money:total", "checkout.wait_s:mean"], summary
    ) == (
        900.0,
        12.5,
    )
    with pytest.raises(ConfigError, match=r"experiment\.objectives\[0\] = 'nope:mean'"):
        objective_values(["nope:mean"], summary)


def test_a_single_run_of_an_experiment_says_how_to_compare_it() -> None:
    config = twin.load_config(["+experiment=more_lanes", "network=single_store"])
    hint = experiment_hint(config.experiment) or ""
    assert hint.startswith("experiment more_lanes: On a Saturday")
    assert "twin -m +experiment=more_lanes" in hint
    assert experiment_hint(twin.load_config(["network=single_store"]).experiment) is None
