"""Errors the twin raises on purpose. Every one carries a message a user can act on."""

from __future__ import annotations

from typing import Any


class TwinError(Exception):
    """Base class for all errors the twin raises deliberately."""


class ConfigError(TwinError, ValueError):
    """A configuration value is wrong: names the full key, the value and what was expected."""

    def __init__(self, key: str, value: Any, expected: str, hint: str = "") -> None:
        self.key = key
        self.value = value
        self.expected = expected
        message = f"Invalid configuration: {key} = {value!r}; expected {expected}."
        if hint:
            message += f" {hint}"
        super().__init__(message)


class NetworkError(TwinError, ValueError):
    """The store network cannot be built or is not usable (e.g. not connected)."""


class RunError(TwinError):
    """A simulation run failed after it started."""


class ResumeError(TwinError):
    """A sweep cannot be resumed (no manifest, or a job's rerun could not start)."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the run stops, records it and exits with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.run_dir: str | None = None
        self.sweep_dir: str | None = None
        super().__init__(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum
