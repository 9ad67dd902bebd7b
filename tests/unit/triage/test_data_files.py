"""The phrase lists and rules are checked at load: a typo stops start-up, naming file and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from actions.triage.lexicon import PHRASES_DIR, LexiconError, load_lexicon
from actions.triage.model import Category, Indicator, Urgency
from actions.triage.rules import RULES_FILE, RulesError, load_rules


@pytest.fixture
def phrases(tmp_path: Path) -> Path:
    target = tmp_path / "phrases"
    shutil.copytree(PHRASES_DIR, target)
    return target


def add_to(path: Path, section: str, name: str, spec: object) -> None:
    doc = yaml.safe_load(path.read_text())
    doc.setdefault(section, {})[name] = spec
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_the_shipped_phrase_lists_and_rules_load() -> None:
    lexicon = load_lexicon()
    rules = load_rules()
    assert lexicon.phrases and rules.rules


def test_an_unknown_indicator_in_a_phrase_file_names_the_file_and_the_entry(phrases: Path) -> None:
    add_to(phrases / "threat.yml", "indicators", "intent_staated", {"patterns": ["will hurt"]})
    with pytest.raises(LexiconError, match=r"threat\.yml: indicator: 'intent_staated' is not an indicator"):
        load_lexicon(phrases)


def test_an_unknown_list_names_the_file_and_the_indicator(phrases: Path) -> None:
    doc = yaml.safe_load((phrases / "threat.yml").read_text())
    doc["indicators"]["intent_stated"]["patterns"].append("{weapn}")
    (phrases / "threat.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    with pytest.raises(LexiconError, match=r"threat\.yml: indicator 'intent_stated'.*unknown list \{weapn\}"):
        load_lexicon(phrases)


def test_an_unknown_cue_in_unless_is_refused(phrases: Path) -> None:
    doc = yaml.safe_load((phrases / "threat.yml").read_text())
    doc["indicators"]["intent_stated"]["unless"].append("gamming")
    (phrases / "threat.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    with pytest.raises(LexiconError, match=r"threat\.yml: indicator 'intent_stated': unless names unknown cue"):
        load_lexicon(phrases)


def test_an_indicator_defined_in_two_files_is_refused(phrases: Path) -> None:
    add_to(phrases / "wellness.yml", "indicators", "intent_stated", {"patterns": ["will hurt"]})
    with pytest.raises(LexiconError, match=r"also defined in"):
        load_lexicon(phrases)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    target = tmp_path / "rules.yml"
    shutil.copy(RULES_FILE, target)
    return target


def append_rule(path: Path, rule: dict[str, object]) -> None:
    doc = yaml.safe_load(path.read_text())
    doc["rules"].append(rule)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_an_unknown_indicator_in_a_rule_names_the_file_and_the_rule(rules_file: Path) -> None:
    append_rule(rules_file, {"id": "typo", "if": "weapon_presnt", "then": {"urgency": "emergency"}, "why": "x"})
    with pytest.raises(RulesError, match=r"rules\.yml: rule 'typo': unknown indicator or group 'weapon_presnt'"):
        load_rules(rules_file)


def test_a_rule_cannot_lower_urgency(rules_file: Path) -> None:
    append_rule(rules_file, {"id": "calm_down", "if": "joke_claimed", "then": {"urgency": "routine"}, "why": "x"})
    with pytest.raises(RulesError, match=r"rule 'calm_down': rules only raise urgency"):
        load_rules(rules_file)


def test_a_rule_needs_a_why_for_the_explanation(rules_file: Path) -> None:
    append_rule(rules_file, {"id": "silent", "if": "plan", "then": {"urgency": "urgent"}})
    with pytest.raises(RulesError, match=r"rule 'silent' needs a 'why'"):
        load_rules(rules_file)


def test_evidence_for_an_unknown_category_is_refused(rules_file: Path) -> None:
    doc = yaml.safe_load(rules_file.read_text())
    doc["evidence"]["threats"] = {"intent_stated": 3}
    rules_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(RulesError, match=r"unknown category 'threats'"):
        load_rules(rules_file)


def test_a_reporting_intent_cannot_be_listed_as_a_reply(rules_file: Path) -> None:
    """Else a report the NLU recognises would never be read alone for self-harm."""
    doc = yaml.safe_load(rules_file.read_text())
    doc["nlu"]["reply_intents"].append("report_self_harm")
    rules_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(RulesError, match=r"nlu.reply_intents names a reporting intent: report_self_harm"):
        load_rules(rules_file)


def test_the_interpreter_only_ever_raises_urgency_and_names_the_rules_that_set_it() -> None:
    rules = load_rules()
    indicators = {Indicator.INTENT_STATED, Indicator.SPECIFIC_TARGET, Indicator.TIMEFRAME_24H}
    outcome = rules.evaluate(indicators, Category.THREAT_TO_OTHERS)
    assert outcome.urgency is Urgency.EMERGENCY
    assert [r.id for r in outcome.fired] == ["danger_within_24_hours"]
    # More evidence of a lower urgency never brings it down.
    more = rules.evaluate(indicators | {Indicator.TIMEFRAME_DAYS, Indicator.JOKE_CLAIMED}, Category.THREAT_TO_OTHERS)
    assert more.urgency is Urgency.EMERGENCY


def test_not_a_tip_has_no_urgency_whatever_the_indicators() -> None:
    outcome = load_rules().evaluate({Indicator.WEAPON_PRESENT}, Category.NOT_A_TIP)
    assert outcome.urgency is Urgency.NONE and outcome.fired == ()
