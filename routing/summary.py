"""Routed summaries: an SMS alert of at most 320 characters and a full text for webhook and e-mail.

Both lead with what a dispatcher needs first: urgency, category, where, when, weapons or means,
what was said, indicators, reference. The reporter's identity appears only when `tip.contact` is
set, which the caller does only where the reporter consented and the destination may see it.
"""

from __future__ import annotations

from routing.domain import REPORT_INCOMPLETE, REPORT_OPEN, RoutedTip

SMS_LIMIT = 320
_LABELS = {
    "threat_to_others": "Threat to others",
    "self_harm": "Self-harm risk",
    "gun_diversion": "Gun diversion",
    "site_surveillance": "Site surveillance",
    "wellness_concern": "Wellness concern",
    "other_suspicious": "Suspicious activity",
    "not_a_tip": "Not a tip",
}


def category_label(category: str) -> str:
    return _LABELS.get(category, category)


def _answer(tip: RoutedTip, key: str) -> str:
    value = tip.answers.get(key)
    if value is True:
        return "yes"
    if value is False or value is None:
        return ""
    return " ".join(str(value).split())


def _when(tip: RoutedTip) -> str:
    when = _answer(tip, "when")
    if tip.answers.get("happening_now") is True:
        when = f"HAPPENING NOW{'; ' + when if when else ''}"
    return when


def _said(tip: RoutedTip) -> str:
    return _answer(tip, "what") or " ".join(tip.text.split())


# What an emergency conversation asks first, for dispatch (shown only when answered).
DISPATCH_ANSWERS = (
    ("Anyone hurt", "hurt"),
    ("Description", "description"),
    ("Reporter safe", "safe"),
    ("Could someone be hurt today or tomorrow", "imminent"),
)
_STATE_LINES = {
    REPORT_OPEN: "Report in progress: the reporter is still answering; updates follow.",
    REPORT_INCOMPLETE: "Report INCOMPLETE: the reporter stopped answering.",
}


def _report_state_lines(tip: RoutedTip) -> list[str]:
    line = _STATE_LINES.get(tip.report_state)
    if line is None:
        return []
    lines = [line]
    if tip.unanswered:
        lines.append(f"Asked and not answered: {', '.join(tip.unanswered)}")
    return lines


def sms_summary(tip: RoutedTip) -> str:
    """At most 320 characters; the resident's words are cut first, never the facts."""
    state = " (incomplete)" if tip.report_state == REPORT_INCOMPLETE else ""
    head = f"TIPLINE {tip.urgency.upper()}: {category_label(tip.category)}{state}. "
    # Each fact is capped so that the reference always fits.
    facts = [
        f"Where: {_clip(w, 80)}." if (w := _answer(tip, "where")) else "",
        f"When: {_clip(w, 50)}." if (w := _when(tip)) else "",
        f"Weapons: {_clip(w, 40)}." if (w := _answer(tip, "weapons")) else "",
    ]
    tail = f" Ref {tip.reference}"
    if tip.related:
        tail += f" (+{len(tip.related)} related)"
    indicators = f" Ind: {', '.join(tip.indicators)}." if tip.indicators else ""
    fixed = head + " ".join(f for f in facts if f)
    said = _said(tip)
    room = SMS_LIMIT - len(fixed) - len(indicators) - len(tail) - len(' Said: "".')
    if room < 20:  # very long facts: drop indicators before the quote
        indicators = ""
        room = SMS_LIMIT - len(fixed) - len(tail) - len(' Said: "".')
    quote = f' Said: "{_clip(said, room)}".' if said and room >= 20 else ""
    return _clip(fixed + quote + indicators + tail, SMS_LIMIT)


def full_summary(tip: RoutedTip) -> str:
    lines = [
        f"{tip.urgency.upper()} - {category_label(tip.category)} - {tip.reference}",
        f"Reported: {tip.reported_at.isoformat(timespec='minutes')} via {tip.channel} ({tip.language})",
        f"Where: {_answer(tip, 'where') or 'not given'}",
        f"When: {_when(tip) or 'not given'}",
        f"Weapons or means: {_answer(tip, 'weapons') or 'not given'}",
        f"Who: {_answer(tip, 'who') or 'not given'}",
        f"Target: {_answer(tip, 'target') or 'not given'}",
        f"How the reporter knows: {_answer(tip, 'how_known') or 'not given'}",
        *(f"{label}: {value}" for label, key in DISPATCH_ANSWERS if (value := _answer(tip, key))),
        *_report_state_lines(tip),
        "",
        "What was said:",
        _said(tip),
        "",
        f"Assessment: {tip.explanation or 'none given'}",
        f"Indicators: {', '.join(tip.indicators) or 'none'}",
        f"Routed to: {', '.join(tip.destinations)}",
    ]
    if tip.needs_review:
        lines.append("Needs human review: the triage was not sure.")
    if tip.secondary_categories:
        lines.append(f"Also: {', '.join(category_label(c) for c in tip.secondary_categories)}")
    if tip.related:
        lines += ["", "Related earlier tips:"]
        lines += [f"- {r.reference} ({r.category}, {r.urgency}; shares {', '.join(r.reasons)})" for r in tip.related]
    lines.append("")
    if tip.contact is not None:
        details = ", ".join(f"{k}: {v}" for k, v in tip.contact.as_dict().items())
        lines.append(f"Reporter (agreed to be contacted): {details}")
    else:
        lines.append("Reporter: anonymous to this recipient")
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
