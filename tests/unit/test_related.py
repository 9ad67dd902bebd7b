from __future__ import annotations

from routing.related import match_keys, match_values


def test_a_named_subject_a_place_an_account_and_a_quoted_phrase_link_tips() -> None:
    values = match_values(
        'He posted "you will all pay on Friday" from @dark_knight_99 see https://example.invalid/p/123',
        {"who": "Jordan Vale", "where": "Lincoln High School, north gym"},
    )
    assert ("subject", "jordan vale") in values
    assert ("place", "lincoln high school north gym") in values
    assert ("account", "@dark_knight_99") in values
    assert ("account", "example.invalid/p/123") in values
    assert ("phrase", "you will all pay on friday") in values


def test_relations_and_short_places_link_nothing() -> None:
    assert match_values("my coworker is angry", {"who": "my coworker", "where": "home"}) == set()


def test_digests_match_across_spelling_and_accents_but_reveal_nothing() -> None:
    a = match_keys(b"k", "", {"where": "Escuela Secundaria Juárez"})
    b = match_keys(b"k", "", {"where": "escuela  secundaria JUAREZ"})
    assert a == b and "juarez" not in str(a)
    assert match_keys(b"other key", "", {"where": "Escuela Secundaria Juárez"}) != a
