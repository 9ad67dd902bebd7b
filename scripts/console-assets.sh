#!/usr/bin/env bash
# The console's npm packages (Chart.js), exactly as routing/console/package-lock.json pins them.
set -euo pipefail
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: npm is missing; install it with: sudo apt-get install -y npm" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
npm ci --prefix routing/console --no-audit --no-fund --silent
touch routing/console/node_modules/.installed
