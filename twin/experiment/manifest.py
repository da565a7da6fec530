"""A sweep's manifest: every job it will run, with its overrides and seed, written first.

``twin -m`` writes ``manifest.json`` into the sweep folder before the first job starts (the
:class:`twin.cli_callbacks.SweepManifest` callback), so a sweep that is interrupted, killed or
half deleted still says which jobs it was meant to run: ``twin-collect`` names every job of
the manifest (ok, failed, damaged, interrupted, incomplete or not run) and
``twin-collect --resume`` runs the ones that are not ok (:mod:`twin.experiment.resume`).

A sweeper that picks its jobs as it goes (Optuna) cannot list them in advance: its manifest
has ``jobs: null`` and the job folders found are all there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.experiment.run_folder import now_iso, write_json
from twin.files import DamagedFileError, read_json

MANIFEST_FILE = "manifest.json"
FORMAT = 1


@dataclass
class PlannedJob:
    job: int
    overrides: list[str]
    seed: int | None = None
    scenario: str | None = None


@dataclass
class Manifest:
    jobs: list[PlannedJob] | None  # None: the sweeper decides its jobs as it goes
    launcher_overrides: list[str] = field(default_factory=list)
    sweeper: str = ""
    launcher: str = ""
    created_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created_at": self.created_at or now_iso(),
            "sweeper": self.sweeper,
            "launcher": self.launcher,
            "launcher_overrides": self.launcher_overrides,
            "jobs": None if self.jobs is None else [vars(job) for job in self.jobs],
        }


def write_manifest(sweep_dir: Path, manifest: Manifest) -> bool:
    """Write ``manifest.json`` unless the folder has one (a resumed sweep keeps its own)."""
    file = Path(sweep_dir) / MANIFEST_FILE
    if file.exists():
        return False
    write_json(file, manifest.to_json())
    return True


def read_manifest(sweep_dir: Path) -> Manifest | None:
    """The manifest of ``sweep_dir``, None when it has none (a sweep from before manifests)."""
    file = Path(sweep_dir) / MANIFEST_FILE
    if not file.is_file():
        return None
    data = read_json(file, expect=dict)
    jobs_data = data.get("jobs")
    launcher_overrides = data.get("launcher_overrides", [])
    if not isinstance(launcher_overrides, list):
        raise DamagedFileError(file, "has launcher_overrides that are not a list")
    jobs: list[PlannedJob] | None = None
    if jobs_data is not None:
        if not isinstance(jobs_data, list):
            raise DamagedFileError(file, "has jobs that are neither a list nor null")
        jobs = []
        for index, item in enumerate(jobs_data):
            ok = isinstance(item, dict) and isinstance(item.get("job"), int)
            if not ok or not isinstance(item.get("overrides"), list):
                raise DamagedFileError(file, f"has jobs[{index}] without a job number or overrides")
            seed = item.get("seed")
            jobs.append(
                PlannedJob(
                    item["job"],
                    [str(o) for o in item["overrides"]],
                    seed if isinstance(seed, int) else None,
                    str(item["scenario"]) if item.get("scenario") is not None else None,
                )
            )
    return Manifest(
        jobs,
        [str(o) for o in launcher_overrides],
        str(data.get("sweeper", "")),
        str(data.get("launcher", "")),
        str(data.get("created_at", "")),
    )
