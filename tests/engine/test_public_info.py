from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.public_info import NATIONAL_FALLBACK, PublicInfo

CHICAGO = ZoneInfo("America/Chicago")
WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=CHICAGO)
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 23, 0, tzinfo=CHICAGO)
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=CHICAGO)


def test_the_line_is_watched_only_in_its_hours_in_its_own_time_zone(public_info: PublicInfo) -> None:
    assert public_info.staffed_at(WEDNESDAY_NOON)
    assert not public_info.staffed_at(WEDNESDAY_NIGHT)
    assert not public_info.staffed_at(SATURDAY_NOON)
    # 18:30 UTC on a Wednesday is 12:30 in Chicago
    assert public_info.staffed_at(datetime(2026, 11, 25, 18, 30, tzinfo=ZoneInfo("UTC")))


def test_off_hours_the_coverage_notice_points_to_911(public_info: PublicInfo) -> None:
    notice = public_info.coverage_notice("en", WEDNESDAY_NIGHT)
    assert notice is not None
    assert "8am-8pm" in notice and "911" in notice
    spanish = public_info.coverage_notice("es", SATURDAY_NOON)
    assert spanish is not None and "911" in spanish and "laborables" in spanish


def test_a_line_watched_around_the_clock_needs_no_notice(jurisdiction: dict[str, Any]) -> None:
    jurisdiction["coverage"]["always_staffed"] = True
    assert PublicInfo(jurisdiction).coverage_notice("en", WEDNESDAY_NIGHT) is None


def test_overnight_hours_cross_midnight(jurisdiction: dict[str, Any]) -> None:
    jurisdiction["coverage"]["hours"] = [{"days": ["fri"], "start": "20:00", "end": "02:00"}]
    info = PublicInfo(jurisdiction)
    assert info.staffed_at(datetime(2026, 11, 27, 21, 0, tzinfo=CHICAGO))  # Friday evening
    assert info.staffed_at(datetime(2026, 11, 28, 1, 0, tzinfo=CHICAGO))  # early Saturday
    assert not info.staffed_at(datetime(2026, 11, 28, 3, 0, tzinfo=CHICAGO))


def test_help_text_comes_from_the_jurisdiction_in_the_residents_language(public_info: PublicInfo) -> None:
    assert public_info.help_text("en").startswith("Example County Tipline")
    assert "988" in public_info.help_text("es") and "911" in public_info.help_text("es")
    assert public_info.language("fr") == "en"


def test_before_the_first_read_only_the_national_numbers_are_offered() -> None:
    info = PublicInfo(NATIONAL_FALLBACK)
    assert info.is_fallback
    for language in ("en", "es"):
        assert "911" in info.help_text(language) and "988" in info.help_text(language)
        assert "911" in info.emergency_message(language)
