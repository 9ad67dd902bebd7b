"""One definition of a phone number and an e-mail address: the console's redaction, the contact
question, the tip linker and the log redaction find the same ones in the same text."""

from __future__ import annotations

import logging

import pytest

from actions.contact import contact_from_text
from routing.casework import redact
from routing.related import match_values
from telemetry.contact_details import phone_digits
from telemetry.logs import Redact

# (what a resident writes, the phone number's digits or None, the e-mail address or None)
EXAMPLES = [
    ("text me at +15550123", "5550123", None),
    ("my number is 555-0147.", "5550147", None),
    ("call (555) 010-0199 after 6", "5550100199", None),
    ("555.010.0199", "5550100199", None),
    ("+1 555 010 0199 is my cell", "5550100199", None),
    ("+1 (555) 010-0142", "5550100142", None),
    ("1-555-010-0188", "5550100188", None),
    ("+1 555 0142 or a@example.org", "5550142", "a@example.org"),
    ("mi número es el 555-0143, llámeme después de las 5", "5550143", None),
    ("escríbame a ana.ruiz+tips@correo.example.com, gracias", None, "ana.ruiz+tips@correo.example.com"),
    ("email j.doe@mail.school.example.org.", None, "j.doe@mail.school.example.org"),
    ("Mándeme un correo: jose_99@example.edu o al +1 555 0111", "5550111", "jose_99@example.edu"),
    ("+34 612 34 56 78 (en España)", "34612345678", None),
    ("at 10:30 tomorrow, room 214, 3 guns", None, None),
    ("on 2026-12-01 at the mall, zip 12345-6789", None, None),
    ("he posted it as @shadow_555 on insta", None, None),
]


@pytest.mark.parametrize(("text", "phone", "email"), EXAMPLES)
def test_redaction_the_contact_question_and_the_linker_agree(text: str, phone: str | None, email: str | None) -> None:
    contact = contact_from_text(text)
    assert (phone_digits(contact["phone"]) if "phone" in contact else None) == phone
    assert contact.get("email") == email

    linked = match_values(text, {})
    assert {v for k, v in linked if k == "phone"} == ({phone} if phone else set())
    assert {v for k, v in linked if k == "account" and "@" in v[1:]} == ({email.lower()} if email else set())

    redacted = redact(text)
    log_line = Redact().redact(text)
    assert redacted.count("[phone removed]") == log_line.count("[phone]") == (1 if phone else 0)
    assert redacted.count("[e-mail removed]") == log_line.count("[email]") == (1 if email else 0)
    if email:
        assert email not in redacted and email not in log_line
    if not phone and not email:
        assert redacted == log_line == text


def test_a_log_record_is_redacted_with_the_same_definition() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "reach me at %s", ("+1 (555) 010-0142",), None)
    Redact().filter(record)
    assert record.getMessage() == "reach me at [phone]"
