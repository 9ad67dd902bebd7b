"""988 and the crisis wording only where the resident's words show self-harm, in both languages.

Each test plays a conversation the way the engine runs the actions on every message: the safety
screen first, then the report form's validation (the answer to the question asked, as the
from_text mapping gives it), then the next question; and the receipt at the end. The NLU's
intent is given as the engine may have guessed it: a wrong `report_self_harm` must not matter.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateTipForm
from actions.responses import render
from actions.screening import ScreenEveryMessage
from tests.actions.conftest import DOMAIN, make_tracker, slot, texts, user

# Every screened message may file the report: with the real routing app on fresh SQLite.
pytestmark = pytest.mark.usefixtures("routing", "use_public_info")

GUN_PURCHASE = "my neighbor asked me to buy a rifle for him because he failed his background check"
SCHOOL_THREAT = "un chico dijo que va a traer una pistola a la escuela el viernes"
WELLNESS = "my brother hasnt answered his phone in a week, can someone check on him"


class Resident:
    """One conversation: what the resident reads after each message, and the slots it leaves."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}

    async def says(self, text: str, intent: str) -> list[str]:
        self.events.append(user(text, intent))
        screen = CollectingDispatcher()
        self._keep(await ScreenEveryMessage().run(screen, make_tracker(self.events, self.slots), DOMAIN))
        said = self._read(screen)
        if asked := self.slots.get("requested_slot"):
            self.events.append(slot(asked, text))
        form = CollectingDispatcher()
        tracker = make_tracker(self.events, self.slots, active_loop="tip_form")
        self._keep(await ValidateTipForm().run(form, tracker, DOMAIN))
        said += self._read(form)
        if asked := self.slots.get("requested_slot"):
            said.append(render(DOMAIN, f"utter_ask_{asked}", self.slots))
        return said

    def closing(self) -> str:
        return render(DOMAIN, "utter_tip_receipt", self.slots, reference="TL-7K3M-9Q2P", pin="482913")

    def contact_question(self) -> str:
        return render(DOMAIN, "utter_ask_tip_anonymous", self.slots)

    def _keep(self, events: list[dict[str, Any]]) -> None:
        self.slots.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})

    def _read(self, dispatcher: CollectingDispatcher) -> list[str]:
        return texts(dispatcher, self.slots.get("language") or "en", bool(self.slots.get("crisis_voice")))


def crisis_said(said: list[str]) -> bool:
    return any("988" in t or "crisis" in t.casefold() or "glad you told me" in t or "Me alegra" in t for t in said)


async def talk(*messages: tuple[str, str]) -> tuple[Resident, list[str]]:
    resident = Resident()
    said: list[str] = []
    for text, intent in messages:
        said += await resident.says(text, intent)
    return resident, said


def no_crisis_anywhere(resident: Resident, said: list[str]) -> None:
    assert not crisis_said(said), said
    assert resident.slots["crisis_voice"] is False
    assert "crisis team" not in resident.contact_question() and "equipo de crisis" not in resident.contact_question()
    assert "988" not in resident.closing()


# --- no self-harm in the words: no 988, whatever the NLU guessed ------------------------------


async def test_dead_tired_in_a_gun_purchase_report_is_not_a_crisis() -> None:
    resident, said = await talk(
        (GUN_PURCHASE, "report_gun_purchase"), ("im so dead tired from work lol", "report_self_harm")
    )
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] == "gun_diversion"


async def test_a_classmates_name_in_a_school_threat_is_not_a_crisis() -> None:
    resident, said = await talk(
        (SCHOOL_THREAT, "report_threat"), ("es un compañero de clase, se llama Kevin", "report_self_harm")
    )
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] == "threat_to_others"
    assert resident.slots["language"] == "es"


async def test_living_far_away_in_a_wellness_check_is_not_a_crisis() -> None:
    resident, said = await talk(
        (WELLNESS, "report_wellness"), ("i live in another state, i just cant reach him", "report_self_harm")
    )
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] == "wellness_concern"


async def test_something_weird_said_by_a_friend_is_not_a_crisis() -> None:
    resident, said = await talk(("not sure if this counts but my sons friend said something weird", "report_self_harm"))
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] != "self_harm"


@pytest.mark.parametrize("idiom", ["I'm dying lol this guy at work", "me muero de risa con mi compañero"])
async def test_idioms_of_dying_are_not_a_crisis(idiom: str) -> None:
    resident, said = await talk((GUN_PURCHASE, "report_gun_purchase"), (idiom, "report_self_harm"))
    no_crisis_anywhere(resident, said)


# --- "I'm not suicidal": a plain correction, and the report goes on as what it is -------------


async def test_im_not_suicidal_undoes_the_crisis_wording_left_by_an_earlier_guess() -> None:
    """What the old screen left after "im so dead tired" read as report_self_harm: 988 given,
    the crisis wording on. The resident's correction turns it off for good."""
    resident = Resident()
    resident.slots.update(crisis_voice=True, tip_crisis_offered=True)
    await resident.says(GUN_PURCHASE, "report_gun_purchase")
    resident.slots.update(crisis_voice=True)
    said = await resident.says("uh what? im not suicidal lol", "deny")
    assert said[0] == "Understood: I'll keep this as a report about a suspicious gun purchase."
    assert not any("sorry" in t.casefold() for t in said)
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] == "gun_diversion"
    said = await resident.says("he drives a red truck", "inform")
    no_crisis_anywhere(resident, said)


async def test_a_joke_about_dying_then_not_suicidal_goes_back_to_the_report() -> None:
    resident, said = await talk(
        (
            "i wanna die lol my brother keeps buying guns for his friend who failed his background check",
            "report_self_harm",
        )
    )
    assert crisis_said(said) and resident.slots["crisis_voice"] is True
    said = await resident.says("no im not suicidal, thats not what i meant", "deny")
    assert said[0] == "Understood: I'll keep this as a report about a suspicious gun purchase."
    no_crisis_anywhere(resident, said)
    assert resident.slots["tip_category"] == "gun_diversion"


async def test_no_me_quiero_matar_es_sobre_mi_vecino() -> None:
    resident, said = await talk(
        (
            "me quiero morir jaja, mi vecino le compra pistolas a un tipo que no pasó la revisión de antecedentes",
            "report_self_harm",
        )
    )
    assert crisis_said(said)
    said = await resident.says("no me quiero matar, es sobre mi vecino", "deny")
    assert said[0] == "Entendido: lo dejo como un reporte sobre una compra de armas sospechosa."
    no_crisis_anywhere(resident, said)


async def test_not_suicidal_myself_keeps_988_for_the_friend_at_risk() -> None:
    resident, said = await talk(("my friend told me he wants to kill himself", "report_self_harm"))
    assert crisis_said(said)
    said = await resident.says("im not suicidal, its my friend", "deny")
    assert not any(t.startswith("Understood") for t in said)
    assert resident.slots["crisis_voice"] is True and resident.slots["tip_category"] == "self_harm"
    assert "988" in resident.closing()


# --- real self-harm, told plainly or indirectly, of the resident or someone else --------------


@pytest.mark.parametrize(
    ("opening", "language"),
    [
        ("i dont want to be here anymore", "en"),
        ("my friend gave away all his stuff and said he won't need it anymore", "en"),
        ("she sent me a goodbye message and now her phone is off", "en"),
        ("im tired of everything, whats the point", "en"),
        ("she cuts herself again, she says shes not suicidal", "en"),
        ("i scratch my arms till they bleed when im anxious. not suicidal. is there someone to talk to", "en"),
        ("quiero morirme", "es"),
        ("no quiero seguir aqui", "es"),
        ("mi hermano regaló todas sus cosas y se despidió de todos", "es"),
        ("mi amiga dice que se va a tomar todas sus pastillas", "es"),
        ("mi amiga se corta otra vez, dice que no es suicida", "es"),
    ],
)
@pytest.mark.parametrize("intent", ["report_self_harm", "inform"])
async def test_real_self_harm_gets_988_at_once(opening: str, language: str, intent: str) -> None:
    resident, said = await talk((opening, intent))
    crisis = next(t for t in said if "988" in t)
    assert crisis.startswith("I'm really glad you told me" if language == "en" else "Me alegra mucho")
    assert resident.slots["crisis_voice"] is True and resident.slots["language"] == language
    assert "988" in resident.closing()
