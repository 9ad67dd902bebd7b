"""Load and validate a jurisdiction file (jurisdictions/*.yml) into frozen models.

Every problem becomes one JurisdictionError line naming the file and the field, so a typo stops
the service at start-up instead of showing up as a missed tip. Besides the schema, the safety
limits of triage.md are checked here: an `emergency` must always be able to reach 911, and no
rule may send `self_harm` to 911 without an emergency.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from routing.domain import CATEGORIES, DESTINATIONS, URGENCIES
from routing.vocabulary import INDICATORS
from telemetry.contact_details import EMAIL

Language = Literal["en", "es"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DestinationName = Literal["911", "988", "fbi", "state_tipline"]
_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SECRET_NAME = re.compile(r"^TIPLINE_SECRET_[A-Z0-9_]+$")


class JurisdictionError(Exception):
    """The jurisdiction file is invalid; the message is one line naming the file and field."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Localized = dict[Language, str]


def _phone(value: str) -> str:
    if not _E164.match(value):
        raise ValueError(f"{value!r} is not a phone number in E.164 form such as +15550123")
    return value


def _email(value: str) -> str:
    if not EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


# --- what residents are shown (GET /public/jurisdiction) ----------------------------------


class Emergency(_Model):
    number: str
    text_to_911: bool
    message: Localized


class Crisis(_Model):
    call: str
    text: str
    chat_url: str
    spanish_call: str | None = None
    message: Localized

    _url = field_validator("chat_url")(_http_url)


class FbiPublic(_Model):
    url: str
    phone: str

    _url = field_validator("url")(_http_url)


class StateTiplinePublic(_Model):
    name: str
    phone: str | None = None
    url: str | None = None
    text: str | None = None


class Hours(_Model):
    days: tuple[Day, ...] = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _start_before_end(self) -> Hours:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class Coverage(_Model):
    always_staffed: bool
    hours: tuple[Hours, ...] = ()
    message: Localized

    @model_validator(mode="after")
    def _hours_unless_always(self) -> Coverage:
        if not self.always_staffed and not self.hours:
            raise ValueError("hours are required unless always_staffed is true")
        return self


# The privacy answers may name how long data is kept; the routing service fills these in from its
# retention settings (TIPLINE_RETAIN_*_DAYS), so the answer is always what the purge does.
RETENTION_PLACEHOLDERS = ("contacts_days", "transcripts_days", "closed_tips_days")


def _retention_placeholders(text: str) -> set[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as e:
        raise ValueError(f"{text[:40]!r}...: {e}") from None
    unknown = names - set(RETENTION_PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{sorted(unknown)[0]}}}; the known ones are "
            + ", ".join(f"{{{n}}}" for n in RETENTION_PLACEHOLDERS)
        )
    return names


class Privacy(_Model):
    """Answers to residents' privacy questions, one per topic, in every language. They must be
    true of what the deployment does (README, "Retention"; docs/security.md)."""

    kept: Localized  # what is kept, and for how long
    who_sees: Localized  # who reads the report, who gets contact details
    phone_ip: Localized  # whether the phone number or IP address is stored
    subpoena: Localized  # what a court order can reach
    family_school: Localized  # whether parents or the school will know
    immigration: Localized  # immigration status is never asked or shared

    @model_validator(mode="after")
    def _known_placeholders(self) -> Privacy:
        for topic, texts in self.topics().items():
            for language, text in texts.items():
                try:
                    _retention_placeholders(text)
                except ValueError as e:
                    raise ValueError(f"{topic}.{language}: {e}") from None
        return self

    def topics(self) -> dict[str, Localized]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def placeholders(self) -> set[str]:
        return {n for texts in self.topics().values() for t in texts.values() for n in _retention_placeholders(t)}


class Public(_Model):
    emergency: Emergency
    crisis: Crisis
    fbi: FbiPublic
    state_tipline: StateTiplinePublic
    warning_signs: dict[Language, tuple[str, ...]]
    privacy_notice: Localized
    privacy: Privacy
    help_text: Localized


# --- how each destination is reached -------------------------------------------------------


class _Target(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,47}$")


class WebhookTarget(_Target):
    """An HMAC-signed JSON POST; `secret` names the TIPLINE_SECRET_* variable holding the key."""

    via: Literal["webhook", "cad_webhook"]
    url: str
    secret: str
    timeout_seconds: float = Field(default=10, gt=0, le=60)

    _url = field_validator("url")(_http_url)

    @field_validator("secret")
    @classmethod
    def _secret_name(cls, value: str) -> str:
        if not _SECRET_NAME.match(value):
            raise ValueError("must name an environment variable TIPLINE_SECRET_<NAME> (the key is never in the file)")
        return value


class EmailTarget(_Target):
    via: Literal["email"]
    to: tuple[str, ...] = Field(min_length=1)

    _to = field_validator("to")(lambda v: tuple(_email(x) for x in v))


class SmsTarget(_Target):
    via: Literal["sms"]
    to: tuple[str, ...] = Field(min_length=1)

    _to = field_validator("to")(lambda v: tuple(_phone(x) for x in v))


class FbiPacketTarget(_Target):
    """tips.fbi.gov has no API: the packet waits for a liaison, who is told by e-mail."""

    via: Literal["fbi_packet"]
    notify: tuple[str, ...] = ()

    _notify = field_validator("notify")(lambda v: tuple(_email(x) for x in v))


Target = Annotated[WebhookTarget | EmailTarget | SmsTarget | FbiPacketTarget, Field(discriminator="via")]
Notify = Annotated[EmailTarget | SmsTarget, Field(discriminator="via")]


class Destination(_Model):
    name: str
    # May this recipient see who reported, when the reporter chose not to stay anonymous?
    receives_identity: bool = False
    targets: tuple[Target, ...] = Field(min_length=1)


class EscalationStep(_Model):
    after_minutes: float = Field(gt=0)
    notify: tuple[Notify, ...] = Field(min_length=1)


class Escalation(_Model):
    emergency: tuple[EscalationStep, ...] = ()
    urgent: tuple[EscalationStep, ...] = ()

    @model_validator(mode="after")
    def _increasing(self) -> Escalation:
        for steps in (self.emergency, self.urgent):
            delays = [s.after_minutes for s in steps]
            if delays != sorted(set(delays)):
                raise ValueError("each chain's after_minutes must increase step by step")
        return self


class Sending(_Model):
    email_from: str
    sms_from: str

    _email = field_validator("email_from")(_email)
    _sms = field_validator("sms_from")(_phone)


# --- extra routing rules, as data ------------------------------------------------------------


class Condition(_Model):
    """A leaf (`indicator`, `category` or `urgency`) or a group (`all`, `any`, `not`)."""

    indicator: str | None = None
    category: str | None = None
    urgency: str | None = None
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k in ("indicator", "category", "urgency", "all", "any", "not_") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a condition has exactly one of indicator, category, urgency, all, any, not")
        if self.indicator is not None and self.indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {self.indicator!r}")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {self.urgency!r}")
        return self

    def holds(self, category: str, urgency: str, indicators: frozenset[str]) -> bool:
        if self.indicator is not None:
            return self.indicator in indicators
        if self.category is not None:
            return self.category == category
        if self.urgency is not None:
            return self.urgency == urgency
        if self.all is not None:
            return all(c.holds(category, urgency, indicators) for c in self.all)
        if self.any is not None:
            return any(c.holds(category, urgency, indicators) for c in self.any)
        assert self.not_ is not None
        return not self.not_.holds(category, urgency, indicators)

    def requires(self, field: str, value: str) -> bool:
        """True when the condition can only hold if `field` equals `value` (used for safety checks)."""
        if getattr(self, field) is not None:
            return bool(getattr(self, field) == value)
        if self.all is not None:
            return any(c.requires(field, value) for c in self.all)
        if self.any is not None:
            return all(c.requires(field, value) for c in self.any)
        return False

    def excludes(self, field: str, value: str) -> bool:
        """True when the condition can never hold while `field` equals `value`."""
        if getattr(self, field) is not None:
            return bool(getattr(self, field) != value)
        if self.all is not None:
            return any(c.excludes(field, value) for c in self.all)
        if self.any is not None:
            return all(c.excludes(field, value) for c in self.any)
        if self.not_ is not None:
            return self.not_.requires(field, value)
        return False


class Rule(_Model):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    when: Condition
    add_destination: DestinationName | None = None
    remove_destination: DestinationName | None = None
    raise_urgency: Literal["routine", "urgent", "emergency"] | None = None
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _safe(self) -> Rule:
        if not (self.add_destination or self.remove_destination or self.raise_urgency):
            raise ValueError("a rule needs an effect: add_destination, remove_destination or raise_urgency")
        if self.remove_destination == "911":
            raise ValueError("no rule may remove 911: every emergency must reach it")
        if (
            self.add_destination == "911"
            and not self.when.requires("urgency", "emergency")
            and not self.when.excludes("category", "self_harm")
        ):
            raise ValueError(
                "a rule adding 911 must require urgency emergency or exclude category self_harm "
                "(self_harm reaches 911 only as an emergency)"
            )
        return self


class Jurisdiction(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    timezone: str
    languages: tuple[Language, ...] = Field(min_length=1)
    public: Public
    coverage: Coverage
    sending: Sending
    destinations: dict[DestinationName, Destination]
    escalation: Escalation = Escalation()
    alarms: tuple[Notify, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = ()
    # Seconds of silence after which an unfinished report is filed as incomplete; unset: the
    # deployment's TIPLINE_REPORT_IDLE_SECONDS.
    report_idle_seconds: float | None = Field(default=None, gt=0, le=86400)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _complete(self) -> Jurisdiction:
        missing = [d for d in DESTINATIONS if d not in self.destinations]
        if missing:
            raise ValueError(f"every destination kind must be configured; missing: {', '.join(missing)}")
        if "911" in self.destinations and not any(
            t.via in ("cad_webhook", "webhook", "email", "sms") for t in self.destinations["911"].targets
        ):
            raise ValueError("destinations.911 needs a target that delivers (cad_webhook, webhook, email or sms)")
        ids = [t.id for d in self.destinations.values() for t in d.targets]
        if len(ids) != len(set(ids)):
            raise ValueError("target ids must be unique across destinations")
        rule_ids = [r.id for r in self.rules]
        if len(rule_ids) != len(set(rule_ids)):
            raise ValueError("rule ids must be unique")
        for where, texts in self._localized():
            absent = [lang for lang in self.languages if lang not in texts]
            if absent:
                raise ValueError(f"{where} has no text in {', '.join(absent)}")
        return self

    def _localized(self) -> list[tuple[str, Mapping[Any, Any]]]:
        p = self.public
        return [
            ("public.emergency.message", p.emergency.message),
            ("public.crisis.message", p.crisis.message),
            ("public.warning_signs", p.warning_signs),
            ("public.privacy_notice", p.privacy_notice),
            *((f"public.privacy.{topic}", texts) for topic, texts in p.privacy.topics().items()),
            ("public.help_text", p.help_text),
            ("coverage.message", self.coverage.message),
        ]

    def target(self, target_id: str) -> Target:
        for destination in self.destinations.values():
            for t in destination.targets:
                if t.id == target_id:
                    return t
        raise KeyError(target_id)

    def secret_names(self) -> list[tuple[str, str]]:
        """(field path, variable name) of every secret the file refers to."""
        return [
            (f"destinations.{name}.targets.{i}.secret", t.secret)
            for name, d in self.destinations.items()
            for i, t in enumerate(d.targets)
            if isinstance(t, WebhookTarget)
        ]

    def uses(self, via: str) -> bool:
        """Does anything in the file send by `via` (an FBI packet's notices go by e-mail)?"""
        notifies = [n for chain in (self.escalation.emergency, self.escalation.urgent) for s in chain for n in s.notify]
        targets = [t for d in self.destinations.values() for t in d.targets]
        vias = {t.via for t in (*targets, *notifies, *self.alarms)}
        if any(isinstance(t, FbiPacketTarget) and t.notify for t in targets):
            vias.add("email")
        return via in vias

    def staffed_at(self, moment: datetime) -> bool:
        if self.coverage.always_staffed:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        day = _DAYS[local.weekday()]
        now = local.time().replace(tzinfo=None)
        return any(day in h.days and h.start <= now < h.end for h in self.coverage.hours)


def load(path: Path, secrets: Mapping[str, str]) -> Jurisdiction:
    """Read, validate and check a jurisdiction file against the secrets the environment holds."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise JurisdictionError(
            f"{path}: cannot read the jurisdiction file ({e.strerror}); check TIPLINE_JURISDICTION"
        ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise JurisdictionError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(raw, dict):
        raise JurisdictionError(f"{path}: must be a YAML mapping")
    try:
        jurisdiction = Jurisdiction.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        raise JurisdictionError(f"{path}: {field}: {message}") from None
    for field, name in jurisdiction.secret_names():
        if not secrets.get(name):
            raise JurisdictionError(f"{path}: {field}: the environment variable {name} is not set")
    return jurisdiction


def check_retention(jurisdiction: Jurisdiction, retention_days: Mapping[str, float | None]) -> None:
    """A privacy answer that names a retention period needs one: `never` there would make it untrue."""
    for name in sorted(jurisdiction.public.privacy.placeholders()):
        if retention_days.get(name) is None:
            variable = f"TIPLINE_RETAIN_{name.removesuffix('_days').upper()}_DAYS"
            raise JurisdictionError(
                f"public.privacy names {{{name}}} but {variable} is 'never': say in the text that it is kept, "
                "or set a number of days"
            )


def _days(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def privacy_answers(jurisdiction: Jurisdiction, retention_days: Mapping[str, float | None]) -> dict[str, Any]:
    """The privacy answers with the deployment's retention periods filled in."""
    values = {name: _days(retention_days.get(name)) for name in RETENTION_PLACEHOLDERS}
    return {
        topic: {language: text.format(**values) for language, text in texts.items()}
        for topic, texts in jurisdiction.public.privacy.topics().items()
    }


def public_view(
    jurisdiction: Jurisdiction, now: datetime, retention_days: Mapping[str, float | None] | None = None
) -> dict[str, Any]:
    """What residents may be shown (GET /public/jurisdiction): no secrets, no internal addresses.

    `retention_days` (contacts_days, transcripts_days, closed_tips_days) fill in the privacy answers."""
    p = jurisdiction.public
    return {
        "id": jurisdiction.id,
        "name": jurisdiction.name,
        "timezone": jurisdiction.timezone,
        "languages": list(jurisdiction.languages),
        "emergency": p.emergency.model_dump(),
        "crisis": p.crisis.model_dump(),
        "fbi": p.fbi.model_dump(),
        "state_tipline": p.state_tipline.model_dump(),
        "coverage": {
            "always_staffed": jurisdiction.coverage.always_staffed,
            "staffed_now": jurisdiction.staffed_at(now),
            "hours": [
                {"days": list(h.days), "start": h.start.strftime("%H:%M"), "end": h.end.strftime("%H:%M")}
                for h in jurisdiction.coverage.hours
            ],
            "message": dict(jurisdiction.coverage.message),
        },
        "warning_signs": {lang: list(signs) for lang, signs in p.warning_signs.items()},
        "privacy_notice": dict(p.privacy_notice),
        "privacy": privacy_answers(jurisdiction, retention_days or {}),
        "help_text": dict(p.help_text),
    }
