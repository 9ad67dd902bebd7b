#!/usr/bin/env bash
# Start the Rasa engine with our channels (credentials.yml) and endpoints (endpoints.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TIPLINE_ENGINE_PORT:=5005}"
: "${TIPLINE_ACTIONS_URL:=http://127.0.0.1:5055/webhook}"
: "${TIPLINE_MODEL:=models/tipline.tar.gz}"
export TIPLINE_ACTIONS_URL
if [ ! -f "$TIPLINE_MODEL" ]; then
  echo "error: no trained model at $TIPLINE_MODEL; run 'make model' (or 'make run', which trains it)" >&2
  exit 1
fi
# Production mode sets TIPLINE_ENDPOINTS=endpoints.prod.yml and TIPLINE_CREDENTIALS=credentials.prod.yml
# (README, "Production mode").
: "${TIPLINE_ENDPOINTS:=endpoints.yml}"
: "${TIPLINE_CREDENTIALS:=credentials.yml}"
# CORS only for the public page's own origin (scheme://host[:port] of TIPLINE_PUBLIC_URL); without
# it, none: the page and its socket.io are served by the engine itself, same-origin.
cors=()
if [[ "${TIPLINE_PUBLIC_URL:-}" =~ ^(https?://[^/?#]+) ]]; then
  cors=(--cors "${BASH_REMATCH[1]}")
fi
# Rasa's Redis lock store takes a host, a port and a database, not a URL: split TIPLINE_REDIS_URL
# (redis://[:password@]host[:port][/db]) for endpoints.prod.yml.
if [ -n "${TIPLINE_REDIS_URL:-}" ]; then
  redis_url='^redis://((:([^@]*))?@)?([^:/@]+)(:([0-9]+))?(/([0-9]+))?/?$'
  if [[ ! "$TIPLINE_REDIS_URL" =~ $redis_url ]]; then
    echo "error: TIPLINE_REDIS_URL must look like redis://[:password@]host[:port][/db]" >&2
    exit 1
  fi
  export TIPLINE_REDIS_PASSWORD="${BASH_REMATCH[3]}" TIPLINE_REDIS_HOST="${BASH_REMATCH[4]}"
  export TIPLINE_REDIS_PORT="${BASH_REMATCH[6]:-6379}" TIPLINE_REDIS_DB="${BASH_REMATCH[8]:-0}"
fi
# The HTTP API (/model/parse, used by `tipline triage`) only with the engine token; given as
# --auth-token=VALUE because a generated token may begin with "-", which would read as an option.
exec scripts/rasa.sh run --model "$TIPLINE_MODEL" --port "$TIPLINE_ENGINE_PORT" \
  --credentials "$TIPLINE_CREDENTIALS" --endpoints "$TIPLINE_ENDPOINTS" \
  --enable-api --auth-token="${TIPLINE_ENGINE_TOKEN:?TIPLINE_ENGINE_TOKEN is not set}" "${cors[@]}"
