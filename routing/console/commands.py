"""`python -m routing create-user`: how the first administrator (and any later account) is made."""

from __future__ import annotations

import asyncio
import getpass
import sys

from routing import accounts
from routing.app import link_key
from routing.crypto import Vault
from routing.jurisdiction import Jurisdiction
from routing.service import Context
from routing.settings import Settings
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork


def read_password(from_stdin: bool) -> str:
    """From standard input (one line, for scripts) or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def create_user(
    settings: Settings, jurisdiction: Jurisdiction, username: str, display_name: str, role: str, password: str
) -> accounts.Staff:
    async def run() -> accounts.Staff:
        engine = create_engine(settings.database_url, pool_size=1)
        ctx = Context(
            new_uow=lambda: UnitOfWork(engine),
            vault=Vault(settings.encryption_keys),
            jurisdiction=jurisdiction,
            link_key=link_key(settings),
        )
        try:
            return await accounts.create_user(ctx, username, display_name, role, password, actor="command:create-user")
        finally:
            await engine.dispose()

    return asyncio.run(run())
