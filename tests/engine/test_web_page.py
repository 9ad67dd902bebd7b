"""The Report a concern page as the server renders it, before any JavaScript runs."""

from __future__ import annotations

from typing import Any

from bot.public_info import NATIONAL_FALLBACK, PublicInfo
from bot.web_page import PageOptions, ReportPage

PAGE = ReportPage(PageOptions(quick_exit_url="https://www.google.com/"))


def test_the_page_carries_the_jurisdictions_information_in_the_chosen_language(public_info: PublicInfo) -> None:
    html = PAGE.render(public_info, "es")
    assert '<html lang="es">' in html
    assert "Habla de matar o herir a otros" in html
    assert "Esta línea se atiende" in html
    assert 'href="tel:911"' in html and 'href="sms:988"' in html
    assert "https://988lifeline.org/chat/" in html and "tips.fbi.gov" in html
    assert 'hreflang="en"' in html


def test_the_jurisdictions_texts_are_escaped(jurisdiction: dict[str, Any]) -> None:
    jurisdiction["warning_signs"]["en"] = ["<script>alert(1)</script>"]
    html = PAGE.render(PublicInfo(jurisdiction), "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_language_comes_from_the_query_then_the_browser_then_the_jurisdiction(public_info: PublicInfo) -> None:
    assert PAGE.language(public_info, "es", "en-US") == "es"
    assert PAGE.language(public_info, None, "es-MX,es;q=0.9,en;q=0.8") == "es"
    assert PAGE.language(public_info, "fr", "fr-FR") == "en"


def test_before_the_jurisdiction_answers_the_page_still_offers_911_and_988() -> None:
    html = PAGE.render(PublicInfo(NATIONAL_FALLBACK), "en")
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert "Warning signs" not in html
