"""The classifier beside the rules: its file, its training, and what it may and may not change."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from actions.triage.assess import Triage, load
from actions.triage.classifier import MODEL_FILE, Classifier, ClassifierError, Head, load_classifier
from actions.triage.model import Category, Conversation, Indicator, Message, Urgency
from tests.support.stack import ROOT

CATEGORIES = tuple(str(c) for c in Category)
URGENCIES = tuple(str(u) for u in Urgency)


def train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_triage", ROOT / "scripts" / "train_triage_classifier.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_word_classifier(word: str, category: Category, urgency: Urgency) -> Classifier:
    """A classifier that reads only `word`, as the given category and urgency (p about 0.9)."""

    def head(labels: tuple[str, ...], label: str) -> Head:
        row = [6.0 if name == label else 0.0 for name in labels]
        return Head(labels, (0.0,) * len(labels), {f"w:{word}": row})

    return Classifier(
        {f"w:{word}": 1.0},
        {"category": head(CATEGORIES, str(category)), "urgency": head(URGENCIES, str(urgency))},
    )


@cache
def shipped() -> Triage:
    return load()


def assess_with(classifier: Classifier, text: str) -> object:
    triage = dataclasses.replace(shipped(), classifier=classifier)
    return triage.assess(Conversation("test", (Message(text),)))


def test_the_shipped_classifier_has_every_category_and_urgency() -> None:
    classifier = load_classifier()
    assert classifier.heads["category"].labels == CATEGORIES
    assert classifier.heads["urgency"].labels == URGENCIES
    assert len(classifier.idf) > 1000


def test_a_damaged_classifier_file_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    doc = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    feature = next(iter(doc["features"]))
    doc["features"][feature] = doc["features"][feature][:3]
    path = tmp_path / "classifier.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"classifier\.json: .*make train-triage"):
        load_classifier(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"classifier\.json"):
        load_classifier(path)


def test_training_is_deterministic_and_learns_the_corpus() -> None:
    script = train_script()
    rows = [
        {
            "text": f"he is in the hallway with a rifle right now {n}",
            "category": "threat_to_others",
            "urgency": "emergency",
        }
        for n in ("please", "hurry", "send help")
    ] + [
        {"text": f"how does this tipline work {n}", "category": "not_a_tip", "urgency": "none"}
        for n in ("please", "thanks", "exactly")
    ]
    first = script.train(rows)
    second = script.train(rows)
    assert first[0] == second[0]
    assert {h: (v.bias, dict(v.weights)) for h, v in first[1].items()} == {
        h: (v.bias, dict(v.weights)) for h, v in second[1].items()
    }
    classifier = Classifier(first[0], first[1])
    prediction = classifier.predict(["a man with a rifle in the hallway right now"])
    assert max(prediction.urgency, key=lambda u: prediction.urgency[u]) == "emergency"
    assert max(prediction.category, key=lambda c: prediction.category[c]) == "threat_to_others"


def test_an_emergency_only_the_classifier_sees_is_raised_explained_and_reviewed() -> None:
    classifier = one_word_classifier("zorblat", Category.WELLNESS_CONCERN, Urgency.EMERGENCY)
    result = assess_with(classifier, "my neighbor is zorblat again")
    assert result.category is Category.WELLNESS_CONCERN and result.urgency is Urgency.EMERGENCY
    assert Indicator.RESEMBLES_EMERGENCY in result.indicators
    assert result.needs_review and "review:emergency_on_classifier_only" in result.rules
    assert "text resembles emergency reports (p=0.9" in result.explanation


def test_the_classifier_never_raises_urgency_against_a_game_or_makes_a_question_a_report() -> None:
    classifier = one_word_classifier("zorblat", Category.THREAT_TO_OTHERS, Urgency.EMERGENCY)
    game = assess_with(classifier, "we were playing fortnite and he said zorblat, I will kill you all next round")
    assert game.urgency is not Urgency.EMERGENCY
    question = assess_with(classifier, "how does this tipline work? zorblat")
    assert question.category is Category.NOT_A_TIP and question.urgency is Urgency.NONE


def test_a_passive_wish_to_be_dead_alone_is_not_raised_by_the_classifier() -> None:
    classifier = one_word_classifier("zorblat", Category.SELF_HARM, Urgency.EMERGENCY)
    result = assess_with(classifier, "Mi hermana dice que quiere morirse zorblat")
    assert result.category is Category.SELF_HARM and result.urgency is Urgency.ROUTINE


def test_decisive_text_keeps_its_category_and_a_sure_classifier_that_disagrees_asks_for_review() -> None:
    classifier = one_word_classifier("zorblat", Category.GUN_DIVERSION, Urgency.ROUTINE)
    result = assess_with(classifier, "zorblat he said he is going to shoot up the school")
    assert result.category is Category.THREAT_TO_OTHERS
    assert Indicator.RESEMBLES_OTHER_CATEGORY in result.indicators and "review:category_disputed" in result.rules
