"""The indicator vocabulary is one list: the code, its documentation and the labels.

Routing's copy is checked in tests/unit/test_vocabulary.py.
"""

from __future__ import annotations

import re

from actions.triage.explain import LABELS
from actions.triage.lexicon import load_lexicon
from actions.triage.model import Indicator
from actions.triage.rules import load_rules
from tests.support.stack import ROOT

DOC = (ROOT / "docs" / "triage.md").read_text(encoding="utf-8")

# Found outside the phrase lists: from form answers, the NLU, the classifier, or the time of the report.
DERIVED = {
    Indicator.IN_PROGRESS,
    Indicator.IMMINENCE_CONFIRMED,
    Indicator.IMMINENCE_UNSURE,
    Indicator.WEAPON_ACCESS,
    Indicator.SPECIFIC_TARGET,
    Indicator.TIMEFRAME_24H,
    Indicator.REPORTED_AS_EMERGENCY,
    Indicator.PAST_RESOLVED,
    Indicator.RESEMBLES_EMERGENCY,
    Indicator.RESEMBLES_URGENT,
    Indicator.RESEMBLES_OTHER_CATEGORY,
}


def test_every_indicator_is_documented_and_has_a_label() -> None:
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOC))
    assert {str(i) for i in Indicator} <= documented
    assert set(LABELS) == set(Indicator)


def test_every_rule_is_documented() -> None:
    for rule in load_rules().rules:
        name = f"review:{rule.id}" if rule.needs_review else rule.id
        assert f"`{name}`" in DOC, rule.id


def test_every_indicator_can_be_found() -> None:
    lexicon = load_lexicon()
    found: set[Indicator] = set(DERIVED)
    for phrases in lexicon.phrases:
        found |= {phrases.indicator, *phrases.also}
        for replacement in phrases.past.values():
            found |= set(replacement)
    found |= {cue.reports for cue in lexicon.cues.values() if cue.reports is not None}
    assert found == set(Indicator)
