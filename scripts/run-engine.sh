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
# Production mode sets TIPLINE_ENDPOINTS=endpoints.prod.yml (README, "Production mode").
: "${TIPLINE_ENDPOINTS:=endpoints.yml}"
# The HTTP API (/model/parse, used by `tipline triage`) only with the engine token; given as
# --auth-token=VALUE because a generated token may begin with "-", which would read as an option.
exec scripts/rasa.sh run --model "$TIPLINE_MODEL" --port "$TIPLINE_ENGINE_PORT" \
  --credentials credentials.yml --endpoints "$TIPLINE_ENDPOINTS" \
  --enable-api --auth-token="${TIPLINE_ENGINE_TOKEN:?TIPLINE_ENGINE_TOKEN is not set}" --cors "*"
