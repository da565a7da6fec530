"""One Hydra job of ``twin``: simulate, write the run folder, log the KPI summary, report.

Imported by :mod:`twin.cli` once Hydra is set up (pandas, the run folder and the sweep's
gathering are not needed for ``--help`` and are imported while the config is composed).
"""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from twin.cli_logging import FILE_ONLY
from twin.cli_signals import RECEIVED_SIGNALS, last_signal
from twin.config.load import to_twin_config, to_yaml
from twin.config.memory import check_memory
from twin.errors import ConfigError, Interrupted, TwinError
from twin.experiment.collect import experiment_hint
from twin.experiment.console import job_line, kpi_summary_text
from twin.experiment.objectives import objective_values
from twin.experiment.progress import busy, task_progress
from twin.experiment.run_folder import (
    base_meta,
    write_failure,
    write_interrupted,
    write_result,
    write_started,
)
from twin.experiment.runs_index import record

log = logging.getLogger("twin.cli")


def run_job(cfg: DictConfig) -> float | tuple[float, ...] | None:
    """One Hydra job: simulate, write the run folder, log the KPI summary and its path.

    The run folder's twin.log gets every message; in a sweep the console gets one line per
    job. Returns the ``experiment.objectives`` values, for an optimising sweeper (Optuna).
    """
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    is_multirun = str(hydra_cfg.mode) == "RunMode.MULTIRUN"
    job = f"job {hydra_cfg.job.num}" if is_multirun else "run"
    scenario = str(cfg.get("run", {}).get("scenario", "default"))
    meta = base_meta(scenario, cfg.run.get("seed"), cfg.run.get("replications"), overrides)
    if is_multirun:  # the runs index tells jobs from runs by these, whatever the folder names
        meta.update(kind="job", job=int(hydra_cfg.job.num))
    log.info(
        "%s %s: scenario %s, overrides: %s",
        job,
        meta["run_id"],
        scenario,
        " ".join(overrides) or "(none)",
        extra=FILE_ONLY,
    )
    log.debug("folder %s, git %s, versions %s", run_dir, meta["git_sha"], meta["versions"])
    started = time.perf_counter()
    config_yaml = None
    from twin.experiment.replications import simulate  # heavy: not on --help or bad input

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
        meta["wall_time_s"] = round(time.perf_counter() - started, 3)
        if isinstance(exc, Exception) and not RECEIVED_SIGNALS:
            _fail(run_dir, exc, meta, config_yaml, job, is_multirun)
            return None
        # a library (pyarrow, a pool) may turn our Interrupted into its own exception
        signum = exc.signum if isinstance(exc, Interrupted) else last_signal()
        write_interrupted(run_dir, signal.Signals(signum).name, meta, config_yaml)
        _index(run_dir, meta, is_multirun)
        stop = exc if isinstance(exc, Interrupted) else Interrupted(signum)
        stop.run_dir = str(run_dir)
        stop.sweep_dir = str(hydra_cfg.sweep.dir) if is_multirun else None
        raise stop from None
    _index(run_dir, meta, is_multirun)
    summary = kpi_summary_text(result.summary)
    if is_multirun:  # one line per job on the console; the summary in the job's twin.log
        log.info(summary, extra=FILE_ONLY)
        log.info(job_line(job, overrides, result.summary, meta["wall_time_s"], run_dir))
        if config.run.job_reports:  # off by default: one sweep report when the sweep ends
            _write_report(run_dir, fatal=False)
    else:
        log.info(summary)
        log.info("run folder: %s", run_dir)
        _write_report(run_dir)  # a sweep gets one sweep report when it ends
        hint = experiment_hint(config.experiment)
        if hint:
            log.info(hint.rstrip("\n"))
    return objective_values(config.experiment.objectives, result.summary)


def _fail(
    run_dir: Path,
    exc: Exception,
    meta: dict[str, Any],
    config_yaml: str | None,
    job: str,
    multirun: bool,
) -> None:
    write_failure(run_dir, exc, meta, config_yaml)
    _index(run_dir, meta, multirun)
    message = str(exc) if isinstance(exc, TwinError) else f"{type(exc).__name__}: {exc}"
    log.debug("traceback of the failure", exc_info=exc)
    log.error("twin: %s failed: %s\n  details: %s", job, message, run_dir / "meta.json")
    if multirun:
        return  # the other jobs go on; the sweep summary lists this one as failed
    raise SystemExit(2 if isinstance(exc, ConfigError) else 1) from None


def _index(run_dir: Path, meta: dict[str, object], sweep_job: bool) -> None:
    """Add the run to runs/index.parquet (a cache: a failure here loses nothing); a sweep's
    job only writes its row, which the sweep folds in when it ends."""
    try:
        index = record(run_dir, meta, pending_only=sweep_job)
    except Exception as exc:
        log.warning("twin: the runs index was not updated (%s); run: twin-runs --reindex", exc)
        return
    if index is not None:
        log.debug("indexed %s in %s", meta.get("run_id"), index)


def _write_report(run_dir: Path, fatal: bool = True) -> None:
    """The run's HTML report under reports/; the run folder is kept whatever happens here.

    A failure exits 1 (``fatal``) or, for a sweep job, is logged and the sweep goes on."""
    from twin.report import render_run_report  # matplotlib, jinja2: only when reporting

    try:
        with busy("report"):
            report = render_run_report(run_dir)
    except Exception as exc:
        log.error(
            "twin: the run is saved in %s, but its report failed: %s: %s. "
            "Rebuild it with: twin-report %s",
            run_dir,
            type(exc).__name__,
            exc,
            run_dir,
        )
        if not fatal:
            return
        raise SystemExit(1) from None
    log.info("report: %s", report.resolve())
