"""Rasa's turns on their own thread, so the web server's event loop stays free to answer at once.

A turn is mostly TensorFlow and featurisation run inline on the event loop: measured here, 50
residents texting at once kept Twilio waiting up to 17 s for the webhook's empty answer while the
turns ran on the server's loop. Turns of our channels therefore run on one dedicated thread with
its own event loop (one at a time at each await, as on the server's loop), while everything bound
to the server's loop (the Twilio client, Redis, socket.io) stays there: replies are handed back to
it with `on_server_loop`.

Each conversation is handled on one thread only, and Rasa's in-memory tracker and lock stores keep
one entry per conversation, so the REST channel's turns on the server's loop never share an entry
with ours.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
from collections.abc import Awaitable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
TURN_NICENESS = 10  # Linux: the thread's own nice value; the rest of the process keeps its priority


class TurnThread:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

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

    async def run(self, turn: Awaitable[T]) -> T:
        """Await `turn` on the turn thread's loop from the server's loop."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(_awaited(turn), self._start())
        return await asyncio.wrap_future(future)

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
