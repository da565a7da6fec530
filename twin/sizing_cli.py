"""``twin-size``: pickup capacity sizing as a Hydra app taking the same overrides as ``twin``.

    twin-size network=single_store sizing.ready_within_promise_target=0.9

writes a sizing folder under runs/sizing/ (sizing.json, sizing_curve.parquet, config.yaml,
meta.json) and its HTML report under reports/ (the sizing figure is drawn there).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hydra import main as hydra_main
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from twin.cli_help import size_help, wants_help
from twin.cli_logging import verbosity
from twin.config.load import load_config, register, to_twin_config, to_yaml
from twin.errors import ConfigError, TwinError
from twin.experiment.progress import busy, count_progress
from twin.experiment.run_folder import base_meta, now_iso, write_failure, write_json, write_text
from twin.experiment.runs_index import record
from twin.experiment.sizing import size_pickup
from twin.experiment.sizing_output import summary_text, write_sizing

CONFIG_PATH = "pkg://twin.configs"
log = logging.getLogger("twin.size")
RUN_DIR = "hydra.run.dir=runs/sizing/${now:%Y-%m-%d}/${now:%H-%M-%S}_${run.scenario}_${twin_uid:}"


def size_task(cfg: DictConfig) -> None:
    """One Hydra job: size the store, write the sizing folder, print the recommendation."""
    hydra_cfg = HydraConfig.get()
    out_dir = Path(hydra_cfg.runtime.output_dir)
    scenario = str(cfg.get("run", {}).get("scenario", "default"))
    meta = base_meta(
        scenario,
        cfg.run.get("seed"),
        cfg.sizing.get("replications"),
        list(hydra_cfg.overrides.task),
    )
    meta["kind"] = "sizing"
    log.info("sizing %s: overrides: %s", meta["run_id"], " ".join(meta["overrides"]) or "(none)")
    started = time.perf_counter()
    config_yaml = None
    try:
        config = to_twin_config(cfg)
        config_yaml = to_yaml(config)
        with count_progress("sizing", " sim") as progress:
            result = size_pickup(config, progress=progress)
        write_text(out_dir / "config.yaml", config_yaml)
        write_sizing(out_dir, result)
        meta.update(
            status="ok",
            finished_at=now_iso(),
            simulations=result.simulations,
            wall_time_s=round(time.perf_counter() - started, 3),
        )
        write_json(out_dir / "meta.json", meta)
    except Exception as exc:
        meta["wall_time_s"] = round(time.perf_counter() - started, 3)
        write_failure(out_dir, exc, meta, config_yaml)
        _index(out_dir, meta)
        message = str(exc) if isinstance(exc, TwinError) else f"{type(exc).__name__}: {exc}"
        log.debug("traceback of the failure", exc_info=exc)
        log.error("twin-size: failed: %s\n  details: %s", message, out_dir / "meta.json")
        raise SystemExit(2 if isinstance(exc, ConfigError) else 1) from None
    _index(out_dir, meta)
    log.info(summary_text(result))
    log.info("sizing folder: %s", out_dir)
    _write_report(out_dir)


def _index(out_dir: Path, meta: dict[str, object]) -> None:
    try:
        record(out_dir, meta)
    except Exception as exc:  # the index is a cache: twin-runs --reindex rebuilds it
        log.warning("twin-size: the runs index was not updated (%s)", exc)


def _write_report(out_dir: Path) -> None:
    try:
        from twin.report import render_sizing_report

        with busy("report"):
            report = render_sizing_report(out_dir)
    except Exception as exc:  # the sizing folder is complete; the report is a convenience
        log.error(
            "twin-size: the sizing is saved in %s, but its report failed: %s: %s",
            out_dir,
            type(exc).__name__,
            exc,
        )
        return
    log.info("report: %s", report.resolve())


def main(argv: Sequence[str] | None = None) -> None:
    """``twin-size [overrides]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if wants_help(args):  # the twin's own page, before Hydra starts (Hydra's: --hydra-help)
        print(size_help())
        return
    args, logging_overrides = verbosity(args)
    register()
    if not any(arg in ("-m", "--multirun") or arg.startswith("-") for arg in args):
        try:
            load_config([a for a in args if not a.lstrip("+~").startswith("hydra")])
        except ConfigError as exc:
            print(f"twin-size: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    if not any(arg.startswith("hydra.run.dir=") for arg in args):
        args = [RUN_DIR, *args]
    sys.argv = [sys.argv[0], *args, *logging_overrides]
    hydra_main(config_path=CONFIG_PATH, config_name="config", version_base="1.3")(size_task)()


if __name__ == "__main__":
    main()
