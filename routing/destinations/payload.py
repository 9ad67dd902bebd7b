"""The webhook delivery payload every receiver gets (README, "Webhook delivery payload"). Pure."""

from __future__ import annotations

from typing import Any

from routing.domain import RoutedTip
from routing.summary import full_summary, sms_summary

PAYLOAD_VERSION = 1


def tip_payload(tip: RoutedTip, destination: str, idempotency_key: str, acknowledge_url: str) -> dict[str, Any]:
    return {
        "version": PAYLOAD_VERSION,
        "event": "tip",
        "idempotency_key": idempotency_key,
        "destination": destination,
        "reference": tip.reference,
        "category": tip.category,
        "secondary_categories": list(tip.secondary_categories),
        "urgency": tip.urgency,
        "destinations": list(tip.destinations),
        "indicators": list(tip.indicators),
        "explanation": tip.explanation,
        "needs_review": tip.needs_review,
        "summary": full_summary(tip),
        "summary_sms": sms_summary(tip),
        "location": tip.answers.get("where"),
        "when": tip.answers.get("when"),
        "happening_now": tip.answers.get("happening_now"),
        "weapons": tip.answers.get("weapons"),
        "reported_at": tip.reported_at.isoformat(),
        "language": tip.language,
        "anonymous": tip.contact is None,
        "reporter": tip.contact.as_dict() if tip.contact else None,
        "media_urls": list(tip.media_urls),
        "report_state": tip.report_state,
        "unanswered": list(tip.unanswered),
        "related_tips": [
            {
                "reference": r.reference,
                "category": r.category,
                "urgency": r.urgency,
                "reported_at": r.reported_at.isoformat(),
                "reasons": list(r.reasons),
            }
            for r in tip.related
        ],
        "acknowledge_url": acknowledge_url,
    }
