"""``twin-collect --resume SWEEP``: run a sweep's jobs that are not ok again, in place.

The manifest (twin.experiment.manifest) says what each job was meant to run. Every job that
is not ok (failed, damaged, interrupted, incomplete or not run) has its folder cleared and runs
again as a one-job ``twin -m`` into the same folder and job number: the same overrides (so the
same seed and random streams), the same launcher overrides, no manifest, gathering or report
of its own; twin-collect gathers the whole sweep afterwards. Jobs run one after another. A job
whose seed differs from the manifest's is reported, never silently accepted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from twin.errors import ResumeError
from twin.experiment.jobs import OK, find_jobs
from twin.experiment.manifest import read_manifest

# The resumed job runs alone: the sweep-level callbacks stay off (twin-collect gathers).
_CALLBACKS_OFF = (
    "~hydra.callbacks.sweep_manifest",
    "~hydra.callbacks.gather_sweep",
    "~hydra.callbacks.sweep_report",
    "~hydra.callbacks.sweep_progress",
)


def resume_command(
    sweep_dir: Path, job: int, overrides: list[str], launcher: list[str]
) -> list[str]:
    """The ``twin -m`` command that reruns job ``job`` of ``sweep_dir`` in its own folder."""
    folder = _quoted(str(Path(sweep_dir).resolve()))
    return [
        sys.executable,
        "-m",
        "twin",
        "-m",
        *overrides,
        *launcher,
        f"hydra.sweep.dir={folder}",
        f"hydra.sweep.subdir={job}",
        *_CALLBACKS_OFF,
    ]


def _quoted(path: str) -> str:
    if "'" in path:
        raise ResumeError(f"cannot resume a sweep whose path holds a quote: {path!r}")
    return f"'{path}'"


def resume_sweep(sweep_dir: Path) -> list[int]:
    """Rerun the jobs of ``sweep_dir`` that are not ok; the job numbers rerun."""
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise FileNotFoundError(
            f"{sweep_dir} is not a folder; expected a sweep folder (twin -m ...)"
        )
    manifest = read_manifest(sweep_dir)
    if manifest is None or manifest.jobs is None:
        raise ResumeError(
            f"{sweep_dir} has no manifest.json listing its jobs, so the jobs that never ran "
            "are unknown; cannot resume (sweeps from this version on have one)"
        )
    planned = {job.job: job for job in manifest.jobs}
    rerun = [job for job in find_jobs(sweep_dir, manifest) if job.status != OK]
    done = []
    for job in rerun:
        plan = planned.get(job.job)
        if plan is None:
            print(
                f"twin-collect: job {job.job} is not in the manifest; left as it is",
                file=sys.stderr,
            )
            continue
        print(
            f"twin-collect: resuming job {job.job} ({job.status}): {' '.join(plan.overrides)}",
            flush=True,
        )
        folder = sweep_dir / str(job.job)
        if folder.exists():
            shutil.rmtree(folder)
        command = resume_command(sweep_dir, job.job, plan.overrides, manifest.launcher_overrides)
        environment = {**os.environ, "TWIN_PROGRESS": os.environ.get("TWIN_PROGRESS", "0")}
        completed = subprocess.run(command, env=environment, check=False)
        if completed.returncode in (130, 143):
            raise ResumeError(f"resuming {sweep_dir} was interrupted at job {job.job}")
        done.append(job.job)
    for job in find_jobs(sweep_dir, manifest):
        plan = planned.get(job.job)
        if job.status != OK or plan is None or None in (plan.seed, job.seed):
            continue
        if plan.seed != job.seed:
            raise ResumeError(
                f"job {job.job} ran with seed {job.seed}, but the manifest says {plan.seed}"
            )
    return done
