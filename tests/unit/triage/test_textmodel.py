"""The trained model: its artefact and checks, its training data, and how triage uses its reading."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from collections.abc import Collection, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from actions.triage.assess import Triage, check_model_rules, load
from actions.triage.model import Assessment, Category, Conversation, Indicator, Message, Urgency
from actions.triage.rules import Has, RulesError, load_rules
from actions.triage.textmodel import (
    LABELS,
    META_FILE,
    MODEL_FILE,
    Prediction,
    TextModel,
    TextModelError,
    load_text_model,
)
from tests.support.stack import ROOT


@cache
def train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_triage_model", ROOT / "scripts" / "train_triage_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@cache
def shipped() -> Triage:
    return load()


@dataclasses.dataclass(frozen=True)
class Fixed(TextModel):
    """A model that reads every text the same way."""

    prediction: Prediction | None = None

    def predict(self, texts: Sequence[str], found: Collection[str] = ()) -> Prediction:
        assert self.prediction is not None
        return self.prediction


def reading(category: Category, urgency: Urgency, p: float = 0.9) -> Prediction:
    def spread(labels: tuple[str, ...], label: str) -> dict[str, float]:
        rest = (1 - p) / (len(labels) - 1)
        return {name: p if name == label else rest for name in labels}

    return Prediction(spread(LABELS["category"], str(category)), spread(LABELS["urgency"], str(urgency)))


def assess_with(prediction: Prediction, text: str) -> Assessment:
    triage = shipped()
    model = Fixed(triage.model.bundle, triage.model.thresholds, triage.model.about, prediction)
    return dataclasses.replace(triage, model=model).assess(Conversation("test", (Message(text),)))


def test_the_shipped_model_is_checked_against_its_record() -> None:
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    model = load_text_model()
    assert meta["artefact"] == MODEL_FILE.name
    assert model.thresholds.review_low <= model.thresholds.emergency <= model.thresholds.review_high
    assert meta["cross_validation"]["with_rules"]["emergency_recall"] >= 0.98
    p = model.predict(["there is a man with a rifle in the hallway of the school right now"])
    assert p.emergency >= model.thresholds.emergency
    assert p.best_category()[0] == "threat_to_others"


def test_the_model_was_trained_on_the_current_training_data() -> None:
    script = train_script()
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    tips = script.load_training()
    assert meta["training_tips"] == len(tips)
    assert meta["training_data_sha256"] == script.data_hash(tips), "the training text changed: make train-triage"


def test_an_altered_artefact_or_another_scikit_learn_stops_start_up_with_one_line(tmp_path: Path) -> None:
    meta = json.loads(META_FILE.read_text(encoding="utf-8"))
    artefact = tmp_path / MODEL_FILE.name
    artefact.write_bytes(MODEL_FILE.read_bytes() + b"\0")
    record = tmp_path / META_FILE.name
    record.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(TextModelError, match=r"^textmodel\.joblib: its sha256 .*make train-triage'$"):
        load_text_model(artefact, record)
    record.write_text(json.dumps(meta | {"scikit_learn": "0.1"}), encoding="utf-8")
    with pytest.raises(TextModelError, match=r"^textmodel\.json: .*scikit-learn 0\.1, .*make train-triage'$"):
        load_text_model(MODEL_FILE, record)
    record.write_text("{not json", encoding="utf-8")
    with pytest.raises(TextModelError, match=r"^textmodel\.json: cannot be read"):
        load_text_model(MODEL_FILE, record)
    with pytest.raises(TextModelError, match=r"^textmodel\.joblib: cannot be read"):
        load_text_model(tmp_path / "missing" / MODEL_FILE.name, META_FILE)


def test_no_blind_held_out_text_or_id_is_ever_trained_on() -> None:
    script = train_script()
    blind = script.read_tips(script.BLIND_DIR) if script.BLIND_DIR.is_dir() else []
    training = script.load_training()
    assert not {t.id for t in blind} & {t.id for t in training}
    normalise = script.normalise
    assert not {normalise(t.text) for t in blind} & {normalise(t.text) for t in training}
    messages = [m for path in script.BLIND_MESSAGES_DIR.glob("*.yml") for m in yaml.safe_load(path.read_text())]
    assert messages and not {normalise(m["text"]) for m in messages} & {normalise(t.text) for t in training}


def test_the_nlus_messages_that_are_no_report_are_trained_on_as_no_report() -> None:
    """The live bot screens every message: "i dont know" or "is this anonymous" must read as none."""
    script = train_script()
    conversation = [t for t in script.load_training() if t.group.startswith("nlu-")]
    assert len(conversation) > 300
    assert {(t.category, t.urgency) for t in conversation} == {("not_a_tip", "none")}
    intents = {t.id.split("-")[2] for t in conversation}
    assert {"check_status", "is_anonymous", "dont_know", "greet"} <= intents
    assert not intents & {"inform", "correct", "add_information", "ask_resources"}


def test_training_refuses_a_blind_tip(tmp_path: Path) -> None:
    script = train_script()
    tip = {"id": "x-1", "text": "He has a gun in his locker and said tomorrow", "category": "threat_to_others"}
    (tmp_path / "train").mkdir()
    (tmp_path / "blind").mkdir()
    (tmp_path / "train" / "t.yml").write_text(yaml.safe_dump([tip | {"urgency": "emergency"}]), encoding="utf-8")
    copy = tip | {"id": "b-9", "text": "he has a GUN in his locker and said tomorrow", "urgency": "emergency"}
    (tmp_path / "blind" / "b.yml").write_text(yaml.safe_dump([copy]), encoding="utf-8")
    with pytest.raises(SystemExit, match="blind held-out tips in the training text: x-1"):
        script.load_training([tmp_path / "train"], tmp_path / "blind")


def test_training_is_deterministic() -> None:
    script = train_script()
    rows = [
        ("a man with a rifle is in the hallway right now", "threat_to_others", "emergency"),
        ("he is in the parking lot with a gun right now", "threat_to_others", "emergency"),
        ("shots fired at the mall, people are running", "threat_to_others", "emergency"),
        ("is this service anonymous", "not_a_tip", "none"),
        ("my grandfather wanders at night and forgets where he lives", "wellness_concern", "routine"),
        ("how does this tipline work", "not_a_tip", "none"),
        ("what is the number for the crisis line", "not_a_tip", "none"),
        ("my neighbor has not answered his door in a week", "wellness_concern", "routine"),
        ("my aunt is confused and not eating, can someone check", "wellness_concern", "routine"),
    ]
    tips = [script.Tip(f"t{i}", text, c, u, f"g{i % 3}", "t.yml") for i, (text, c, u) in enumerate(rows)]
    texts = [t.text for t in tips]
    found = script.found_indicators(tips)
    first = script.probabilities(script.fit_heads(script.CHOSEN, texts, tips, found), texts, found)
    second = script.probabilities(script.fit_heads(script.CHOSEN, texts, tips, found), texts, found)
    for head in ("category", "urgency"):
        assert (first[head] == second[head]).all()


def test_an_emergency_the_model_alone_reads_is_an_emergency_whatever_the_context_cues() -> None:
    # Context (games, idioms, fiction, the past) is the model's to weigh: no rule lowers it.
    result = assess_with(
        reading(Category.THREAT_TO_OTHERS, Urgency.EMERGENCY),
        "we were playing fortnite and he said he will kill you all",
    )
    assert (result.category, result.urgency) == (Category.THREAT_TO_OTHERS, Urgency.EMERGENCY)
    assert Indicator.RESEMBLES_EMERGENCY in result.indicators
    assert "resembles_emergency" in result.rules


def test_an_uncertain_emergency_asks_for_review_with_the_probability() -> None:
    t = shipped().model.thresholds
    for p in (t.review_low, (t.emergency + t.review_high) / 2):
        prediction = dataclasses.replace(
            reading(Category.WELLNESS_CONCERN, Urgency.ROUTINE, 0.6),
            urgency={"none": 0.0, "routine": 1 - p, "urgent": 0.0, "emergency": p},
        )
        result = assess_with(prediction, "my neighbor is acting strange again")
        assert result.urgency is (Urgency.EMERGENCY if p >= t.emergency else Urgency.URGENT)
        assert result.needs_review and "review:uncertain_emergency" in result.rules
        assert f"(p={p:.2f})" in result.explanation


def test_the_rules_raise_what_the_model_reads_as_routine() -> None:
    result = assess_with(
        reading(Category.SELF_HARM, Urgency.ROUTINE), "my brother just swallowed a whole bottle of pills"
    )
    assert (result.category, result.urgency) == (Category.SELF_HARM, Urgency.EMERGENCY)
    assert "suicide_attempt_under_way" in result.rules


def test_an_emergency_read_by_the_model_is_never_not_a_tip() -> None:
    prediction = dataclasses.replace(
        reading(Category.NOT_A_TIP, Urgency.NONE, 0.5),
        urgency={"none": 0.2, "routine": 0.1, "urgent": 0.1, "emergency": 0.6},
    )
    result = assess_with(prediction, "something is going on next door")
    assert result.category is not Category.NOT_A_TIP and result.urgency is Urgency.EMERGENCY


def test_no_report_by_the_model_stays_no_report_whatever_the_violent_words() -> None:
    prediction = dataclasses.replace(
        reading(Category.NOT_A_TIP, Urgency.NONE, 0.7),
        urgency={"none": 0.7, "routine": 0.3, "urgent": 0.0, "emergency": 0.0},
    )
    result = assess_with(prediction, "we were playing fortnite and he said he will kill us all")
    assert (result.category, result.urgency) == (Category.NOT_A_TIP, Urgency.NONE)


def test_a_threat_to_others_and_to_himself_is_a_threat_with_self_harm_secondary() -> None:
    result = assess_with(
        reading(Category.SELF_HARM, Urgency.URGENT), "my dad said he will kill my mom and then kill himself"
    )
    assert result.category is Category.THREAT_TO_OTHERS and Category.SELF_HARM in result.secondary_categories


def test_a_rule_that_could_switch_off_the_models_reading_stops_start_up() -> None:
    rules = load_rules()
    weakened = tuple(
        dataclasses.replace(r, condition=Has(Indicator.IN_PROGRESS)) if r.id == "resembles_emergency" else r
        for r in rules.rules
    )
    check_model_rules(rules)
    with pytest.raises(RulesError, match="rule 'resembles_emergency' must raise urgency on resembles_emergency alone"):
        check_model_rules(dataclasses.replace(rules, rules=weakened))
