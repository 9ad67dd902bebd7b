"""bot/model_loading.py: DIET loads without tracing its training step, and predicts exactly as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "tipline.tar.gz"

# Loads the model in a process of its own (TensorFlow's state stays there) and prints the parse of
# each message and the checkpoint values that found no variable.
PARSE = """
import asyncio, json, logging, sys
unrestored = []
class Catch(logging.Handler):
    def emit(self, record):
        if "could not be found in the restored object" in record.getMessage():
            unrestored.append(record.getMessage())
logging.getLogger("tensorflow").addHandler(Catch())
if sys.argv[1] == "ours":
    from bot import model_loading
    model_loading.install()
from rasa.core.agent import load_agent
agent = asyncio.run(load_agent(model_path=sys.argv[2]))
parses = []
for text in json.loads(sys.argv[3]):
    parsed = asyncio.run(agent.parse_message(text))
    entities = sorted(json.dumps([e["entity"], e["value"], e.get("confidence_entity")]) for e in parsed["entities"])
    parses.append([parsed["intent"], entities])
print(json.dumps({"parses": parses, "unrestored": unrestored}))
"""

MESSAGES = [
    "my coworker said he is going to shoot everyone at work tomorrow",
    "mi hermano dice que se va a matar esta noche",
    "a man has been filming the gates of the water plant and timing the guards",
    "what happens to my report",
    "actually it was thursday",
    "hi",
]


def load_and_parse(which: str) -> dict[str, Any]:
    env = os.environ | {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PARSE, which, str(MODEL), json.dumps(MESSAGES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_diet_loaded_without_tracing_predicts_as_rasa_loads_it() -> None:
    assert MODEL.is_file(), "no trained model: run 'make model'"
    ours, rasa = load_and_parse("ours"), load_and_parse("rasa")
    assert ours["unrestored"] == []
    # The same weights, run eagerly rather than in a traced graph: float32 sums may round apart in
    # the last digits (seen: 0.98120087 and 0.98120099), never in what was predicted.
    assert len(ours["parses"]) == len(rasa["parses"])
    for (our_intent, our_entities), (their_intent, their_entities) in zip(ours["parses"], rasa["parses"], strict=True):
        assert our_intent["name"] == their_intent["name"]
        assert abs(our_intent["confidence"] - their_intent["confidence"]) <= 1e-5
        ours_found, theirs_found = [json.loads(e) for e in our_entities], [json.loads(e) for e in their_entities]
        assert [e[:2] for e in ours_found] == [e[:2] for e in theirs_found]
        for a, b in zip(ours_found, theirs_found, strict=True):
            assert (a[2] is None) == (b[2] is None) and (a[2] is None or abs(a[2] - b[2]) <= 1e-5)
    assert [p[0]["name"] for p in ours["parses"]][:2] == ["report_threat", "report_self_harm"]
