"""Session fixtures shared by the end-to-end tests (folders made by the real producers)."""

from tests.report_support import (  # noqa: F401  (pytest finds fixtures by name)
    real_run_dir,
    real_run_with_plan,
    real_sizing_dir,
    real_sweep_dir,
)
