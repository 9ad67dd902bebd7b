"""Property-based fuzzing (hypothesis) of the intake payload parsing and of routing a triage."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import domain
from routing.api import InvalidField, parse_submission, parse_triage
from routing.policy import route
from routing.storable import storable
from routing.vocabulary import INDICATORS
from tests.support.routing import example_jurisdiction, tip_payload

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = list(tip_payload())
TRIAGE_FIELDS = ["category", "urgency", "secondary_categories", "indicators", "needs_review", "explanation", "rules"]
RANK = {u: i for i, u in enumerate(("none", "routine", "urgent", "emergency"))}


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), JSON, max_size=len(FIELDS) + 2))
def test_any_json_object_parses_or_is_refused_naming_a_field(body: dict[str, Any]) -> None:
    try:
        parse_submission(storable(body))
    except InvalidField as e:
        assert e.field and e.message


@FUZZ
@given(st.sampled_from(FIELDS), JSON, st.sampled_from(TRIAGE_FIELDS), JSON)
def test_one_field_of_a_valid_tip_replaced_by_anything_parses_or_names_that_field(
    field: str, value: Any, triage_field: str, triage_value: Any
) -> None:
    for payload, named in (
        (tip_payload() | {field: value}, field),
        (tip_payload() | {"triage": tip_payload()["triage"] | {triage_field: triage_value}}, "triage"),
    ):
        try:
            submission = parse_submission(storable(payload))
        except InvalidField as e:
            assert e.field.split(".")[0] == named, (e.field, named)
        else:
            assert submission.conversation_id and submission.triage.category in domain.CATEGORIES


@FUZZ
@given(st.text(), JSON)
def test_storable_text_encodes_and_keeps_everything_else(text: str, other: Any) -> None:
    kept = storable({"text": text, "other": other, "key:" + text: [text]})  # a key of its own: "text" would collide
    kept["text"].encode("utf-8")
    assert "\x00" not in kept["text"] and len(kept["text"]) == len(text)
    assert storable(kept) == kept  # a second pass changes nothing
    if "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text):
        assert kept["text"] == text


TRIAGES = st.fixed_dictionaries(
    {
        "category": st.sampled_from(domain.CATEGORIES),
        "urgency": st.sampled_from(domain.URGENCIES),
        "secondary_categories": st.lists(st.sampled_from(domain.CATEGORIES), max_size=2),
        "indicators": st.lists(st.sampled_from(sorted(INDICATORS)), max_size=6),
    }
)


@FUZZ
@given(TRIAGES)
def test_routing_keeps_the_safety_rules_for_any_triage(raw: dict[str, Any]) -> None:
    """Whatever the triage and the example jurisdiction's rules: urgency never drops, every
    emergency reaches 911, self-harm reaches 911 only as an emergency, no report goes nowhere."""
    triage = parse_triage(raw, "")
    routed = route(triage, example_jurisdiction())
    assert RANK[routed.urgency] >= RANK[triage.urgency]
    if routed.urgency == "emergency":
        assert "911" in routed.destinations
    if triage.category == "self_harm" and routed.urgency != "emergency":
        assert "911" not in routed.destinations
    if triage.category == "not_a_tip" and routed.urgency == "none":
        assert routed.destinations == ()  # (a contradictory not_a_tip marked emergency still reaches 911)
    assert set(routed.destinations) <= set(domain.DESTINATIONS)
