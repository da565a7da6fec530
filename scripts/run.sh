#!/usr/bin/env bash
# Set up (first time only) and run the twin: the default scenario, or any overrides given.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/setup.sh"
exec "$here/.venv/bin/twin" "$@"
