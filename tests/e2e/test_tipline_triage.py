"""`tipline triage` against the running stack: the trained model, the triage code and routing."""

from __future__ import annotations

import json
import subprocess

from tests.support.stack import ROOT, Stack

LINES = [
    {"id": "gun-tomorrow", "text": "my coworker said he is going to shoot everyone at work tomorrow"},
    {"id": "self-harm", "text": "my friend told me she has a plan to kill herself next week"},
    {"id": "hello", "text": "hi, how does this work?"},
    {"id": "no-text"},
    {
        "id": "with-answers",
        "text": "I want to report something",
        "answers": {"what": "a man is waving a knife at people", "happening_now": True},
    },
]


def run_triage(stack: Stack, lines: list[dict[str, object]]) -> subprocess.CompletedProcess[str]:
    env = dict(stack.env, TIPLINE_ENGINE_URL=stack.engine_url, TIPLINE_ROUTING_URL=stack.routing_url)
    return subprocess.run(
        [str(ROOT / "bin" / "tipline"), "triage"],
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_tipline_triage_writes_one_result_per_line_in_order(stack: Stack) -> None:
    done = run_triage(stack, LINES)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in results] == [line["id"] for line in LINES]
    by_id = {r["id"]: r for r in results}

    emergency = by_id["gun-tomorrow"]
    assert (emergency["category"], emergency["urgency"]) == ("threat_to_others", "emergency")
    assert emergency["destinations"][0] == "911" and "timeframe_24h" in emergency["indicators"]
    assert emergency["explanation"] and isinstance(emergency["needs_review"], bool)
    assert any(rule.startswith("default:threat_to_others") for rule in emergency["rules"])

    self_harm = by_id["self-harm"]
    assert (self_harm["category"], self_harm["urgency"]) == ("self_harm", "urgent")
    assert self_harm["destinations"] == ["988"]

    assert (by_id["hello"]["category"], by_id["hello"]["destinations"]) == ("not_a_tip", [])
    assert by_id["with-answers"]["urgency"] == "emergency"

    assert "'text' is required" in by_id["no-text"]["error"]
    assert done.returncode == 1 and "line 4" in done.stderr
