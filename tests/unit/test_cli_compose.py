"""A single ``twin`` run composes its config once (twin.cli_compose), with Hydra's own results."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl

import twin.cli
from twin.cli import main as twin_main

pytestmark = pytest.mark.unit

SMALL = ["network=single_store", "run.seed=7"]
HYDRA_FILES = (".hydra/config.yaml", ".hydra/hydra.yaml", ".hydra/overrides.yaml", "config.yaml")


@pytest.fixture
def composes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The overrides of every config composition Hydra does (not the replayed one)."""
    calls: list[list[str]] = []
    original: Callable[..., Any] = ConfigLoaderImpl._load_configuration_impl

    def counted(self: ConfigLoaderImpl, config_name: str | None, overrides: list[str], **kw: Any):
        calls.append(list(overrides))
        return original(self, config_name, overrides, **kw)

    monkeypatch.setattr(ConfigLoaderImpl, "_load_configuration_impl", counted)
    return calls


def test_a_single_run_composes_its_config_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: list[list[str]]
) -> None:
    monkeypatch.chdir(tmp_path)
    twin_main([*SMALL, f"hydra.run.dir={tmp_path / 'run'}"])
    assert (tmp_path / "run" / "meta.json").is_file()
    assert len(composes) == 1, composes


def test_the_run_folder_is_the_one_hydra_writes_composing_three_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: list[list[str]]
) -> None:
    """The replayed config gives the same .hydra files as Hydra's own path (get_mode + run)."""
    monkeypatch.chdir(tmp_path)
    args = [*SMALL, "+experiment=heatwave", "run.replications=2", "hydra.job.name=x"]
    run_dir = tmp_path / "run"
    twin_main([*args, f"hydra.run.dir={run_dir}"])
    once = run_dir.rename(tmp_path / "once")
    monkeypatch.setattr(twin.cli, "single_run", lambda args: False)  # Hydra's own path
    twin_main([*args, f"hydra.run.dir={run_dir}"])
    assert len(composes) == 1 + 2
    for name in HYDRA_FILES:
        assert (once / name).read_bytes() == (run_dir / name).read_bytes(), name
    assert "hydra.mode=RUN" in (run_dir / ".hydra" / "hydra.yaml").read_text()


@pytest.mark.parametrize(
    ("override", "line"),
    [
        ("run.days=0", "run.days = 0; expected a number >= 1"),
        ("network=singl_store", "did you mean 'single_store'?"),
        ("run.dayz=1", "run.dayz = '(unknown key)'"),
        ("run.days=1,2", "Ambiguous value for argument 'run.days=1,2'"),
        ("hydra.job.chdir=maybe", "hydra.job.chdir = 'maybe'; expected a value of type bool"),
    ],
)
def test_bad_input_is_one_line_exit_2_before_any_run_folder(
    override: str,
    line: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        twin_main([*SMALL, override])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("twin: Invalid configuration: ") and len(err.splitlines()) == 1, err
    assert line in err
    assert not (tmp_path / "runs").exists()


def test_a_mode_set_to_multirun_still_sweeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: list[list[str]]
) -> None:
    """hydra.mode=MULTIRUN without -m is a sweep, as Hydra's get_mode makes it."""
    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    twin_main([*SMALL, "hydra.mode=MULTIRUN", f"hydra.sweep.dir={sweep}"])
    assert (sweep / "0" / "meta.json").is_file() and (sweep / "summary.parquet").is_file()
    shutil.rmtree(tmp_path / "reports", ignore_errors=True)


def test_a_sweep_composes_its_config_once_with_hydras_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: list[list[str]]
) -> None:
    """``twin -m``: get_mode's composition is the sweep's (replayed), the folders Hydra's."""
    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    args = ["-m", *SMALL, "run.seed=1,2", "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={sweep}"]
    twin_main(args)
    ours = len(composes)
    once = sweep.rename(tmp_path / "once")
    monkeypatch.setattr(twin.cli, "plain_sweep", lambda args: False)  # Hydra's own path
    twin_main(args)
    assert len(composes) - ours == ours + 1  # Hydra's get_mode composed once more
    assert "hydra.mode=MULTIRUN" in (sweep / "multirun.yaml").read_text()
    assert (once / "multirun.yaml").read_bytes() == (sweep / "multirun.yaml").read_bytes()
    for job in ("0", "1"):
        for name in HYDRA_FILES:
            mine, hydras = once / job / name, sweep / job / name
            assert mine.read_bytes() == hydras.read_bytes(), (job, name)


def test_a_sweep_whose_config_fails_reports_as_hydra_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    errors = []
    for plain in (True, False):
        monkeypatch.setattr(twin.cli, "plain_sweep", lambda args, plain=plain: plain)
        with pytest.raises(SystemExit) as exit_info:
            twin_main(["-m", *SMALL, "network=singl_store,single_store"])
        errors.append((exit_info.value.code, capsys.readouterr().err))
    assert errors[0] == errors[1]
    assert errors[0][0] != 0 and "singl_store" in errors[0][1]
