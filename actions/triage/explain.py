"""One or two plain sentences a dispatcher can read in five seconds."""

from __future__ import annotations

from collections.abc import Sequence

from actions.triage.indicators import Finding
from actions.triage.model import Category, Indicator
from actions.triage.rules import Outcome, Rules
from actions.triage.textmodel import Prediction

CATEGORY_TITLES = {
    Category.THREAT_TO_OTHERS: "Threat to others",
    Category.SELF_HARM: "Suicide or self-harm risk",
    Category.GUN_DIVERSION: "Gun diversion",
    Category.SITE_SURVEILLANCE: "Site surveillance",
    Category.WELLNESS_CONCERN: "Wellness concern",
    Category.OTHER_SUSPICIOUS: "Other suspicious activity",
    Category.NOT_A_TIP: "Not a tip",
}

ROUTINE_WHY = "No plan, time or means named: for the assessment queue."

# How each indicator reads in an explanation (docs/triage.md describes them in full).
LABELS: dict[Indicator, str] = {
    Indicator.IN_PROGRESS: "happening now",
    Indicator.TIMEFRAME_24H: "time within 24 hours",
    Indicator.TIMEFRAME_DAYS: "date in the coming days",
    Indicator.HELP_REQUESTED_NOW: "asks for help now",
    Indicator.IMMINENCE_CONFIRMED: "says someone could be hurt today or tomorrow",
    Indicator.IMMINENCE_UNSURE: "not sure whether someone could be hurt today or tomorrow",
    Indicator.REPORTED_AS_EMERGENCY: "reported as an emergency",
    Indicator.RESEMBLES_EMERGENCY: "reads as an emergency to the model",
    Indicator.RESEMBLES_URGENT: "reads as urgent to the model",
    Indicator.RESEMBLES_OTHER_CATEGORY: "phrases of another category",
    Indicator.INTENT_STATED: "stated intent to harm",
    Indicator.VEILED_THREAT: "veiled threat",
    Indicator.VIOLENT_TALK: "violent talk",
    Indicator.VIOLENCE_IN_PROGRESS: "violence under way",
    Indicator.SHOTS_FIRED: "shots fired",
    Indicator.WEAPON_PRESENT: "weapon present",
    Indicator.WEAPON_ACCESS: "access to weapons",
    Indicator.RECENT_ACQUISITION: "recently acquired weapons or gear",
    Indicator.PLAN: "plan or target list",
    Indicator.SPECIFIC_TARGET: "specific target",
    Indicator.TARGET_SCHOOL: "aims at a school",
    Indicator.TARGET_WORKPLACE: "aims at a workplace",
    Indicator.TARGET_EVENT: "aims at an event",
    Indicator.TARGET_PLACE_OF_WORSHIP: "aims at a place of worship",
    Indicator.MASS_CASUALTY: "aims at many people",
    Indicator.IDEOLOGICAL_MOTIVE: "ideological or hate motive",
    Indicator.LEAKAGE: "told others or posted",
    Indicator.WARNED_OTHERS: "warned people to stay away",
    Indicator.FIXATION_PAST_ATTACKS: "fixation on past attacks",
    Indicator.GRIEVANCE: "grievance or revenge",
    Indicator.PAST_INCIDENT: "past incident",
    Indicator.JOKE_CLAIMED: "called a joke",
    Indicator.CSSRS_WISH_DEAD: "wish to be dead",
    Indicator.CSSRS_SUICIDAL_THOUGHTS: "suicidal thoughts",
    Indicator.CSSRS_METHOD: "thought of a method",
    Indicator.CSSRS_INTENT: "intent to act",
    Indicator.CSSRS_PLAN: "suicide plan",
    Indicator.CSSRS_BEHAVIOR: "recent suicidal behaviour",
    Indicator.ATTEMPT_IN_PROGRESS: "attempt under way",
    Indicator.PAST_ATTEMPT: "earlier attempt",
    Indicator.GOODBYE_MESSAGE: "goodbye message",
    Indicator.GIVING_AWAY_POSSESSIONS: "giving things away",
    Indicator.SELF_INJURY: "self-injury",
    Indicator.HOPELESSNESS: "hopelessness",
    Indicator.UNREACHABLE: "cannot be reached",
    Indicator.STRAW_PURCHASE: "buying for someone else",
    Indicator.FAILED_BACKGROUND_CHECK: "failed background check",
    Indicator.PROHIBITED_PERSON: "prohibited person",
    Indicator.PROTECTIVE_ORDER: "protective order or domestic violence",
    Indicator.MENTAL_HEALTH_COMMITMENT: "involuntary commitment",
    Indicator.GUN_ACQUISITION_ATTEMPT: "trying to get a gun",
    Indicator.BULK_CASH_PURCHASE: "bulk or cash purchase",
    Indicator.FIREARM_TRAFFICKING: "gun trafficking",
    Indicator.UNTRACEABLE_GUN: "untraceable gun",
    Indicator.PHOTOGRAPHING_SECURITY: "photographing security",
    Indicator.OBSERVATION_TIMING: "watching or timing security",
    Indicator.ELICITING_SECURITY_INFO: "asking about security",
    Indicator.TESTING_SECURITY: "testing security",
    Indicator.DRONE_ACTIVITY: "drone over a site",
    Indicator.BREACH_ATTEMPT: "trying to get in",
    Indicator.EXPLOSIVES: "explosives",
    Indicator.EXPLOSIVES_ACQUIRED: "has or builds explosives",
    Indicator.BOMB_PRECURSORS: "bomb precursors",
    Indicator.SUSPICIOUS_DEVICE: "suspicious device",
    Indicator.SABOTAGE_TAMPERING: "sabotage or tampering",
    Indicator.MISREPRESENTATION: "misrepresentation",
    Indicator.RECRUITING_FINANCING: "recruiting or financing",
    Indicator.TERRORISM_NEXUS: "terrorism link",
    Indicator.CYBER_ATTACK: "cyber attack",
    Indicator.AVIATION_THREAT: "aviation threat",
    Indicator.EXPERTISE_SEEKING: "seeking attack know-how",
    Indicator.WEAPONS_STOCKPILE: "weapons stockpile",
    Indicator.MEDICAL_EMERGENCY: "medical emergency",
    Indicator.VULNERABLE_PERSON_AT_RISK: "vulnerable person in danger",
    Indicator.OUT_OF_CONTACT: "out of contact",
    Indicator.HEALTH_RISK: "health risk",
    Indicator.MENTAL_HEALTH_CRISIS: "mental-health crisis",
    Indicator.SELF_NEGLECT: "self-neglect",
    Indicator.CONFUSION: "confusion",
    Indicator.SUBSTANCE_USE: "substance use",
    Indicator.CHILD_NEGLECT: "child neglect",
    Indicator.WELLNESS_CHECK_REQUESTED: "wellness check asked",
    Indicator.DISTRESS: "distress",
    Indicator.SERVICE_QUESTION: "a question about the service",
    Indicator.RESOURCE_REQUEST: "a request for resources",
    Indicator.SMALLTALK: "a greeting or test",
    Indicator.SPAM: "spam",
    Indicator.STATUS_CHECK: "a status check",
    Indicator.APPEARANCE_ONLY: "appearance, religion or ethnicity with no suspicious behaviour",
    Indicator.VIOLENCE_MENTION: "talk of violence or weapons",
    Indicator.SUICIDE_MENTION: "talk of suicide or death",
    Indicator.GUN_PURCHASE_MENTION: "talk of buying or selling guns",
    Indicator.SURVEILLANCE_MENTION: "watching or filming a place",
    Indicator.SUSPICIOUS_MENTION: "something suspicious",
    Indicator.WELLNESS_MENTION: "worry about someone's wellbeing",
    Indicator.FIGURATIVE_LANGUAGE: "violent words only as a figure of speech",
    Indicator.GAMING_CONTEXT: "violent words only about a game",
    Indicator.FICTION_OR_LYRICS: "violent words only in a song, story or film",
    Indicator.PAST_RESOLVED: "a past event already dealt with",
}

REVIEW_REASONS = {
    "review:model_says_no_report": "the model reads no report here, the words show danger now",
    "review:nlu_disagrees": "the language model read it differently",
    "review:weak_evidence": "little evidence for the category",
}

MAX_EVIDENCE = 3
MAX_QUOTE = 48


def explain(
    category: Category,
    outcome: Outcome,
    findings: Sequence[Finding],
    rules: Rules,
    review: Sequence[str],
    prediction: Prediction,
) -> str:
    title = CATEGORY_TITLES[category]
    if category is Category.NOT_A_TIP:
        reasons = _ordered_labels(findings, rules, category, outcome)
        sentence = f"{title}: {'; '.join(reasons) if reasons else 'no report in the message'}."
        return sentence + _review_note(outcome, review, prediction)
    evidence = _ordered_labels(findings, rules, category, outcome)
    head = f"{title}, {outcome.urgency}"
    sentence = f"{head}: {'; '.join(evidence)}." if evidence else f"{head}."
    setting = [r for r in outcome.fired if r.urgency is outcome.urgency]
    why = setting[0].why if setting else ROUTINE_WHY
    return f"{sentence} {why}{_review_note(outcome, review, prediction)}"


def _ordered_labels(findings: Sequence[Finding], rules: Rules, category: Category, outcome: Outcome) -> list[str]:
    """The strongest evidence first: what set the urgency, then what decided the category."""
    decisive = {i for r in outcome.fired if r.urgency is outcome.urgency for i in rules.named_in(r.condition)}
    weights = rules.evidence[category]
    first: dict[Indicator, Finding] = {}
    for f in findings:
        first.setdefault(f.indicator, f)
    ranked = sorted(
        first.values(),
        key=lambda f: (f.indicator not in decisive, -weights.get(f.indicator, 0), list(Indicator).index(f.indicator)),
    )
    return [f"{LABELS[f.indicator]} ({_quote(f)})" for f in ranked[:MAX_EVIDENCE]]


def _quote(f: Finding) -> str:
    if f.source == "model":
        return f.evidence
    text = f.evidence if len(f.evidence) <= MAX_QUOTE else f.evidence[: MAX_QUOTE - 1].rstrip() + "…"
    return f'"{text}"'


def _review_note(outcome: Outcome, review: Sequence[str], prediction: Prediction) -> str:
    if not review:
        return ""
    reasons = [r.why for r in outcome.review] + [REVIEW_REASONS[r] for r in review if r in REVIEW_REASONS]
    if "review:uncertain_emergency" in review:  # the probability first: it is what to weigh
        reasons.insert(0, f"the model is unsure whether this is an emergency (p={prediction.emergency:.2f})")
    return f" Needs review: {reasons[0][0].lower() + reasons[0][1:].rstrip('.')}." if reasons else ""
