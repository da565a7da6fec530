#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: lint, format check, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
.venv/bin/ruff check twin tests benchmarks hydra_plugins
.venv/bin/ruff format --check twin tests benchmarks hydra_plugins
.venv/bin/mypy twin
.venv/bin/mypy -p hydra_plugins.twin_sweeper -p hydra_plugins.twin_launcher
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
