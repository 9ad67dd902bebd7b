"""Conversation -> Assessment: the trained model decides, the rules guard and explain.

The text model (textmodel.py, trained on every labelled tip in the repository except the blind
held-out set) gives the category and the urgency. The indicators found by the phrase lists
explain the result and may only raise urgency (rules.yml: a weapon at hand, shots fired, pills
taken, a time within 24 hours...); nothing rule-based lowers what the model says. A p(emergency)
in the uncertain band around the threshold asks a person to look, with the probability in the
explanation. The NLU's intent is a small prior on the category and a reason for review.
The phrase lists, rules and model are loaded and checked once, at start-up (`load`), never at
import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from actions.triage.explain import explain
from actions.triage.indicators import SCANNED_ANSWERS, Finding, find_indicators
from actions.triage.lexicon import Lexicon, load_lexicon
from actions.triage.model import Assessment, Category, Conversation, Indicator, Message, Urgency
from actions.triage.rules import Has, Rules, RulesError, load_rules
from actions.triage.text import Text
from actions.triage.textmodel import Prediction, TextModel, load_text_model

# Groups of rules.yml the assessment itself relies on.
NO_REPORT_GROUP = "no_report"
CONTEXT_GROUP = "context"
SELF_HARM_GROUP = "self_harm_signal"
# The resident says it is not about suicide (matched on the normalised text). What they wrote
# before no longer counts as self-harm evidence, except words about someone else at risk.
NOT_SELF_HARM = re.compile(
    r"\b(i am not|i was not|not|nobody is|no one is) (suicidal|talking about suicide|about suicide)\b"
    r"|\bi (do not|did not) (want|mean) to (kill|hurt) myself\b|\bnot what i (meant|mean|said)\b"
    r"|\bi did not mean (it )?(like that|literally)\b|\bno (soy|estoy) suicida\b"
    r"|\bno (me quiero|quiero|pienso) (matar|matarme|suicidar|suicidarme|hacer dano)\b"
    r"|^\W*no,? no es eso\b|^\W*no es eso\b|\bno (es|era) (sobre|de) (eso|suicidio)\b"
    r"|\bno (quise|queria) decir eso\b|\bno me referia a eso\b"
)
ALONE_KEPT = 4096
SOMEONE_ELSE = re.compile(
    r"\b(he|she|they|him|her|his|them|himself|herself|themselves|se|matarse|suicidarse|quitarse)\b"
)
# The rules through which the model's urgency acts: they must hold on the model's word alone.
MODEL_RULES = {"resembles_emergency": Indicator.RESEMBLES_EMERGENCY, "resembles_urgent": Indicator.RESEMBLES_URGENT}
MODEL = "model"  # the source of the model's findings


@dataclass(frozen=True)
class _Intent:
    category: Category
    confidence: float
    name: str


@dataclass(frozen=True)
class Triage:
    """The loaded phrase lists, rules and model; `assess` is pure and safe to call on every turn."""

    lexicon: Lexicon
    rules: Rules
    model: TextModel
    _alone: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def assess(self, conversation: Conversation) -> Assessment:
        findings = find_indicators(conversation, self.lexicon)
        intent = self._report_intent(conversation)
        if self._says_emergency(conversation):
            findings.append(Finding(Indicator.REPORTED_AS_EMERGENCY, self.rules.nlu.emergency_intent, "nlu"))
        prediction = self.model.predict(_texts(conversation), {str(f.indicator) for f in findings})
        indicators = {f.indicator for f in findings}
        text_scores = self.rules.scores(indicators)

        # Read only where self-harm could be chosen: it may cost a model reading per message.
        found = list(findings)
        signal = cache(lambda: self.self_harm_signal(conversation, found))
        category = self._choose(text_scores, intent, prediction, signal)
        findings += self._resembles(prediction, category)
        disputed = self._disputed(category, text_scores, prediction)
        if disputed is not None:
            findings.append(disputed)
        indicators = {f.indicator for f in findings}
        secondary = tuple(
            c
            for c in self.rules.category_order
            if c not in (category, Category.NOT_A_TIP)
            and text_scores[c] >= self.rules.decisive_score
            and (c is not Category.SELF_HARM or signal())
        )
        outcome = self.rules.evaluate(indicators, category)
        guarded = False
        if category is Category.NOT_A_TIP:
            # A guard, not a gate: explicit danger in the text that a rule makes an emergency
            # (a weapon at hand, shots fired, pills taken...) keeps the tip a report, reviewed.
            reportable = [
                c
                for c in self.rules.category_order
                if c is not Category.NOT_A_TIP and (c is not Category.SELF_HARM or signal())
            ]
            candidate = max(reportable, key=lambda c: (text_scores[c], -reportable.index(c)))
            if text_scores[candidate] > 0:
                raised = self.rules.evaluate(indicators, candidate)
                if raised.urgency is Urgency.EMERGENCY:
                    category, outcome, guarded = candidate, raised, True
                    secondary = tuple(c for c in secondary if c is not category)

        review = [f"review:{r.id}" for r in outcome.review]
        if guarded:
            review.append("review:model_says_no_report")
        band = self.model.thresholds
        if category is not Category.NOT_A_TIP and band.review_low <= prediction.emergency < band.review_high:
            review.append("review:uncertain_emergency")
        if intent is not None and intent.category is not category and intent.confidence >= self._conflict:
            review.append("review:nlu_disagrees")
        if (
            category is not Category.NOT_A_TIP
            and prediction.category[str(category)] < self.rules.model.sure_category
            and text_scores[category] < self.rules.decisive_score
        ):
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
            explanation=explain(
                category, outcome, [f for f in findings if f.indicator in shown], self.rules, review, prediction
            ),
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
        self_harm: Callable[[], bool],
    ) -> Category:
        """The model's category, with the NLU's intent as a small prior, and the contract's guards.

        `self_harm` only where the resident's words show it (`self_harm()`, the self_harm_signal,
        asked only when self-harm would be chosen): never on the NLU's intent alone, nor on the
        whole conversation's reading tipped by a reply with no sign.

        An emergency by the model's reading is a report (its likeliest reporting category). One
        category per tip, the team that must act first (triage.md): where the text shows both the
        model's category and one that comes first decisively ("he will kill my mom and then
        himself"), the first one is the category and the other is secondary.
        """
        scores = {c: prediction.category[str(c)] for c in self.rules.category_order}
        if intent is not None:
            scores[intent.category] += self.rules.nlu.prior_weight * intent.confidence
        order = list(self.rules.category_order)

        def allowed(c: Category) -> bool:
            return c is not Category.SELF_HARM or self_harm()

        ranked = sorted(order, key=lambda c: (-scores[c], order.index(c)))
        best = next(c for c in ranked if allowed(c))
        if best is Category.NOT_A_TIP:
            if prediction.emergency < self.model.thresholds.emergency:
                return best
            best = next(c for c in ranked if c is not Category.NOT_A_TIP and allowed(c))
        if text_scores[best] >= self.rules.decisive_score:
            for c in order[: order.index(best)]:
                if text_scores[c] >= self.rules.decisive_score and allowed(c):
                    return c
        return best

    def self_harm_signal(self, conversation: Conversation, findings: list[Finding] | None = None) -> bool:
        """Whether the resident's words show someone at risk of suicide or self-harm.

        A sign of the phrase lists (self_harm_signal in rules.yml: negation, idioms and games
        respected, so "dead tired" or "me muero de risa" are none), or one message that the model,
        reading it alone, takes for self-harm (indirect wording the lists miss), unless it is a
        short reply or question ("i dont know", "qué hago": rules.yml, nlu.reply_intents). After "I'm not
        suicidal" or "that's not what I meant", what came before that message counts only where it
        speaks of someone else at risk ("she cuts herself, she's not suicidal" still counts).
        """
        if findings is None:
            findings = find_indicators(conversation, self.lexicon)
        denied = max(
            (n for n, m in enumerate(conversation.messages, start=1) if NOT_SELF_HARM.search(Text.of(m.text).norm)),
            default=0,
        )
        signs = self.rules.groups[SELF_HARM_GROUP]
        for f in findings:
            if f.indicator not in signs:
                continue
            number = int(f.source.split()[1]) if f.source.startswith("message ") else 0
            if number >= denied or SOMEONE_ELSE.search(f.evidence):
                return True
        model = self.rules.model
        return any(
            self._reads_as_self_harm(m.text, model.self_harm_alone if n == 0 else model.self_harm_alone_later)
            for n, m in enumerate(conversation.messages)
            if n >= denied - 1 and not self._is_a_reply(m)
        )

    def _is_a_reply(self, message: Message) -> bool:
        nlu = self.rules.nlu
        return (
            message.intent in nlu.reply_intents
            and message.intent_confidence >= nlu.min_confidence
            and len(message.text.split()) < nlu.reply_words
        )

    def forget_readings(self) -> None:
        """Forget the kept readings of single messages (for timing a triage from cold)."""
        self._alone.clear()

    def _reads_as_self_harm(self, text: str, at_least: float) -> bool:
        """The model's reading of one message alone, with its own phrase findings (no NLU), shows
        self-harm with p(self_harm) >= at_least; kept, since the live bot triages the whole
        conversation again at every turn."""
        if text not in self._alone:
            alone = Conversation(id="", messages=(Message(text=text),))
            findings = {str(f.indicator) for f in find_indicators(alone, self.lexicon)}
            category = self.model.predict([text], findings).category
            order = list(self.rules.category_order)
            if len(self._alone) > ALONE_KEPT:
                self._alone.clear()
            likeliest = max(order, key=lambda c: (category[str(c)], -order.index(c)))
            self._alone[text] = category[str(Category.SELF_HARM)] if likeliest is Category.SELF_HARM else 0.0
        return self._alone[text] >= at_least

    def _resembles(self, prediction: Prediction, category: Category) -> list[Finding]:
        """The model's urgency as indicators; rules.yml turns them into urgency, unconditionally."""
        if category is Category.NOT_A_TIP:
            return []
        emergency = prediction.emergency
        if emergency >= self.model.thresholds.emergency:
            return [Finding(Indicator.RESEMBLES_EMERGENCY, f"p={emergency:.2f}", MODEL)]
        urgent = emergency + prediction.urgency[str(Urgency.URGENT)]
        low = self.model.thresholds.review_low
        if emergency >= low or urgent >= self.rules.model.urgent:
            # an uncertain emergency is at least urgent: escalate on doubt
            return [Finding(Indicator.RESEMBLES_URGENT, f"p={urgent:.2f}", MODEL)]
        return []

    def _disputed(
        self, category: Category, text_scores: dict[Category, float], prediction: Prediction
    ) -> Finding | None:
        """The phrase lists find decisive evidence of another category than the model's (first in order)."""
        if category is Category.NOT_A_TIP or text_scores[category] >= self.rules.decisive_score:
            return None
        for other in self.rules.category_order:
            if other is not Category.NOT_A_TIP and text_scores[other] >= self.rules.decisive_score:
                p = prediction.category[str(category)]
                return Finding(
                    Indicator.RESEMBLES_OTHER_CATEGORY, f"{other} by its words; model {category} p={p:.2f}", MODEL
                )
        return None

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
    """What the model reads: the resident's messages and the form's written answers."""
    answers = [conversation.answers.get(key) for key in SCANNED_ANSWERS]
    return [m.text for m in conversation.messages] + [a for a in answers if isinstance(a, str)]


def load() -> Triage:
    """Load and check the phrase lists, rules and model; the error names the file at fault."""
    lexicon = load_lexicon()
    rules = load_rules()
    for group in (NO_REPORT_GROUP, CONTEXT_GROUP, SELF_HARM_GROUP):
        if group not in rules.groups:
            raise RulesError(f"rules.yml: the group {group!r} is missing (the assessment needs it)")
    check_model_rules(rules)
    return Triage(lexicon, rules, load_text_model())


def check_model_rules(rules: Rules) -> None:
    """The model's urgency acts through rules that no other indicator can switch off."""
    for rule_id, indicator in MODEL_RULES.items():
        rule = next((r for r in rules.rules if r.id == rule_id), None)
        if rule is None or rule.condition != Has(indicator) or rule.urgency is None:
            raise RulesError(
                f"rules.yml: rule {rule_id!r} must raise urgency on {indicator} alone (nothing lowers the model)"
            )


@cache
def default_triage() -> Triage:
    return load()


def assess(conversation: Conversation) -> Assessment:
    """The live bot's entry point: triage of the conversation so far."""
    return default_triage().assess(conversation)


def self_harm_signal(conversation: Conversation) -> bool:
    """The live bot's gate for the 988 message and the crisis wording (Triage.self_harm_signal)."""
    return default_triage().self_harm_signal(conversation)
