"""Scripted conversations written by people who never saw the bot's rules, played against the stack.

Each conversation (tests/conversations/sets/*.yml, format in tests/conversations/README.md) gives a
resident's opening, the facts they answer the bot's questions with, messages sent instead of an
answer at a given point with what the bot should then do, and what must hold at the end: whether
the crisis line (988) was offered, whether a report reached staff, the resident's words under each
heading of the routed report, questions the bot must not ask. A conversation passes when every
expectation holds; the report gives the pass rate per kind.

    .venvs/app/bin/python -m tests.conversations.play [FILE ...]   # a fresh stack, every set by default
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from tests.e2e.answers import REFERENCE, question_in, rest_stack
from tests.support.client import Resident

ROOT = Path(__file__).resolve().parents[2]
SETS = Path(__file__).parent / "sets"
REPORT = ROOT / "var" / "results" / "conversations"

KINDS = (
    "question",
    "privacy",
    "correction",
    "other_answer",
    "facts",
    "self_harm",
    "false_crisis",
    "situation",
    "returning",
    "stopping",
)
TURN_EXPECTATIONS = (
    "answered",
    "corrected",
    "kept",
    "stopped_deleted",
    "stopped_still_sent",
    "already_sent",
    "status",
    "added",
    "new_report",
    "not_suicide",
)
HEADINGS = ("what", "who", "where", "when", "weapons", "target", "how_known", "hurt", "description", "safe")
NEVER_ASKED = ("relationship", "who", "where", "when", "weapons")
FACTS = (*HEADINGS, "imminent", "anonymous", "contact")
MAX_QUESTIONS = 16

PIN = re.compile(r"PIN: (\d{6})")
# What the bot says for each outcome a script can expect (domain.yml and actions/receipts.py).
SAYS = {
    "stopped_deleted": ("I've stopped and deleted this report", "paré y borré esta denuncia"),
    "stopped_still_sent": ("it has been passed on to responders", "se pasó a los equipos de respuesta"),
    "already_sent": ("This report was already passed on", "Este reporte ya se pasó al equipo"),
    "added": ("I added that to your report", "lo agregué a su denuncia"),
    "new_report": ("a new report, separate from", "una denuncia nueva, aparte de"),
}
STATUS = re.compile(r"^(Report|Denuncia) TL-[0-9A-Z]{4}-[0-9A-Z]{4}: ")
RELATIONSHIP = ("how do you know them", "qué relación tiene")
DOMAIN = ROOT / "domain.yml"
CRISIS_LINE = re.compile(r"\b988\b")
SKIP = {"en": "skip", "es": "paso"}


class ScriptError(ValueError):
    """A conversation file that does not follow the format: named with its file and id."""


@dataclass(frozen=True)
class Turn:
    at: int | str  # the bot's n-th question (1 = the first after the opening) or "after_receipt"
    says: str
    expect: str


@dataclass(frozen=True)
class Conversation:
    source: str
    id: str
    kind: str
    language: str
    opening: str
    facts: Mapping[str, str]
    turns: tuple[Turn, ...]
    crisis_line: bool
    sent: bool
    summary: Mapping[str, str]
    never_asked: tuple[str, ...]


@dataclass
class Outcome:
    conversation: Conversation
    failures: list[str] = field(default_factory=list)
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)
    not_told: list[str] = field(default_factory=list)  # summary headings whose words were never sent

    @property
    def passed(self) -> bool:
        return not self.failures


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise ScriptError(f"{where}: expected a non-empty text, got {value!r}")
    return str(value)


def parse(source: str, raw: Mapping[str, Any]) -> Conversation:
    """One conversation from its YAML mapping; a clear error for anything the format does not allow."""
    where = f"{source}: {raw.get('id', '?')}"
    kind, language = raw.get("kind"), raw.get("language")
    if kind not in KINDS:
        raise ScriptError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if language not in SKIP:
        raise ScriptError(f"{where}: language {language!r} is not en or es")
    facts = raw.get("facts") or {}
    if unknown := set(facts) - set(FACTS):
        raise ScriptError(f"{where}: unknown facts {sorted(unknown)}")
    turns = []
    for turn in raw.get("turns") or []:
        at, expect = turn.get("at"), turn.get("expect")
        if not (at == "after_receipt" or (isinstance(at, int) and not isinstance(at, bool) and at >= 1)):
            raise ScriptError(f"{where}: turn at {at!r} is neither a question number nor after_receipt")
        if expect not in TURN_EXPECTATIONS:
            raise ScriptError(f"{where}: turn expect {expect!r} is not one of {', '.join(TURN_EXPECTATIONS)}")
        turns.append(Turn(at=at, says=_text(turn.get("says"), where), expect=expect))
    expect = raw.get("expect") or {}
    for key in ("crisis_line", "sent"):
        if not isinstance(expect.get(key), bool):
            raise ScriptError(f"{where}: expect.{key} must be true or false")
    summary = expect.get("summary") or {}
    if unknown := set(summary) - set(HEADINGS):
        raise ScriptError(f"{where}: unknown summary headings {sorted(unknown)}")
    never_asked = tuple(expect.get("never_asked") or ())
    if unknown := set(never_asked) - set(NEVER_ASKED):
        raise ScriptError(f"{where}: never_asked {sorted(unknown)} is not among {', '.join(NEVER_ASKED)}")
    return Conversation(
        source=source,
        id=_text(raw.get("id"), where),
        kind=kind,
        language=language,
        opening=_text(raw.get("opening"), where),
        facts={k: _text(v, f"{where} facts.{k}") for k, v in facts.items()},
        turns=tuple(turns),
        crisis_line=expect["crisis_line"],
        sent=expect["sent"],
        summary={k: _text(v, f"{where} summary.{k}") for k, v in summary.items()},
        never_asked=never_asked,
    )


def load(paths: Iterable[Path]) -> list[Conversation]:
    conversations = []
    for path in paths:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or not isinstance(document.get("conversations"), list):
            raise ScriptError(f"{path.name}: expected a mapping with a 'conversations' list")
        conversations += [parse(path.name, raw) for raw in document["conversations"]]
    ids = [c.id for c in conversations]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise ScriptError(f"conversation ids used twice: {duplicates}")
    return conversations


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _check_turn(turn: Turn, before: list[str], replies: list[str]) -> str | None:
    """What is wrong with the bot's answer to a scripted message, or None."""
    joined = " ".join(replies)
    if turn.expect in SAYS:
        english, spanish = SAYS[turn.expect]
        return None if english in joined or spanish in joined else f"expected {turn.expect}"
    if turn.expect == "status":
        return None if any(STATUS.match(r) for r in replies) else "expected the report's status"
    if turn.expect in ("answered", "not_suicide") and REFERENCE.search(joined) and turn.at != "after_receipt":
        return f"expected {turn.expect}, but the report was closed with a receipt"
    if turn.expect == "answered":
        asked = question_in(before)
        if not replies or question_in(replies) != asked:
            return f"expected an answer and the {asked} question again"
        if len(replies) < 2 and question_in(replies[:1]) == asked:
            return "the question was asked again without an answer"
    if turn.expect == "not_suicide" and CRISIS_LINE.search(joined):
        return "the crisis line was offered again after the resident said it is not about suicide"
    if not replies:
        return f"expected {turn.expect}, but the bot said nothing"
    return None


async def play(engine_url: str, database_url: str, conversation: Conversation) -> Outcome:
    outcome = Outcome(conversation)
    resident = Resident(engine_url, sender=f"set-{conversation.id}")
    scripted = defaultdict(list)
    for turn in conversation.turns:
        scripted[turn.at].append(turn)

    async def say(text: str) -> list[str]:
        replies = await resident.says(text)
        outcome.transcript.append((text, replies))
        return replies

    replies = await say(conversation.opening)
    bot_said = list(replies)
    crisis_from = 0  # after "it's not about suicide", only the crisis line offered later counts

    async def scripted_turn(turn: Turn, before: list[str], where: str) -> list[str]:
        nonlocal crisis_from
        if turn.expect == "not_suicide":
            crisis_from = len(bot_said)
        replies = await say(turn.says)
        bot_said.extend(replies)
        if problem := _check_turn(turn, before, replies):
            outcome.failures.append(f"{where} ({turn.says!r}): {problem}")
        return replies

    questions = 0
    while not REFERENCE.search(" ".join(replies)) and questions < MAX_QUESTIONS:
        question = question_in(replies)
        if question is None:
            break
        questions += 1
        if scripted.get(questions):
            replies = await scripted_turn(scripted[questions].pop(0), replies, f"question {questions}")
        else:
            replies = await say(conversation.facts.get(question) or SKIP[conversation.language])
            bot_said.extend(replies)
    for at, left in scripted.items():
        if at != "after_receipt" and left:
            outcome.failures.append(f"the bot asked fewer than {at} questions: {left[0].says!r} was never sent")
    if scripted.get("after_receipt"):
        if not REFERENCE.search(" ".join(replies)):
            outcome.failures.append("no receipt, so the messages after it were never sent")
        else:
            for turn in scripted["after_receipt"]:
                replies = await scripted_turn(turn, replies, "after the receipt")
    _check_end(outcome, bot_said[crisis_from:], bot_said, _routed(database_url, resident.sender))
    return outcome


def _routed(database_url: str, sender: str) -> list[dict[str, Any]]:
    """The tips this conversation filed, oldest first, as the routing service stored them."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT text, answers FROM tips WHERE conversation_id LIKE :sender ORDER BY id"),
                {"sender": f"{sender}%"},
            )
            return [
                {"text": text, "answers": answers if isinstance(answers, dict) else json.loads(answers)}
                for text, answers in rows
            ]
    finally:
        engine.dispose()


@cache
def form_questions() -> dict[str, str]:
    """Each wording of each report question (domain.yml's utter_ask_tip_*) -> the field it asks for."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    prefix = "utter_ask_tip_"
    return {
        variant["text"]: name.removeprefix(prefix)
        for name, variants in responses.items()
        if name.startswith(prefix)
        for variant in variants
    }


def _check_end(outcome: Outcome, crisis_said: list[str], said: list[str], tips: list[dict[str, Any]]) -> None:
    conversation, failures = outcome.conversation, outcome.failures
    offered = any(CRISIS_LINE.search(r) for r in crisis_said)
    if offered != conversation.crisis_line:
        failures.append("the crisis line (988) was offered" if offered else "the crisis line (988) was never offered")
    if bool(tips) != conversation.sent:
        failures.append("a report reached staff" if tips else "no report reached staff")
    # Only what the resident told counts: a fact the bot never asked for can be under no heading.
    told = _normal(" ".join(said_by_resident for said_by_resident, _ in outcome.transcript))
    if tips:
        answers = tips[0]["answers"]
        for heading, words in conversation.summary.items():
            if _normal(words) not in told:
                outcome.not_told.append(heading)
                continue
            kept = answers.get(heading) or (tips[0]["text"] if heading == "what" else "")
            if _normal(words) not in _normal(str(kept or "")):
                failures.append(f"summary {heading}: {words!r} not in {kept!r}")
    lowered = [r.lower() for r in said]
    questions = form_questions()
    asked = {field for r in said for text, field in questions.items() if text in r}
    for question in conversation.never_asked:
        if question == "relationship":
            if any(words in r for r in lowered for words in RELATIONSHIP):
                failures.append("asked how the resident knows a stranger")
        elif question in asked:
            failures.append(f"asked {question}, already told or not fitting")


async def play_all(
    engine_url: str, database_url: str, conversations: list[Conversation], concurrency: int = 4
) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(conversation: Conversation) -> Outcome:
        async with gate:
            try:
                return await play(engine_url, database_url, conversation)
            except Exception as e:  # one broken conversation is a failure of its own, not of the run
                return Outcome(conversation, [f"{type(e).__name__}: {e}"])

    return list(await asyncio.gather(*(one(c) for c in conversations)))


def pass_rates(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """Per kind (and per kind and language): (passed, total)."""
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        c = outcome.conversation
        for key in (c.kind, f"{c.kind} ({c.language})", "all"):
            rates[key][0] += outcome.passed
            rates[key][1] += 1
    return {k: (v[0], v[1]) for k, v in rates.items()}


def report(outcomes: list[Outcome]) -> str:
    rates = pass_rates(outcomes)
    writers = sorted({o.conversation.source for o in outcomes})
    lines = [
        "# Scripted conversations",
        "",
        f"{len(outcomes)} conversations from {len(writers)} files ({', '.join(writers)}).",
        "",
        "| kind | passed | en | es |",
        "|---|---|---|---|",
    ]
    for kind in (*KINDS, "all"):
        if kind not in rates:
            continue
        passed, total = rates[kind]
        by_language = [
            f"{rates[f'{kind} ({lang})'][0]}/{rates[f'{kind} ({lang})'][1]}" if f"{kind} ({lang})" in rates else "-"
            for lang in ("en", "es")
        ]
        lines.append(f"| {kind} | {passed}/{total} ({passed / total:.0%}) | {by_language[0]} | {by_language[1]} |")
    checked = sum(len(o.conversation.summary) - len(o.not_told) for o in outcomes)
    lines += [
        "",
        f"Summary facts checked heading by heading: {checked}; not checked because the bot never asked"
        f" for them and the resident never wrote them: {sum(len(o.not_told) for o in outcomes)}.",
    ]
    failed = [o for o in outcomes if not o.passed]
    if failed:
        lines += ["", "## Failed", ""]
        for outcome in failed:
            c = outcome.conversation
            lines.append(f"- **{c.id}** ({c.kind}, {c.language}): {'; '.join(outcome.failures)}")
            for said, replies in outcome.transcript:
                lines.append(f"  - resident: {said!r} → bot: {' | '.join(replies)!r}")
    return "\n".join(lines) + "\n"


def write_report(outcomes: list[Outcome]) -> Path:
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / "report.md").write_text(report(outcomes), encoding="utf-8")
    rates = {k: {"passed": p, "total": t} for k, (p, t) in pass_rates(outcomes).items()}
    (REPORT / "rates.json").write_text(json.dumps(rates, indent=2, sort_keys=True), encoding="utf-8")
    return REPORT / "report.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", type=Path, help="conversation files (default: every set)")
    args = parser.parse_args(argv)
    try:
        conversations = load(args.files or sorted(SETS.glob("*.yml")))
    except (ScriptError, OSError, yaml.YAMLError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as workdir, rest_stack(Path(workdir)) as stack:
        outcomes = asyncio.run(play_all(stack.engine_url, stack.database_url, conversations))
    path = write_report(outcomes)
    print(report(outcomes).split("## Failed")[0])
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
