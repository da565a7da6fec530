"""A single ``twin`` run composes its config once (twin.cli_compose), with Hydra's own results.

The composition may happen in the compose-ahead child (twin.core.forked): compositions are
counted in whichever process does them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl

import twin.cli
import twin.cli_compose
import twin.core.forked
from twin.cli import main as twin_main

pytestmark = pytest.mark.unit

SMALL = ["network=single_store", "run.seed=7"]
HYDRA_FILES = (".hydra/config.yaml", ".hydra/hydra.yaml", ".hydra/overrides.yaml", "config.yaml")


class Compositions:
    """Every config composition Hydra does (not the replayed ones), in this process or in a
    child forked from it: (process id, overrides), in a file both can append to."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __len__(self) -> int:
        return len(self.calls())

    def calls(self) -> list[tuple[int, str]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text().splitlines()
        return [(int(pid), rest) for pid, _, rest in (line.partition(" ") for line in lines)]


@pytest.fixture
def composes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Compositions:
    record = Compositions(tmp_path / "compositions.txt")
    original: Callable[..., Any] = ConfigLoaderImpl._load_configuration_impl

    def counted(self: ConfigLoaderImpl, config_name: str | None, overrides: list[str], **kw: Any):
        with record.path.open("a") as out:
            out.write(f"{os.getpid()} {' '.join(overrides)}\n")
        return original(self, config_name, overrides, **kw)

    monkeypatch.setattr(ConfigLoaderImpl, "_load_configuration_impl", counted)
    return record


def test_a_single_run_composes_its_config_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
) -> None:
    monkeypatch.chdir(tmp_path)
    twin_main([*SMALL, f"hydra.run.dir={tmp_path / 'run'}"])
    assert (tmp_path / "run" / "meta.json").is_file()
    assert len(composes) == 1, composes


def test_the_run_folder_is_the_one_hydra_writes_composing_three_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
) -> None:
    """hydra.mode=MULTIRUN without -m is a sweep, as Hydra's get_mode makes it."""
    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    twin_main([*SMALL, "hydra.mode=MULTIRUN", f"hydra.sweep.dir={sweep}"])
    assert (sweep / "0" / "meta.json").is_file() and (sweep / "summary.parquet").is_file()
    shutil.rmtree(tmp_path / "reports", ignore_errors=True)


def test_a_sweep_composes_its_config_once_with_hydras_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
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


def test_a_run_is_composed_by_the_child_while_this_process_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
) -> None:
    """twin.core.forked: the one composition is the child's; this process only replays it."""
    monkeypatch.setattr(twin.core.forked, "wanted", lambda: True)  # whatever pytest's threads
    monkeypatch.chdir(tmp_path)
    twin_main([*SMALL, f"hydra.run.dir={tmp_path / 'run'}"])
    assert (tmp_path / "run" / "meta.json").is_file()
    [(pid, overrides)] = composes.calls()
    assert pid != os.getpid() and "run.seed=7" in overrides


def test_a_child_that_dies_leaves_the_composition_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
) -> None:
    monkeypatch.setattr(twin.core.forked, "wanted", lambda: True)
    monkeypatch.setattr(twin.cli_compose, "send_and_exit", lambda *args: os._exit(9))
    monkeypatch.chdir(tmp_path)
    twin_main([*SMALL, f"hydra.run.dir={tmp_path / 'run'}"])
    assert (tmp_path / "run" / "meta.json").is_file()
    assert [pid for pid, _ in composes.calls()] == [os.getpid()]


def test_bad_input_composed_by_the_child_is_still_one_line_on_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The child's failed composition writes nothing (file descriptors included); the error is
    this process's own, as without the child."""
    monkeypatch.setattr(twin.core.forked, "wanted", lambda: True)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        twin_main([*SMALL, "run.days=0"])
    assert exit_info.value.code == 2
    captured = capfd.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith("twin: Invalid configuration: run.days = 0; expected a number >= 1")
    assert captured.out == ""


def test_a_group_sweep_composes_each_job_once_and_writes_hydras_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, composes: Compositions
) -> None:
    """``+experiment=a,b,c``: each job's config composed once (for the manifest and the
    launcher alike), on three cores one in this process and one in each of two forked
    children, and the folders are those of Hydra's own path."""
    monkeypatch.setattr(twin.core.forked, "wanted", lambda: True)
    monkeypatch.setattr(twin.core.forked, "usable_cores", lambda: 3)
    monkeypatch.chdir(tmp_path)
    sweep = tmp_path / "sweep"
    experiments = ("more_lanes", "heatwave", "peak_saturday")
    args = [
        "-m",
        *SMALL,
        f"+experiment={','.join(experiments)}",
        "hydra.launcher.n_jobs=1",
        f"hydra.sweep.dir={sweep}",
    ]
    twin_main(args)
    jobs = [
        (pid, overrides)
        for pid, overrides in composes.calls()
        if any(overrides.endswith(f"+experiment={name}") for name in experiments)
    ]
    assert sorted(overrides.rsplit("=", 1)[1] for _, overrides in jobs) == sorted(experiments)
    assert len({pid for pid, _ in jobs} - {os.getpid()}) == 2, "not one job in each child"
    once = sweep.rename(tmp_path / "once")
    monkeypatch.setattr(twin.cli, "plain_sweep", lambda args: False)  # Hydra's own path
    twin_main(args)
    assert (once / "multirun.yaml").read_bytes() == (sweep / "multirun.yaml").read_bytes()
    for job in ("0", "1", "2"):
        for name in HYDRA_FILES:
            mine, hydras = once / job / name, sweep / job / name
            assert mine.read_bytes() == hydras.read_bytes(), (job, name)
    shutil.rmtree(tmp_path / "reports", ignore_errors=True)
