"""Wait until the three services answer their health routes, then say where to talk to the bot.

Runs as a process of the Procfile. It then stays up doing nothing, because honcho stops every
process as soon as one exits; if a service is not healthy in time it exits 1, which stops all.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import urllib.request

TIMEOUT_S = float(os.environ.get("TIPLINE_READY_TIMEOUT", "300"))


def _services() -> dict[str, str]:
    engine = f"http://127.0.0.1:{os.environ.get('TIPLINE_ENGINE_PORT', '5005')}"
    actions = f"http://127.0.0.1:{os.environ.get('TIPLINE_ACTIONS_PORT', '5055')}"
    routing = f"http://127.0.0.1:{os.environ.get('TIPLINE_ROUTING_PORT', '8080')}"
    return {"engine": engine + "/", "actions": actions + "/health", "routing": routing + "/healthz"}


def _receiver_line() -> str:
    sandbox = os.environ.get("TIPLINE_DELIVERY_SANDBOX", "")
    if not sandbox:
        return ""
    return f"  Delivered tips:   {sandbox}/ (the development receiver stands in for 911, 988, FBI, state)\n"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> int:
    services = _services()
    deadline = time.monotonic() + TIMEOUT_S
    waiting = dict(services)
    while waiting:
        waiting = {name: url for name, url in waiting.items() if not _healthy(url)}
        if waiting and time.monotonic() > deadline:
            print(f"error: not healthy after {TIMEOUT_S:.0f} s: {', '.join(waiting)}; see their logs above", flush=True)
            return 1
        time.sleep(1)
    engine = services["engine"].rstrip("/")
    print(
        "\nTipline is ready.\n"
        f"  Talk to the bot:  curl -s {engine}/webhooks/rest/webhook "
        """-H 'Content-Type: application/json' -d '{"sender": "me", "message": "hi"}'\n"""
        f"  Web chat page:    {engine}/report/\n"
        f"  Routing service:  {services['routing'].removesuffix('/healthz')}/healthz\n"
        f"{_receiver_line()}"
        "  Stop everything:  Ctrl-C\n",
        flush=True,
    )
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
