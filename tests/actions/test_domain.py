"""Every response exists in English and Spanish, fits one SMS, and the fixed names are there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.responses import render
from actions.screening import ABOUT

ROOT = Path(__file__).resolve().parents[2]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text())
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
SMS_LIMIT = 320
# The longest values the placeholders take (jurisdiction names and numbers, receipts, dates).
LONGEST = {
    "number": "911",
    "reference": "TL-7K3M-9Q2P",
    "pin": "482913",
    "crisis_call": "988",
    "crisis_text": "988",
    "crisis_message": (
        "Si usted o alguien que conoce está pensando en el suicidio, llame o envíe un texto al 988 (oprima 2 "
        "para español) o chatee en 988lifeline.org. Es gratis y confidencial, las 24 horas."
    ),
    "crisis_chat_url": "https://988lifeline.org/es/chat/",
    "tipline_name": "Example State Safe Schools and Communities Tipline",
    "tipline_phone": "+1 (555) 010-0199",
    "fbi_url": "https://tips.fbi.gov/",
    "status": "recibida por los equipos de respuesta",
    "updated": "2026-11-27 15:00",
    "at": "2026-11-27 15:00",
    "about": max((words for language in ABOUT.values() for words in language.values()), key=len),
}
FIXED_INTENTS = [
    "report_threat",
    "report_self_harm",
    "report_gun_purchase",
    "report_surveillance",
    "report_wellness",
    "report_suspicious",
    "report_emergency",
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "dont_know",
    "skip",
    "how_it_works",
    "what_happens",
    "is_anonymous",
    "ask_resources",
    "check_status",
    "add_information",
    "human_handoff",
    "bot_challenge",
    "out_of_scope",
    "stop",
    "switch_language",
    "inform",
]
FIXED_ENTITIES = ["relationship", "person", "location", "time", "weapon", "platform", "link"]


def _conditions(variation: dict[str, Any]) -> dict[str, Any]:
    return {c["name"]: c["value"] for c in variation.get("condition") or []}


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_is_in_english_and_spanish(name: str) -> None:
    for crisis in (False, True):
        english = render(DOMAIN, name, {"language": "en", "crisis_voice": crisis})
        spanish = render(DOMAIN, name, {"language": "es", "crisis_voice": crisis})
        assert english != spanish, f"{name} (crisis_voice={crisis}) has no Spanish variation"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_fits_one_sms(name: str) -> None:
    for variation in RESPONSES[name]:
        text = variation["text"].format(**LONGEST)
        assert len(text) <= SMS_LIMIT, f"{name} {_conditions(variation)}: {len(text)} characters"
        assert not re.search(r"\{\w+\}", text), f"{name}: a placeholder without a value"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_at_most_one_conditional_variation_matches_any_state(name: str) -> None:
    for language in ("en", "es"):
        for crisis in (False, True):
            state = {"language": language, "crisis_voice": crisis}
            matching = [
                v
                for v in RESPONSES[name]
                if v.get("condition") and all(state[k] == w for k, w in _conditions(v).items())
            ]
            assert len(matching) <= 1, f"{name}: {state} matches {len(matching)} variations (Rasa would pick at random)"


def test_the_fixed_intents_and_entities_are_declared() -> None:
    assert set(FIXED_INTENTS) <= set(DOMAIN["intents"])
    assert set(FIXED_ENTITIES) <= set(DOMAIN["entities"])
