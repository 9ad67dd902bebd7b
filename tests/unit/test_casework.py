"""The console's pure parts: redaction, queue filters, statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.casework import OPEN_STATUSES, QueueFilter, redact, summarize


def test_redaction_removes_phone_numbers_and_email_addresses_but_keeps_the_report() -> None:
    text = "call me at +1 555 0123 456 or (555) 012-3456, or write to r.person@example.org; he has a gun"
    redacted = redact(text)
    assert "555" not in redacted and "example.org" not in redacted
    assert redacted.count("[phone removed]") == 2 and "[e-mail removed]" in redacted
    assert redacted.endswith("he has a gun")


def test_redaction_leaves_times_and_short_numbers_alone() -> None:
    assert redact("at 10:30 tomorrow, room 214, 3 guns") == "at 10:30 tomorrow, room 214, 3 guns"


def test_the_queue_shows_open_tips_unless_asked_otherwise() -> None:
    assert QueueFilter().statuses() == OPEN_STATUSES
    assert "closed" not in OPEN_STATUSES
    assert QueueFilter(status="all").statuses() is None
    assert QueueFilter(status="closed").statuses() == ("closed",)


def test_statistics_count_by_category_urgency_and_day_and_measure_acknowledgement() -> None:
    since = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # midnight in Chicago
    day = since + timedelta(days=2, hours=3)
    rows = [
        {
            "category": "threat_to_others",
            "urgency": "emergency",
            "created_at": day,
            "acknowledged_at": day + timedelta(minutes=2),
            "disposition": "valid",
        },
        {
            "category": "threat_to_others",
            "urgency": "emergency",
            "created_at": day,
            "acknowledged_at": day + timedelta(minutes=6),
            "disposition": "false",
        },
        {
            "category": "self_harm",
            "urgency": "urgent",
            "created_at": day + timedelta(days=1),
            "acknowledged_at": None,
            "disposition": None,
        },
        {
            "category": "not_a_tip",
            "urgency": "none",
            "created_at": day,
            "acknowledged_at": None,
            "disposition": "misuse",
        },
    ]
    stats = summarize(rows, since, 7, "America/Chicago")
    assert stats.total == 4
    assert stats.by_category["threat_to_others"] == 2 and stats.by_category["gun_diversion"] == 0
    assert stats.by_urgency == {"emergency": 2, "urgent": 1, "routine": 0, "none": 1}
    assert stats.by_day["2026-11-03"] == 3 and stats.by_day["2026-11-04"] == 1 and len(stats.by_day) == 8
    assert stats.minutes_to_acknowledge["emergency"] == {"count": 2, "median": 4.0, "p90": 6.0}
    assert stats.minutes_to_acknowledge["urgent"]["count"] == 0
    assert stats.false_report_rate == round(2 / 3, 4)
    assert ("false_report_rate", "rate", str(round(2 / 3, 4))) in stats.as_rows()


def test_no_dispositions_means_no_false_report_rate_rather_than_zero() -> None:
    stats = summarize([], datetime(2026, 11, 1, tzinfo=UTC), 7, "UTC")
    assert stats.false_report_rate is None and stats.total == 0
