"""Self-contained HTML reports built from saved run, sweep and sizing folders.

>>> from twin.report import render_run_report  # doctest: +SKIP
>>> render_run_report(Path("runs/2026-05-01/12-00-00"))  # doctest: +SKIP
PosixPath('reports/run_default_2026-05-01_12-00-00.html')
"""

from twin.report.load import ReportInputError, detect_kind
from twin.report.render import render_run_report, render_sizing_report, render_sweep_report

__all__ = [
    "ReportInputError",
    "detect_kind",
    "render_run_report",
    "render_sizing_report",
    "render_sweep_report",
]
