"""Checks before `make run` starts anything: the ports are free and the routing service can start.

Each problem is one line that says what to do; the exit code is non-zero if there is any.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

PORTS = {
    "TIPLINE_ENGINE_PORT": ("the Rasa engine", 5005),
    "TIPLINE_ACTIONS_PORT": ("the action server", 5055),
    "TIPLINE_ROUTING_PORT": ("the routing service", 8080),
}


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - a probe: taken on any interface is taken
        except OSError:
            return True
    return False


def main() -> int:
    problems = []
    for variable, (service, default) in PORTS.items():
        port = int(os.environ.get(variable, default))
        if port_in_use(port):
            problems.append(f"error: port {port} ({service}) is already in use; stop what uses it or set {variable}")
    if not os.path.exists(os.environ.get("TIPLINE_MODEL", "models/tipline.tar.gz")):
        problems.append("error: no trained model in models/; run 'make model'")
    # The routing service checks its own settings, database and jurisdiction file.
    check = subprocess.run([sys.executable, "-m", "routing", "check"], capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(
            check.stderr.strip().splitlines()[-1] if check.stderr.strip() else "error: routing check failed"
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
