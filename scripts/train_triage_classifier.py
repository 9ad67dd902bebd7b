"""`make train-triage`: train the triage classifier on tests/triage/corpus/*.yml.

Writes actions/triage/classifier.json (actions/triage/classifier.py reads it). Deterministic:
the corpus files in name order, a fixed shuffle seed and a fixed number of passes, so the same
corpus gives the same file. The evaluation set (tests/triage/tips) is never trained on.
`--folds N` also prints each head's cross-validated accuracy on the corpus, to compare settings.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.triage.classifier import HEADS, MODEL_FILE, Head, model_document, softmax, weighted  # noqa: E402
from actions.triage.classifier import features as text_features  # noqa: E402
from actions.triage.model import Category, Urgency  # noqa: E402

CORPUS_DIR = ROOT / "tests" / "triage" / "corpus"
MIN_DOCUMENTS = 2  # a feature seen in fewer training texts is dropped
PASSES = 30
LEARNING_RATE = 0.5
L2 = 1e-5
SEED = 20261127
LABELS = {"category": tuple(str(c) for c in Category), "urgency": tuple(str(u) for u in Urgency)}


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict[str, str]]:
    rows = []
    for path in sorted(directory.glob("*.yml")):
        for number, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or [], start=1):
            if not isinstance(raw, dict) or not all(
                isinstance(raw.get(k), str) for k in ("text", "category", "urgency")
            ):
                raise SystemExit(f"{path.name}: entry {number} needs text, category and urgency")
            if raw["category"] not in LABELS["category"] or raw["urgency"] not in LABELS["urgency"]:
                raise SystemExit(f"{path.name}: entry {number} has an unknown label {raw['category']}/{raw['urgency']}")
            rows.append({"text": raw["text"], "category": raw["category"], "urgency": raw["urgency"]})
    if not rows:
        raise SystemExit(f"no training texts in {directory}")
    return rows


def inverse_document_frequency(documents: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for counts in documents:
        df.update(counts.keys())
    n = len(documents)
    return {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items() if d >= MIN_DOCUMENTS}


def train_head(vectors: Sequence[dict[str, float]], targets: Sequence[str], labels: Sequence[str]) -> Head:
    """Multinomial logistic regression by AdaGrad over shuffled passes, classes weighted equally."""
    k = len(labels)
    index = {label: i for i, label in enumerate(labels)}
    present = Counter(targets)
    balance = {label: len(targets) / (len(present) * n) for label, n in present.items()}
    weights: dict[str, list[float]] = {}
    squares: dict[str, list[float]] = {}
    bias = [0.0] * k
    bias_squares = [1e-8] * k
    order = list(range(len(vectors)))
    shuffle = random.Random(SEED)  # noqa: S311 (a fixed order for repeatable training, not secrecy)
    for _ in range(PASSES):
        shuffle.shuffle(order)
        for i in order:
            vector, target = vectors[i], targets[i]
            scores = list(bias)
            for f, v in vector.items():
                row = weights.get(f)
                if row is not None:
                    for j in range(k):
                        scores[j] += row[j] * v
            probabilities = softmax(scores)
            scale = balance[target]
            errors = [scale * (p - (j == index[target])) for j, p in enumerate(probabilities)]
            for j in range(k):
                bias_squares[j] += errors[j] ** 2
                bias[j] -= LEARNING_RATE * errors[j] / math.sqrt(bias_squares[j])
            for f, v in vector.items():
                row = weights.setdefault(f, [0.0] * k)
                sq = squares.setdefault(f, [1e-8] * k)
                for j in range(k):
                    g = errors[j] * v + L2 * row[j]
                    sq[j] += g * g
                    row[j] -= LEARNING_RATE * g / math.sqrt(sq[j])
    return Head(tuple(labels), tuple(bias), weights)


def train(rows: Sequence[dict[str, str]]) -> tuple[dict[str, float], dict[str, Head]]:
    counts = [text_features(r["text"]) for r in rows]
    idf = inverse_document_frequency(counts)
    vectors = [weighted(c, idf) for c in counts]
    heads = {h: train_head(vectors, [r[h] for r in rows], LABELS[h]) for h in HEADS}
    return idf, heads


def cross_validate(rows: Sequence[dict[str, str]], folds: int) -> None:
    right = Counter[str]()
    for fold in range(folds):
        training = [r for i, r in enumerate(rows) if i % folds != fold]
        held = [r for i, r in enumerate(rows) if i % folds == fold]
        idf, heads = train(training)
        for r in held:
            vector = weighted(text_features(r["text"]), idf)
            for h in HEADS:
                p = heads[h].probabilities(vector)
                right[h] += max(p, key=lambda label: p[label]) == r[h]
    print(", ".join(f"{h} accuracy {right[h] / len(rows):.3f}" for h in HEADS), f"({folds}-fold, {len(rows)} texts)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--folds", type=int, default=0, help="also print N-fold cross-validated accuracy")
    args = parser.parse_args(argv)
    rows = load_corpus()
    if args.folds:
        cross_validate(rows, args.folds)
    idf, heads = train(rows)
    about = (
        f"Triage classifier trained by scripts/train_triage_classifier.py on {len(rows)} texts of "
        "tests/triage/corpus; regenerate with 'make train-triage'. Each feature: IDF, then the "
        "weights of each head's labels in order."
    )
    document = model_document(idf, heads, about)
    args.out.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(idf)} features from {len(rows)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
