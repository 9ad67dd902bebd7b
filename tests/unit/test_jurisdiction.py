"""The jurisdiction file: the example is valid, and every bad file is refused with one line
that names the file and the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing.jurisdiction import JurisdictionError, load
from routing.settings import DEFAULT_JURISDICTION
from tests.support.routing import EXAMPLE_SECRETS


def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_JURISDICTION.read_text())
    return data


def refused(tmp_path: Path, data: dict[str, Any], secrets: dict[str, str] | None = None) -> str:
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(JurisdictionError) as e:
        load(path, EXAMPLE_SECRETS if secrets is None else secrets)
    message = str(e.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def test_the_example_county_is_valid_and_uses_the_real_national_numbers() -> None:
    j = load(DEFAULT_JURISDICTION, EXAMPLE_SECRETS)
    assert j.public.emergency.number == "911"
    assert (j.public.crisis.call, j.public.crisis.text) == ("988", "988")
    assert j.public.crisis.chat_url == "https://988lifeline.org/chat/"
    assert j.public.fbi.url == "https://tips.fbi.gov/" and "1-800-CALL-FBI" in j.public.fbi.phone
    assert {t.via for t in j.destinations["911"].targets} == {"cad_webhook", "sms"}
    assert {t.via for t in j.destinations["state_tipline"].targets} == {"webhook", "email"}
    assert [s.after_minutes for s in j.escalation.emergency] == [2, 15]


def test_coverage_follows_the_jurisdictions_clock() -> None:
    j = load(DEFAULT_JURISDICTION, EXAMPLE_SECRETS)
    assert j.staffed_at(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # Wednesday 09:00 in Chicago
    assert not j.staffed_at(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))  # Tuesday 21:00 in Chicago
    assert not j.staffed_at(datetime(2026, 11, 28, 18, 0, tzinfo=UTC))  # Saturday


def test_an_unknown_indicator_in_a_rule_is_refused_with_the_rule_named(tmp_path: Path) -> None:
    data = example()
    data["rules"][0]["when"]["all"][1] = {"indicator": "target_schol"}
    message = refused(tmp_path, data)
    assert "rules.0.when.all.1" in message and "unknown indicator 'target_schol'" in message


def test_a_rule_that_removes_911_is_refused(tmp_path: Path) -> None:
    data = example()
    data["rules"].append(
        {"id": "no-911", "when": {"category": "gun_diversion"}, "remove_destination": "911", "why": "x"}
    )
    assert "no rule may remove 911" in refused(tmp_path, data)


def test_a_rule_that_could_send_self_harm_to_911_without_an_emergency_is_refused(tmp_path: Path) -> None:
    data = example()
    data["rules"].append(
        {"id": "pills", "when": {"indicator": "attempt_in_progress"}, "add_destination": "911", "why": "x"}
    )
    assert "self_harm reaches 911 only as an emergency" in refused(tmp_path, data)


def test_a_rule_adding_911_for_emergencies_only_is_accepted(tmp_path: Path) -> None:
    data = example()
    data["rules"].append(
        {
            "id": "ok",
            "when": {"all": [{"urgency": "emergency"}, {"indicator": "attempt_in_progress"}]},
            "add_destination": "911",
            "why": "x",
        }
    )
    path = tmp_path / "ok.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert load(path, EXAMPLE_SECRETS).rules[-1].id == "ok"


def test_a_jurisdiction_without_a_way_to_reach_911_is_refused(tmp_path: Path) -> None:
    data = example()
    del data["destinations"]["911"]
    assert "missing: 911" in refused(tmp_path, data)


def test_a_missing_translation_is_refused(tmp_path: Path) -> None:
    data = example()
    del data["public"]["help_text"]["es"]
    assert "public.help_text has no text in es" in refused(tmp_path, data)


def test_a_bad_phone_number_names_its_field(tmp_path: Path) -> None:
    data = example()
    data["destinations"]["911"]["targets"][1]["to"] = ["555-0110"]
    assert "destinations.911.targets.1.sms.to" in refused(tmp_path, data)


def test_a_webhook_secret_that_is_not_set_is_refused(tmp_path: Path) -> None:
    message = refused(tmp_path, example(), secrets={})
    assert "TIPLINE_SECRET_DISPATCH_CAD is not set" in message


def test_a_secret_written_into_the_file_is_refused(tmp_path: Path) -> None:
    data = example()
    data["destinations"]["911"]["targets"][0]["secret"] = "s3cr3t-value"
    assert "must name an environment variable" in refused(tmp_path, data)


def test_a_typo_in_a_key_is_refused(tmp_path: Path) -> None:
    data = example()
    data["coverage"]["always_stafed"] = True
    assert "coverage.always_stafed" in refused(tmp_path, data)


def test_yaml_that_does_not_parse_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("id: x\nname: [unclosed\n")
    with pytest.raises(JurisdictionError, match=r"broken.yml: not valid YAML at line"):
        load(path, {})


# --- privacy answers -------------------------------------------------------------------------


def test_the_privacy_answers_fill_in_the_deployments_retention_periods() -> None:
    from routing.jurisdiction import public_view
    from routing.settings import RetentionSettings

    j = load(DEFAULT_JURISDICTION, EXAMPLE_SECRETS)
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    served = public_view(j, now, RetentionSettings(contacts_days=7, transcripts_days=45.5).days())["privacy"]
    assert set(served) == {"kept", "who_sees", "phone_ip", "subpoena", "family_school", "immigration"}
    assert all(set(texts) == {"en", "es"} for texts in served.values())
    assert "deleted after 7 days" in served["kept"]["en"] and "45.5 days" in served["kept"]["en"]
    assert "1095 days" in served["kept"]["en"] and "a los 7 días" in served["kept"]["es"]
    assert not any("{" in text for texts in served.values() for text in texts.values())
    # Each answer fits one SMS even with four-digit periods.
    longest = RetentionSettings(contacts_days=9999, transcripts_days=9999, closed_tips_days=9999).days()
    assert all(len(t) <= 320 for texts in public_view(j, now, longest)["privacy"].values() for t in texts.values())


def test_a_privacy_answer_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    data = example()
    data["public"]["privacy"]["kept"]["en"] = "We keep it for {forever_days} days."
    message = refused(tmp_path, data)
    assert "public.privacy: kept.en: unknown placeholder {forever_days}" in message


def test_a_privacy_answer_missing_a_language_or_a_topic_is_refused(tmp_path: Path) -> None:
    data = example()
    del data["public"]["privacy"]["immigration"]["es"]
    assert "public.privacy.immigration has no text in es" in refused(tmp_path, data)
    data = example()
    del data["public"]["privacy"]["subpoena"]
    assert "public.privacy.subpoena" in refused(tmp_path, data)


def test_a_retention_period_kept_forever_cannot_be_named_in_a_privacy_answer() -> None:
    from routing.jurisdiction import check_retention
    from routing.settings import RetentionSettings

    j = load(DEFAULT_JURISDICTION, EXAMPLE_SECRETS)
    check_retention(j, RetentionSettings().days())
    with pytest.raises(JurisdictionError, match="TIPLINE_RETAIN_TRANSCRIPTS_DAYS is 'never'"):
        check_retention(j, RetentionSettings(transcripts_days=None).days())
