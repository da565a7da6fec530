"""``twin-size``: pickup capacity sizing as a Hydra app taking the same overrides as ``twin``.

    twin-size network=single_store sizing.ready_within_promise_target=0.9

writes a sizing folder under runs/sizing/ (sizing.json, sizing_curve.parquet,
sizing_curve.png, config.yaml, meta.json) and its HTML report under reports/.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hydra import main as hydra_main
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from twin.config.load import load_config, register, to_twin_config, to_yaml
from twin.errors import ConfigError, TwinError
from twin.experiment.run_folder import base_meta, now_iso, write_failure, write_json, write_text
from twin.experiment.sizing import size_pickup
from twin.experiment.sizing_output import summary_text, write_sizing

CONFIG_PATH = "pkg://twin.configs"
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
    started = time.perf_counter()
    config_yaml = None
    try:
        config = to_twin_config(cfg)
        config_yaml = to_yaml(config)
        result = size_pickup(config)
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
        message = str(exc) if isinstance(exc, TwinError) else f"{type(exc).__name__}: {exc}"
        print(f"twin-size: failed: {message}\n  details: {out_dir / 'meta.json'}", file=sys.stderr)
        raise SystemExit(2 if isinstance(exc, ConfigError) else 1) from None
    print(summary_text(result))
    print(f"sizing folder: {out_dir}")
    _write_report(out_dir)


def _write_report(out_dir: Path) -> None:
    try:
        from twin.report import render_sizing_report

        report = render_sizing_report(out_dir)
    except Exception as exc:  # the sizing folder is complete; the report is a convenience
        print(
            f"twin-size: the sizing is saved in {out_dir}, but its report failed: "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return
    print(f"report: {report.resolve()}")


def main(argv: Sequence[str] | None = None) -> None:
    """``twin-size [overrides]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    register()
    if not any(arg in ("-m", "--multirun") or arg.startswith("-") for arg in args):
        try:
            load_config([a for a in args if not a.lstrip("+~").startswith("hydra")])
        except ConfigError as exc:
            print(f"twin-size: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    if not any(arg.startswith("hydra.run.dir=") for arg in args):
        args = [RUN_DIR, *args]
    sys.argv = [sys.argv[0], *args]
    hydra_main(config_path=CONFIG_PATH, config_name="config", version_base="1.3")(size_task)()


if __name__ == "__main__":
    main()
