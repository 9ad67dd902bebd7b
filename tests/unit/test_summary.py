from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from routing.domain import Contact, RelatedTip, RoutedTip
from routing.summary import SMS_LIMIT, full_summary, sms_summary


def tip(**overrides: Any) -> RoutedTip:
    values: dict[str, Any] = {
        "reference": "TL-7K3M-9Q2P",
        "category": "threat_to_others",
        "secondary_categories": (),
        "urgency": "emergency",
        "destinations": ("911", "state_tipline", "fbi"),
        "indicators": ("intent_stated", "timeframe_24h"),
        "explanation": "Stated intent to shoot tomorrow.",
        "needs_review": False,
        "text": "he said he will shoot everyone at work tomorrow",
        "answers": {"where": "warehouse on 5th street", "when": "tomorrow 9am", "weapons": "rifle"},
        "language": "en",
        "channel": "sms",
        "reported_at": datetime(2026, 11, 27, 15, tzinfo=UTC),
        "anonymous": True,
        "about_reporter": None,
        "contact": None,
        "media_urls": (),
        "related": (),
    }
    return RoutedTip(**(values | overrides))


def test_the_sms_alert_leads_with_urgency_category_where_when_weapons_and_reference() -> None:
    text = sms_summary(tip())
    assert text.startswith("TIPLINE EMERGENCY: Threat to others.")
    for part in ("Where: warehouse on 5th street", "When: tomorrow 9am", "Weapons: rifle", "Ref TL-7K3M-9Q2P"):
        assert part in text


@pytest.mark.parametrize("length", [10, 300, 5000])
def test_the_sms_alert_is_never_over_320_characters_and_keeps_the_reference(length: int) -> None:
    long = tip(text="x " * length, answers={"where": "w " * (length // 10), "when": "tonight", "weapons": "gun"})
    text = sms_summary(long)
    assert len(text) <= SMS_LIMIT
    assert "TL-7K3M-9Q2P" in text


def test_the_full_summary_names_related_tips_and_hides_an_anonymous_reporter() -> None:
    related = (
        RelatedTip("TL-0000-0001", "threat_to_others", "routine", datetime(2026, 11, 1, tzinfo=UTC), ("place",)),
    )
    text = full_summary(tip(related=related))
    assert "TL-0000-0001" in text and "shares place" in text
    assert "Reporter: anonymous to this recipient" in text


def test_the_full_summary_shows_a_consenting_reporter() -> None:
    text = full_summary(tip(contact=Contact(phone="+15550123", name="Avery Testperson")))
    assert "+15550123" in text and "Avery Testperson" in text


def test_an_incomplete_report_says_so_and_what_was_not_answered() -> None:
    incomplete = tip(report_state="incomplete", unanswered=("who", "how_known"))
    assert sms_summary(incomplete).startswith("TIPLINE EMERGENCY: Threat to others (incomplete).")
    text = full_summary(incomplete)
    assert "Report INCOMPLETE: the reporter stopped answering." in text
    assert "Asked and not answered: who, how_known" in text
    assert "INCOMPLETE" not in full_summary(tip()) and "in progress" not in full_summary(tip())


def test_an_open_emergency_says_updates_follow_and_shows_what_dispatch_was_told() -> None:
    answers = {"where": "mosque on 3rd st", "hurt": "not yet", "description": "white van, red gas can", "safe": "yes"}
    text = full_summary(tip(report_state="open", answers=answers))
    assert "Report in progress: the reporter is still answering; updates follow." in text
    for line in ("Anyone hurt: not yet", "Description: white van, red gas can", "Reporter safe: yes"):
        assert line in text
