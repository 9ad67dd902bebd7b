"""Read Rasa NLU YAML files as plain (intent, text) pairs, entity annotations removed."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def examples(*paths: Path) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    by_intent[block["intent"]].append(ANNOTATION.sub(r"\1", line[2:]).strip())
    return dict(by_intent)


def training_examples() -> dict[str, list[str]]:
    return examples(*sorted((ROOT / "data" / "nlu").rglob("*.yml")))


def held_out_examples() -> dict[str, list[str]]:
    return examples(*sorted((ROOT / "tests" / "nlu").glob("*.yml")))
