"""A linear text classifier beside the rules: how much a conversation resembles reports of each
category and urgency in the training corpus (tests/triage/corpus, written by people who had not
seen the phrase lists).

Features are words, word pairs and character 3-5-grams of the normalised text (text.py), weighted
by TF-IDF and scaled to unit length; each head is a multinomial logistic regression. The weights
live in classifier.json, written by `make train-triage` (scripts/train_triage_classifier.py,
deterministic) and loaded once at start-up. Pure Python: scoring one conversation touches only
the few hundred features it contains.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.triage.errors import TriageDataError
from actions.triage.text import normalise

MODEL_FILE = Path(__file__).parent / "classifier.json"
HEADS = ("category", "urgency")
CHAR_NGRAMS = (3, 4, 5)
_WORD = re.compile(r"[a-z0-9]+")


class ClassifierError(TriageDataError):
    """classifier.json is missing or invalid; the message names the file."""


def features(text: str) -> Counter[str]:
    """Counts of the features of one text: w:word, b:word pair, and character n-grams of the
    words padded with a space (" kil"; no colon, so they never clash with the other two)."""
    words = _WORD.findall(normalise(text))
    counts = Counter("w:" + word for word in words)
    counts.update(f"b:{first} {second}" for first, second in itertools.pairwise(words))
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        grams.extend(padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1))
    counts.update(grams)
    return counts


def weighted(counts: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    """Sublinear TF times IDF over the known features, scaled to unit length."""
    values = {f: (1.0 + math.log(n)) * idf[f] for f, n in counts.items() if f in idf}
    norm = math.sqrt(sum(v * v for v in values.values()))
    return {f: v / norm for f, v in values.items()} if norm else {}


def softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@dataclass(frozen=True)
class Head:
    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]

    def probabilities(self, vector: Mapping[str, float]) -> dict[str, float]:
        scores = list(self.bias)
        for feature, value in vector.items():
            row = self.weights.get(feature)
            if row is not None:
                for k, w in enumerate(row):
                    scores[k] += w * value
        return dict(zip(self.labels, softmax(scores), strict=True))


@dataclass(frozen=True)
class Prediction:
    category: Mapping[str, float]  # probability of each category
    urgency: Mapping[str, float]  # probability of each urgency

    def best_category(self, among: Sequence[str] | None = None) -> tuple[str, float]:
        candidates = among if among is not None else list(self.category)
        best = max(candidates, key=lambda c: self.category[c])
        return best, self.category[best]


@dataclass(frozen=True)
class Classifier:
    idf: Mapping[str, float]
    heads: Mapping[str, Head]

    def predict(self, texts: Sequence[str]) -> Prediction:
        vector = weighted(features("\n".join(texts)), self.idf)
        return Prediction(
            category=self.heads["category"].probabilities(vector),
            urgency=self.heads["urgency"].probabilities(vector),
        )


def model_document(idf: Mapping[str, float], heads: Mapping[str, Head], about: str) -> dict[str, Any]:
    """The JSON document of a trained classifier: one row per feature, its IDF then its weights."""
    names = sorted(idf)
    return {
        "about": about,
        "heads": {name: {"labels": list(h.labels), "bias": [round(b, 5) for b in h.bias]} for name, h in heads.items()},
        "features": {
            f: [
                round(idf[f], 5),
                *(round(w, 5) for name in HEADS for w in heads[name].weights.get(f, (0.0,) * len(heads[name].labels))),
            ]
            for f in names
        },
    }


def load_classifier(path: Path = MODEL_FILE) -> Classifier:
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        heads_doc = doc["heads"]
        sizes = [len(heads_doc[h]["labels"]) for h in HEADS]
        idf: dict[str, float] = {}
        rows: dict[str, dict[str, list[float]]] = {h: {} for h in HEADS}
        for feature, row in doc["features"].items():
            if len(row) != 1 + sum(sizes):
                raise ValueError(f"feature {feature!r} has {len(row)} numbers, expected {1 + sum(sizes)}")
            idf[feature] = float(row[0])
            start = 1
            for head_name, size in zip(HEADS, sizes, strict=True):
                rows[head_name][feature] = [float(w) for w in row[start : start + size]]
                start += size
        heads = {
            h: Head(
                labels=tuple(str(label) for label in heads_doc[h]["labels"]),
                bias=tuple(float(b) for b in heads_doc[h]["bias"]),
                weights=rows[h],
            )
            for h in HEADS
        }
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ClassifierError(f"{name}: cannot be read ({e}); regenerate it with 'make train-triage'") from None
    for head_name, head in heads.items():
        if len(head.bias) != len(head.labels):
            raise ClassifierError(
                f"{name}: head {head_name!r} has {len(head.bias)} biases for {len(head.labels)} labels"
            )
    return Classifier(idf, heads)
