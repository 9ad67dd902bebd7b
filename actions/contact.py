"""The phone number and e-mail address a resident gives as the way to reach them."""

from __future__ import annotations

import re

from telemetry.contact_details import emails, phones


def contact_from_text(text: str) -> dict[str, str]:
    """The phone number and email a resident gave, as the intake API's `contact` keys."""
    contact = {}
    if found := emails(text):
        contact["email"] = found[0]
    if found := phones(text):
        contact["phone"] = re.sub(r"[^\d+]", "", found[0])
    return contact
