"""Record docs/transcripts.md: three conversations with the real model, actions and routing service.

Starts the three services on free ports with a throwaway database (tests/support/stack.py), plays
an emergency, a self-harm report and a routine report as a resident would, and writes what each
side said. Run it with `make transcripts` after the model changed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.answers import report, rest_stack  # noqa: E402
from tests.support.client import Resident  # noqa: E402

CONVERSATIONS = [
    (
        "An emergency: a threat for tomorrow morning",
        "my coworker said hes going to shoot everyone at work tomorrow morning",
        {
            "where": "the distribution warehouse on 5th street",
            "hurt": "not yet",
            "description": "tall guy, grey beard, he has a rifle in his truck",
            "safe": "yes im at home",
            "anonymous": "no",
        },
    ),
    (
        "Self-harm: a resident at risk, in Spanish",
        "ya no quiero vivir, estoy cansada de todo",
        {
            "imminent": "no sé",
            "where": "prefiero no decir",
            "when": "desde hace unas semanas",
            "weapons": "tengo pastillas en el baño",
            "anonymous": "no",
        },
    ),
    (
        "A routine report: surveillance of a site",
        "a man has been filming the gates of the water plant and timing the guards",
        {
            "imminent": "no",
            "where": "the water treatment plant on river road",
            "when": "three evenings last week",
            "description": "tall guy in a grey van, a camera on a tripod",
            "how_known": "i saw him on my walks",
            "anonymous": "no",
        },
    ),
]


async def record(engine_url: str) -> str:
    parts = [
        "# Transcripts",
        "",
        "Three conversations with the real model, the action server and the routing service, recorded",
        "by `make transcripts` (scripts/record_transcripts.py). The jurisdiction's wording (911, 988,",
        "coverage) is what the routing service's `GET /public/jurisdiction` served when they were recorded;",
        "where the routing service could not give it, the generic wording of domain.yml shows instead.",
        "",
    ]
    for title, first, answers in CONVERSATIONS:
        turns, reference = await report(Resident(engine_url), first, answers)
        parts += [f"## {title}", ""]
        for text, replies in turns:
            parts.append(f"**Resident:** {text}  ")
            parts += [f"**Bot:** {reply}  " for reply in replies]
            parts.append("")
        outcome = f"a receipt ({reference})" if reference else "no receipt"
        parts += [f"*{len(turns)} resident turns, ending in {outcome}.*", ""]
    return "\n".join(parts)


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir, rest_stack(Path(workdir)) as stack:
        text = asyncio.run(record(stack.engine_url))
    (ROOT / "docs" / "transcripts.md").write_text(text)
    print("wrote docs/transcripts.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
