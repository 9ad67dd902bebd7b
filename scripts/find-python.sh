#!/usr/bin/env bash
# Print the path of a Python interpreter of the given minor version (3.10 or 3.11), or exit 1 with
# one line saying what to install. pyenv's python3.10 shim exists on PATH even when 3.10 is not
# selected and then fails, so every candidate is run before it is trusted.
set -u
want=${1:?usage: find-python.sh 3.10|3.11}
var="TIPLINE_PYTHON${want//./}"

works() { [ -n "$1" ] && "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" >/dev/null 2>&1; }

candidates=("${!var:-}")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -t. -k3 -n -r); do
    candidates+=("$(pyenv root)/versions/$v/bin/python")
  done
fi
candidates+=("$(command -v "python$want" 2>/dev/null)" "/usr/bin/python$want" "/usr/local/bin/python$want")

for c in "${candidates[@]}"; do
  if works "$c"; then echo "$c"; exit 0; fi
done
echo "error: Python $want not found; install it (for example 'pyenv install $want') or set $var=/path/to/python$want" >&2
exit 1
