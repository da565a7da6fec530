"""How ``twin`` stops on SIGINT and SIGTERM: the handler, and the line printed for it."""

from __future__ import annotations

import signal
from pathlib import Path

from twin.errors import Interrupted

# Signals received by this process (set by the handler only; read when an exception may be an
# interrupt that a library wrapped into its own type).
RECEIVED_SIGNALS: list[int] = []


def last_signal() -> int:
    return RECEIVED_SIGNALS[-1] if RECEIVED_SIGNALS else int(signal.SIGINT)


def on_signal(signum: int, frame: object) -> None:
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
