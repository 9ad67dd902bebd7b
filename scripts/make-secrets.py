"""Write development secrets to var/secrets.sh once; never change a value already written.

A file from an older checkout gets only the variables it lacks appended.

The file is sourced by the Makefile before the services start. Each line only sets a variable
that the environment has not set already, so a deployment's own values always win.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

SECRETS = {
    # Bearer token the action server presents to the routing intake API.
    "TIPLINE_INTAKE_SECRET": lambda: secrets.token_urlsafe(32),
    # Fernet keys (comma-separated, newest first) for reporter contact details at rest.
    "TIPLINE_ENCRYPTION_KEYS": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
    # Key of the keyed hash that turns a phone number into a conversation id.
    "TIPLINE_SENDER_HASH_KEY": lambda: secrets.token_urlsafe(32),
    # Token for the Rasa engine's HTTP API (model/parse for `tipline triage`).
    "TIPLINE_ENGINE_TOKEN": lambda: secrets.token_urlsafe(32),
    # Bearer token of production's REST channel (tools and tests; residents never use it).
    "TIPLINE_REST_TOKEN": lambda: secrets.token_urlsafe(32),
    # Signs acknowledgement callback links and console session cookies.
    "TIPLINE_SIGNING_SECRET": lambda: secrets.token_urlsafe(32),
    # Bearer token Prometheus presents at each service's /metrics.
    "TIPLINE_METRICS_TOKEN": lambda: secrets.token_urlsafe(32),
    # HMAC keys of the example jurisdiction's webhooks (jurisdictions/example-county.yml).
    "TIPLINE_SECRET_DISPATCH_CAD": lambda: secrets.token_urlsafe(32),
    "TIPLINE_SECRET_CRISIS_CENTER": lambda: secrets.token_urlsafe(32),
    "TIPLINE_SECRET_STATE_TIPLINE": lambda: secrets.token_urlsafe(32),
}


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "var/secrets.sh")
    if path.exists():
        present = path.read_text()
        missing = {name: make for name, make in SECRETS.items() if f"${{{name}:=" not in present}
        if missing:
            with path.open("a") as f:
                f.write("".join(f': "${{{name}:={make()}}}"\n' for name, make in missing.items()))
            print(f"Added {', '.join(missing)} to {path}")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Development secrets, generated on first run. Never commit this file."]
    lines += [f': "${{{name}:={make()}}}"' for name, make in SECRETS.items()]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"Generated development secrets in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
