"""Rasa's turns on their own thread, so the web server's event loop stays free to answer at once.

A turn is mostly TensorFlow and featurisation run inline on the event loop: measured here, 50
residents texting at once kept Twilio waiting up to 17 s for the webhook's empty answer while the
turns ran on the server's loop. Turns of our channels therefore run on one dedicated thread with
its own event loop (one at a time at each await, as on the server's loop), while everything bound
to the server's loop (the Twilio client, Redis, socket.io) stays there: replies are handed back to
it with `on_server_loop`.

Turns wait in one bounded line (`TurnLine`) before they reach the thread: a few run at once,
emergencies first, and a flood from one sender cannot push everyone else's turns back or grow the
line without end.

Each conversation is handled on one thread only, and Rasa's in-memory tracker and lock stores keep
one entry per conversation, so the REST channel's turns on the server's loop never share an entry
with ours.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import sys
import threading
from collections import Counter
from collections.abc import Awaitable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
TURN_NICENESS = 10  # Linux: the thread's own nice value; the rest of the process keeps its priority
# Turns in progress at once: two keep the engine busy while one waits for an action call, and an
# emergency taken from the line shares the thread with one other turn only (measured with the
# flood test: four at once doubled the emergency replies' p99 under a flood).
TURNS_AT_ONCE = 2
WAITING_TURNS = 100  # the line's default bound; the channels set FloodLimits.waiting_turns


class LineFull(Exception):
    """The line of waiting turns is full and this turn would be served last: it is not run."""


class TurnLine:
    """Who runs next, on the server's loop: at most `at_once` turns run, at most `max_waiting` wait.

    Waiting turns are served urgent first, then the sender with the fewest turns already in the
    line or running (so one sender's flood cannot hold another resident back), then in arrival
    order. When the line is full, a newcomer that ranks ahead of the last waiting turn takes its
    place (that one gets LineFull); otherwise the newcomer gets LineFull.
    """

    def __init__(self, at_once: int = TURNS_AT_ONCE, max_waiting: int = WAITING_TURNS) -> None:
        self.at_once = at_once
        self.max_waiting = max_waiting
        self._running = 0
        self._waiting: dict[tuple[int, int, int], tuple[str, asyncio.Future[None]]] = {}
        self._held = Counter[str]()  # turns waiting or running, per sender
        self._arrivals = itertools.count()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def enter(self, sender: str, urgent: bool) -> None:
        """Wait for this sender's turn to run; LineFull when the line has no place for it."""
        if self._running < self.at_once and not self._waiting:
            self._running += 1
            self._held[sender] += 1
            return
        rank = (0 if urgent else 1, self._held[sender], next(self._arrivals))
        if len(self._waiting) >= self.max_waiting:
            last = max(self._waiting)
            if rank > last:
                raise LineFull
            pushed_out = self._drop(last)
            if not pushed_out.done():  # a cancelled one is gone already
                pushed_out.set_exception(LineFull())
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[rank] = (sender, place)
        self._held[sender] += 1
        try:
            await place
        except BaseException:  # pushed out (LineFull), or cancelled while waiting or just after being let in
            if rank in self._waiting:
                self._drop(rank)
            elif place.done() and not place.cancelled() and place.exception() is None:
                self.leave(sender)
            raise

    def leave(self, sender: str) -> None:
        """A running turn is over: let the best-ranked waiting turn in."""
        self._running -= 1
        self._release(sender)
        while self._waiting and self._running < self.at_once:
            waiting_sender, place = self._waiting.pop(min(self._waiting))
            if place.cancelled():  # its task was cancelled and has not run its cleanup yet
                self._release(waiting_sender)
                continue
            self._running += 1
            place.set_result(None)

    def _drop(self, rank: tuple[int, int, int]) -> asyncio.Future[None]:
        sender, place = self._waiting.pop(rank)
        self._release(sender)
        return place

    def _release(self, sender: str) -> None:
        self._held[sender] -= 1
        if self._held[sender] <= 0:
            del self._held[sender]


class TurnThread:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.line = TurnLine()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                # Python hands the GIL over every 5 ms by default; with a busy turn thread that is a
                # 5 ms wait, several times over, for each webhook answer. 1 ms keeps them short.
                sys.setswitchinterval(0.001)
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=_run_nicely, args=(loop,), name="rasa-turns", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def run(self, turn: Awaitable[T], sender: str, urgent: bool = False) -> T:
        """Await `turn` on the turn thread's loop from the server's loop, once the line lets it in.

        LineFull (the turn is not run) when the line has no place for it.
        """
        try:
            await self.line.enter(sender, urgent)
        except BaseException:
            if asyncio.iscoroutine(turn):
                turn.close()  # never started: no "coroutine was never awaited" warning
            raise
        try:
            future: Future[T] = asyncio.run_coroutine_threadsafe(_awaited(turn), self._start())
            return await asyncio.wrap_future(future)
        finally:
            self.line.leave(sender)

    def stop(self) -> None:
        with self._lock:
            if self._loop is not None and self._thread is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(timeout=10)
                self._loop = None
                self._thread = None


def _run_nicely(loop: asyncio.AbstractEventLoop) -> None:
    """The turn thread's loop, at a lower CPU priority than the server's thread: on a busy machine the
    kernel then lets a request be answered before the next stretch of inference."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TURN_NICENESS)
    loop.run_forever()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def on_server_loop(server_loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
    """Run `work` on the server's loop, whichever loop the caller is on."""
    if asyncio.get_running_loop() is server_loop:
        return await work
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, server_loop))


def freeze_startup_objects() -> None:
    """Keep the garbage collector off the millions of objects TensorFlow and Rasa load at start.

    Without this, a full collection now and then walks all of them with the GIL held and every
    request waits: measured here, stalls of 0.4 to 1.1 s in the middle of the SMS benchmark.
    Objects allocated later are collected as usual.
    """
    gc.collect()
    gc.freeze()


# One thread for the turns of every channel of this engine process, started at the first turn.
TURNS = TurnThread()
