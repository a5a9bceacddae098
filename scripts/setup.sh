#!/usr/bin/env bash
# Installs Parlante into ./.venv on a fresh machine: system libraries (when root and missing),
# then the package and its pinned models-in-wheels. Usage: scripts/setup.sh [EXTRAS]
#   scripts/setup.sh            # the tool
#   scripts/setup.sh serve      # plus the web server (any extras of pyproject.toml, comma-separated)
#   scripts/setup.sh test       # everything the tests need, Debian's chromium included
#   scripts/setup.sh dev,serve,browser --browser   # chromium for the web page's test, by hand
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
browser=no
for arg in "$@"; do
  case "$arg" in
    --browser) browser=yes ;;
    -*) echo "setup: unknown option $arg" >&2; exit 2 ;;
    *) extras="$arg" ;;
  esac
done
case ",$extras," in *,test,*|*,browser,*) browser=yes ;; esac

# OpenCV (pulled by MediaPipe) needs libGL and glib at import time.
need=()
ldconfig -p 2>/dev/null | grep -q 'libGL.so.1' || need+=(libgl1)
ldconfig -p 2>/dev/null | grep -q 'libglib-2.0.so.0' || need+=(libglib2.0-0)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (e.g. sudo apt-get install ${need[*]})" >&2
  fi
fi

# --browser: headless Chromium from Debian (the page's test drives it through Playwright;
# Playwright's own browser download is never used).
if [ "$browser" = yes ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: please install chromium (e.g. sudo apt-get install chromium)" >&2
  fi
fi

py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null || py=python3
"$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Parlante needs Python 3.11 (MediaPipe 0.10.21)"'
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/python -m pip install -q -e "$spec"
