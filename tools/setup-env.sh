#!/usr/bin/env bash
# Create the project's Python environment from requirements.lock (hash-checked).
# Uses uv when it is on PATH; otherwise installs uv into the new venv with pip;
# if that fails, installs with plain pip. Usage: tools/setup-env.sh VENV_DIR
set -euo pipefail
venv=${1:-.venv}

py=""
for cand in python3.11 python3.12 python3.13 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    py=$cand; break
  fi
done
if [ -z "$py" ]; then
  echo "civicposts: Python >= 3.11 is needed (Debian/Ubuntu: sudo apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "civicposts: the venv module is missing (Debian/Ubuntu: sudo apt-get install python3-venv)" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "civicposts: creating $venv with $("$py" --version)" >&2
  "$py" -m venv "$venv"
fi
installer=""
if command -v uv >/dev/null 2>&1; then
  installer="uv"
elif "$venv/bin/python" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
  installer="$venv/bin/uv"
fi
if [ -n "$installer" ]; then
  echo "civicposts: installing the locked environment with uv" >&2
  # sync: the environment holds exactly the locked set, nothing more
  "$installer" pip sync --python "$venv/bin/python" --require-hashes requirements.lock
  "$installer" pip install --python "$venv/bin/python" --no-deps -e .
else
  echo "civicposts: installing the locked environment with pip (uv unavailable)" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --require-hashes -r requirements.lock
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-deps -e .
fi
# Bytecode for every installed module, compiled once here: uv does not compile on install, and where
# PYTHONDONTWRITEBYTECODE is set (many CI images) Python never caches it either, so every notebook kernel
# would compile pandas, matplotlib and the rest from source again (about half of each kernel's start-up).
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if ! "$venv/bin/python" -m compileall -q -j 0 "$site" src >/dev/null; then
  echo "civicposts: some modules could not be compiled to bytecode ahead of time (they compile on import)" >&2
fi
# JupyterLab settings of this environment: no "Jupyter news" question or update check covering the
# coding app (overrides.json is read from the environment's app settings folder, before user settings).
mkdir -p "$venv/share/jupyter/lab/settings"
cp tools/jupyter/overrides.json "$venv/share/jupyter/lab/settings/overrides.json"
