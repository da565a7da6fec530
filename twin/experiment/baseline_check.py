"""Catch model drift: re-run a baseline scenario and compare it with its recorded file.

:func:`measure` runs the scenario into a
:class:`~twin.experiment.baseline_record.BaselineRecord`; :func:`compare` checks a fresh record
against the recorded one in two layers (exact, then statistical; see
:mod:`twin.experiment.baseline_stats`); :func:`format_report` prints the drifted KPIs as tables.
See docs/BASELINES.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twin.config.load import load_config
from twin.experiment.baseline_record import (
    RECORD_COMMAND,
    BaselineRecord,
    key_text,
    numeric_versions,
    read_record,
    rounded,
)
from twin.experiment.baseline_spec import BaselineSpec
from twin.experiment.baseline_stats import (
    ExactMismatch,
    KpiDifference,
    KpiKey,
    compare_statistical,
    exact_mismatches,
    membership,
)
from twin.experiment.replications import simulate


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
        values[key] = rounded(per_rep)
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
