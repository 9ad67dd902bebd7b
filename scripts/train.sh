#!/usr/bin/env bash
# Train models/tipline.tar.gz when config.yml, domain.yml or data/ changed since the model was
# built (a content hash, not timestamps, so a fresh clone or a git checkout is judged right).
# Rasa's training cache (RASA_CACHE_DIRECTORY, default .rasa/cache) then retrains only the
# components whose inputs changed. Seeds are fixed in config.yml, so training is deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var models
model=models/tipline.tar.gz
stamp=models/tipline.inputs.sha256
inputs_hash=$( (sha256sum config.yml domain.yml; find data -type f -name '*.yml' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ -f "$model" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs_hash" ]; then
  exit 0
fi
echo "Training the Rasa model (data, domain or config changed)..."
# Seeds are fixed in config.yml; these make TensorFlow's kernels and Python's hashing repeatable.
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0
start=$SECONDS
scripts/rasa.sh train --config config.yml --domain domain.yml --data data \
  --out models --fixed-model-name tipline --quiet >var/train.log 2>&1 \
  || { tail -n 30 var/train.log >&2; echo "error: training failed; the whole log is in var/train.log" >&2; exit 1; }
echo "$inputs_hash" >"$stamp"
echo "Model trained in $((SECONDS - start)) s: $model"
