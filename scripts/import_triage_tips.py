"""Convert batches of labelled tips (JSON Lines: id, text, category, urgency, language, hard) into
the YAML files of tests/triage (one file per writer; the format of tests/triage/cases.py).

    scripts/import_triage_tips.py corpus w01.jsonl w02.jsonl ...   -> tests/triage/corpus/w01.yml ...
    scripts/import_triage_tips.py blind b01.jsonl ...              -> tests/triage/blind/b01.yml ...

The writer id (the file's name) is recorded with every tip: it is the grouping key of the
triage model's cross-validation (scripts/train_triage_model.py). An existing file is left as
it is unless --force is given, so labels reviewed by hand are not overwritten. A blind tip whose
text is word for word a training text ("test", "hi") is left out: it would not be unseen.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.triage.model import Category, Urgency  # noqa: E402
from actions.triage.text import normalise  # noqa: E402

TARGETS = {"corpus": ROOT / "tests" / "triage" / "corpus", "blind": ROOT / "tests" / "triage" / "blind"}
HEADERS = {
    "corpus": (
        "# Training text for the triage model (scripts/train_triage_model.py), writer {writer}.\n"
        "# Written in separate blind batches by writers briefed only with the contract's category and\n"
        "# urgency definitions and a persona, who saw neither the rules nor the model. The writer id is\n"
        "# the grouping key of the model's cross-validation. Labels reviewed against the contract\n"
        "# (triage.md); a `reviewed:` note says where and why a label was corrected.\n"
    ),
    "blind": (
        "# Blind held-out set of the triage model, writer {writer}: NEVER trained on.\n"
        "# Written in a separate blind batch by a writer briefed only with the contract's category and\n"
        "# urgency definitions and a persona, who saw neither the rules nor the model and wrote nothing\n"
        "# else in the repository. scripts/train_triage_model.py refuses any of these texts or ids, and\n"
        "# tests/unit/triage/test_textmodel.py checks it. Measured once, when the model was final.\n"
        '# A tip whose text is word for word a training text ("test", "hi") is left out.\n'
    ),
}


def convert(path: Path, writer: str) -> list[dict[str, Any]]:
    tips = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        category, urgency = Category(raw["category"]), Urgency(raw["urgency"])  # unknown labels stop here
        if (category is Category.NOT_A_TIP) != (urgency is Urgency.NONE):
            raise SystemExit(f"{path.name}: line {number}: {category}/{urgency} breaks the contract")
        tags = [str(raw.get("language", "en"))]
        if raw.get("hard"):
            tags.append("hard")
        tips.append(
            {
                "id": str(raw["id"]),
                "text": str(raw["text"]),
                "category": str(category),
                "urgency": str(urgency),
                "writer": writer,
                "tags": tags,
            }
        )
    return tips


def training_texts() -> set[str]:
    texts = set()
    for directory in (TARGETS["corpus"], ROOT / "tests" / "triage" / "tips"):
        for path in sorted(directory.glob("*.yml")):
            texts |= {normalise(str(raw["text"])) for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []}
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=sorted(TARGETS))
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    args = parser.parse_args(argv)
    target = TARGETS[args.kind]
    target.mkdir(parents=True, exist_ok=True)
    for path in args.files:
        writer = path.stem
        out = target / f"{writer}.yml"
        if out.exists() and not args.force:
            print(f"{out.relative_to(ROOT)}: exists, left as it is")
            continue
        tips = convert(path, writer)
        if args.kind == "blind":
            known = training_texts()
            left_out = [t["id"] for t in tips if normalise(t["text"]) in known]
            tips = [t for t in tips if t["id"] not in left_out]
            if left_out:
                print(f"{path.name}: left out, the same text is in the training text: {', '.join(left_out)}")
        body = yaml.safe_dump(tips, allow_unicode=True, sort_keys=False, width=100)
        out.write_text(HEADERS[args.kind].format(writer=writer) + body, encoding="utf-8")
        print(f"{out.relative_to(ROOT)}: {len(tips)} tips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
