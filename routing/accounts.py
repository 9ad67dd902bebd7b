"""Staff accounts of the dispatch console: roles and what each may do, passwords, lockout, sessions.

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended setting).
A session is a random token in a cookie; the database keeps only its keyed digest, so reading
the table does not let anyone in. Every login, lockout and account change goes to the audit log.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from routing.jurisdiction import Jurisdiction
from routing.service import Context

ROLES = ("dispatcher", "analyst", "fbi_liaison", "admin")
ROLE_LABELS = {"dispatcher": "Dispatcher", "analyst": "Analyst", "fbi_liaison": "FBI liaison", "admin": "Administrator"}

# Who may do what: one table, checked by every console route.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_tips": frozenset(ROLES),
    "work_tips": frozenset({"dispatcher", "analyst", "admin"}),  # acknowledge, assign, note, follow up, close
    "reply_to_reporter": frozenset({"dispatcher", "analyst"}),
    "file_fbi_packet": frozenset({"fbi_liaison", "admin"}),
    "view_statistics": frozenset({"analyst", "admin"}),
    "manage_users": frozenset({"admin"}),
    "view_configuration": frozenset({"admin"}),
    "retry_deliveries": frozenset({"admin"}),
}

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Failed sign-ins from one client address, whatever the usernames, before it is refused for LOCKOUT.
MAX_FAILED_LOGINS_PER_ADDRESS = 20
SESSION_LIFETIME = timedelta(hours=12)  # one dispatch shift

_hasher = PasswordHasher()  # argon2id


@cache
def _unknown_user_hash() -> str:
    """Verified when the username is unknown, so a wrong name costs as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """A request about an account cannot be done; the message is meant for the person asking."""


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    role: str

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"staff:{self.username}"

    def can(self, permission: str) -> bool:
        return can(self.role, permission)


@dataclass(frozen=True)
class Session:
    staff: Staff
    csrf_token: str
    expires_at: datetime


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def sees_identity(role: str, jurisdiction: Jurisdiction) -> bool:
    """May this role see who reported (when the reporter was not anonymous)? The people who call
    back do; the FBI liaison only where the jurisdiction lets the FBI receive identity; an
    administrator runs the system and does not need it."""
    if role in ("dispatcher", "analyst"):
        return True
    if role == "fbi_liaison":
        return jurisdiction.destinations["fbi"].receives_identity
    return False


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused, or None (NIST 800-63B: length, not composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if username.lower() in password.lower():
        return "the password must not contain the username"
    return None


def token_digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU by design: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def _verify(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def _staff(row: dict[str, Any]) -> Staff:
    return Staff(int(row["id"]), str(row["username"]), str(row["display_name"]), str(row["role"]))


async def create_user(ctx: Context, username: str, display_name: str, role: str, password: str, actor: str) -> Staff:
    username = username.strip().lower()
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise AccountError("the username must be 1-64 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    password_hash = await hash_password(password)
    now = ctx.clock()
    try:
        async with ctx.new_uow() as uow:
            user_id = await uow.staff.add_user(
                {
                    "username": username,
                    "display_name": display_name.strip() or username,
                    "role": role,
                    "password_hash": password_hash,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            await uow.repo.audit(now, actor, "user_created", username=username, role=role)
    except IntegrityError:
        raise AccountError(f"a user named {username!r} already exists") from None
    return Staff(user_id, username, display_name.strip() or username, role)


async def log_in(ctx: Context, key: bytes, username: str, password: str, client: str) -> tuple[Session, str] | None:
    """A new session and its cookie token, or None for any failure (the caller cannot tell which).

    After MAX_FAILED_LOGINS failures in a row the account is locked for LOCKOUT, even against the
    right password; an administrator can unlock it sooner. The database counts the failures, so
    wrong passwords sent at once are all counted.
    """
    username = username.strip().lower()
    async with ctx.new_uow() as uow:
        user = await uow.staff.user_by_username(username)
    ok = await _verify(str(user["password_hash"]) if user else _unknown_user_hash(), password)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        if user is None:
            await uow.repo.audit(now, "anonymous", "login_failed", username=username[:64], client=client)
            return None
        user_id = int(user["id"])
        if not user["active"]:
            reason = "inactive"
        elif user["locked_until"] is not None and user["locked_until"] > now:
            reason = "locked"
        elif not ok:
            locked_now = await uow.staff.count_failed_login(user_id, MAX_FAILED_LOGINS, now + LOCKOUT)
            reason = "locked_now" if locked_now else "wrong_password"
        elif not await uow.staff.count_login(user_id, now):
            reason = "locked"  # wrong passwords sent at the same time locked it
        else:
            token = secrets.token_urlsafe(32)
            session = Session(_staff(user), secrets.token_urlsafe(32), now + SESSION_LIFETIME)
            await uow.staff.add_session(
                {
                    "token_digest": token_digest(key, token),
                    "user_id": user_id,
                    "csrf_token": session.csrf_token,
                    "created_at": now,
                    "expires_at": session.expires_at,
                }
            )
            await uow.repo.audit(now, session.staff.actor, "logged_in", client=client)
            return session, token
        await uow.repo.audit(now, f"staff:{username}", "login_failed", reason=reason, client=client)
    return None


async def session_for(ctx: Context, key: bytes, token: str) -> Session | None:
    """The live session of a cookie token: None when unknown, expired, or the account is inactive."""
    async with ctx.new_uow() as uow:
        row = await uow.staff.session(token_digest(key, token))
    if row is None or not row["active"] or row["expires_at"] <= ctx.clock():
        return None
    staff = Staff(int(row["user_id"]), str(row["username"]), str(row["display_name"]), str(row["role"]))
    return Session(staff, str(row["csrf_token"]), row["expires_at"])


async def log_out(ctx: Context, key: bytes, token: str, staff: Staff) -> None:
    async with ctx.new_uow() as uow:
        await uow.staff.delete_session(token_digest(key, token))
        await uow.repo.audit(ctx.clock(), staff.actor, "logged_out")


async def users(ctx: Context) -> list[dict[str, Any]]:
    async with ctx.new_uow() as uow:
        return await uow.staff.users()


async def change_user(
    ctx: Context,
    user_id: int,
    actor: Staff,
    *,
    role: str | None = None,
    active: bool | None = None,
    unlock: bool = False,
    password: str | None = None,
) -> None:
    """An administrator changes a role, (de)activates, unlocks or sets a new password. Each change
    ends the user's sessions except for an unlock, so a demoted or disabled user is out at once."""
    if role is not None and role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if user_id == actor.id and (active is False or (role is not None and role != "admin")):
        raise AccountError("administrators cannot disable or demote themselves")
    async with ctx.new_uow() as uow:
        user = await uow.staff.user(user_id)
    if user is None:
        raise AccountError("no such user")
    values: dict[str, object] = {}
    if password is not None:
        problem = password_problem(password, str(user["username"]))
        if problem:
            raise AccountError(problem)
        values["password_hash"] = await hash_password(password)
    if role is not None:
        values["role"] = role
    if active is not None:
        values["active"] = active
    if unlock:
        values |= {"locked_until": None, "failed_logins": 0}
    if not values:
        return
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        await uow.staff.update_user(user_id, updated_at=now, **values)
        if set(values) & {"password_hash", "role", "active"}:
            await uow.staff.end_sessions(user_id)
        changed = {k: v for k, v in values.items() if k != "password_hash"}
        if "password_hash" in values:
            changed["new_password_set"] = True
        await uow.repo.audit(now, actor.actor, "user_changed", username=user["username"], **_jsonable(changed))


def _jsonable(values: dict[str, object]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
