"""Triage of single conversations: the hard cases of issue 4, NLU as one input, form answers."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from actions.triage.assess import Triage, load
from actions.triage.model import Assessment, Category, Conversation, Entity, Indicator, Message, Urgency

T = Category.THREAT_TO_OTHERS
S = Category.SELF_HARM
G = Category.GUN_DIVERSION
V = Category.SITE_SURVEILLANCE
W = Category.WELLNESS_CONCERN
X = Category.OTHER_SUSPICIOUS
N = Category.NOT_A_TIP
EMERGENCY, URGENT, ROUTINE, NONE = Urgency.EMERGENCY, Urgency.URGENT, Urgency.ROUTINE, Urgency.NONE


@cache
def triage() -> Triage:
    return load()


def assess(text: str, **kwargs: object) -> Assessment:
    message = Message(
        text,
        intent=kwargs.pop("intent", None),  # type: ignore[arg-type]
        intent_confidence=kwargs.pop("confidence", 0.0),  # type: ignore[arg-type]
        entities=kwargs.pop("entities", ()),  # type: ignore[arg-type]
    )
    return triage().assess(Conversation("test", (message,), **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "category", "urgency"),
    [
        # negation
        ("He did NOT have a gun on him, he just said he would get even with the coach someday", T, URGENT),
        ("She is not suicidal, she just forgets to eat and seems confused lately", W, ROUTINE),
        ("Nobody is in danger right now but a boy wrote that he will shoot the teachers next Monday", T, URGENT),
        # figurative speech and idioms
        ("this commute is killing me", N, NONE),
        ("I bombed that chemistry quiz so hard", N, NONE),
        ("my sister is going to kill me when she finds out I borrowed her car", N, NONE),
        # gaming trash talk
        ("we were on xbox and he said he's going to kill all of us in the next round", N, NONE),
        # quoted lyrics and fiction
        ("he keeps rapping lyrics about guns and shooting people, it's the song everyone plays", N, NONE),
        ("in the movie the villain plans to blow up the stadium, is that ok for a 12 year old?", N, NONE),
        # past events already dealt with
        pytest.param(
            "Two years ago a man threatened my family, he went to prison and it's over now",
            T,
            ROUTINE,
            marks=pytest.mark.xfail(
                strict=True,
                reason="the model reads a past threat already dealt with as no report; the training "
                "writers label such tips either way (a known miss, below routine)",
            ),
        ),
        # appearance, religion or ethnicity with no behaviour
        ("a muslim woman in a hijab was waiting at the bus stop", N, NONE),
        ("there's a hispanic man with tattoos sitting in the park", N, NONE),
        # indirect suicide signs
        # No time and nothing under way: urgent by the contract (Columbia behaviour items), as the
        # evaluation set labels "giving her things away and saying goodbye" (tips/self_harm.yml).
        ("my grandpa gave away his fishing gear and his watch and keeps saying goodbye to everyone", S, URGENT),
        ("she posted 'I'm sorry for everything, I love you all' and now she won't answer her phone", S, EMERGENCY),
        # emergencies without "now" or "911"
        ("a guy is in the hallway of our office with a rifle", T, EMERGENCY),
        ("my brother just swallowed a whole bottle of pills", S, EMERGENCY),
        ("my neighbor collapsed in his driveway and isn't breathing", W, EMERGENCY),
        ("there's a backpack that nobody has claimed under the bleachers at the game", X, EMERGENCY),
        ("he says he's going to shoot his wife when she gets home from work", T, EMERGENCY),
        # Spanish
        ("Mi primo dijo que mañana va a llevar una pistola a la escuela", T, EMERGENCY),
        ("Mi hermana dice que quiere morirse", S, ROUTINE),
        ("Hay un hombre tomando fotos de los guardias de la planta de agua", V, ROUTINE),
        ("Un señor compró muchas armas en efectivo y las vende en la calle", G, ROUTINE),
        # the other categories
        # (routine by the contract and the evaluation set's gun-r-01; urgent was the old classifier's raise)
        ("a coworker asked me to buy a pistol for him because he failed his background check", G, ROUTINE),
        ("a man filmed the gates of the stadium and asked the guards when their shifts change", V, ROUTINE),
        ("my neighbor bought fifty pounds of ammonium nitrate and a barrel of diesel", X, ROUTINE),
        ("my elderly aunt lives alone and hasn't answered her phone in three days", W, URGENT),
        ("how do I send a tip?", N, NONE),
    ],
)
def test_hard_cases_get_the_right_category_and_urgency(text: str, category: Category, urgency: Urgency) -> None:
    result = assess(text)
    if (result.category, result.urgency) == (category, urgency):
        return
    # Context (negation, games, appearance, the past) is the model's to learn, and its emergency
    # threshold is chosen recall-first: on a hard negative it may err upwards, never downwards,
    # and then a person reviews the tip. An emergency is always exactly right.
    assert urgency is not EMERGENCY, result.explanation
    assert result.urgency.rank > urgency.rank and result.needs_review, result.explanation


def test_self_harm_without_an_emergency_is_never_urgent_enough_for_911_by_itself() -> None:
    result = assess("my friend has a plan to kill herself this weekend")
    assert (result.category, result.urgency) == (S, URGENT)


def test_a_threat_that_was_called_a_joke_is_still_a_threat_and_asks_for_review() -> None:
    result = assess("he said he would shoot up the school but then said he was just joking")
    assert result.category is T and result.urgency is URGENT
    assert result.needs_review and "review:joke_claimed" in result.rules


def test_the_nlu_intent_keeps_vague_text_a_report_and_asks_for_review() -> None:
    result = assess("there is something going on with my neighbor", intent="report_wellness", confidence=0.9)
    assert result.category is not N and result.needs_review


def test_a_confident_nlu_intent_that_disagrees_with_the_text_asks_for_review() -> None:
    result = assess("my son said he wants to kill himself", intent="report_threat", confidence=0.95)
    assert result.category is S
    assert result.needs_review and "review:nlu_disagrees" in result.rules


def test_a_low_confidence_intent_is_ignored() -> None:
    assert assess("hello there", intent="report_threat", confidence=0.3).category is N


def test_an_emergency_read_only_by_the_nlu_still_escalates_and_asks_for_review() -> None:
    result = assess("please something is very wrong here", intent="report_emergency", confidence=0.92)
    assert result.urgency is EMERGENCY and "review:emergency_on_nlu_only" in result.rules


def test_a_named_person_from_the_nlu_is_the_target_of_a_threat() -> None:
    entity = Entity("person", "Jordan", 0.9)
    result = assess("he said he is going to stab Jordan", entities=(entity,))
    assert Indicator.SPECIFIC_TARGET in result.indicators and result.urgency is URGENT


def test_form_answers_count_like_the_residents_words() -> None:
    result = assess(
        "I want to report something",
        answers={"what": "a student said he will shoot the principal", "when": "tomorrow morning", "weapons": "no"},
    )
    assert (result.category, result.urgency) == (T, EMERGENCY)
    assert Indicator.WEAPON_ACCESS not in result.indicators


def test_happening_now_from_the_form_makes_danger_an_emergency() -> None:
    result = assess("a man is threatening people outside the library", answers={"happening_now": True})
    assert result.urgency is EMERGENCY


def test_a_named_weekday_is_within_24_hours_only_when_it_is_today_or_tomorrow() -> None:
    text = "he said he'd shoot up the school on Friday"
    tz = ZoneInfo("America/Chicago")
    thursday = datetime(2026, 10, 15, 9, tzinfo=tz)
    monday = datetime(2026, 10, 12, 9, tzinfo=tz)
    assert assess(text, reported_at=thursday).urgency is EMERGENCY
    assert assess(text, reported_at=monday).urgency is URGENT
    assert assess(text).urgency is URGENT


def test_the_secondary_category_is_kept_when_a_threat_also_shows_suicide_risk() -> None:
    result = assess("my dad said he will kill my mom and then kill himself")
    assert result.category is T and S in result.secondary_categories
    assert "review:also_suicide_risk" in result.rules


def test_the_explanation_names_category_urgency_evidence_and_the_reason() -> None:
    result = assess("my coworker said he will shoot everyone at the warehouse tomorrow")
    assert result.explanation.startswith("Threat to others, emergency:")
    assert '"tomorrow"' in result.explanation and "within about 24 hours" in result.explanation
    assert result.explanation.count(".") <= 3


def test_the_routing_indicators_keep_their_exact_names() -> None:
    mass = assess("he posted that he will shoot up the mall and kill everyone")
    assert Indicator.MASS_CASUALTY in mass.indicators
    crisis = assess("my brother is hearing voices and is paranoid, he hasn't slept in days")
    assert Indicator.MENTAL_HEALTH_CRISIS in crisis.indicators
    boom = assess("my roommate has a pipe bomb in his closet")
    assert Indicator.EXPLOSIVES in boom.indicators
    terror = assess("my cousin wants to join ISIS and is sending them money")
    assert Indicator.TERRORISM_NEXUS in terror.indicators
    hate = assess("he says a race war is coming and he'll start it at the synagogue")
    assert Indicator.IDEOLOGICAL_MOTIVE in hate.indicators


def test_the_answer_to_the_imminence_question_is_evidence() -> None:
    """YES makes it an emergency, NOT SURE at least urgent with review, NO lowers nothing."""
    text = "my coworker keeps saying he hates everyone at work"
    yes, unsure = assess(text, answers={"imminent": "yes"}), assess(text, answers={"imminent": "not_sure"})
    assert yes.urgency is Urgency.EMERGENCY and "resident_expects_harm_soon" in yes.rules
    assert unsure.urgency is Urgency.URGENT and unsure.needs_review and "review:imminence_unsure" in unsure.rules
    assert assess(text, answers={"imminent": "no"}).urgency is assess(text).urgency is Urgency.ROUTINE
    emergency = "he just said he is bringing his rifle to work tonight"
    assert assess(emergency, answers={"imminent": "no"}).urgency is Urgency.EMERGENCY


def conversation(*messages: tuple[str, str | None]) -> Conversation:
    return Conversation(
        "test", tuple(Message(text, intent=intent, intent_confidence=0.99) for text, intent in messages)
    )


def test_the_nlu_alone_never_makes_a_tip_self_harm() -> None:
    """A confident report_self_harm on words with no sign of it is no reason for 988."""
    said = conversation(("not sure if this counts but my sons friend said something weird", "report_self_harm"))
    assert S not in (triage().assess(said).category, *triage().assess(said).secondary_categories)
    assert not triage().self_harm_signal(said)


@pytest.mark.parametrize(
    ("messages", "signal"),
    [
        # idioms, and a reply with no sign after another kind of report
        ((("im so dead tired from work lol", None),), False),
        ((("me muero de risa", None),), False),
        ((("he asked me to buy a rifle for him", None), ("I'm dying lol", "report_self_harm")), False),
        # a short reply or question after a report is not read alone for self-harm
        ((("theres a man with a gun outside the grocery store", None), ("que hago", "how_it_works")), False),
        ((("my neighbor hasnt been seen in days", None), ("i dont know", "dont_know")), False),
        ((("he keeps filming the gates", None), ("my friend told me", "inform")), False),
        # an answer inside a report needs a plain reading to be a sign by the model alone
        (
            (
                ("my friends bf says hes gonna kill her if she leaves him", None),
                ("he said it to me and another dad", None),
            ),
            False,
        ),
        (
            (
                ("my friends bf says hes gonna kill her if she leaves", None),
                ("ya she wants to leave him this weekend", None),
            ),
            False,
        ),
        ((("my coworker is not ok", None), ("its me. i have the pills in my hand", None)), True),
        # indirect wording (the phrase lists, or the model reading the message alone)
        ((("ya no quiero seguir aqui", None),), True),
        ((("no quiero seguir viviendo", None),), True),
        ((("tengo miedo que se vaya a matar", None),), True),
        ((("she sent me a goodbye message and now her phone is off", None),), True),
        # "not suicidal": what came before counts only where it is about someone else
        ((("i wanna die lol", None), ("no im not suicidal", "deny")), False),
        ((("quiero morirme jaja", None), ("no es eso", "deny")), False),
        ((("my friend said he wants to kill himself", None), ("im not suicidal", "deny")), True),
        ((("she cuts herself again, she says shes not suicidal", None),), True),
        ((("i wanna die lol", None), ("that's not what i meant", "deny"), ("i want to kill myself", None)), True),
    ],
)
def test_self_harm_signal(messages: tuple[tuple[str, str | None], ...], signal: bool) -> None:
    assert triage().self_harm_signal(conversation(*messages)) is signal
