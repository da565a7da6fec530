"""Interleaved best-of-N timing for benchmarks on a shared machine.

Every benchmark measures its reference and its subject in the same run, alternating, and keeps
the best of N of each (other processes only ever make a run slower). Wall time and CPU time
(this process plus its waited-for children) are both kept: on a loaded machine the CPU time
ratio is the steadier figure, the wall time ratio the one a user feels.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def cpu_s() -> float:
    """CPU seconds (user + system) of this process and of every child it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Timing:
    """All wall and CPU times of one measured thing; ``best`` is the least of each."""

    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return min(self.wall_s)

    @property
    def cpu(self) -> float:
        return min(self.cpu_s)

    def add(self, wall_s: float, cpu_used_s: float) -> None:
        self.wall_s.append(wall_s)
        self.cpu_s.append(cpu_used_s)


def timed(function: Callable[[], object], timing: Timing) -> object:
    """Run ``function`` once, adding its wall and CPU time to ``timing``; return its result."""
    cpu0, wall0 = cpu_s(), time.perf_counter()
    result = function()
    timing.add(time.perf_counter() - wall0, cpu_s() - cpu0)
    return result


def command(
    argv: Sequence[str],
    env: dict[str, str] | None = None,
    ok: Sequence[int] = (0,),
    cwd: Path | None = None,
) -> Callable[[], object]:
    """A function running ``argv`` to completion (output discarded; another exit code raises)."""

    def run() -> object:
        done = subprocess.run(
            list(argv), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if done.returncode not in ok:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr!r}")
        return done

    return run


def interleaved(subjects: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Time every subject ``repeat`` times, round-robin, so load drifts hit them alike."""
    timings = {name: Timing() for name in subjects}
    for _ in range(repeat):
        for name, function in subjects.items():
            timed(function, timings[name])
    return timings


def load_line() -> str:
    """The machine's load while measuring, to print beside the figures."""
    one, five, _ = os.getloadavg()
    return f"machine: {os.cpu_count()} cores, load average {one:.1f} (1 min) {five:.1f} (5 min)"


def ratio_line(label: str, subject: Timing, reference: Timing, target: float | None) -> str:
    """``label: wall ratio (CPU ratio)`` against the reference, with the target if any."""
    goal = f"  (target <= {target:g}x)" if target is not None else ""
    return (
        f"{label}: {subject.wall / reference.wall:.2f}x wall "
        f"({subject.wall:.2f} / {reference.wall:.2f}), "
        f"{subject.cpu / reference.cpu:.2f}x CPU ({subject.cpu:.2f} / {reference.cpu:.2f})"
        f"{goal}"
    )
