#!/usr/bin/env bash
# The main job: check every protocol, render every handbook and stroomschema into
# generated/, and run a sample timeline. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== vzc check protocols/"
vzc check protocols/

if vzc render --help >/dev/null 2>&1; then
  echo "== vzc render"
  vzc render protocols/*.vz -o generated/
fi

if vzc run --help >/dev/null 2>&1 && [ -f examples/timeline.json ]; then
  echo "== vzc run protocols/parkstad.vz examples/timeline.json --format table"
  vzc run protocols/parkstad.vz examples/timeline.json --format table
fi
