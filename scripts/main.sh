#!/usr/bin/env bash
# The main job: check every protocol (also against the law), render every handbook and
# stroomschema into generated/, compare the regions, and run a sample timeline.
# Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

regions=(protocols/parkstad.vz protocols/ruw.vz protocols/ijsselvecht.vz protocols/kopnh.vz protocols/zhz.vz)

echo "== vzc check --law protocols/"
vzc check --law protocols/

echo "== vzc test (the scenarios beside each protocol)"
vzc test

echo "== vzc render protocols/ -o generated/"
vzc render protocols/ -o generated/

echo "== vzc compare (all regions) -o generated/compare/"
vzc compare "${regions[@]}" -o generated/compare/

echo "== vzc run protocols/parkstad.vz examples/timeline.json --format table"
vzc run protocols/parkstad.vz examples/timeline.json --format table
