"""The FBI packet: tips.fbi.gov has no API, so a staff liaison files it by hand. Pure.

The packet follows the sections of the tips.fbi.gov form in order, with each field ready to
copy: what happened, when and where, the subject, the threat, the submitter, attachments.

The stored packet never holds the reporter's contact details: its reporter line says only that
they were given (REPORTER_ON_FILE), and `with_reporter` fills them in, from the tip's encrypted
column, for a reader who may see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from routing.domain import RoutedTip
from routing.summary import category_label, full_summary

REPORTER_FIELD = "Original reporter"
REPORTER_ON_FILE = "gave contact details (kept by the tipline)"
REPORTER_WITHHELD = "gave contact details, withheld from this reader"
REPORTER_REMOVED = "removed after the retention period"


def packet(tip: RoutedTip) -> dict[str, Any]:
    """The packet to keep: the reporter line says whether they gave contact details, never what."""
    answers = tip.answers
    reporter = "anonymous" if tip.anonymous else REPORTER_ON_FILE
    tip = replace(tip, contact=None)
    return {
        "file_at": "https://tips.fbi.gov/",
        "reference": tip.reference,
        "sections": [
            {
                "title": "Tip information",
                "fields": {
                    "Tell us what happened": full_summary(tip),
                    "Type of activity": category_label(tip.category),
                    "Urgency": tip.urgency,
                },
            },
            {
                "title": "When and where",
                "fields": {
                    "Date and time of the activity": answers.get("when") or "unknown",
                    "Reported to the tipline at": tip.reported_at.isoformat(timespec="minutes"),
                    "Location": answers.get("where") or "unknown",
                },
            },
            {
                "title": "Subject information",
                "fields": {
                    "Who": answers.get("who") or "unknown",
                    "Online accounts or links": ", ".join(tip.media_urls) or "none given",
                },
            },
            {
                "title": "Threat details",
                "fields": {
                    "Target": answers.get("target") or "unknown",
                    "Weapons or means": answers.get("weapons") or "unknown",
                    "How the reporter knows": answers.get("how_known") or "unknown",
                    "Indicators": ", ".join(tip.indicators) or "none",
                },
            },
            {
                "title": "Your information (submitter)",
                "fields": {
                    "Submitted by": "Tipline staff liaison on behalf of the local tipline",
                    "Local reference": tip.reference,
                    REPORTER_FIELD: reporter,
                },
            },
        ],
        "related_references": [r.reference for r in tip.related],
    }


def with_reporter(p: dict[str, Any], contact: dict[str, str] | None) -> dict[str, Any]:
    """The packet for one reader: the reporter's contact details where they gave some and the reader
    may see them (`contact`, decrypted by the caller), "withheld" where they gave some and not."""
    line = ", ".join(f"{k}: {v}" for k, v in contact.items()) if contact else REPORTER_WITHHELD
    return _reporter_line(p, lambda value: line if value == REPORTER_ON_FILE else value)


def without_reporter(p: dict[str, Any]) -> dict[str, Any]:
    """The packet once the reporter's details are gone (retention of contact details)."""
    return _reporter_line(p, lambda value: value if value == "anonymous" else REPORTER_REMOVED)


def _reporter_line(p: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    sections = [
        {**section, "fields": {k: (change(v) if k == REPORTER_FIELD else v) for k, v in section["fields"].items()}}
        for section in p["sections"]
    ]
    return {**p, "sections": sections}


def packet_text(p: dict[str, Any]) -> str:
    """The packet as plain text, for the liaison's e-mail and the console's copy button."""
    out = [f"FBI tip packet for {p['reference']}: file at {p['file_at']}", ""]
    for section in p["sections"]:
        out.append(f"== {section['title']} ==")
        out += [f"{name}: {value}" for name, value in section["fields"].items()]
        out.append("")
    if p["related_references"]:
        out.append(f"Related tipline references: {', '.join(p['related_references'])}")
    return "\n".join(out)
