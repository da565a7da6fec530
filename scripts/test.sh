#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: lint, format check, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
.venv/bin/ruff check twin tests benchmarks
.venv/bin/ruff format --check twin tests benchmarks
.venv/bin/mypy twin
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
