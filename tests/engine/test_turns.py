"""The line in front of the turn thread: bounded, emergencies first, one sender cannot crowd out others."""

from __future__ import annotations

import asyncio

import pytest

from bot.turns import LineFull, TurnLine, TurnThread


async def _hold(line: TurnLine, sender: str, urgent: bool, served: list[str], release: asyncio.Event) -> None:
    await line.enter(sender, urgent)
    served.append(sender)
    await release.wait()
    line.leave(sender)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_emergency_is_served_before_ordinary_turns_that_came_earlier() -> None:
    line = TurnLine(at_once=1, max_waiting=10)
    served: list[str] = []
    release = asyncio.Event()
    tasks = [asyncio.create_task(_hold(line, "first", False, served, release))]
    await _settle()
    for name, urgent in [("chat-1", False), ("chat-2", False), ("emergency", True)]:
        tasks.append(asyncio.create_task(_hold(line, name, urgent, served, release)))
        await _settle()
    release.set()
    await asyncio.gather(*tasks)
    assert served == ["first", "emergency", "chat-1", "chat-2"]


async def test_one_senders_flood_does_not_push_back_another_resident() -> None:
    line = TurnLine(at_once=1, max_waiting=100)
    served: list[str] = []
    release = asyncio.Event()
    tasks = [asyncio.create_task(_hold(line, "flood", True, served, release)) for _ in range(20)]
    await _settle()
    tasks.append(asyncio.create_task(_hold(line, "resident", True, served, release)))
    await _settle()
    release.set()
    await asyncio.gather(*tasks)
    assert served.index("resident") == 1  # right after the flood's turn that was already running


async def test_the_line_is_bounded_and_an_emergency_takes_the_place_of_the_last_ordinary_turn() -> None:
    line = TurnLine(at_once=1, max_waiting=3)
    served: list[str] = []
    release = asyncio.Event()
    running = asyncio.create_task(_hold(line, "running", False, served, release))
    await _settle()
    waiting = [asyncio.create_task(_hold(line, f"chat-{n}", False, served, release)) for n in range(3)]
    await _settle()
    assert line.waiting == 3
    with pytest.raises(LineFull):
        await line.enter("one-too-many", False)
    emergency = asyncio.create_task(_hold(line, "emergency", True, served, release))
    await _settle()
    assert line.waiting == 3
    with pytest.raises(LineFull):
        await waiting[2]  # the last one in line gave its place up
    release.set()
    await asyncio.gather(running, emergency, *waiting[:2])
    assert served == ["running", "emergency", "chat-0", "chat-1"]


async def test_a_turn_refused_by_a_full_line_is_never_started() -> None:
    turns = TurnThread()
    turns.line = TurnLine(at_once=1, max_waiting=1)
    gate = asyncio.Event()
    started: list[str] = []

    async def turn(name: str) -> str:
        started.append(name)
        if name == "slow":
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(gate.wait(), server_loop))
        return name

    server_loop = asyncio.get_running_loop()
    slow = asyncio.create_task(turns.run(turn("slow"), sender="a"))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(turns.run(turn("second"), sender="b"))
    await _settle()
    with pytest.raises(LineFull):
        await turns.run(turn("third"), sender="c")
    gate.set()
    assert [await slow, await second] == ["slow", "second"]
    assert started == ["slow", "second"]
    turns.stop()


async def test_a_turn_cancelled_while_waiting_gives_its_place_up() -> None:
    line = TurnLine(at_once=1, max_waiting=10)
    served: list[str] = []
    release = asyncio.Event()
    release.set()
    await line.enter("running", False)
    gone = asyncio.create_task(_hold(line, "gone", True, served, release))
    after = asyncio.create_task(_hold(line, "after", False, served, release))
    await _settle()
    gone.cancel()
    line.leave("running")  # before the cancelled task has run its cleanup
    await after
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert served == ["after"]
    assert line.waiting == 0
    await line.enter("next", False)  # the running count is right: a turn gets in at once
    line.leave("next")
