"""A resident who answers whatever the bot asks, so end-to-end tests read as conversations."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support.client import Resident
from tests.support.stack import Stack, free_port, running_stack

# A report's reference; not the example the bot gives when it asks for one ("TL-XXXX-XXXX").
REFERENCE = re.compile(r"\bTL-(?!XXXX-XXXX)[0-9A-Z]{4}-[0-9A-Z]{4}\b")
# Words of each question of the report form (domain.yml, both languages) -> its answer's key.
QUESTIONS = {
    # First the questions whose words contain another's ("somewhere safe" holds "where").
    "today or tomorrow": "imminent",
    "hoy o mañana": "imminent",
    "is anyone hurt?": "hurt",
    "is anyone hurt, or": "hurt",
    "hay alguien herido": "hurt",
    "look like": "description",
    "cómo es la persona": "description",
    "somewhere safe": "safe",
    "lugar seguro": "safe",
    "what happened": "what",
    "qué pasó": "what",
    "de quién se trata": "who",
    "de usted o de otra persona": "who",
    "dónde": "where",
    "cuándo": "when",
    "ya se lastimó": "when",
    "armas": "weapons",
    "con lo que alguien se pueda lastimar": "weapons",
    "a quién o a qué amenaza": "target",
    "cómo se enteró": "how_known",
    "contactarle": "anonymous",
    "se comunique con usted": "anonymous",
    "teléfono o correo para comunicarnos": "contact",
    "who is this about": "who",
    "about you, or about someone else": "who",
    "where": "where",
    "when did it happen": "when",
    "hurt already": "when",
    "weapons": "weapons",
    "used to get hurt": "weapons",
    "being threatened": "target",
    "how do you know": "how_known",
    "contact you": "anonymous",
    "reach out": "anonymous",
    "phone number or email to reach you": "contact",
}


def question_in(replies: list[str]) -> str | None:
    """The form question the bot ends its turn with, if any."""
    lowered = replies[-1].lower() if replies else ""
    return next((key for words, key in QUESTIONS.items() if words in lowered), None)


Turn = tuple[str, list[str]]  # what the resident wrote, what the bot answered


async def report(
    resident: Resident, first: str, answers: Mapping[str, str], max_turns: int = 12
) -> tuple[list[Turn], str | None]:
    """Write `first`, then answer each question; return every turn and the receipt's reference."""
    turns = [(first, await resident.says(first))]
    while len(turns) < max_turns:
        replies = turns[-1][1]
        if reference := next((m.group(0) for r in replies if (m := REFERENCE.search(r))), None):
            return turns, reference
        asked = question_in(replies)
        if asked is None:
            return turns, None
        answer = answers.get(asked, "skip")
        turns.append((answer, await resident.says(answer)))
    return turns, None


@contextmanager
def rest_stack(workdir: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[Stack]:
    """The three services for conversations over REST only (scripts, benchmarks).

    The engine also loads the SMS channel, which needs Twilio settings to start: placeholders here,
    since nothing is sent by SMS.
    """
    engine_port = free_port()
    sms_placeholders = {
        "TIPLINE_ENGINE_PORT": str(engine_port),
        "TIPLINE_PUBLIC_URL": f"http://127.0.0.1:{engine_port}",
        "TIPLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TIPLINE_TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TIPLINE_TWILIO_NUMBER": "+15550199",
    }
    with running_stack(workdir, {**sms_placeholders, **(extra_env or {})}) as stack:
        yield stack
