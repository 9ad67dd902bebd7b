"""The channels' fixture of GET /public/jurisdiction has the shape the routing service really serves.

The engine's channel tests read tests/fixtures/public_jurisdiction.json so that they know what the
page and the SMS replies must say; this keeps that fixture honest against the real endpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.stack import Stack

FIXTURE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "public_jurisdiction.json").read_text())


def shape(value: Any, path: str = "") -> dict[str, type]:
    """Every key path of a JSON value with the type found there (lists by their first item)."""
    if isinstance(value, dict):
        found: dict[str, type] = {path: dict}
        for key, item in value.items():
            found.update(shape(item, f"{path}.{key}"))
        return found
    if isinstance(value, list):
        return {path: list, **(shape(value[0], path + "[]") if value else {})}
    return {path: float if isinstance(value, int | float) and not isinstance(value, bool) else type(value)}


async def test_the_fixture_matches_what_the_routing_service_serves(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session, session.get(stack.routing_url + "/public/jurisdiction") as response:
        assert response.status == 200
        served = await response.json()
    expected, actual = shape(FIXTURE), shape(served)
    missing = {path: kind for path, kind in expected.items() if path not in actual}
    assert not missing, f"the channels read fields the routing service does not serve: {missing}"
    different = {path: (kind, actual[path]) for path, kind in expected.items() if actual[path] is not kind}
    assert not different, different
    for language in served["languages"]:
        assert "911" in served["help_text"][language] and "988" in served["help_text"][language]
