"""Conversation -> Assessment: indicators, then the category, then the urgency rules.

The resident's own words decide; the NLU's intent and the classifier's reading (classifier.py)
are inputs among several: a prior on the category among weak evidence, a reason for review when
they disagree with the text, and for the classifier a reason to raise urgency, never to lower it.
The phrase lists, rules and classifier weights are loaded and checked once, at start-up (`load`),
never at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from actions.triage.classifier import Classifier, Prediction, load_classifier
from actions.triage.explain import explain
from actions.triage.indicators import SCANNED_ANSWERS, Finding, find_indicators
from actions.triage.lexicon import Lexicon, load_lexicon
from actions.triage.model import Assessment, Category, Conversation, Indicator, Urgency
from actions.triage.rules import Rules, RulesError, load_rules

# Groups of rules.yml the assessment itself relies on.
NO_REPORT_GROUP = "no_report"
CONTEXT_GROUP = "context"


@dataclass(frozen=True)
class _Intent:
    category: Category
    confidence: float
    name: str


@dataclass(frozen=True)
class Triage:
    """The loaded phrase lists and rules; `assess` is pure and safe to call on every turn."""

    lexicon: Lexicon
    rules: Rules
    classifier: Classifier

    def assess(self, conversation: Conversation) -> Assessment:
        findings = find_indicators(conversation, self.lexicon)
        intent = self._report_intent(conversation)
        if self._says_emergency(conversation):
            findings.append(Finding(Indicator.REPORTED_AS_EMERGENCY, self.rules.nlu.emergency_intent, "nlu"))
        prediction = self.classifier.predict(_texts(conversation))
        findings += self._resembles(prediction)
        indicators = {f.indicator for f in findings}

        text_scores = self.rules.scores(indicators)
        category = self._choose(text_scores, intent, prediction)
        disputed = self._disputed(category, text_scores, prediction)
        if disputed is not None:
            findings.append(disputed)
            indicators.add(disputed.indicator)
        secondary = tuple(
            c
            for c in self.rules.category_order
            if c not in (category, Category.NOT_A_TIP) and text_scores[c] >= self.rules.decisive_score
        )
        outcome = self.rules.evaluate(indicators, category)

        review = [f"review:{r.id}" for r in outcome.review]
        if intent is not None and intent.category is not category and intent.confidence >= self._conflict:
            review.append("review:nlu_disagrees")
        if category is not Category.NOT_A_TIP and text_scores[category] < self.rules.decisive_score:
            review.append("review:weak_evidence")

        shown = self._shown(indicators, category)
        rules = (
            f"category:{category}",
            *(r.id for r in outcome.fired if r.urgency is not None),
            *review,
        )
        return Assessment(
            category=category,
            urgency=outcome.urgency,
            secondary_categories=secondary,
            indicators=tuple(i for i in Indicator if i in shown),
            needs_review=bool(review),
            explanation=explain(category, outcome, [f for f in findings if f.indicator in shown], self.rules, review),
            rules=rules,
        )

    @property
    def _conflict(self) -> float:
        return self.rules.nlu.conflict_confidence

    def _choose(
        self,
        text_scores: dict[Category, float],
        intent: _Intent | None,
        prediction: Prediction,
    ) -> Category:
        """Text first, and no tip is ever lost.

        Decisive text evidence decides (the first category in the order of who must act first).
        Any report evidence in the text keeps the tip a report, whatever else the conversation
        holds ("no", a question, a game mentioned earlier), and so does the NLU's report intent
        on text that says nothing either way. Only text with no report evidence at all can be
        not_a_tip; text that itself says "no report" (an idiom, a game, a question) always is.
        Among weak evidence the NLU's intent and the classifier's probabilities weigh in as priors.
        """
        reportable = [c for c in self.rules.category_order if c is not Category.NOT_A_TIP]
        for category in reportable:
            if text_scores[category] >= self.rules.decisive_score:
                return category
        has_report_evidence = any(text_scores[c] > 0 for c in reportable)
        if not has_report_evidence and text_scores[Category.NOT_A_TIP] > 0:
            return Category.NOT_A_TIP
        scores = dict(text_scores)
        if intent is not None:
            scores[intent.category] += self.rules.nlu.prior_weight * intent.confidence
            has_report_evidence = has_report_evidence or intent.category is not Category.NOT_A_TIP
        for c in self.rules.category_order:
            scores[c] += self.rules.classifier.prior_weight * prediction.category[str(c)]
        candidates = reportable if has_report_evidence else list(self.rules.category_order)
        best = max(candidates, key=lambda c: (scores[c], -candidates.index(c)))
        return best if scores[best] > 0 else Category.NOT_A_TIP

    def _resembles(self, prediction: Prediction) -> list[Finding]:
        """Urgency evidence from the classifier: only ever a reason to raise urgency."""
        policy = self.rules.classifier
        emergency = prediction.urgency[str(Urgency.EMERGENCY)]
        urgent = emergency + prediction.urgency[str(Urgency.URGENT)]
        if emergency >= policy.emergency:
            return [Finding(Indicator.RESEMBLES_EMERGENCY, f"p={emergency:.2f}", "classifier")]
        if urgent >= policy.urgent:
            return [Finding(Indicator.RESEMBLES_URGENT, f"p={urgent:.2f}", "classifier")]
        return []

    def _disputed(
        self, category: Category, text_scores: dict[Category, float], prediction: Prediction
    ) -> Finding | None:
        """The classifier is sure of another category than the one the text decided."""
        if category is Category.NOT_A_TIP or text_scores[category] < self.rules.decisive_score:
            return None
        other, p = prediction.best_category()
        if other == str(category) or p < self.rules.classifier.conflict:
            return None
        return Finding(Indicator.RESEMBLES_OTHER_CATEGORY, f"{other}, p={p:.2f}", "classifier")

    def _report_intent(self, conversation: Conversation) -> _Intent | None:
        """The NLU's most confident intent that names a category (a report beats small talk)."""
        candidates = [
            _Intent(self.rules.intents[m.intent], m.intent_confidence, m.intent)
            for m in conversation.messages
            if m.intent is not None
            and m.intent in self.rules.intents
            and m.intent_confidence >= self.rules.nlu.min_confidence
        ]
        if not candidates:
            return None
        reports = [c for c in candidates if c.category is not Category.NOT_A_TIP]
        return max(reports or candidates, key=lambda c: c.confidence)

    def _says_emergency(self, conversation: Conversation) -> bool:
        nlu = self.rules.nlu
        return any(
            m.intent == nlu.emergency_intent and m.intent_confidence >= nlu.emergency_confidence
            for m in conversation.messages
        )

    def _shown(self, indicators: set[Indicator], category: Category) -> set[Indicator]:
        """The indicators that describe this tip: no 'no report' signs on a report and the reverse."""
        no_report = self.rules.groups[NO_REPORT_GROUP]
        context = self.rules.groups[CONTEXT_GROUP]
        if category is Category.NOT_A_TIP:
            return indicators & (no_report | context)
        return indicators - no_report


def _texts(conversation: Conversation) -> list[str]:
    """What the classifier reads: the resident's messages and the form's written answers."""
    answers = [conversation.answers.get(key) for key in SCANNED_ANSWERS]
    return [m.text for m in conversation.messages] + [a for a in answers if isinstance(a, str)]


def load() -> Triage:
    """Load and check the phrase lists, rules and classifier; the error names the file at fault."""
    lexicon = load_lexicon()
    rules = load_rules()
    for group in (NO_REPORT_GROUP, CONTEXT_GROUP):
        if group not in rules.groups:
            raise RulesError(f"rules.yml: the group {group!r} is missing (the assessment needs it)")
    return Triage(lexicon, rules, load_classifier())


@cache
def default_triage() -> Triage:
    return load()


def assess(conversation: Conversation) -> Assessment:
    """The live bot's entry point: triage of the conversation so far."""
    return default_triage().assess(conversation)
