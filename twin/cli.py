"""Command-line entry points (Hydra apps). Only this module and twin.config.load touch Hydra."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra import main as hydra_main
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from twin.cli_callbacks import FAILED_SWEEPS, STARTED_SWEEPS
from twin.config.load import load_config, register, to_twin_config, to_yaml
from twin.config.memory import check_memory
from twin.errors import ConfigError, Interrupted, TwinError
from twin.experiment.collect import experiment_hint
from twin.experiment.console import kpi_summary_text
from twin.experiment.objectives import objective_values
from twin.experiment.progress import task_progress
from twin.experiment.replications import simulate
from twin.experiment.run_folder import (
    base_meta,
    write_failure,
    write_interrupted,
    write_result,
    write_started,
)
from twin.report import render_run_report

CONFIG_PATH = "pkg://twin.configs"


def _precheck(argv: Sequence[str]) -> None:
    """Compose the config of a single run before Hydra starts, for a clear error on bad input."""
    if any(arg in ("-m", "--multirun") or arg.startswith("-") for arg in argv):
        return
    overrides = [a for a in argv if not a.lstrip("+~").startswith("hydra")]
    load_config(overrides)


def run_task(cfg: DictConfig) -> float | tuple[float, ...] | None:
    """One Hydra job: simulate, write the run folder, print the KPI summary and its path.

    Returns the ``experiment.objectives`` values, for an optimising sweeper (Optuna).
    """
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    is_multirun = str(hydra_cfg.mode) == "RunMode.MULTIRUN"
    scenario = str(cfg.get("run", {}).get("scenario", "default"))
    meta = base_meta(scenario, cfg.run.get("seed"), cfg.run.get("replications"), overrides)
    started = time.perf_counter()
    config_yaml = None
    try:
        write_started(run_dir, meta)
        config = to_twin_config(cfg)
        check_memory(config)
        config_yaml = to_yaml(config)
        with task_progress(scenario) as progress:
            result = simulate(config, progress=progress)
        meta["replications"] = int(result.kpis["replication"].nunique())  # run.precision adds
        write_result(run_dir, result, config_yaml, meta)
    except (Interrupted, KeyboardInterrupt, Exception) as exc:
        if isinstance(exc, Exception) and not RECEIVED_SIGNALS:
            meta["wall_time_s"] = round(time.perf_counter() - started, 3)
            _fail(run_dir, exc, meta, config_yaml, is_multirun)
            return None
        # a library (pyarrow, a pool) may turn our Interrupted into its own exception
        signum = exc.signum if isinstance(exc, Interrupted) else _last_signal()
        meta["wall_time_s"] = round(time.perf_counter() - started, 3)
        write_interrupted(run_dir, signal.Signals(signum).name, meta, config_yaml)
        stop = exc if isinstance(exc, Interrupted) else Interrupted(signum)
        stop.run_dir = str(run_dir)
        stop.sweep_dir = str(hydra_cfg.sweep.dir) if is_multirun else None
        raise stop from None
    print(kpi_summary_text(result.summary))
    print(f"run folder: {run_dir}")
    if not is_multirun:  # a sweep gets one sweep report when it ends
        _write_report(run_dir)
        print(experiment_hint(config.experiment) or "", end="")
    return objective_values(config.experiment.objectives, result.summary)


def _fail(
    run_dir: Path, exc: Exception, meta: dict[str, Any], config_yaml: str | None, multirun: bool
) -> None:
    write_failure(run_dir, exc, meta, config_yaml)
    message = str(exc) if isinstance(exc, TwinError) else f"{type(exc).__name__}: {exc}"
    print(f"twin: run failed: {message}\n  details: {run_dir / 'meta.json'}", file=sys.stderr)
    if multirun:
        return  # the other jobs go on; the sweep summary lists this one as failed
    raise SystemExit(2 if isinstance(exc, ConfigError) else 1) from None


def _write_report(run_dir: Path) -> None:
    """The run's HTML report under reports/; the run folder is kept whatever happens here."""
    try:
        report = render_run_report(run_dir)
    except Exception as exc:
        print(
            f"twin: the run is saved in {run_dir}, but its report failed: "
            f"{type(exc).__name__}: {exc}. Rebuild it with: twin-report {run_dir}",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    print(f"report: {report.resolve()}")


# Signals received by this process (set by the handler only; read when an exception may be an
# interrupt that a library wrapped into its own type).
RECEIVED_SIGNALS: list[int] = []


def _last_signal() -> int:
    return RECEIVED_SIGNALS[-1] if RECEIVED_SIGNALS else int(signal.SIGINT)


def _on_signal(signum: int, frame: object) -> None:
    """SIGINT / SIGTERM: stop where the program is (once; a second signal is ignored)."""
    RECEIVED_SIGNALS.append(signum)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


def interrupted_text(stop: Interrupted) -> str:
    """The one line printed for an interrupt (docs/RELIABILITY.md)."""
    name = signal.Signals(stop.signum).name
    if stop.sweep_dir:
        return (
            f"twin: interrupted by {name}; the sweep stopped, run the rest with: "
            f"twin-collect --resume {Path(stop.sweep_dir).resolve()}"
        )
    if stop.run_dir:
        return f"twin: interrupted by {name}; {stop.run_dir}/meta.json says interrupted"
    return f"twin: interrupted by {name}"


def main(argv: Sequence[str] | None = None) -> None:
    """``twin [overrides]``: the default scenario, or any Hydra override / multirun sweep."""
    args = list(sys.argv[1:] if argv is None else argv)
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _main(args)
    except Interrupted as stop:
        if stop.sweep_dir is None and STARTED_SWEEPS:
            stop.sweep_dir = str(STARTED_SWEEPS[-1])
        print(interrupted_text(stop), file=sys.stderr, flush=True)
        raise SystemExit(stop.exit_code) from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(args: list[str]) -> None:
    register()
    try:
        _precheck(args)
    except ConfigError as exc:
        print(f"twin: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    sys.argv = [sys.argv[0], *args]
    hydra_main(config_path=CONFIG_PATH, config_name="config", version_base="1.3")(run_task)()
    if FAILED_SWEEPS:  # gathered and printed by the GatherSweep callback
        raise SystemExit(1)


if __name__ == "__main__":
    main()
