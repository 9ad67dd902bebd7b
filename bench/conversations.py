"""Message round trip and throughput of whole report conversations: REST, signed SMS and plain Rasa.

A closed-loop load: CONCURRENCY residents each go through report conversations, one message after
the bot's answer to the previous one, for a fixed time; a message counts once its turn is done.
- REST: the time until the engine's HTTP answer, which carries the bot's replies.
- SMS: a Twilio-signed POST to /webhooks/twilio/webhook; the engine answers Twilio at once and the
  replies go out through the Twilio client to the local fake Twilio (tests/support/fake_twilio.py),
  which timestamps them: the round trip ends when the turn's last reply was sent.
- plain Rasa: the same model served by `rasa run` with the REST channel only and no action
  endpoint (every custom action fails fast), given the same messages as our REST residents.

    .venvs/app/bin/python -m bench.conversations [--concurrency 1 10 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.answers import REFERENCE, question_in
from tests.support.stack import MODEL, ROOT, Stack, free_port, running_fake_twilio, running_stack, wait_healthy
from tests.support.texter import ACCOUNT_SID, TIPLINE_NUMBER, sign, twilio_form

OPENING = "my neighbor hasnt left his house in a week and isnt answering"
ANSWERS = {
    "imminent": "no",
    "who": "my neighbor",
    "where": "214 oak street",
    "how_known": "i live next door",
    "anonymous": "no",
}
MAX_TURNS = 10
# Every turn of these conversations ends with the form's next question or the receipt. Should a
# reply end a turn with neither, the turn is taken as done once no other reply came for this long
# (it only paces the resident: the round trip is the fake Twilio's timestamp of the turn's last
# reply). Under load the replies of one turn can be seconds apart, so this is generous.
SMS_SETTLE_SECONDS = 10.0
TIMEOUT = aiohttp.ClientTimeout(total=120)
SLICES = 4  # each level's load time is cut into this many slices per target, taken in turn

# One message of a conversation: what the resident wrote -> (the bot's replies, seconds until the turn was done).
Say = Callable[[str], Awaitable[tuple[list[str], float]]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(latencies: list[float], messages: int, seconds: float) -> dict[str, float]:
    return {
        "messages": messages,
        "seconds": round(seconds, 1),
        "messages_per_second": round(messages / seconds, 2),
        "p50_ms": round(statistics.median(latencies) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "p99_ms": round(percentile(latencies, 99) * 1000),
        "max_ms": round(max(latencies) * 1000),
    }


def rest_resident(session: aiohttp.ClientSession, engine_url: str) -> Say:
    url = engine_url + "/webhooks/rest/webhook"
    sender = "bench-" + secrets.token_hex(8)

    async def say(text: str) -> tuple[list[str], float]:
        started = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            response.raise_for_status()
            replies = await response.json()
        return [r["text"] for r in replies if "text" in r], time.perf_counter() - started

    return say


@dataclass
class SMSLine:
    """The signed SMS channel of one stack and its fake Twilio; hands out fictional +1 555 01xx numbers."""

    webhook: str
    auth_token: str
    twilio_url: str
    numbers: Iterator[str] = field(
        default_factory=lambda: (f"+1{area}55501{n:02d}" for area in range(201, 990) for n in range(100))
    )

    def resident(self, session: aiohttp.ClientSession) -> Say:
        phone = next(self.numbers)
        received = 0

        async def arrived(count: int, within: float) -> list[dict[str, Any]]:
            params = {"to": phone, "count": str(count), "timeout": str(within)}
            async with session.get(self.twilio_url + "/_wait", params=params) as response:
                sent: list[dict[str, Any]] = await response.json()
            return sent

        async def say(text: str) -> tuple[list[str], float]:
            nonlocal received
            form = twilio_form(phone, text)
            started = time.time()
            async with session.post(
                self.webhook, data=form, headers={"X-Twilio-Signature": sign(self.auth_token, self.webhook, form)}
            ) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"the SMS webhook answered {response.status}")
            sent = await arrived(received + 1, 60)
            while len(sent) > received:
                last = sent[-1]["body"]
                if question_in([last]) or REFERENCE.search(last):
                    break
                more = await arrived(len(sent) + 1, SMS_SETTLE_SECONDS)
                if len(more) == len(sent):
                    break
                sent = more
            if len(sent) == received:
                raise RuntimeError(f"no reply to {text!r} within 60 s")
            turn = sent[received:]
            received = len(sent)
            return [m["body"] for m in turn], turn[-1]["received_at"] - started

        return say


async def conversation(say: Say, latencies: list[float], until: float) -> int:
    """One report, answering each question, until its receipt or `until` (perf_counter); the messages sent."""
    text: str | None = OPENING
    turns = 0
    while text is not None and turns < MAX_TURNS and time.perf_counter() < until:
        replies, seconds = await say(text)
        latencies.append(seconds)
        turns += 1
        asked = question_in(replies)
        text = ANSWERS.get(asked, "skip") if asked else None
    return turns


@dataclass
class Figures:
    """The round trips of finished turns and the time they took, added up over the slices of a run."""

    latencies: list[float] = field(default_factory=list)
    messages: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        return summary(self.latencies, self.messages, self.seconds)


async def load(
    new_resident: Callable[[aiohttp.ClientSession], Say], concurrency: int, seconds: float, figures: Figures
) -> None:
    """`concurrency` residents, each starting a new conversation when one ends, for `seconds`."""
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        started = time.perf_counter()
        until = started + seconds

        async def resident() -> int:
            sent = 0
            while time.perf_counter() < until:
                sent += await conversation(new_resident(session), figures.latencies, until)
            return sent

        figures.messages += sum(await asyncio.gather(*(resident() for _ in range(concurrency))))
        figures.seconds += time.perf_counter() - started


async def warm_up(new_resident: Callable[[aiohttp.ClientSession], Say]) -> None:
    """One conversation, not measured: the first turns load models and fill caches."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        await conversation(new_resident(session), [], time.perf_counter() + 60)


# --- the services -------------------------------------------------------------------------------


def rss_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process and its children now, and the sum of their peaks, in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))

    def status(p: int, key: str) -> float:
        try:
            lines = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:
            return 0.0
        return next((int(line.split()[1]) / 1024 for line in lines if line.startswith(key + ":")), 0.0)

    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return {
        "rss_mb": round(sum(status(p, "VmRSS") for p in tree)),
        "peak_rss_mb": round(sum(status(p, "VmHWM") for p in tree)),
    }


@contextmanager
def our_stack(workdir: Path) -> Iterator[tuple[Stack, SMSLine]]:
    """The three services with the SMS channel's replies going to a fake Twilio."""
    with running_fake_twilio(workdir / "fake-twilio.log") as twilio_url:
        engine_port = free_port()
        token = secrets.token_hex(16)
        env = {
            "TIPLINE_ENGINE_PORT": str(engine_port),
            "TIPLINE_PUBLIC_URL": f"http://127.0.0.1:{engine_port}",
            "TIPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TIPLINE_TWILIO_AUTH_TOKEN": token,
            "TIPLINE_TWILIO_NUMBER": TIPLINE_NUMBER,
            "TIPLINE_TWILIO_API_URL": twilio_url,
            # Flood control would turn most of the load away: every message should take its turn.
            "TIPLINE_FLOOD_OVERALL": "100000",
            "TIPLINE_FLOOD_PER_SENDER": "100000",
        }
        with running_stack(workdir, env) as stack:
            yield stack, SMSLine(stack.engine_url + "/webhooks/twilio/webhook", token, twilio_url)


@dataclass
class PlainRasa:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_ready(self) -> None:
        wait_healthy(self.url + "/", self.process, 360, self.log)


@contextmanager
def plain_rasa(workdir: Path) -> Iterator[PlainRasa]:
    """`rasa run` with the same model, the REST channel only, and no action endpoint (started, not yet ready)."""
    (workdir / "credentials.yml").write_text("rest:\n")
    (workdir / "endpoints.yml").write_text("# no action endpoint, default tracker and lock stores\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_")}
    command = [str(ROOT / "scripts" / "rasa.sh"), "run", "--model", str(MODEL), "--port", str(port)]
    command += ["--credentials", str(workdir / "credentials.yml"), "--endpoints", str(workdir / "endpoints.yml")]
    log = workdir / "plain-rasa.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own script and arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield PlainRasa(f"http://127.0.0.1:{port}", process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run(workdir: Path, levels: list[int], seconds: float, slices: int = SLICES) -> dict[str, Any]:
    """Every load level on our REST and SMS channels and on plain Rasa, with each service's memory.

    Both engines run side by side and the load goes to one at a time, in short slices taken in turn
    (ours, plain, SMS; then the other way round), so a neighbour's burst on the shared machine
    weighs on each about as much.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    print("Starting plain Rasa, and the engine, the action server and the routing service...", file=sys.stderr)
    # One after the other: two engines loading at once on a busy machine may take minutes each.
    with our_stack(workdir) as (stack, sms), plain_rasa(workdir) as plain:
        plain.wait_ready()
        targets: dict[str, Callable[[aiohttp.ClientSession], Say]] = {
            "rest": lambda s: rest_resident(s, stack.engine_url),
            "plain_rasa": lambda s: rest_resident(s, plain.url),
            "sms": sms.resident,
        }
        for target in targets.values():
            asyncio.run(warm_up(target))
        figures = {name: {n: Figures() for n in levels} for name in targets}
        for n in levels:
            print(f"  {n} concurrent conversations: REST, plain Rasa, SMS...", file=sys.stderr)
            for turn in range(slices):
                order = list(targets) if turn % 2 == 0 else list(reversed(targets))
                for name in order:
                    asyncio.run(load(targets[name], n, seconds / slices, figures[name][n]))
        memory = {name: rss_mb(process.pid) for name, process in stack.processes.items()}
        memory["plain_rasa"] = rss_mb(plain.process.pid)
    result: dict[str, Any] = {name: {str(n): f.summary() for n, f in by.items()} for name, by in figures.items()}
    result["memory"] = memory
    result["ratio_to_plain_rasa"] = {
        channel: {
            n: round(result[channel][n]["messages_per_second"] / result["plain_rasa"][n]["messages_per_second"], 2)
            for n in result[channel]
        }
        for channel in ("rest", "sms")
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=30, help="of load at each level")
    args = parser.parse_args()
    result = run(ROOT / "var" / "bench-conversations", args.concurrency, args.seconds)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
