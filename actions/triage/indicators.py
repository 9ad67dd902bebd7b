"""Conversation -> findings: which indicators the resident's words and answers show, and where.

Each phrase match is checked against its context before it counts: negation before it in the
same clause ("he did NOT have a gun"), idioms it is part of ("this exam is killing me"), the
frame of its sentence (a game, a song, a novel), and tense (a past event already dealt with
becomes history, not imminence). The NLU's entities and intent add what text alone cannot.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta

from actions.triage.lexicon import Lexicon, Phrases
from actions.triage.model import Conversation, Indicator
from actions.triage.text import Text

# A negation cancels a match when at most this many words stand between them in one clause.
NEGATION_WINDOW_WORDS = 5
# Form answers whose text is scanned like a message, and how each is quoted.
SCANNED_ANSWERS = ("what", "who", "where", "when", "weapons", "target", "how_known", "hurt", "description", "safe")


@dataclass(frozen=True)
class Finding:
    indicator: Indicator
    evidence: str  # the words that showed it (normalised), for the explanation
    source: str  # "message 2", "answer when", "nlu"
    via: Indicator | None = None  # the phrases that produced it, when they belong to another indicator
    strong: bool = False  # from a phrase that suffices alone where several distinct ones are needed


@dataclass
class _Unit:
    """One piece of the resident's text: a message or a form answer."""

    text: Text
    source: str
    about_the_future: bool = False  # the 'when' answer says when it happens
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    sentences: dict[str, set[int]] = field(default_factory=dict)
    found: dict[Indicator, set[int]] = field(default_factory=dict)

    def has_cue(self, name: str, sentence: int | None = None) -> bool:
        if sentence is None:
            return bool(self.spans.get(name))
        return sentence in self.sentences.get(name, ())


def find_indicators(conversation: Conversation, lexicon: Lexicon) -> list[Finding]:
    pieces = [
        (UNIT_FINDINGS.of(text, about_the_future, lexicon), source)
        for text, source, about_the_future in _pieces(conversation, lexicon)
    ]
    # Phrases that require another indicator in their sentence run after the rest, over every piece.
    findings = [replace(f, source=source) for (first, _), source in pieces for f in first]
    findings += [replace(f, source=source) for (_, second), source in pieces for f in second]
    findings.extend(_answers(conversation, lexicon, findings))
    findings.extend(_weekdays(conversation, lexicon, findings))
    findings.extend(_entities(conversation, findings))
    return _enough_distinct(findings, lexicon)


def _pieces(conversation: Conversation, lexicon: Lexicon) -> Iterator[tuple[str, str, bool]]:
    """(text, source, about the future) of each message and scanned form answer."""
    for number, message in enumerate(conversation.messages, start=1):
        if message.text.strip():
            yield message.text, f"message {number}", False
    for key in SCANNED_ANSWERS:
        value = conversation.answers.get(key)
        if isinstance(value, str) and value.strip() and not _is_no_answer(value, lexicon):
            yield value, f"answer {key}", key == "when"


def _unit_findings(
    text: str, about_the_future: bool, lexicon: Lexicon
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The phrase findings of one piece of text alone (source left empty): the first pass, then the phrases
    that require another indicator in their sentence. Nothing in them depends on the other pieces."""
    unit = _Unit(Text.of(text), "", about_the_future=about_the_future)
    _mark_cues(unit, lexicon)
    first = tuple(f for p in lexicon.phrases if not _needs_indicators(p) for f in _match(p, unit, lexicon))
    second = tuple(f for p in lexicon.phrases if _needs_indicators(p) for f in _match(p, unit, lexicon))
    return first, second


class UnitFindings:
    """The findings of each piece of text, kept for the latest ones: the live bot triages the whole
    conversation again at every turn (twice in the report form), and only its newest message is new."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._lexicon: Lexicon | None = None
        self._kept: OrderedDict[tuple[str, bool], tuple[tuple[Finding, ...], tuple[Finding, ...]]] = OrderedDict()

    def of(
        self, text: str, about_the_future: bool, lexicon: Lexicon
    ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
        if lexicon is not self._lexicon:
            self.clear()
            self._lexicon = lexicon
        key = (text, about_the_future)
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = _unit_findings(text, about_the_future, lexicon)
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        return found

    def clear(self) -> None:
        self._kept.clear()


UNIT_FINDINGS = UnitFindings()


def _is_no_answer(value: str, lexicon: Lexicon) -> bool:
    return bool(lexicon.cue("no_answer").regex.fullmatch(Text.of(value).norm.strip(" .!?")))


def _mark_cues(unit: _Unit, lexicon: Lexicon) -> None:
    for name, cue in lexicon.cues.items():
        spans = [m.span() for m in cue.regex.finditer(unit.text.norm)]
        unit.spans[name] = spans
        unit.sentences[name] = {unit.text.sentence_at(start) for start, _ in spans}
    # "not sure", "no doubt", "didn't say when": negation words that negate nothing here.
    pseudo = unit.spans["negation_pseudo"]
    unit.spans["negation"] = [s for s in unit.spans["negation"] if not any(_overlap(s, p) for p in pseudo)]


_INDICATOR_NAMES = frozenset(str(i) for i in Indicator)


def _needs_indicators(p: Phrases) -> bool:
    return any(r in _INDICATOR_NAMES for r in p.requires)


def _match(p: Phrases, unit: _Unit, lexicon: Lexicon) -> Iterator[Finding]:
    norm = unit.text.norm
    excluded = [m.span() for m in p.exclude.finditer(norm)] if p.exclude else []
    kinds = ((p.regex, False, False), (p.future_regex, True, False), (p.strong_regex, False, True))
    for regex, future_only, strong in kinds:
        if regex is None:
            continue
        for m in regex.finditer(norm):
            sentence = unit.text.sentence_at(m.start())
            if future_only and not (
                unit.about_the_future or unit.has_cue("future", sentence) or unit.has_cue("progressive", sentence)
            ):
                continue
            if any(_overlap(m.span(), e) for e in excluded):
                continue
            cancelled_by = _cancelled_by(p, unit, m, sentence, lexicon)
            if cancelled_by is not None:
                reports = lexicon.cue(cancelled_by).reports
                if reports is not None:
                    yield Finding(reports, m.group(), unit.source)
                continue
            if p.negatable and _negated(unit, m.start(), sentence):
                continue
            if p.requires and not any(_present(unit, r, sentence) for r in p.requires):
                continue
            for indicator in _in_time(p, unit, sentence):
                unit.found.setdefault(indicator, set()).add(sentence)
                yield Finding(indicator, m.group(), unit.source, strong=strong)
                if indicator is p.indicator:
                    for extra in p.also:
                        unit.found.setdefault(extra, set()).add(sentence)
                        yield Finding(extra, m.group(), unit.source, via=p.indicator)


def _cancelled_by(p: Phrases, unit: _Unit, m: re.Match[str], sentence: int, lexicon: Lexicon) -> str | None:
    """The cue (idiom, game, song, ...) that makes this match not count, if any."""
    for name in p.unless:
        cue = lexicon.cue(name)
        if cue.scope == "span":
            if any(_overlap(m.span(), s) for s in unit.spans[name]):
                return name
        elif cue.scope == "sentence":
            if unit.has_cue(name, sentence) and not unit.has_cue("serious", sentence):
                return name
        elif unit.has_cue(name) and not unit.has_cue("serious"):
            return name
    return None


def _negated(unit: _Unit, start: int, sentence: int) -> bool:
    begin = unit.text.sentence_starts[sentence]
    for neg_start, neg_end in unit.spans["negation"]:
        if neg_start < begin or neg_end > start:
            continue
        between = unit.text.norm[neg_end:start]
        if len(between.split()) > NEGATION_WINDOW_WORDS:
            continue
        if any(neg_end <= s < start for s, _ in unit.spans["negation_end"]):
            continue
        return True
    return False


def _present(unit: _Unit, name: str, sentence: int) -> bool:
    if name in unit.spans:
        return unit.has_cue(name, sentence)
    return sentence in unit.found.get(Indicator(name), ())


def _in_time(p: Phrases, unit: _Unit, sentence: int) -> tuple[Indicator, ...]:
    """What the match means given the time of its sentence: a past event is history."""
    if not p.past or unit.has_cue("future", sentence) or unit.about_the_future:
        return (p.indicator,)
    if "remote" in p.past and unit.has_cue("remote_past", sentence):
        return p.past["remote"]
    in_the_past = unit.has_cue("remote_past", sentence) or unit.has_cue("recent_past", sentence)
    if "resolved" in p.past and unit.has_cue("resolved") and in_the_past:
        return (*p.past["resolved"], Indicator.PAST_RESOLVED)
    if "recent" in p.past and unit.has_cue("recent_past", sentence):
        return p.past["recent"]
    return (p.indicator,)


def _answers(conversation: Conversation, lexicon: Lexicon, found: list[Finding]) -> Iterator[Finding]:
    """What the report form's answers say beyond their words."""
    answers = conversation.answers
    if answers.get("happening_now") is True:
        yield Finding(Indicator.IN_PROGRESS, "happening now: yes", "answer happening_now")
    # Asked, not guessed (triage.md): the resident's own answer to the imminence question.
    imminent = answers.get("imminent")
    if imminent == "yes":
        yield Finding(Indicator.IMMINENCE_CONFIRMED, "hurt today or tomorrow: yes", "answer imminent")
    elif imminent == "not_sure":
        yield Finding(Indicator.IMMINENCE_UNSURE, "hurt today or tomorrow: not sure", "answer imminent")
    weapons = answers.get("weapons")
    if isinstance(weapons, str) and not _is_no_answer(weapons, lexicon):
        norm = Text.of(weapons).norm
        mention = lexicon.weapon_words.search(norm)
        already = {f.indicator for f in found if f.source == "answer weapons"}
        if mention and not already & {Indicator.WEAPON_PRESENT, Indicator.WEAPON_ACCESS}:
            yield Finding(Indicator.WEAPON_ACCESS, norm, "answer weapons")
    target = answers.get("target")
    if isinstance(target, str) and target.strip() and not _is_no_answer(target, lexicon):
        yield Finding(Indicator.SPECIFIC_TARGET, Text.of(target).norm, "answer target")


def _weekdays(conversation: Conversation, lexicon: Lexicon, found: list[Finding]) -> Iterator[Finding]:
    """A weekday that is today or tomorrow at the time of the report is within 24 hours."""
    when = conversation.reported_at
    if when is None:
        return
    soon = {when.weekday(), (when + timedelta(days=1)).weekday()}
    for f in found:
        if f.indicator is not Indicator.TIMEFRAME_DAYS:
            continue
        words = f.evidence.split()
        if any(lexicon.cue("next").regex.fullmatch(w) for w in words):
            continue
        if any(lexicon.weekdays.get(w) in soon for w in words):
            yield Finding(Indicator.TIMEFRAME_24H, f"{f.evidence} (reported on {when:%A})", f.source)


def _entities(conversation: Conversation, found: list[Finding]) -> Iterator[Finding]:
    """A named person in a message that carries a threat is the threat's target."""
    threats = {Indicator.INTENT_STATED, Indicator.VEILED_THREAT}
    threatening = {f.source for f in found if f.indicator in threats}
    for number, message in enumerate(conversation.messages, start=1):
        if f"message {number}" not in threatening:
            continue
        for entity in message.entities:
            if entity.entity == "person" and entity.value.strip():
                yield Finding(Indicator.SPECIFIC_TARGET, entity.value, "nlu")
                return


def _enough_distinct(findings: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """Drop indicators that need several distinct phrases (bomb precursors) and have fewer."""
    minimum = {p.indicator: p.min_distinct for p in lexicon.phrases if p.min_distinct > 1}
    if not minimum:
        return findings
    distinct: dict[Indicator, set[str]] = {}
    strong = {f.indicator for f in findings if f.strong}
    for f in findings:
        if f.indicator in minimum and f.via is None:
            distinct.setdefault(f.indicator, set()).add(f.evidence)
    short = {i for i, n in minimum.items() if len(distinct.get(i, ())) < n and i not in strong}
    return [f for f in findings if f.indicator not in short and f.via not in short]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def indicators_of(findings: Iterable[Finding]) -> set[Indicator]:
    return {f.indicator for f in findings}
