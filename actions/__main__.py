"""python -m actions: the rasa-sdk action server with our settings and clear start-up errors."""

from __future__ import annotations

import socket
import sys
from functools import partial

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
            probe.bind((settings.host, settings.port))
        except OSError:
            print(
                f"error: port {settings.port} is already in use; stop what uses it or set TIPLINE_ACTIONS_PORT",
                file=sys.stderr,
            )
            return 2
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from actions.server import create_app

    # As rasa_sdk.endpoint.run does, with our factory: each worker builds the app from it.
    loader = AppLoader(factory=partial(create_app, settings))
    app = loader.load()
    app.prepare(host=settings.host, port=settings.port, workers=1)
    print(f"action server on http://{settings.host}:{settings.port}", file=sys.stderr)
    Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    sys.exit(main())
