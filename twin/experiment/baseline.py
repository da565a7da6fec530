"""KPI baselines: record seeded runs of small scenarios and catch model drift against them.

``twin-baseline record [NAMES]`` runs each baseline of ``configs/baseline/`` and writes
``tests/baselines/<name>.json``: every KPI's (region, store, kpi, stat) mean, CI half-width
and per-replication values, with the seed, overrides and the versions that produced them.
``twin-baseline check [NAMES]`` re-runs them and compares in two layers (exact, then
statistical; see :mod:`twin.experiment.baseline_stats`), prints the drifted KPIs and exits 1
on drift. See docs/BASELINES.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from twin.cli_help import BASELINE_EPILOG
from twin.config.load import load_config
from twin.errors import ConfigError, TwinError
from twin.experiment.baseline_spec import BaselineSpec, load_specs
from twin.experiment.baseline_stats import (
    ExactMismatch,
    KpiDifference,
    KpiKey,
    compare_statistical,
    exact_mismatches,
    membership,
)
from twin.experiment.replications import simulate
from twin.experiment.run_folder import write_text
from twin.files import DamagedFileError, read_text
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


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def measure(
    spec: BaselineSpec,
    seed: int | None = None,
    extra_overrides: Sequence[str] = (),
    workers: int = 1,
) -> BaselineRecord:
    """Run the baseline scenario (optionally with another seed or extra overrides)."""
    config = load_config(spec.run_overrides(seed, workers, tuple(extra_overrides)))
    result = simulate(config)
    kpis = result.kpis
    values: dict[KpiKey, np.ndarray] = {}
    units: dict[KpiKey, str] = {}
    reps = spec.replications
    for (region, store, kpi, stat), group in kpis.groupby(
        ["region", "store", "kpi", "stat"], sort=True
    ):
        if not spec.selects(str(kpi), str(stat)):
            continue
        key = (str(region), str(store), str(kpi), str(stat))
        per_rep = np.full(reps, math.nan)
        per_rep[group["replication"].to_numpy(dtype=int)] = group["value"].to_numpy(dtype=float)
        values[key] = _rounded(per_rep)
        units[key] = str(group["unit"].iloc[0])
    return BaselineRecord(
        name=spec.name,
        description=spec.description,
        overrides=list(spec.overrides),
        seed=spec.seed if seed is None else seed,
        replications=reps,
        kpi_patterns=list(spec.kpis),
        versions=numeric_versions(),
        values=values,
        units=units,
    )


def _rounded(values: np.ndarray) -> np.ndarray:
    return np.array([_round(float(v)) for v in values])


def _round(value: float) -> float:
    if not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


# --- the baseline file ------------------------------------------------------------------------


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
        key: KpiKey = (parts[0], parts[1], parts[2], parts[3])
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


# --- the check --------------------------------------------------------------------------------


@dataclass
class CheckReport:
    """The outcome of checking one baseline."""

    name: str
    notices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # drift that is not one KPI's value
    missing: list[KpiKey] = field(default_factory=list)
    # new KPIs the baseline does not hold: reported, not drift (adding a KPI cannot change
    # the ones recorded; re-record to check them too)
    appeared: list[KpiKey] = field(default_factory=list)
    exact_applied: bool = False
    exact: list[ExactMismatch] = field(default_factory=list)
    method: str = ""
    differences: list[KpiDifference] = field(default_factory=list)

    @property
    def drifted(self) -> list[KpiDifference]:
        return [d for d in self.differences if d.is_drift]

    @property
    def has_drift(self) -> bool:
        return bool(self.problems or self.missing or self.exact or self.drifted)


def compare(
    spec: BaselineSpec,
    old: BaselineRecord,
    new: BaselineRecord,
    extra_overrides: Sequence[str] = (),
) -> CheckReport:
    """Both layers of the check of ``new`` (a fresh run) against ``old`` (the recorded one)."""
    report = CheckReport(spec.name)
    if old.identity() != spec.identity():
        changed = [k for k, v in spec.identity().items() if old.identity()[k] != v]
        report.problems.append(
            f"the spec changed since the baseline was recorded ({', '.join(changed)}); "
            f"re-record it: {RECORD_COMMAND} {spec.name}"
        )
    report.missing, report.appeared = membership(old.values, new.values)
    same_seed = new.seed == old.seed and new.replications == old.replications
    if extra_overrides:
        report.notices.append("extra overrides: " + " ".join(extra_overrides))
    if not same_seed:
        report.notices.append(
            f"exact layer skipped: seed {new.seed} differs from the recorded {old.seed}"
        )
    elif new.versions != old.versions:
        changed = [
            f"{k} {old.versions.get(k, '-')} -> {new.versions.get(k, '-')}"
            for k in sorted(set(old.versions) | set(new.versions))
            if old.versions.get(k) != new.versions.get(k)
        ]
        report.notices.append("exact layer skipped: versions differ (" + ", ".join(changed) + ")")
    else:
        report.exact_applied = True
        report.exact = exact_mismatches(old.values, new.values, spec.tolerance.exact_rel)
    report.method = "paired" if same_seed else "welch"
    report.differences = compare_statistical(old.values, new.values, spec.tolerance, same_seed)
    return report


def check(
    spec: BaselineSpec,
    baseline_dir: Path,
    seed: int | None = None,
    extra_overrides: Sequence[str] = (),
    workers: int = 1,
) -> CheckReport:
    old = read_record(baseline_dir, spec.name)
    new = measure(spec, seed, extra_overrides, workers)
    return compare(spec, old, new, extra_overrides)


# --- printing ---------------------------------------------------------------------------------


def format_report(report: CheckReport, spec: BaselineSpec, max_rows: int = 30) -> str:
    tol = spec.tolerance
    n = len(report.differences)
    lines = [f"{report.name}: {'DRIFT' if report.has_drift else 'ok'}"]
    lines += [f"  note: {notice}" for notice in report.notices]
    lines += [f"  DRIFT: {problem}" for problem in report.problems]
    if report.missing:
        lines.append(f"  DRIFT: {len(report.missing)} KPI(s) disappeared")
        lines += [f"    - {key_text(k)}" for k in report.missing[:max_rows]]
    if report.appeared:
        lines.append(
            f"  note: {len(report.appeared)} KPI(s) not in the baseline (new; not checked until "
            f"re-recorded: {RECORD_COMMAND} {report.name})"
        )
        lines += [f"    + {key_text(k)}" for k in report.appeared[:max_rows]]
    if report.exact_applied:
        if report.exact:
            lines.append(
                f"  exact: DRIFT in {len(report.exact)} of {n} KPIs "
                f"(same seed and versions, rel {tol.exact_rel:g})"
            )
            lines.append(
                _table(
                    ["region", "store", "kpi", "stat", "old", "new", "max rel diff"],
                    [
                        [*m.key, _num(m.old_mean), _num(m.new_mean), f"{m.max_rel_diff:.2e}"]
                        for m in report.exact[:max_rows]
                    ],
                )
            )
            if len(report.exact) > max_rows:
                lines.append(f"    ... and {len(report.exact) - max_rows} more")
        else:
            lines.append(f"  exact: ok, {n} KPIs identical (rel {tol.exact_rel:g})")
    drifted = sorted(report.drifted, key=lambda d: -_sort_size(d))
    rule = (
        f"{report.method}, |diff| > max({1 - tol.alpha:.0%} family-wise CI half-width, "
        f"{tol.rel:g} x |old|{f' + {tol.abs:g}' if tol.abs else ''})"
    )
    if drifted:
        lines.append(f"  statistical: DRIFT in {len(drifted)} of {n} KPIs ({rule})")
        lines.append(
            _table(
                ["region", "store", "kpi", "stat", "old", "new", "diff", "interval of diff", "rel"],
                [
                    [
                        *d.key,
                        _num(d.old_mean),
                        _num(d.new_mean),
                        _num(d.diff),
                        f"[{_num(d.diff - d.half_width)}, {_num(d.diff + d.half_width)}]",
                        f"{d.rel_diff:+.1%}",
                    ]
                    for d in drifted[:max_rows]
                ],
            )
        )
        if len(drifted) > max_rows:
            lines.append(f"    ... and {len(drifted) - max_rows} more")
    else:
        lines.append(f"  statistical: ok, {n} KPIs within tolerance ({rule})")
    return "\n".join(lines)


def _sort_size(difference: KpiDifference) -> float:
    size = abs(difference.rel_diff)
    return 1e300 if math.isnan(size) or math.isinf(size) else size


def _num(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.4g}"
    return f"{value:.3e}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    out = []
    for row in [header, *rows]:
        out.append("    " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(out)


# --- command line -----------------------------------------------------------------------------


def _select(specs: dict[str, BaselineSpec], names: Iterable[str]) -> list[BaselineSpec]:
    chosen = list(names) or sorted(specs)
    unknown = [n for n in chosen if n not in specs]
    if unknown:
        raise ConfigError("baseline", unknown[0], "one of: " + ", ".join(sorted(specs)))
    return [specs[n] for n in chosen]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin-baseline",
        description="Record KPI baselines or check the model against them (docs/BASELINES.md).",
        epilog=BASELINE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("names", nargs="*", help="baselines (default: all in configs/baseline)")
    common.add_argument(
        "--dir", type=Path, default=None, help="folder of baseline files (default: tests/baselines)"
    )
    common.add_argument(
        "--specs",
        type=Path,
        default=None,
        help="folder of baseline specs (default: configs/baseline)",
    )
    common.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes per run (results do not depend on it)",
    )
    sub.add_parser("list", parents=[common], help="list the baselines and whether recorded")
    sub.add_parser("record", parents=[common], help="run and write tests/baselines/<name>.json")
    check_parser = sub.add_parser(
        "check", parents=[common], help="re-run and compare; exit 1 on drift"
    )
    check_parser.add_argument(
        "--seed", type=int, default=None, help="run with another seed (statistical layer only)"
    )
    check_parser.add_argument(
        "-o",
        "--override",
        action="append",
        default=[],
        help="extra Hydra override for every run (e.g. to try a change)",
    )
    check_parser.add_argument("--max-rows", type=int, default=30, help="rows per drift table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``twin-baseline {list,record,check} [NAMES]``: 0 ok, 1 drift, 2 bad input."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    baseline_dir = args.dir or default_baseline_dir()
    try:
        specs = _select(load_specs(args.specs), args.names)
        if args.command == "list":
            for spec in specs:
                recorded = baseline_path(baseline_dir, spec.name).is_file()
                print(
                    f"{spec.name:<28} {spec.replications:>3} reps  seed {spec.seed}  "
                    f"{'recorded' if recorded else 'NOT RECORDED'}  {spec.description}"
                )
            return 0
        if args.command == "record":
            for spec in specs:
                path = write_record(baseline_dir, measure(spec, workers=args.workers))
                print(f"recorded {spec.name}: {path}")
            return 0
        has_drift = False
        for spec in specs:
            report = check(spec, baseline_dir, args.seed, tuple(args.override), args.workers)
            has_drift |= report.has_drift
            print(format_report(report, spec, args.max_rows))
    except TwinError as exc:
        print(f"twin-baseline: {exc}", file=sys.stderr)
        return 2
    if has_drift:
        print(
            f"\nKPI drift. If the change is intended, review the tables above, then re-record "
            f"({RECORD_COMMAND} [NAMES]) and commit tests/baselines/ with the change."
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
