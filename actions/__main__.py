"""python -m actions: the rasa-sdk action server with our settings and clear start-up errors."""

from __future__ import annotations

import socket
import sys

from actions.settings import SettingsError, current
from actions.triage import TriageDataError, default_triage


def main() -> int:
    try:
        settings = current()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        default_triage()  # the phrase lists and rules, checked before the first request
    except TriageDataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", settings.port))
        except OSError:
            print(
                f"error: port {settings.port} is already in use; stop what uses it or set TIPLINE_ACTIONS_PORT",
                file=sys.stderr,
            )
            return 2
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    main_from_args(create_argument_parser().parse_args(["--actions", "actions", "--port", str(settings.port)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
