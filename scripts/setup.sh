#!/usr/bin/env bash
# Installs what verzuimdsl needs on a fresh machine: the virtual environment, the package,
# Debian's graphviz (for `dot`) and, with --browser, Debian's chromium for the browser test.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup: ${missing[*]} ontbreekt; installeer met: sudo apt-get install ${missing[*]}" >&2
    return 0
  fi
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: apt-get install ${missing[*]}" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

debs=()
command -v dot >/dev/null 2>&1 || debs+=(graphviz)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || debs+=(chromium)
fi
# WeasyPrint renders the PDF handbook with Pango; fonts make it legible.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || debs+=(fonts-dejavu-core)
apt_install "${debs[@]+"${debs[@]}"}"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
# Byte-compile the package: an editable install does not, and where PYTHONDONTWRITEBYTECODE
# is set every `vzc` would compile its modules again at start-up (about 70 ms).
.venv/bin/python -m compileall -q verzuimdsl >/dev/null
