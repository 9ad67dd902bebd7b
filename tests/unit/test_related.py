from __future__ import annotations

from routing.related import match_keys, match_values


def test_a_named_person_at_a_place_an_account_and_a_quoted_phrase_link_tips() -> None:
    values = match_values(
        'He posted "you will all pay on Friday" from @dark_knight_99 see https://example.invalid/p/123',
        {"who": "Jordan Vale", "where": "Lincoln High School, north gym"},
    )
    assert ("person_place", "jordan vale @ lincoln high school north gym") in values
    assert ("account", "@dark_knight_99") in values
    assert ("account", "example.invalid/p/123") in values
    assert ("phrase", "you will all pay on friday") in values


def test_relations_and_short_places_link_nothing() -> None:
    assert match_values("my coworker is angry", {"who": "my coworker", "where": "home"}) == set()


def test_a_town_name_alone_links_nothing() -> None:
    shooting = match_values("shots fired near the mall", {"where": "Oakridge"})
    knife = match_values("a kid showed a knife at the bus stop", {"where": "Oakridge", "who": "a kid"})
    assert shooting == set() and knife == set()
    assert match_values("Jordan Vale said he would do it", {}) == set()  # a name alone is too common


def test_a_plate_and_a_phone_number_link_tips() -> None:
    a = match_values("he drives a grey truck, license plate ABC-1234, texts from (555) 010-0199", {})
    b = match_values("same truck, plate: abc 1234", {"description": "calls from +1 555 010 0199"})
    assert ("plate", "ABC1234") in a and ("plate", "ABC1234") in b
    assert ("phone", "5550100199") in a and ("phone", "5550100199") in b


def test_digests_match_across_spelling_and_accents_but_reveal_nothing() -> None:
    a = match_keys(b"k", "", {"who": "Ana Ruiz", "where": "Escuela Secundaria Juárez"})
    b = match_keys(b"k", "", {"who": "Ana Ruiz", "where": "escuela  secundaria JUAREZ"})
    assert a and a == b and "juarez" not in str(a)
    assert match_keys(b"other key", "", {"who": "Ana Ruiz", "where": "Escuela Secundaria Juárez"}) != a
