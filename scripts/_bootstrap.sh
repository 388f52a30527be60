# Sourced by every script: makes the project's locked environment exist, then gets out of the way.
#
# A fresh machine needs only Python 3.11+ and access to PyPI. uv (pinned below) comes from PATH
# when it is the pinned version, else it is installed once into .tools/ with pip. The environment
# is .venv/, synced from uv.lock exactly (`--locked`): nothing resolves anew, so every machine
# runs, and generates code with, the same versions. When already set up this costs ~0.1 s.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.9"
export UV_PYTHON_DOWNLOADS=never      # only registries are reachable; use the machine's Python
export UV_PROJECT_ENVIRONMENT="$ROOT/.venv"
export UV_NO_PROGRESS=1
export UV_LINK_MODE=copy

find_python() {
  local candidate
  for candidate in python3 python3.14 python3.13 python3.12 python3.11 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "error: Python 3.11 or newer is needed and none was found on PATH" >&2
  return 1
}

find_uv() {
  if command -v uv >/dev/null 2>&1 && [ "$(uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    command -v uv
    return 0
  fi
  local tools="$ROOT/.tools"
  if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    echo "setting up uv $UV_VERSION in .tools/ (once)" >&2
    "$(find_python)" -m venv "$tools" >&2
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" >&2
  fi
  echo "$tools/bin/uv"
}

# `--project`: the clone's project and lock, whichever directory the script was called from. The
# working directory is left alone, so that paths the caller passes (--report-dir, --db) mean what
# they say; scripts that need the root (test, regenerate, benchmark) cd there themselves.
UV="$(find_uv)"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "setting up the project environment in .venv/ from uv.lock (once)" >&2
  "$UV" sync --project "$ROOT" --locked --quiet --python "$(find_python)"
else
  "$UV" sync --project "$ROOT" --locked --quiet
fi
export PATH="$ROOT/.venv/bin:$PATH"
export B24_UV="$UV"  # for the tests that build and install the client wheel
