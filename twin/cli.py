"""Command-line entry points (Hydra apps). Only this module and twin.config.load touch Hydra."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hydra import main as hydra_main
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from twin.cli_callbacks import FAILED_SWEEPS
from twin.config.load import load_config, register, to_twin_config, to_yaml
from twin.errors import ConfigError, TwinError
from twin.experiment.collect import experiment_hint
from twin.experiment.console import kpi_summary_text
from twin.experiment.objectives import objective_values
from twin.experiment.progress import task_progress
from twin.experiment.run_folder import base_meta, write_failure, write_result

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
    from twin.experiment.replications import simulate  # heavy: not on --help or bad input

    try:
        config = to_twin_config(cfg)
        config_yaml = to_yaml(config)
        with task_progress(scenario) as progress:
            result = simulate(config, progress=progress)
        meta["replications"] = int(result.kpis["replication"].nunique())  # run.precision adds
        write_result(run_dir, result, config_yaml, meta)
    except Exception as exc:
        meta["wall_time_s"] = round(time.perf_counter() - started, 3)
        write_failure(run_dir, exc, meta, config_yaml)
        message = str(exc) if isinstance(exc, TwinError) else f"{type(exc).__name__}: {exc}"
        print(f"twin: run failed: {message}\n  details: {run_dir / 'meta.json'}", file=sys.stderr)
        if is_multirun:
            return None  # the other jobs go on; the sweep summary lists this one as failed
        raise SystemExit(2 if isinstance(exc, ConfigError) else 1) from None
    print(kpi_summary_text(result.summary))
    print(f"run folder: {run_dir}")
    if not is_multirun:  # a sweep gets one sweep report when it ends
        _write_report(run_dir)
        print(experiment_hint(config.experiment) or "", end="")
    return objective_values(config.experiment.objectives, result.summary)


def _write_report(run_dir: Path) -> None:
    """The run's HTML report under reports/; the run folder is kept whatever happens here."""
    from twin.report import render_run_report  # matplotlib, jinja2: only when reporting

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


def main(argv: Sequence[str] | None = None) -> None:
    """``twin [overrides]``: the default scenario, or any Hydra override / multirun sweep."""
    args = list(sys.argv[1:] if argv is None else argv)
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
