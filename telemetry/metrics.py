"""The /metrics endpoints' access check, the same on the three services.

/metrics shares each service's public port, so it answers only to `Authorization: Bearer
$TIPLINE_METRICS_TOKEN` (Prometheus: `authorization: {credentials: ...}` in the scrape config);
with no token configured it is off.
"""

from __future__ import annotations

import hmac


def authorized(authorization_header: str | None, token: str | None) -> bool:
    if not token:
        return False
    return hmac.compare_digest((authorization_header or "").encode(), f"Bearer {token}".encode())
