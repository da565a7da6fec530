"""Logging of the command line: the console filter, -q/-v, and quiet third-party libraries.

Python logging is configured by Hydra from configs/hydra/job_logging/twin.yaml (each run
folder's twin.log gets everything; the console the run's own messages) and
configs/hydra/hydra_logging/twin.yaml (Hydra's set-up lines: warnings only).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

QUIET_FLAGS = ("-q", "--quiet")
VERBOSE_FLAGS = ("-v", "--verbose")
FILE_ONLY = {"console": False}  # extra= of a record meant for the run's log file only

QUIET_OVERRIDES = [
    "hydra.job_logging.handlers.console.level=WARNING",
]
VERBOSE_OVERRIDES = [
    "hydra.job_logging.handlers.console.level=DEBUG",
    "hydra.job_logging.loggers.hydra.level=INFO",
    "hydra.job_logging.loggers.hydra_plugins.level=INFO",
    "hydra.hydra_logging.root.level=INFO",
]


class ConsoleFilter(logging.Filter):
    """Pass records up to ``max_level`` that are not marked ``console=False``."""

    def __init__(self, max_level: str | int = logging.CRITICAL) -> None:
        super().__init__()
        if isinstance(max_level, str):
            max_level = logging.getLevelName(max_level)
        self.max_level = int(max_level)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno <= self.max_level and getattr(record, "console", True)


def verbosity(args: list[str]) -> tuple[list[str], list[str]]:
    """Take -q/--quiet and -v/--verbose out of ``args``; return (args, Hydra overrides)."""
    quiet = any(a in QUIET_FLAGS for a in args)
    verbose = any(a in VERBOSE_FLAGS for a in args)
    rest = [a for a in args if a not in QUIET_FLAGS + VERBOSE_FLAGS]
    if quiet and verbose:
        print("twin: -q and -v exclude each other; using -v", file=sys.stderr)
    if verbose:
        return rest, list(VERBOSE_OVERRIDES)
    return rest, list(QUIET_OVERRIDES) if quiet else []


class QuietThirdParty(Callback):
    """Optuna sets its own logger to INFO when first imported, after Hydra's logging set-up
    (its sweeper imports it when the sweep starts): import it first and set it to warnings,
    unless the console is verbose."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        level = str(config.hydra.hydra_logging.root.get("level", "WARNING"))
        sweeper = str(config.hydra.sweeper.get("_target_", ""))
        if "optuna" in sweeper.lower() and level != "INFO":
            import optuna

            optuna.logging.set_verbosity(optuna.logging.WARNING)
