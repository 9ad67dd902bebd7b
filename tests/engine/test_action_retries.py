"""An action call no action server answered is made again; an answer, a refusal or a timeout is not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot import action_retries

ANSWER = {"events": [{"event": "slot", "name": "tip_where", "value": "the depot", "timestamp": None}], "responses": []}
Reply = Callable[[web.Request], Any]

RASA_RUN = RemoteAction.run  # as Rasa ships it, before install()


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(action_retries, "RETRY_DELAYS", (0.0, 0.0, 0.0, 0.0))
    action_retries.install()
    yield
    RemoteAction.run = RASA_RUN


class ActionServer:
    """An action server that fails its first calls as told, then answers."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.calls = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.calls += 1
        await request.read()
        failure = self.failures.pop(0) if self.failures else None
        if failure == "dies":  # the process died mid-request: the connection closes unanswered
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if failure is not None:
            status = int(failure)
            body = {"action_name": "action_x", "error": "rejected"} if status == 400 else {}
            return web.json_response(body, status=status)
        return web.json_response(ANSWER)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[list[str]], Any]]:
    runners: list[web.AppRunner] = []

    async def start(failures: list[str]) -> tuple[ActionServer, str]:
        server = ActionServer(failures)
        app = web.Application()
        app.router.add_post("/webhook", server.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return server, f"http://127.0.0.1:{port}/webhook"

    yield start
    for runner in runners:
        await runner.cleanup()


async def run(url: str) -> list[Any]:
    domain = Domain.empty()
    action = RemoteAction("action_x", EndpointConfig(url))
    tracker = DialogueStateTracker("resident", [])
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)


@pytest.mark.parametrize("failures", [["dies"], ["502"], ["503", "dies", "504"]])
async def test_a_call_no_server_answered_is_made_again(serve: Any, failures: list[str]) -> None:
    server, url = await serve(list(failures))
    events = await run(url)
    assert events == [SlotSet("tip_where", "the depot")]
    assert server.calls == len(failures) + 1


async def test_the_call_fails_after_the_last_try(serve: Any) -> None:
    server, url = await serve(["502"] * 10)
    with pytest.raises(RasaException):
        await run(url)
    assert server.calls == len(action_retries.RETRY_DELAYS) + 1


@pytest.mark.parametrize(("failure", "error"), [("400", ActionExecutionRejection), ("500", RasaException)])
async def test_an_answer_is_not_tried_again(serve: Any, failure: str, error: type[Exception]) -> None:
    """A refusal is the form's to handle, and a 500 is the action's own error: running it again
    would do the same."""
    server, url = await serve([failure])
    with pytest.raises(error):
        await run(url)
    assert server.calls == 1


async def test_a_refused_connection_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def wait(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr(action_retries.asyncio, "sleep", wait)
    with pytest.raises(RasaException, match="Couldn't connect"):
        await run("http://127.0.0.1:1/webhook")  # nothing listens on port 1
    assert waits == list(action_retries.RETRY_DELAYS)
