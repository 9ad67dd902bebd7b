"""Whatever a resident or a staff member typed, the console shows it as text, never as markup."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from markupsafe import escape

from routing import accounts
from routing.keys import CONTEXT, SETTINGS
from tests.security import hostile
from tests.support.console import PASSWORD, Console, add_user
from tests.support.routing import tip_payload


async def _submit(client: TestClient, text: str) -> str:
    payload = tip_payload(
        text=text,
        answers={"what": text, "where": text, "who": text, "when": text, "weapons": text, "target": text},
        transcript=[{"role": "resident", "text": text, "at": "2026-11-27T15:00:00Z"}],
        anonymous=False,
        contact={"name": text, "email": "reporter@example.invalid", "phone": "+15550123", "preferred": text[:32]},
        triage={"explanation": text},
    )
    response = await client.post(
        "/api/v1/tips", json=payload, headers={"Authorization": f"Bearer {client.app[SETTINGS].intake_secret}"}
    )
    assert response.status == 201, await response.text()
    return str((await response.json())["reference"])


def _assert_inert(page: str) -> None:
    for markup in hostile.RAW_MARKUP:
        assert markup not in page, f"unescaped {markup!r} in the page"


async def test_hostile_report_text_is_escaped_on_the_queue_and_the_tip_page(client: TestClient) -> None:
    await add_user(client, "dana", "dispatcher")
    console = Console(client)
    await console.log_in("dana")
    references = {text: await _submit(client, text) for text in hostile.SCRIPT + hostile.TEMPLATE_AND_FORMAT}

    queue = await (await console.get("/console/?status=all")).text()
    _assert_inert(queue)
    for text, reference in references.items():
        page = await (await console.get(f"/console/tips/{reference}")).text()
        _assert_inert(page)
        assert str(escape(text)) in page, text  # shown, as text
    template = await (await console.get(f"/console/tips/{references['{{ 7*7 }}']}")).text()
    assert "{{ 7*7 }}" in template  # shown as typed, not evaluated


async def test_hostile_staff_input_is_escaped_where_it_is_shown_again(client: TestClient) -> None:
    """Notes, follow-ups, dispositions and replies come back on the tip page; a user's name on every page."""
    reference = await _submit(client, "a plain report")
    await add_user(client, "dana", "dispatcher")
    console = Console(client)
    await console.log_in("dana")
    script = hostile.SCRIPT[0]
    base = f"/console/tips/{reference}"
    for path, form in (
        ("/notes", {"text": script}),
        ("/follow-ups", {"kind": "follow_up", "action": script, "owner": script, "due": ""}),
        ("/reply", {"text": script}),
        ("/disposition", {"disposition": "valid", "outcome": script, "destination": ""}),
    ):
        response = await console.post(base + path, **form)
        assert response.status in (200, 303), (path, response.status, await response.text())
    page = await (await console.get(base)).text()
    _assert_inert(page)
    assert str(escape(script)) in page


async def test_a_hostile_display_name_is_escaped_in_the_page_header(client: TestClient) -> None:
    await accounts.create_user(client.app[CONTEXT], "mallory", hostile.SCRIPT[1], "dispatcher", PASSWORD, "test")
    console = Console(client)
    page = await (await console.log_in("mallory")).text()
    _assert_inert(page)
    assert str(escape(hostile.SCRIPT[1])) in page


async def test_the_acknowledgement_page_never_reflects_an_unchecked_token(client: TestClient) -> None:
    response = await client.get("/ack/1?t=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    assert response.status == 404
    assert "<script>" not in await response.text()
