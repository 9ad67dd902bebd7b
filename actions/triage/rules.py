"""The small interpreter over actions/triage/rules.yml: category evidence and urgency rules.

rules.yml is data a reviewer can audit: which indicators point at which category and how
strongly, and rules with an id, conditions over indicators (all / any / not, named groups,
category), an effect (raise urgency, ask for review) and a `why` sentence. Safety is structural:
urgency is only ever raised, never lowered, and every rule that fired is returned by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.triage.errors import TriageDataError
from actions.triage.model import Category, Indicator, Urgency

RULES_FILE = Path(__file__).parent / "rules.yml"
TOP_LEVEL_KEYS = frozenset(
    {"groups", "evidence", "decisive_score", "category_order", "intents", "nlu", "model", "rules"}
)
NLU_KEYS = frozenset(
    {
        "prior_weight",
        "min_confidence",
        "conflict_confidence",
        "emergency_intent",
        "emergency_confidence",
        "reply_intents",
        "reply_words",
    }
)
MODEL_KEYS = frozenset({"urgent", "sure_category", "self_harm_alone", "self_harm_alone_later"})


class RulesError(TriageDataError):
    """rules.yml is invalid; the message names the file and the rule."""


@dataclass(frozen=True)
class Has:
    indicator: Indicator


@dataclass(frozen=True)
class InGroup:
    group: str


@dataclass(frozen=True)
class IsCategory:
    categories: frozenset[Category]


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


# A condition, checked at load: an indicator, a group, a category, or all / any / not of others.
Condition = Has | InGroup | IsCategory | All | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    id: str
    condition: Condition
    why: str
    urgency: Urgency | None = None
    needs_review: bool = False


@dataclass(frozen=True)
class NluPolicy:
    prior_weight: float  # an intent's category gets this many points times its confidence
    min_confidence: float  # below this an intent says nothing
    conflict_confidence: float  # an intent this sure that disagrees with the text asks for review
    emergency_intent: str
    emergency_confidence: float
    reply_intents: frozenset[str]  # a reply or a question, not a report ("i dont know", "qué hago")
    reply_words: int  # a message this long or longer is never taken for a mere reply


@dataclass(frozen=True)
class ModelPolicy:
    """How the text model's probabilities count besides its thresholds (textmodel.json)."""

    urgent: float  # p(urgent or emergency) at or above this: resembles_urgent
    sure_category: float  # the model's category below this, with little text evidence: review
    self_harm_alone: float  # one message read alone shows self-harm at this p(self_harm) or more
    self_harm_alone_later: float  # the same for a message after the conversation's first


@dataclass(frozen=True)
class Outcome:
    urgency: Urgency
    fired: tuple[Rule, ...]  # in file order; the ones that set urgency or asked for review

    @property
    def review(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.fired if r.needs_review)


@dataclass(frozen=True)
class Rules:
    groups: Mapping[str, frozenset[Indicator]]
    evidence: Mapping[Category, Mapping[Indicator, float]]
    decisive_score: float
    category_order: tuple[Category, ...]
    intents: Mapping[str, Category]
    nlu: NluPolicy
    model: ModelPolicy
    rules: tuple[Rule, ...]

    def scores(self, indicators: set[Indicator]) -> dict[Category, float]:
        return {
            category: sum(w for i, w in weights.items() if i in indicators)
            for category, weights in self.evidence.items()
        }

    def evaluate(self, indicators: set[Indicator], category: Category) -> Outcome:
        """Apply every rule; urgency starts at routine for a tip and is only ever raised."""
        if category is Category.NOT_A_TIP:
            return Outcome(Urgency.NONE, ())
        matched = [r for r in self.rules if self._holds(r.condition, indicators, category)]
        urgency = max([Urgency.ROUTINE, *(r.urgency for r in matched if r.urgency is not None)], key=lambda u: u.rank)
        # The rules that account for the final urgency, and every request for review.
        return Outcome(urgency, tuple(r for r in matched if r.needs_review or r.urgency is urgency))

    def _holds(self, condition: Condition, indicators: set[Indicator], category: Category) -> bool:
        match condition:
            case Has(indicator):
                return indicator in indicators
            case InGroup(group):
                return bool(self.groups[group] & indicators)
            case IsCategory(categories):
                return category in categories
            case All(parts):
                return all(self._holds(c, indicators, category) for c in parts)
            case AnyOf(parts):
                return any(self._holds(c, indicators, category) for c in parts)
            case Not(part):
                return not self._holds(part, indicators, category)

    def named_in(self, condition: Condition) -> set[Indicator]:
        """The indicators a condition asks for (not those it excludes), for explanations."""
        match condition:
            case Has(indicator):
                return {indicator}
            case InGroup(group):
                return set(self.groups[group])
            case All(parts) | AnyOf(parts):
                return {i for c in parts for i in self.named_in(c)}
            case _:
                return set()


def load_rules(path: Path = RULES_FILE) -> Rules:
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"{name}: cannot be read: {e}") from None
    if not isinstance(doc, dict):
        raise RulesError(f"{name}: expected a mapping")
    unknown = set(doc) - TOP_LEVEL_KEYS
    if unknown:
        raise RulesError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}")

    groups: dict[str, frozenset[Indicator]] = {}
    for group, members in (doc.get("groups") or {}).items():
        where = f"{name}: group {group!r}"
        if group in {str(i) for i in Indicator}:
            raise RulesError(f"{where} has the name of an indicator")
        if not isinstance(members, list) or not members:
            raise RulesError(f"{where} must list indicators or earlier groups")
        collected: set[Indicator] = set()
        for member in members:
            if member in groups:
                collected |= groups[member]
            else:
                collected.add(_indicator(member, where))
        groups[group] = frozenset(collected)

    evidence: dict[Category, dict[Indicator, float]] = {}
    for category_name, weights in (doc.get("evidence") or {}).items():
        where = f"{name}: evidence for {category_name!r}"
        category = _category(category_name, where)
        if not isinstance(weights, dict):
            raise RulesError(f"{where} must map indicators to weights")
        evidence[category] = {}
        for indicator_name, weight in weights.items():
            if not isinstance(weight, int | float) or weight <= 0:
                raise RulesError(f"{where}: weight of {indicator_name!r} must be a positive number")
            evidence[category][_indicator(indicator_name, where)] = float(weight)
    missing = set(Category) - set(evidence)
    if missing:
        raise RulesError(f"{name}: evidence is missing for {', '.join(sorted(missing))}")

    order = tuple(_category(c, f"{name}: category_order") for c in doc.get("category_order") or ())
    if sorted(order) != sorted(Category):
        raise RulesError(f"{name}: category_order must list every category exactly once")
    if order[-1] is not Category.NOT_A_TIP:
        raise RulesError(f"{name}: category_order must end with not_a_tip (any report comes first)")

    intents = {
        str(intent): _category(category, f"{name}: intents.{intent}")
        for intent, category in (doc.get("intents") or {}).items()
    }
    nlu_doc = doc.get("nlu") or {}
    if not isinstance(nlu_doc, dict) or set(nlu_doc) != NLU_KEYS:
        raise RulesError(f"{name}: nlu needs exactly {', '.join(sorted(NLU_KEYS))}")
    nlu = NluPolicy(
        prior_weight=_number(nlu_doc["prior_weight"], f"{name}: nlu.prior_weight"),
        min_confidence=_number(nlu_doc["min_confidence"], f"{name}: nlu.min_confidence"),
        conflict_confidence=_number(nlu_doc["conflict_confidence"], f"{name}: nlu.conflict_confidence"),
        emergency_intent=str(nlu_doc["emergency_intent"]),
        emergency_confidence=_number(nlu_doc["emergency_confidence"], f"{name}: nlu.emergency_confidence"),
        reply_intents=_names(nlu_doc["reply_intents"], f"{name}: nlu.reply_intents"),
        reply_words=int(_number(nlu_doc["reply_words"], f"{name}: nlu.reply_words")),
    )
    reporting = sorted(i for i, c in intents.items() if c is not Category.NOT_A_TIP and i in nlu.reply_intents)
    if reporting:
        raise RulesError(f"{name}: nlu.reply_intents names a reporting intent: {', '.join(reporting)}")

    model_doc = doc.get("model") or {}
    if not isinstance(model_doc, dict) or set(model_doc) != MODEL_KEYS:
        raise RulesError(f"{name}: model needs exactly {', '.join(sorted(MODEL_KEYS))}")
    model = ModelPolicy(**{k: _number(model_doc[k], f"{name}: model.{k}") for k in sorted(MODEL_KEYS)})
    for k in sorted(MODEL_KEYS):
        if not 0 < getattr(model, k) <= 1:
            raise RulesError(f"{name}: model.{k} is a probability (above 0, at most 1)")

    rules: list[Rule] = []
    seen: set[str] = set()
    for number, raw in enumerate(doc.get("rules") or [], start=1):
        rule = _rule(raw, f"{name}: rule {number}", groups)
        if rule.id in seen:
            raise RulesError(f"{name}: rule {rule.id!r} is defined twice")
        seen.add(rule.id)
        rules.append(rule)
    return Rules(
        groups=groups,
        evidence=evidence,
        decisive_score=_number(doc.get("decisive_score"), f"{name}: decisive_score"),
        category_order=order,
        intents=intents,
        nlu=nlu,
        model=model,
        rules=tuple(rules),
    )


def _rule(raw: Any, where: str, groups: Mapping[str, frozenset[Indicator]]) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise RulesError(f"{where} needs an id")
    where = f"{where.rsplit(':', 1)[0]}: rule {raw['id']!r}"
    unknown = set(raw) - {"id", "if", "then", "why"}
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(raw.get("why"), str) or not raw["why"].strip():
        raise RulesError(f"{where} needs a 'why' sentence for the explanation")
    then = raw.get("then")
    if not isinstance(then, dict) or not then or set(then) - {"urgency", "needs_review"}:
        raise RulesError(f"{where}: 'then' must raise urgency and/or set needs_review")
    urgency = None
    if "urgency" in then:
        try:
            urgency = Urgency(then["urgency"])
        except ValueError:
            raise RulesError(f"{where}: {then['urgency']!r} is not an urgency") from None
        if urgency.rank <= Urgency.ROUTINE.rank:
            raise RulesError(f"{where}: rules only raise urgency (to urgent or emergency)")
    if "needs_review" in then and then["needs_review"] is not True:
        raise RulesError(f"{where}: needs_review can only be set to true")
    return Rule(
        id=raw["id"],
        condition=_condition(raw.get("if"), where, groups),
        why=raw["why"].strip(),
        urgency=urgency,
        needs_review=then.get("needs_review") is True,
    )


def _condition(raw: Any, where: str, groups: Mapping[str, frozenset[Indicator]]) -> Condition:
    if isinstance(raw, str):
        return InGroup(raw) if raw in groups else Has(_indicator(raw, where))
    if isinstance(raw, dict) and len(raw) == 1:
        ((kind, value),) = raw.items()
        if kind in ("all", "any") and isinstance(value, list) and value:
            parts = tuple(_condition(v, where, groups) for v in value)
            return All(parts) if kind == "all" else AnyOf(parts)
        if kind == "not":
            return Not(_condition(value, where, groups))
        if kind == "category":
            names = value if isinstance(value, list) else [value]
            return IsCategory(frozenset(_category(n, where) for n in names))
    raise RulesError(f"{where}: a condition is an indicator, a group, or one of all / any / not / category")


def _indicator(name: Any, where: str) -> Indicator:
    try:
        return Indicator(str(name))
    except ValueError:
        raise RulesError(f"{where}: unknown indicator or group {name!r}") from None


def _category(name: Any, where: str) -> Category:
    try:
        return Category(str(name))
    except ValueError:
        raise RulesError(f"{where}: unknown category {name!r}") from None


def _names(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesError(f"{where} must be a list of intent names")
    return frozenset(value)


def _number(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise RulesError(f"{where} must be a number")
    return float(value)
