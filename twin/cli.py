"""``twin``: the command line of a run or a sweep (a Hydra app).

Only Hydra's modules and the config's are imported before the command line is read. The job
(:mod:`twin.cli_job`: pandas, the run folder) and the sweep's callbacks are imported next,
while a forked child composes the config (:mod:`twin.core.forked`, :mod:`twin.cli_compose`):
the command takes the child's config when the child composed the same request, and composes
itself otherwise (bad input, a child that died), so errors are its own; ``--help`` imports
neither.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from multiprocessing.connection import Connection
from pathlib import Path

from hydra import main as hydra_main
from omegaconf import DictConfig

from twin.cli_compose import one_compose, plain_sweep, single_run
from twin.cli_help import twin_help, wants_help
from twin.cli_logging import verbosity
from twin.cli_signals import interrupted_text, on_signal
from twin.config.load import register
from twin.core.forked import fork_child
from twin.errors import ConfigError, Interrupted

CONFIG_PATH = "pkg://twin.configs"


def run_task(cfg: DictConfig) -> float | tuple[float, ...] | None:
    """One Hydra job (:func:`twin.cli_job.run_job`); Hydra names the job after this module."""
    from twin.cli_job import run_job

    return run_job(cfg)


def main(argv: Sequence[str] | None = None) -> None:
    """``twin [overrides]``: the default scenario, or any Hydra override / multirun sweep."""
    args = list(sys.argv[1:] if argv is None else argv)
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _main(args)
    except Interrupted as stop:
        started = _sweeps("STARTED_SWEEPS")
        if stop.sweep_dir is None and started:
            stop.sweep_dir = str(started[-1])
        print(interrupted_text(stop), file=sys.stderr, flush=True)
        raise SystemExit(stop.exit_code) from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(args: list[str]) -> None:
    if wants_help(args):  # the twin's own page, before Hydra starts (Hydra's: --hydra-help)
        print(twin_help())
        return
    args, logging_overrides = verbosity(args)
    register()
    sys.argv = [sys.argv[0], *args, *logging_overrides]
    app = hydra_main(config_path=CONFIG_PATH, config_name="config", version_base="1.3")(run_task)
    sweep = plain_sweep(args)
    if not sweep and not single_run(args):  # --cfg, --info...: Hydra's own path
        app()
        return
    # The config composed once (twin.cli_compose), by a second process while this one imports
    # the job's modules (twin.core.forked); a single run's checked before any run folder exists.
    ahead = fork_child(lambda conn: _compose_in_child(app, sweep, conn))
    try:
        for module in JOB_MODULES:
            import_module(module)
        if sweep:
            with one_compose(sweep=True, ahead=ahead):
                app()
        else:
            try:
                with one_compose(ahead=ahead):
                    app()
            except ConfigError as exc:
                print(f"twin: {exc}", file=sys.stderr)
                raise SystemExit(2) from None
    finally:
        if ahead is not None:
            ahead.close()
    if _sweeps("FAILED_SWEEPS"):  # gathered and printed by the GatherSweep callback
        raise SystemExit(1)


# What a run or sweep imports besides Hydra: its job and the sweep's callbacks (pandas, the run
# folder, the gathering), ~0.5 s, imported while the config is composed.
JOB_MODULES = ("twin.cli_job", "twin.cli_callbacks")


def _compose_in_child(app: Callable[[], None], sweep: bool, conn: Connection) -> None:
    """In the compose-ahead child: Hydra's start, up to its first composition (sent on
    ``conn``; the child ends there)."""
    with one_compose(sweep=sweep, send_to=conn):
        app()


def _sweeps(name: str) -> list[Path]:
    """The sweeps this process started or saw fail (:mod:`twin.cli_callbacks`); none if no
    sweep's callbacks were loaded."""
    callbacks = sys.modules.get("twin.cli_callbacks")
    return list(getattr(callbacks, name, [])) if callbacks is not None else []


if __name__ == "__main__":
    main()
