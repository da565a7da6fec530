"""A KPI baseline file: what one seeded run of a baseline scenario measured, and its format.

``tests/baselines/<name>.json`` holds every KPI's (region, store, kpi, stat) mean, CI
half-width and per-replication values, with the seed, overrides and the versions that produced
them, as deterministic JSON (re-recording an unchanged model gives the same bytes). Running a
scenario into a record and comparing two records is :mod:`twin.experiment.baseline_check`;
the command line is :mod:`twin.experiment.baseline_cli`. See docs/BASELINES.md.
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import ConfigError
from twin.experiment.baseline_stats import KpiKey
from twin.experiment.run_folder import write_text
from twin.files import DamagedFileError, read_text
from twin.kpi.renames import current_kpi_name
from twin.kpi.stats import t_interval

FILE_FORMAT = 1
SIGNIFICANT_DIGITS = 12  # stored values: stable text, far below the exact layer's 1e-9
# The stack whose versions decide the bits of a run; the exact layer needs them unchanged.
NUMERIC_PACKAGES = ("numpy", "scipy", "simpy", "networkx")
RECORD_COMMAND = "twin-baseline record"


@dataclass
class BaselineRecord:
    """The KPIs of one baseline run, per replication, and what produced them."""

    name: str
    description: str
    overrides: list[str]
    seed: int
    replications: int
    kpi_patterns: list[str]
    versions: dict[str, str]
    values: dict[KpiKey, np.ndarray]
    units: dict[KpiKey, str]

    def identity(self) -> dict[str, Any]:
        return {
            "overrides": self.overrides,
            "seed": self.seed,
            "replications": self.replications,
            "kpis": self.kpi_patterns,
        }


def numeric_versions() -> dict[str, str]:
    """Python, platform and the numeric packages: what the exact layer requires to be equal."""
    found = {
        "python": platform.python_version(),
        "platform": f"{platform.system()}-{platform.machine()}",
    }
    for package in NUMERIC_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def rounded(values: np.ndarray) -> np.ndarray:
    """``values`` to the stored precision (``SIGNIFICANT_DIGITS``)."""
    return np.array([_round(float(v)) for v in values])


def _round(value: float) -> float:
    if not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def key_text(key: KpiKey) -> str:
    return "/".join(key)


def to_json_text(record: BaselineRecord) -> str:
    """Deterministic JSON: sorted keys, one line per KPI, shortest float repr, NaN as null.

    Re-recording an unchanged model gives the same bytes; a changed KPI is a one-line diff.
    """

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, allow_nan=False, ensure_ascii=False)

    header = {
        "format": FILE_FORMAT,
        "name": record.name,
        "description": record.description,
        "overrides": record.overrides,
        "seed": record.seed,
        "replications": record.replications,
        "kpi_patterns": record.kpi_patterns,
        "versions": record.versions,
        "recorded_with": RECORD_COMMAND + " " + record.name,
    }
    lines = ["{"]
    for name in sorted(header):
        lines.append(f"  {dump(name)}: {dump(header[name])},")
    lines.append('  "kpis": {')
    entries = []
    for key in sorted(record.values):
        values = record.values[key]
        mean, half_width = t_interval(values)
        entry = {
            "unit": record.units[key],
            "mean": _json_float(_round(mean)),
            "half_width": _json_float(_round(half_width)),
            "values": [_json_float(float(v)) for v in values],
        }
        entries.append(f"    {dump(key_text(key))}: {dump(entry)}")
    lines.append(",\n".join(entries))
    lines.append("  }")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else value


def from_json_text(text: str) -> BaselineRecord:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"holds {type(data).__name__}, expected an object")
    if data.get("format") != FILE_FORMAT:
        raise ConfigError(
            "baseline file format",
            data.get("format"),
            f"{FILE_FORMAT}",
            f"Re-record it with {RECORD_COMMAND}.",
        )
    values: dict[KpiKey, np.ndarray] = {}
    units: dict[KpiKey, str] = {}
    for text_key, entry in data["kpis"].items():
        parts = tuple(text_key.split("/"))
        if len(parts) != 4:
            raise ConfigError("baseline KPI key", text_key, "region/store/kpi/stat")
        # a record made before a KPI rename reads under today's names (twin/kpi/renames.py)
        key: KpiKey = (parts[0], parts[1], current_kpi_name(parts[2]), parts[3])
        values[key] = np.array([math.nan if v is None else float(v) for v in entry["values"]])
        units[key] = str(entry["unit"])
    return BaselineRecord(
        name=data["name"],
        description=data.get("description", ""),
        overrides=list(data["overrides"]),
        seed=int(data["seed"]),
        replications=int(data["replications"]),
        kpi_patterns=list(data.get("kpi_patterns", [])),
        versions=dict(data["versions"]),
        values=values,
        units=units,
    )


def default_baseline_dir() -> Path:
    """``tests/baselines`` of the source checkout the package runs from, else of the cwd."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "tests").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / "tests" / "baselines"
    return Path("tests") / "baselines"


def baseline_path(baseline_dir: Path, name: str) -> Path:
    return Path(baseline_dir) / f"{name}.json"


def write_record(baseline_dir: Path, record: BaselineRecord) -> Path:
    path = baseline_path(baseline_dir, record.name)
    write_text(path, to_json_text(record))
    path.chmod(0o644)  # a committed file, readable by all (the temporary file was 0600)
    return path


def read_record(baseline_dir: Path, name: str) -> BaselineRecord:
    path = baseline_path(baseline_dir, name)
    if not path.is_file():
        raise ConfigError(
            f"baseline {name}",
            str(path),
            "a recorded baseline file",
            f"Record it with: {RECORD_COMMAND} {name}",
        )
    text = read_text(path)
    try:
        return from_json_text(text)
    except json.JSONDecodeError as exc:
        raise DamagedFileError(
            path, f"is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, ConfigError):
            raise
        what = f"lacks {exc}" if isinstance(exc, KeyError) else "does not follow the format"
        raise DamagedFileError(path, f"{what}; re-record it with {RECORD_COMMAND}") from None
