#!/usr/bin/env bash
# Runs the tests (and ruff). Installs what it needs first, including chromium for the
# browser test of the HTML handbook.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
.venv/bin/ruff check verzuimdsl tests bench tools
.venv/bin/python -m pytest "$@"
