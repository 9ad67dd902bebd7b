"""A first triage: the NLU's report intent gives the category, time words raise urgency.

The systematic version (indicator vocabulary and rules as data) replaces this.
"""

from __future__ import annotations

import re

from actions.triage.model import Assessment, Category, Conversation, Urgency

INTENT_CATEGORY = {
    "report_threat": Category.THREAT_TO_OTHERS,
    "report_self_harm": Category.SELF_HARM,
    "report_gun_purchase": Category.GUN_DIVERSION,
    "report_surveillance": Category.SITE_SURVEILLANCE,
    "report_wellness": Category.WELLNESS_CONCERN,
    "report_suspicious": Category.OTHER_SUSPICIOUS,
    "report_emergency": Category.THREAT_TO_OTHERS,
}
WITHIN_24H = re.compile(r"\b(now|tonight|today|tomorrow|in an hour|at lunch|right now|hoy|mañana|ahora)\b", re.I)


def assess(conversation: Conversation) -> Assessment:
    category = Category.NOT_A_TIP
    for message in conversation.messages:
        if message.intent in INTENT_CATEGORY:
            category = INTENT_CATEGORY[message.intent]
            break
    if category is Category.NOT_A_TIP:
        return Assessment(category, Urgency.NONE, explanation="No report in the conversation.")
    words = " ".join(m.text for m in conversation.messages)
    words += " " + " ".join(str(v) for v in conversation.answers.values() if isinstance(v, str))
    if WITHIN_24H.search(words) or conversation.answers.get("happening_now") is True:
        return Assessment(
            category, Urgency.EMERGENCY, indicators=("timeframe_24h",), explanation="Danger stated within 24 hours."
        )
    return Assessment(category, Urgency.ROUTINE, explanation="A concern with no stated time.")
