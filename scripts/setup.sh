#!/usr/bin/env bash
# Set up everything the twin needs on a fresh machine (idempotent, quick when nothing changed):
# a virtual environment in .venv with the package and its dev tools, and with --browser,
# Debian's chromium for the HTML report tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.twin-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # the launcher/executor extras (submitit, optuna, ray, dask) are installed so their tests
  # run locally (submitit_local, Ray local mode, a Dask LocalCluster)
  .venv/bin/python -m pip install --quiet -e ".[dev,slurm,optuna,ray]"
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
