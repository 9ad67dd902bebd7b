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
# The HTTP API (/model/parse, used by `tipline triage`) only with the engine token.
exec scripts/rasa.sh run --model "$TIPLINE_MODEL" --port "$TIPLINE_ENGINE_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml \
  --enable-api --auth-token "${TIPLINE_ENGINE_TOKEN:?TIPLINE_ENGINE_TOKEN is not set}" --cors "*"
