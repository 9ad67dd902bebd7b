#!/usr/bin/env bash
# Run the engine environment's `rasa` from the project root, quietly and offline.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}   # our channels: bot.channels.*
export RASA_TELEMETRY_ENABLED=false                 # no phoning home
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export SQLALCHEMY_SILENCE_UBER_WARNING=1            # Rasa 3.6's own SQLAlchemy 1.4 notice
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore}             # Rasa 3.6 dependencies warn on every start
exec .venvs/engine/bin/rasa "$@"
