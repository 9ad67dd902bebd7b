"""Triage: conversation -> category, urgency, indicators and explanation (triage.md)."""

from actions.triage.assess import assess, default_triage, self_harm_signal
from actions.triage.errors import TriageDataError
from actions.triage.model import (
    Assessment,
    Category,
    Conversation,
    Entity,
    Message,
    TriageResult,
    Urgency,
)

__all__ = [
    "Assessment",
    "Category",
    "Conversation",
    "Entity",
    "Message",
    "TriageDataError",
    "TriageResult",
    "Urgency",
    "assess",
    "default_triage",
    "self_harm_signal",
]
