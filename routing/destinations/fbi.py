"""The FBI packet: tips.fbi.gov has no API, so a staff liaison files it by hand. Pure.

The packet follows the sections of the tips.fbi.gov form in order, with each field ready to
copy: what happened, when and where, the subject, the threat, the submitter, attachments.
"""

from __future__ import annotations

from typing import Any

from routing.domain import RoutedTip
from routing.summary import category_label, full_summary

REPORTER_FIELD = "Original reporter"


def packet(tip: RoutedTip) -> dict[str, Any]:
    answers = tip.answers
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
                    REPORTER_FIELD: (
                        ", ".join(f"{k}: {v}" for k, v in tip.contact.as_dict().items()) if tip.contact else "anonymous"
                    ),
                },
            },
        ],
        "related_references": [r.reference for r in tip.related],
    }


def without_reporter(p: dict[str, Any]) -> dict[str, Any]:
    """The packet with the original reporter's details removed (retention of contact details)."""
    sections = [
        {
            **section,
            "fields": {
                k: ("removed after the retention period" if k == REPORTER_FIELD else v)
                for k, v in section["fields"].items()
            },
        }
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
