"""HTTP requests sent byte for byte: HTTP clients normalise `..` and percent escapes away, attackers don't."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


async def request(
    port: int, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> RawResponse:
    """One request with `target` exactly as given on the request line; the connection is closed after it."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return RawResponse(int(status_line.split()[1]), parsed, rest)


# Ways to write "one folder up" that servers have been fooled by: plain, percent-encoded, double-encoded,
# backslashes, overlong UTF-8, path parameters, doubled dots.
UP = ("../", "..%2f", "%2e%2e/", "%2e%2e%2f", "%252e%252e%252f", "..%5c", "..\\", "....//", "..;/", "%c0%ae%c0%ae/")
# Files outside every static folder, and a line each contains.
SECRET_FILES = {"routing/settings.py": b"TIPLINE_INTAKE_SECRET", "etc/passwd": b"root:"}


def escapes(static_prefix: str, depth_to_root: int) -> list[str]:
    """Request targets under `static_prefix` (a URL path ending in /) that try to reach SECRET_FILES;
    `depth_to_root` is how many folders the static folder lies below the project root."""
    targets = []
    for up in UP:
        for depth in range(1, depth_to_root + 2):
            targets.append(static_prefix + up * depth + "routing/settings.py")
        targets.append(static_prefix + up * 16 + "etc/passwd")
    targets += [
        static_prefix + "/etc/passwd",
        static_prefix + "%2fetc%2fpasswd",
        static_prefix + "x.css%00/../../routing/settings.py",
    ]
    return targets
