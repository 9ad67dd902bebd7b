"""Roles, passwords and lockout of console accounts: pure rules, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from routing import accounts
from routing.accounts import PERMISSIONS, ROLES, can, sees_identity
from tests.support.routing import example_jurisdiction


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("dispatcher", {"view_tips", "work_tips", "reply_to_reporter"}),
        ("analyst", {"view_tips", "work_tips", "reply_to_reporter", "view_statistics"}),
        ("fbi_liaison", {"view_tips", "file_fbi_packet"}),
        (
            "admin",
            {
                "view_tips",
                "work_tips",
                "file_fbi_packet",
                "view_statistics",
                "manage_users",
                "view_configuration",
                "retry_deliveries",
            },
        ),
    ],
)
def test_each_role_may_do_exactly_what_the_table_says(role: str, allowed: set[str]) -> None:
    assert {p for p in PERMISSIONS if can(role, p)} == allowed


def test_only_an_admin_manages_users() -> None:
    assert [r for r in ROLES if can(r, "manage_users")] == ["admin"]


def test_identity_is_shown_to_those_who_call_back_and_to_the_fbi_only_where_allowed() -> None:
    jurisdiction = example_jurisdiction()
    assert sees_identity("dispatcher", jurisdiction)
    assert sees_identity("analyst", jurisdiction)
    assert not sees_identity("admin", jurisdiction)
    fbi = jurisdiction.destinations["fbi"]
    for allowed in (True, False):
        changed = jurisdiction.model_copy(
            update={
                "destinations": {
                    **jurisdiction.destinations,
                    "fbi": fbi.model_copy(update={"receives_identity": allowed}),
                }
            }
        )
        assert sees_identity("fbi_liaison", changed) is allowed


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("dana-is-my-password", "must not contain the username"),
        ("correct horse battery staple", None),
    ],
)
def test_passwords_are_judged_by_length_not_composition(password: str, problem: str | None) -> None:
    found = accounts.password_problem(password, "dana")
    assert (found is None) if problem is None else (problem in (found or ""))


def test_staff_are_named_in_the_audit_log_by_username() -> None:
    staff = accounts.Staff(3, "dana", "Dana Example", "dispatcher")
    assert staff.actor == "staff:dana"
    assert replace(staff, role="fbi_liaison").can("file_fbi_packet")
