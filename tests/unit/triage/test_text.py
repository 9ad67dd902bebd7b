"""One spelling for matching: texting shorthand, elongations, missing apostrophes, misspellings."""

from __future__ import annotations

import pytest

from actions.triage.text import normalise


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # contractions, with and without the apostrophe
        ("He didn't say when", "he did not say when"),
        ("hes not answering and shes scared", "he is not answering and she is scared"),
        ("theyve got his dads guns, theyll use them", "they have got his dads guns, they will use them"),
        ("y'all need to check on her", "you all need to check on her"),
        # texting shorthand
        ("hes gonna shoot up the skool tmrw fr fr", "he is going to shoot up the school tomorrow for real"),
        ("we r in 3rd period rn", "we are in 3rd period right now"),
        ("wat r u doing 2nite", "what are you doing tonight"),
        ("idk wen hes coming b4 or after", "i do not know when he is coming before or after"),
        ("my bf said smth abt his gun", "my boyfriend said something about his gun"),
        ("im gonna kms", "i am going to kill myself"),
        # elongations
        ("pleeeease helppp sooo scared hes outside noooow", "please help so scared he is outside now"),
        ("goood morning, sleeeep well", "good morning, sleep well"),
        # common misspellings
        ("my nieghbor threatend me with a riffle", "my neighbor threatened me with a rifle"),
        ("she is sucidal and talks about suicde", "she is suicidal and talks about suicide"),
        ("he bought amunition at the store", "he bought ammunition at the store"),
        # Spanish
        ("mi primo dice q va a matarce mñn", "mi primo dice que va a matarse manana"),
        ("xfa vengan orita, dnd esta la policia", "por favor vengan ahorita, donde esta la policia"),
        ("dijo que lo va a hacer xq nadie lo quiere", "dijo que lo va a hacer porque nadie lo quiere"),
        ("Mañana en la escuela", "manana en la escuela"),
    ],
)
def test_texting_spelling_becomes_plain_spelling(typed: str, read: str) -> None:
    assert normalise(typed) == read


@pytest.mark.parametrize(
    "text",
    [
        "Memphis, TN",  # a state, not "tonight"
        "too good to be true",
        "he works in hr",
        "the kill switch",
        "k thanks",
    ],
)
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert normalise(text) == text.lower()
