"""The training data is what the issue asks for, and the held-out set stays held out."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from itertools import combinations

import pytest

from actions.language import detect
from tests.actions.nlu_files import held_out_examples, training_examples

REPORT_INTENTS = [
    "report_threat",
    "report_self_harm",
    "report_gun_purchase",
    "report_surveillance",
    "report_wellness",
    "report_suspicious",
    "report_emergency",
]
TRAINING = training_examples()


def _normal(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text.casefold()).strip()


@pytest.mark.parametrize("intent", REPORT_INTENTS)
def test_each_report_intent_has_40_english_and_25_spanish_examples(intent: str) -> None:
    languages = [detect(text)[0] for text in TRAINING[intent]]
    assert languages.count("en") >= 40, f"{intent}: {languages.count('en')} English examples"
    assert languages.count("es") >= 25, f"{intent}: {languages.count('es')} Spanish examples"


@pytest.mark.parametrize("intent", sorted(TRAINING))
def test_no_training_example_is_a_near_duplicate_of_another(intent: str) -> None:
    # Sentences only: "correct" and "correcto" are two languages, not a template.
    texts = [_normal(t) for t in TRAINING[intent] if len(t.split()) >= 4]
    twins = [(a, b) for a, b in combinations(texts, 2) if SequenceMatcher(None, a, b).ratio() > 0.9]
    assert not twins, f"{intent}: near-duplicates {twins[:3]}"


def test_the_held_out_set_is_never_trained_on() -> None:
    trained = {_normal(t) for texts in TRAINING.values() for t in texts}
    leaked = [t for texts in held_out_examples().values() for t in texts if _normal(t) in trained]
    assert not leaked


def test_the_held_out_set_covers_every_intent() -> None:
    assert set(held_out_examples()) == set(TRAINING)
