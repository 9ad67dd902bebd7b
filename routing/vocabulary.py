"""The triage indicator names that routing rules may mention.

Routing never imports actions/, so it keeps its own copy of the vocabulary the triage code
defines; tests/unit/test_vocabulary.py checks the two are the same list. The first five are the
ones triage.md's default table reacts to ("+X if ...").
"""

from __future__ import annotations

ROUTING_INDICATORS = (
    "mass_casualty",
    "ideological_motive",
    "mental_health_crisis",
    "explosives",
    "terrorism_nexus",
)

INDICATORS: frozenset[str] = frozenset(
    {
        *ROUTING_INDICATORS,
        # imminence
        "in_progress",
        "timeframe_24h",
        "timeframe_days",
        # intent, plan, target
        "intent_stated",
        "plan_described",
        "specific_target",
        "target_school",
        "target_workplace",
        "target_event",
        "target_place_of_worship",
        "leakage",
        "fixation_on_attacks",
        "countdown",
        # means and capability
        "weapon_present",
        "weapon_access",
        "weapon_recent_acquisition",
        "shots_fired",
        # self-harm (Columbia screener items and behaviour)
        "suicidal_thoughts",
        "suicidal_intent",
        "suicide_plan",
        "suicide_method",
        "suicidal_behaviour",
        "overdose_taken",
        "goodbye_messages",
        # surveillance and probing
        "photographing_security",
        "probing_security",
        "eliciting_information",
        "drone_over_event",
        # purchase red flags
        "straw_purchase",
        "failed_background_check",
        "prohibited_person",
        "bulk_cash_purchase",
        # other suspicious activity
        "precursor_purchase",
        "recruiting",
        "sabotage",
        "misrepresentation",
        "breach_attempt",
    }
)
