"""`python -m routing rotate-keys` on SQLite and PostgreSQL: afterwards the new key alone reads every value."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest
import sqlalchemy as sa

from routing.__main__ import main
from routing.api import parse_submission
from routing.app import build_context
from routing.crypto import Vault
from routing.key_rotation import ACTOR, rotate_keys
from routing.service import accept_tip
from routing.settings import sync_url
from routing.store.tables import audit_log, encrypted_columns
from tests.support.routing import EXAMPLE_SECRETS, example_jurisdiction, make_settings, tip_payload

OLD_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
NEW_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


async def _file_tips(database_url: str, keys: tuple[str, ...]) -> None:
    """Two tips with contact details and an anonymous one, encrypted with `keys`."""
    ctx, engine = build_context(make_settings(database_url, encryption_keys=keys), example_jurisdiction())
    try:
        for n in (1, 2):
            contact = {"name": f"Avery Example {n}", "phone": f"+1555012{n}", "email": f"avery{n}@example.invalid"}
            await accept_tip(ctx, parse_submission(tip_payload(anonymous=False, contact=contact)))
        await accept_tip(ctx, parse_submission(tip_payload()))
    finally:
        await engine.dispose()


def _encrypted_values(database_url: str) -> dict[str, list[str]]:
    engine = sa.create_engine(sync_url(database_url))
    with engine.connect() as conn:
        values = {
            f"{c.table.name}.{c.name}": [str(v) for v in conn.execute(sa.select(c).where(c.is_not(None))).scalars()]
            for c in encrypted_columns()
        }
    engine.dispose()
    return values


def _rotations_audited(database_url: str) -> list[dict[str, object]]:
    engine = sa.create_engine(sync_url(database_url))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.details).where(audit_log.c.actor == ACTOR)).scalars().all()
    engine.dispose()
    return list(rows)


def test_the_encrypted_columns_are_read_from_the_table_definitions() -> None:
    assert {f"{c.table.name}.{c.name}" for c in encrypted_columns()} >= {"tips.pin_encrypted", "tips.contact_encrypted"}


async def test_after_rotation_every_value_decrypts_with_the_new_key_alone(database_url: str) -> None:
    await _file_tips(database_url, (OLD_KEY,))
    before = _encrypted_values(database_url)
    assert len(before["tips.pin_encrypted"]) == 3 and len(before["tips.contact_encrypted"]) == 2
    new_key_alone = Vault([NEW_KEY])
    with pytest.raises(ValueError):
        new_key_alone.decrypt(before["tips.pin_encrypted"][0])

    ctx, engine = build_context(make_settings(database_url, encryption_keys=(NEW_KEY, OLD_KEY)), example_jurisdiction())
    try:
        with_both = Vault([NEW_KEY, OLD_KEY])
        plaintexts = {name: sorted(with_both.decrypt(v) for v in values) for name, values in before.items()}
        done = await rotate_keys(ctx)
        assert done.rotated == {name: len(values) for name, values in before.items()} and not done.unreadable

        after = _encrypted_values(database_url)
        assert {name: sorted(new_key_alone.decrypt(v) for v in values) for name, values in after.items()} == plaintexts

        # Safe to run again: nothing left to do, nothing changed.
        again = await rotate_keys(ctx)
        assert sum(again.rotated.values()) == 0 and again.current == sum(map(len, before.values()))
        assert _encrypted_values(database_url) == after
    finally:
        await engine.dispose()
    assert _rotations_audited(database_url) == [{"rotated": done.rotated}]


def test_the_command_rotates_in_batches_and_refuses_to_pass_over_what_no_key_reads(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_file_tips(database_url, (OLD_KEY,)))
    settings = make_settings(database_url)
    env = {
        "DATABASE_URL": database_url,
        "TIPLINE_INTAKE_SECRET": settings.intake_secret,
        "TIPLINE_SIGNING_SECRET": settings.signing_secret,
        "TIPLINE_SMTP_URL": "smtp://127.0.0.1:1",
        "TIPLINE_TWILIO_ACCOUNT_SID": str(settings.twilio_account_sid),
        "TIPLINE_TWILIO_AUTH_TOKEN": "test-token",
        **EXAMPLE_SECRETS,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("routing.key_rotation.BATCH", 2)  # three tips: more than one batch

    # The old key retired too early: the command says which values it cannot read and fails.
    monkeypatch.setenv("TIPLINE_ENCRYPTION_KEYS", NEW_KEY)
    assert main(["rotate-keys"]) == 2
    assert "tips.pin_encrypted 3" in capsys.readouterr().err

    monkeypatch.setenv("TIPLINE_ENCRYPTION_KEYS", f"{NEW_KEY},{OLD_KEY}")
    assert main(["rotate-keys"]) == 0
    assert "tips.pin_encrypted 3, tips.contact_encrypted 2" in capsys.readouterr().out
    new_key_alone = Vault([NEW_KEY])
    for values in _encrypted_values(database_url).values():
        for value in values:
            new_key_alone.decrypt(value)

    monkeypatch.setenv("TIPLINE_ENCRYPTION_KEYS", NEW_KEY)  # the old key retired
    assert main(["rotate-keys"]) == 0
    assert "already on it: 5" in capsys.readouterr().out
