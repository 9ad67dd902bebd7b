"""Logging of the three services: readable text by default, one JSON object per line on request.

Whatever the format, every record passes a redaction filter before it is written: the service's
own secrets, phone numbers and e-mail addresses are replaced, so a library that logs more than
it should (a request URL, an error with the data that caused it) cannot leak a reporter's details.
Python 3.10 compatible: the engine (Rasa) uses it too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

from telemetry.contact_details import replace_contact_details

FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message")
# Loggers that frameworks give handlers of their own or stop from propagating; ours decide for all.
FRAMEWORK_LOGGERS = ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "aiohttp.access", "rasa_sdk")

MIN_SECRET_LENGTH = 8  # shorter values would match ordinary words


class Redact(logging.Filter):
    """Replace secrets, phone numbers and e-mail addresses in the message and any traceback."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return replace_contact_details(text, "[phone]", "[email]")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info:
            # Formatters then print the redacted text instead of formatting the exception again.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def handler(log_format: str, secrets: Iterable[str] = (), stream: object = None) -> logging.Handler:
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {log_format!r}")
    out = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if log_format == "json":
        out.setFormatter(
            JsonFormatter(list(JSON_FIELDS), rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
        )
    else:
        out.setFormatter(logging.Formatter(TEXT_FORMAT))
    out.addFilter(Redact(secrets))
    return out


def configure(log_format: str, secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Send every log record, frameworks' included, through one redacting handler on the root logger."""
    root = logging.getLogger()
    root.handlers[:] = [handler(log_format, secrets)]
    root.setLevel(level)
    for name in FRAMEWORK_LOGGERS:
        framework = logging.getLogger(name)
        framework.handlers.clear()
        framework.propagate = True
    logging.captureWarnings(True)
