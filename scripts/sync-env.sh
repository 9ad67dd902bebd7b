#!/usr/bin/env bash
# Create or update one virtual environment from its hashed lock file.
#   scripts/sync-env.sh uv|app|engine
# A second run with the lock unchanged is a no-op (make only calls this when the lock is newer
# than the environment's stamp); uv installs from its cache, so a rebuild takes seconds.
set -euo pipefail
name=$1
cd "$(dirname "$0")/.."
case "$name" in
  uv)     py=$(scripts/find-python.sh 3.11) ;;
  app)    py=$(scripts/find-python.sh 3.11) ;;
  engine) py=$(scripts/find-python.sh 3.10) ;;
  *) echo "error: unknown environment '$name'" >&2; exit 2 ;;
esac
venv=.venvs/$name
if [ "$name" = uv ]; then
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.lock
else
  uv=.venvs/uv/bin/uv
  [ -x "$venv/bin/python" ] || "$uv" venv --quiet --python "$py" "$venv"
  VIRTUAL_ENV=$venv "$uv" pip sync --quiet --require-hashes "requirements/$name.lock"
fi
touch "$venv/.synced"
