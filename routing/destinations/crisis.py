"""The 988 warm hand-off: what the crisis centre or mobile crisis team is sent. Pure.

The resident is given 988 (call, text, chat) at once by the bot; this tells the centre what the
resident was given, so it knows whether a call may come in as well.
"""

from __future__ import annotations

from typing import Any

from routing.domain import RoutedTip
from routing.jurisdiction import Jurisdiction


def handoff_block(tip: RoutedTip, jurisdiction: Jurisdiction) -> dict[str, Any]:
    crisis = jurisdiction.public.crisis
    return {
        "kind": "988_warm_handoff",
        "about_reporter": tip.about_reporter,
        "resident_was_given": {"call": crisis.call, "text": crisis.text, "chat_url": crisis.chat_url},
        "callback_possible": tip.contact is not None,
        "emergency_services_alerted": "911" in tip.destinations,
    }
