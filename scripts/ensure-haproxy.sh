#!/usr/bin/env bash
# Production mode's balancer is Debian's HAProxy (2.6); nothing is built or downloaded by hand.
set -euo pipefail
if command -v haproxy >/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: haproxy is missing; install it with: sudo apt-get install -y haproxy" >&2
  exit 1
fi
echo "Installing haproxy (Debian package) for production mode..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
# Only the binary is used (started by Procfile.prod); the package's own service stays off.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now haproxy >/dev/null 2>&1 || true; fi
