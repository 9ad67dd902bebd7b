"""What counts as a phone number or an e-mail address, for every service: the one definition that
log redaction, the console's redaction by role, the contact question and the tip linker share.

Redaction that drifts is a leak: a form that reads "+1 (555) 010-0199" as a phone number while
the redaction misses it would keep it in plain text. Python 3.10 compatible: the engine uses it too.

Phone numbers: E.164 and international numbers written with a "+" (7 to 15 digits, any spacing),
and North American numbers as people write them, with or without the area code and the leading 1:
555-0147, (555) 010-0199, 555.010.0199, 1-555-010-0199. Dates, times, ZIP codes, room numbers and
sums of money are not phone numbers.
"""

from __future__ import annotations

import re

PHONE = re.compile(
    r"(?<![\w+$])\+\d(?:[ .-]?\(?\d\)?){6,14}(?!\w)"  # +15550123, +1 555 0123 456, +34 612 34 56 78
    r"|(?<![\w+$])(?:1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)?\d{3}[ .-]?\d{4}(?!\w)"  # (555) 010-0199, 555-0147
)
# A local part with dots and plus tags, a domain with any number of subdomains; no trailing dot.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# What stands in for the contact details a resident gave, in the report and the transcript.
CONTACT_PLACEHOLDER = "[contact given]"


def emails(text: str) -> list[str]:
    return EMAIL.findall(text)


def phones(text: str) -> list[str]:
    """Phone numbers as written; an e-mail address's digits are never read as a phone number."""
    return PHONE.findall(EMAIL.sub(" ", text))


def phone_digits(phone: str) -> str:
    """The number without its spelling: "+1 (555) 010-0199" and "555.010.0199" both give 5550100199
    (a North American 1 before 7 or 10 digits is dropped), so the same number matches itself."""
    digits = re.sub(r"\D", "", phone)
    return digits[1:] if len(digits) in (8, 11) and digits.startswith("1") else digits


def replace_contact_details(text: str, phone: str, email: str) -> str:
    """Every e-mail address and phone number in `text` replaced (e-mail addresses first, so their
    digits are not taken for a phone number)."""
    return PHONE.sub(phone, EMAIL.sub(email, text))


def has_contact_details(text: str) -> bool:
    return bool(EMAIL.search(text) or PHONE.search(text))


def hide_contact(text: str, phone: str | None, email: str | None, placeholder: str = CONTACT_PLACEHOLDER) -> str:
    """`text` with this phone number, in any spelling, and this e-mail address replaced."""
    if email:
        text = EMAIL.sub(lambda m: placeholder if m.group(0).lower() == email.lower() else m.group(0), text)
    if phone:
        wanted = phone_digits(phone)
        text = PHONE.sub(lambda m: placeholder if phone_digits(m.group(0)) == wanted else m.group(0), text)
    return text
