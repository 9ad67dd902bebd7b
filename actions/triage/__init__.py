"""Triage: conversation -> category, urgency, indicators and explanation (triage.md)."""

from actions.triage.assess import assess
from actions.triage.model import (
    Assessment,
    Category,
    Conversation,
    Entity,
    Message,
    TriageResult,
    Urgency,
)

__all__ = ["Assessment", "Category", "Conversation", "Entity", "Message", "TriageResult", "Urgency", "assess"]
