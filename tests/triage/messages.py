"""False alarms on messages that are no report: `python -m tests.triage.messages [FILES...]`.

The live bot screens every message a resident sends, so the triage also reads the conversation
around a report: a question about the status or privacy, thanks, "i dont know", "this traffic is
killing me". Each blind message (tests/triage/blind_messages/, never trained on) is triaged in
process, without the NLU, alone (as the first message of a conversation) and after each of three
routine reports (as a reply). Counted: alone, how many the triage takes for a report, for an
emergency, or for self-harm (the 988 message); after a routine report, how many make it an
emergency or bring the 988 message.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

from actions.triage import Conversation, assess, self_harm_signal
from actions.triage.model import Category, Message, Urgency

MESSAGES_DIR = Path(__file__).parent / "blind_messages"
# Invented routine reports (none is an emergency for the triage): the report a reply follows.
ROUTINE_REPORTS = (
    "someone keeps leaving flyers about a protest on the cars in the library lot",
    "a guy at my work keeps complaining the managers are idiots and says he hates this place",
    "mi vecino pone la música muy alta todas las noches y grita en el patio",
)


def conversation(*texts: str) -> Conversation:
    return Conversation("messages", tuple(Message(text) for text in texts))


def load(paths: Sequence[Path]) -> list[dict[str, str]]:
    messages = [m for path in paths for m in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
    for m in messages:
        if not isinstance(m, dict) or not isinstance(m.get("text"), str):
            raise ValueError(f"every message needs a text: {m!r}")
    return messages


def measure(messages: Sequence[dict[str, str]]) -> dict[str, Counter[str]]:
    for report in ROUTINE_REPORTS:
        if assess(conversation(report)).urgency is Urgency.EMERGENCY:
            raise ValueError(f"not a routine report for the triage: {report!r}")
    counts: dict[str, Counter[str]] = {"alone": Counter(), "after a routine report": Counter()}
    for m in messages:
        alone = assess(conversation(m["text"]))
        kind = m.get("kind", "")
        for key in ("all", kind):
            counts["alone"][f"{key}:messages"] += 1
            counts["alone"][f"{key}:report"] += alone.category is not Category.NOT_A_TIP
            counts["alone"][f"{key}:emergency"] += alone.urgency is Urgency.EMERGENCY
            counts["alone"][f"{key}:988"] += self_harm_signal(conversation(m["text"]))
        for report in ROUTINE_REPORTS:
            both = conversation(report, m["text"])
            counts["after a routine report"]["all:messages"] += 1
            counts["after a routine report"]["all:emergency"] += assess(both).urgency is Urgency.EMERGENCY
            counts["after a routine report"]["all:988"] += self_harm_signal(both)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="YAML lists of {text, kind}; default: the blind set")
    args = parser.parse_args(argv)
    try:
        messages = load(args.files or sorted(MESSAGES_DIR.glob("*.yml")))
        counts = measure(messages)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for setting, counted in counts.items():
        kinds = sorted({key.split(":")[0] for key in counted}, key=lambda k: (k != "all", k))
        print(f"{setting}:")
        for kind in kinds:
            n = counted[f"{kind}:messages"]
            parts = [
                f"{what} {counted[f'{kind}:{what}']}"
                for what in ("report", "emergency", "988")
                if setting == "alone" or what != "report"
            ]
            print(f"  {kind or '-'}: {n} messages; " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
