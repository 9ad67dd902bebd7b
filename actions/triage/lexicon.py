"""Load and check the phrase lists (actions/triage/phrases/*.yml) into compiled matchers.

Everything is checked at load: an unknown indicator, cue or list name, a bad pattern or an
unknown key stops start-up with a message that names the file and the entry, so a typo can
never turn into a missed tip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.triage.errors import TriageDataError
from actions.triage.model import Indicator
from actions.triage.patterns import PatternError, compile_phrase

PHRASES_DIR = Path(__file__).parent / "phrases"

# Cues the matcher itself relies on; the files must define them.
REQUIRED_CUES = (
    "negation",
    "negation_pseudo",
    "negation_end",
    "future",
    "progressive",
    "recent_past",
    "remote_past",
    "resolved",
    "serious",
    "next",
    "no_answer",
)
CUE_SCOPES = ("span", "sentence", "message")
PAST_KINDS = ("recent", "remote", "resolved")
INDICATOR_KEYS = frozenset(
    {"patterns", "future_only", "strong", "exclude", "unless", "requires", "negatable", "past", "also", "min_distinct"}
)


class LexiconError(TriageDataError):
    """The phrase lists are invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Cue:
    """Context that changes how a match counts: negation, tense, games, lyrics, idioms..."""

    name: str
    scope: str  # span: only where it overlaps; sentence / message: anywhere in it
    regex: re.Pattern[str]
    #  Indicator to report when this cue cancels a match (why violent words did not count).
    reports: Indicator | None = None


@dataclass(frozen=True)
class Phrases:
    """How one indicator is found in text."""

    indicator: Indicator
    source: str  # file name, for messages
    regex: re.Pattern[str] | None
    future_regex: re.Pattern[str] | None
    strong_regex: re.Pattern[str] | None  # enough on its own where min_distinct asks for several
    exclude: re.Pattern[str] | None
    unless: tuple[str, ...]
    requires: tuple[str, ...]
    negatable: bool
    past: Mapping[str, tuple[Indicator, ...]]
    also: tuple[Indicator, ...]
    min_distinct: int


@dataclass(frozen=True)
class Lexicon:
    cues: Mapping[str, Cue]
    phrases: tuple[Phrases, ...]
    weekdays: Mapping[str, int]  # weekday name -> 0 (Monday) .. 6 (Sunday)
    weapon_words: re.Pattern[str]

    def cue(self, name: str) -> Cue:
        return self.cues[name]


def load_lexicon(directory: Path = PHRASES_DIR) -> Lexicon:
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise LexiconError(f"{directory}: no phrase files (*.yml)")
    documents = {path.name: _read(path) for path in files}

    raw_lists: dict[str, tuple[str, list[str]]] = {}
    for name, doc in documents.items():
        for list_name, items in (doc.get("lists") or {}).items():
            if list_name in raw_lists:
                raise LexiconError(f"{name}: list {{{list_name}}} is also defined in {raw_lists[list_name][0]}")
            if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
                raise LexiconError(f"{name}: list {{{list_name}}} must be a non-empty list of phrases")
            raw_lists[list_name] = (name, items)
    resolver = _ListResolver(raw_lists)

    cues: dict[str, Cue] = {}
    for name, doc in documents.items():
        for cue_name, spec in (doc.get("cues") or {}).items():
            where = f"{name}: cue {cue_name!r}"
            if cue_name in cues:
                raise LexiconError(f"{where} is defined twice")
            if not isinstance(spec, dict) or set(spec) - {"scope", "patterns", "reports"}:
                raise LexiconError(f"{where} needs 'scope' and 'patterns' (and optionally 'reports')")
            if spec.get("scope") not in CUE_SCOPES:
                raise LexiconError(f"{where}: scope must be one of {', '.join(CUE_SCOPES)}")
            reports = _indicator(spec["reports"], where) if "reports" in spec else None
            regex = _compile(spec.get("patterns"), resolver, where)
            if regex is None:
                raise LexiconError(f"{where} has no patterns")
            cues[cue_name] = Cue(cue_name, spec["scope"], regex, reports)
    for required in REQUIRED_CUES:
        if required not in cues:
            raise LexiconError(f"{directory}: the cue {required!r} is missing (the matcher needs it)")

    phrases: list[Phrases] = []
    seen: dict[Indicator, str] = {}
    for name, doc in documents.items():
        for key, spec in (doc.get("indicators") or {}).items():
            where = f"{name}: indicator {key!r}"
            indicator = _indicator(key, f"{name}: indicator")
            if indicator in seen:
                raise LexiconError(f"{where} is also defined in {seen[indicator]}")
            seen[indicator] = name
            phrases.append(_phrases(indicator, spec, name, where, resolver, cues))
    known = set(cues) | {str(i) for i in Indicator}
    for p in phrases:
        for needed in p.requires:
            if needed not in known:
                raise LexiconError(f"{p.source}: indicator {str(p.indicator)!r}: requires unknown {needed!r}")

    weekdays: dict[str, int] = {}
    for name, doc in documents.items():
        for day, number in (doc.get("weekdays") or {}).items():
            if not isinstance(number, int) or not 0 <= number <= 6:
                raise LexiconError(f"{name}: weekday {day!r} must map to 0 (Monday) .. 6 (Sunday)")
            weekdays[str(day)] = number
    if "weapon" not in raw_lists:
        raise LexiconError(f"{directory}: the list {{weapon}} is missing (form answers about weapons need it)")
    weapon_words = re.compile(compile_phrase("{weapon}", resolver))
    return Lexicon(cues, tuple(phrases), weekdays, weapon_words)


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise LexiconError(f"{path.name}: not valid YAML: {e}") from None
    if not isinstance(doc, dict) or set(doc) - {"lists", "cues", "indicators", "weekdays"}:
        raise LexiconError(f"{path.name}: expected a mapping with lists, cues, indicators or weekdays")
    return doc


def _indicator(name: object, where: str) -> Indicator:
    try:
        return Indicator(str(name))
    except ValueError:
        raise LexiconError(f"{where}: {name!r} is not an indicator of the vocabulary (model.Indicator)") from None


def _phrases(
    indicator: Indicator, spec: Any, source: str, where: str, resolver: _ListResolver, cues: Mapping[str, Cue]
) -> Phrases:
    if not isinstance(spec, dict):
        raise LexiconError(f"{where} must be a mapping")
    unknown = set(spec) - INDICATOR_KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    unless = tuple(spec.get("unless") or ())
    for cue in unless:
        if cue not in cues:
            raise LexiconError(f"{where}: unless names unknown cue {cue!r}")
    past: dict[str, tuple[Indicator, ...]] = {}
    for kind, replacement in (spec.get("past") or {}).items():
        if kind not in PAST_KINDS:
            raise LexiconError(f"{where}: past keys are {', '.join(PAST_KINDS)}, not {kind!r}")
        names = replacement if isinstance(replacement, list) else [replacement] if replacement else []
        past[kind] = tuple(_indicator(n, f"{where}: past.{kind}") for n in names)
    regex = _compile(spec.get("patterns"), resolver, where)
    future_regex = _compile(spec.get("future_only"), resolver, where + " future_only")
    strong_regex = _compile(spec.get("strong"), resolver, where + " strong")
    if regex is None and future_regex is None and strong_regex is None:
        raise LexiconError(f"{where} has no patterns")
    min_distinct = spec.get("min_distinct", 1)
    if not isinstance(min_distinct, int) or min_distinct < 1:
        raise LexiconError(f"{where}: min_distinct must be a positive whole number")
    return Phrases(
        indicator=indicator,
        source=source,
        regex=regex,
        future_regex=future_regex,
        strong_regex=strong_regex,
        exclude=_compile(spec.get("exclude"), resolver, where + " exclude"),
        unless=unless,
        requires=tuple(str(r) for r in spec.get("requires") or ()),
        negatable=bool(spec.get("negatable", True)),
        past=past,
        also=tuple(_indicator(n, f"{where}: also") for n in spec.get("also") or ()),
        min_distinct=min_distinct,
    )


def _compile(patterns: Any, resolver: _ListResolver, where: str) -> re.Pattern[str] | None:
    if patterns is None:
        return None
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise LexiconError(f"{where}: patterns must be a list of strings")
    parts = []
    for pattern in patterns:
        try:
            parts.append(compile_phrase(pattern, resolver))
        except PatternError as e:
            raise LexiconError(f"{where}: {e}") from None
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


class _ListResolver:
    """{name} -> the regular expression of the named list, compiled once, cycles refused."""

    def __init__(self, lists: Mapping[str, tuple[str, list[str]]]) -> None:
        self.lists = lists
        self.done: dict[str, str] = {}
        self.active: list[str] = []

    def __call__(self, name: str) -> str:
        if name in self.done:
            return self.done[name]
        if name not in self.lists:
            raise PatternError(f"unknown list {{{name}}}")
        if name in self.active:
            raise PatternError(f"list {{{name}}} refers to itself through {' -> '.join(self.active)}")
        self.active.append(name)
        try:
            # Longest phrases first, so "shoot up" wins over "shoot".
            items = sorted(self.lists[name][1], key=len, reverse=True)
            compiled = [_strip_bounds(compile_phrase(item, self)) for item in items]
        finally:
            self.active.pop()
        self.done[name] = "(?:" + "|".join(compiled) + ")"
        return self.done[name]


def _strip_bounds(regex: str) -> str:
    """A list item inside a pattern: the pattern's own boundaries apply, not the item's."""
    prefix, suffix = r"(?<!\w)(?<!\w')", r"(?!\w)"
    if regex.startswith(prefix) and regex.endswith(suffix):
        return regex[len(prefix) : -len(suffix)]
    return regex
