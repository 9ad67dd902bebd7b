"""`tipline triage`: JSON Lines of tips in, one triage result per line out (architecture.md).

Each input line is `{"id": ..., "text": ...}`, optionally with `answers` (the report form's
answers), `reported_at` (ISO 8601 with a time zone) and `language`. The text goes through the
running engine's NLU (`/model/parse`), the same triage code as the live bot, and the routing
service's `/api/v1/route`, so the result is what the live service would decide. A bad line gets
an `{"id", "error"}` line in its place and the command goes on; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

import aiohttp

from actions.engine_client import EngineClient, EngineError
from actions.routing_client import RoutingClient, RoutingError
from actions.settings import EngineSettings, Settings, SettingsError
from actions.triage.assess import Triage, load
from actions.triage.errors import TriageDataError
from actions.triage.model import Conversation, Message, TriageResult, Urgency

ANSWER_KEYS = frozenset({"what", "who", "where", "when", "happening_now", "weapons", "target", "how_known"})
MAX_TEXT = 20000  # as the routing intake API
# Lines triaged at once: the engine parses one message in tens of milliseconds on 2 cores.
CONCURRENCY = 4

START_STACK = "start the stack with 'make run'"


class InputError(ValueError):
    """One input line is not a valid tip; the message says what is wrong with it."""


@dataclasses.dataclass(frozen=True)
class Tip:
    id: str
    text: str
    answers: dict[str, str | bool | None]
    reported_at: datetime | None
    language: str


def parse_line(line: str) -> Tip:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON ({e.msg})") from None
    if not isinstance(raw, dict):
        raise InputError('expected a JSON object such as {"id": "1", "text": "..."}')
    tip_id = raw.get("id")
    if isinstance(tip_id, bool) or not isinstance(tip_id, str | int) or str(tip_id).strip() == "":
        raise InputError("'id' is required (a string or a number)")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("'text' is required and must be a non-empty string")
    if len(text) > MAX_TEXT:
        raise InputError(f"'text' must be at most {MAX_TEXT} characters")
    answers = raw.get("answers") or {}
    if not isinstance(answers, dict):
        raise InputError("'answers' must be an object")
    for key, value in answers.items():
        if key not in ANSWER_KEYS:
            raise InputError(f"'answers.{key}' is not a form answer ({', '.join(sorted(ANSWER_KEYS))})")
        if value is not None and not isinstance(value, str | bool):
            raise InputError(f"'answers.{key}' must be a string, true/false or null")
    reported_at = None
    if raw.get("reported_at") is not None:
        try:
            reported_at = datetime.fromisoformat(str(raw["reported_at"]).replace("Z", "+00:00"))
        except ValueError:
            raise InputError("'reported_at' must be an ISO 8601 time such as 2026-11-27T15:00:00-06:00") from None
        if reported_at.tzinfo is None:
            raise InputError("'reported_at' must include a time zone")
    language = raw.get("language", "en")
    if language not in ("en", "es"):
        raise InputError("'language' must be en or es")
    return Tip(str(tip_id), text, answers, reported_at, language)


async def triage_tip(tip: Tip, triage: Triage, engine: EngineClient, router: RoutingClient) -> dict[str, Any]:
    parse = await engine.parse(tip.text)
    conversation = Conversation(
        id=tip.id,
        messages=(Message.from_parse(tip.text, parse),),
        answers=tip.answers,
        language=tip.language,
        reported_at=tip.reported_at,
    )
    assessment = triage.assess(conversation)
    routed = await router.route(
        {
            "category": str(assessment.category),
            "secondary_categories": [str(c) for c in assessment.secondary_categories],
            "urgency": str(assessment.urgency),
            "indicators": list(assessment.indicators),
        }
    )
    # A jurisdiction rule may raise urgency (never lower it); the result says what routing decided.
    assessment = dataclasses.replace(
        assessment,
        urgency=Urgency(routed.get("urgency", str(assessment.urgency))),
        rules=(*assessment.rules, *routed.get("rules", [])),
    )
    return TriageResult(tip.id, assessment, tuple(routed["destinations"])).to_dict()


async def run(lines: TextIO, out: TextIO, err: TextIO, triage: Triage, engine_settings: EngineSettings) -> int:
    router = RoutingClient(Settings.from_env())
    async with EngineClient(engine_settings) as engine:
        problem = await _stack_problem(engine, engine_settings, Settings.from_env())
        if problem:
            print(f"error: {problem}", file=err)
            return 2
        failed = 0
        window: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                window.append((number, line))
            if len(window) == CONCURRENCY:
                failed += await _flush(window, triage, engine, router, out, err)
                window = []
        failed += await _flush(window, triage, engine, router, out, err)
    return 1 if failed else 0


async def _flush(
    window: list[tuple[int, str]],
    triage: Triage,
    engine: EngineClient,
    router: RoutingClient,
    out: TextIO,
    err: TextIO,
) -> int:
    results = await asyncio.gather(*(_one(number, line, triage, engine, router) for number, line in window))
    failed = 0
    for (number, _), result in zip(window, results, strict=True):
        if "error" in result:
            failed += 1
            print(f"line {number}: {result['error']}", file=err)
        print(json.dumps(result, ensure_ascii=False), file=out, flush=True)
    return failed


async def _one(number: int, line: str, triage: Triage, engine: EngineClient, router: RoutingClient) -> dict[str, Any]:
    try:
        tip = parse_line(line)
    except InputError as e:
        return {"id": _id_of(line), "error": str(e)}
    try:
        return await triage_tip(tip, triage, engine, router)
    except (EngineError, RoutingError) as e:
        return {"id": tip.id, "error": f"not triaged: {e}"}


def _id_of(line: str) -> str | None:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError:
        return None
    tip_id = raw.get("id") if isinstance(raw, dict) else None
    return str(tip_id) if isinstance(tip_id, str | int) and not isinstance(tip_id, bool) else None


async def _stack_problem(engine: EngineClient, engine_settings: EngineSettings, settings: Settings) -> str | None:
    """What to start or fix before any tip can be triaged, or None when the stack is ready."""
    try:
        await engine.check()
    except EngineError as e:
        if "refused" in str(e) or "no model" in str(e):
            return str(e)
        return (
            f"the Rasa engine is not answering at {engine_settings.url}; "
            f"{START_STACK} (or set TIPLINE_ENGINE_URL to a running engine)"
        )
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
            session.get(settings.routing_url + "/healthz") as response,
        ):
            if response.status != 200:
                return f"the routing service at {settings.routing_url} is not healthy (HTTP {response.status})"
    except (aiohttp.ClientError, TimeoutError):
        return (
            f"the routing service is not answering at {settings.routing_url}; "
            f"{START_STACK} (or set TIPLINE_ROUTING_URL to a running routing service)"
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tipline", description="Tipline command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "triage",
        help="triage JSON Lines tips from standard input against the running stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    try:
        engine_settings = EngineSettings.from_env()
        Settings.from_env()
        triage = load()
    except (SettingsError, TriageDataError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return asyncio.run(run(sys.stdin, sys.stdout, sys.stderr, triage, engine_settings))


if __name__ == "__main__":
    sys.exit(main())
