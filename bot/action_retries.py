"""A custom action call that no action server answered is made again, not dropped.

When a call to the action server fails, Rasa 3.6 logs "Bot will continue, but the actions events
are lost" and goes on with the turn as if the action had returned nothing: the safety screen, the
filing of the report or the form's validation of the answer are skipped for that message, and the
conversation carries on with a report that no longer grows. An action server that dies in the
middle of a call (a restart, a crash) answers nothing; in production the balancer retries such a
call on the other server only while the request fits in its buffer, and a tracker soon does not.

`install()` (called when the engine loads our channels, bot/operations.py) makes RemoteAction try
again, a few times over about 7 s, when the call got no answer: the connection was refused or
dropped, or the balancer answered 502/503/504 for a server that died or is restarting. Every
custom action is safe to repeat (a report's filing is idempotent by its conversation id; nothing
is uttered before the answer arrives). A refusal (400: the form rejected the action) and any
answer the server did give are Rasa's as before; a timeout is not tried again (the action may
still be running).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError

log = logging.getLogger(__name__)

# Waits between tries: about 7.5 s in all, inside the balancer's 30 s for one action call and the
# engine's 90 s turn lock, and longer than the balancer takes to mark a dead server down (2 s).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
UNANSWERED_STATUSES = frozenset({502, 503, 504})

_RASA_RUN = RemoteAction.run


def unanswered(error: BaseException) -> bool:
    """Whether a failed call got no answer from an action server (so running it again is sound)."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ClientResponseError):
        return cause.status in UNANSWERED_STATUSES
    return isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(cause, asyncio.TimeoutError)


async def run_until_answered(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    """RemoteAction.run, tried again while no action server answers."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return await _RASA_RUN(self, *args, **kwargs)
        except RasaException as e:
            if delay is None or not unanswered(e):
                raise
            log.warning("custom action %s got no answer (%s); trying again in %s s", self.name(), e, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def install() -> None:
    RemoteAction.run = run_until_answered
