"""The trained triage model: how likely each category and urgency is, read from the text.

A scikit-learn model (TF-IDF of character 2-5-grams inside words and of words and word pairs,
over the text normalised by text.py, plus the indicators the phrase lists found; a logistic
regression per head: the category and the urgency) trained by
`make train-triage` (scripts/train_triage_model.py) on all labelled text in the repository
except the blind held-out set, deterministically. The artefact is textmodel.joblib; beside it
textmodel.json records the scikit-learn version it was written with, the sha256 of the artefact
and of the training data, and the thresholds chosen on grouped cross-validated predictions.

Loaded and checked once at start-up (`load_text_model`): a missing or altered artefact, or
another scikit-learn version, stops start-up with one line naming the file and what to run.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.triage.errors import TriageDataError
from actions.triage.model import Category, Indicator, Urgency
from actions.triage.text import normalise

MODEL_FILE = Path(__file__).parent / "textmodel.joblib"
META_FILE = Path(__file__).parent / "textmodel.json"
HEADS = ("category", "urgency")
LABELS = {"category": tuple(str(c) for c in Category), "urgency": tuple(str(u) for u in Urgency)}
RETRAIN = "run 'make train-triage'"
# What the model reads besides the text: the indicators the phrase lists found (not the model's
# own, nor the NLU's), each as one feature. The model learns how far to trust each of them.
MODEL_MADE = frozenset(
    {
        Indicator.RESEMBLES_EMERGENCY,
        Indicator.RESEMBLES_URGENT,
        Indicator.RESEMBLES_OTHER_CATEGORY,
        Indicator.REPORTED_AS_EMERGENCY,
    }
)
FEATURE_INDICATORS = tuple(str(i) for i in Indicator if i not in MODEL_MADE)


class TextModelError(TriageDataError):
    """The model's artefact or its metadata is missing, altered or from another scikit-learn."""


@dataclass(frozen=True)
class Thresholds:
    """p(emergency) cut-offs, chosen on grouped cross-validated predictions (textmodel.json)."""

    emergency: float  # at or above: emergency (out-of-fold emergency recall >= 98%)
    review_low: float  # from here up to `emergency`: could be an emergency, a person looks
    review_high: float  # from `emergency` up to here: an emergency to confirm, a person looks


@dataclass(frozen=True)
class Prediction:
    category: Mapping[str, float]  # probability of each category
    urgency: Mapping[str, float]  # probability of each urgency

    @property
    def emergency(self) -> float:
        return self.urgency[str(Urgency.EMERGENCY)]

    def best_category(self, among: Sequence[str] | None = None) -> tuple[str, float]:
        candidates = among if among is not None else list(self.category)
        best = max(candidates, key=lambda c: self.category[c])
        return best, self.category[best]


@dataclass(frozen=True)
class TextModel:
    bundle: Mapping[str, Any]  # "vectorizers", "indicators", "indicator_weight"; the heads "category", "urgency"
    thresholds: Thresholds
    about: Mapping[str, Any]  # textmodel.json, for the record

    def predict(self, texts: Sequence[str], found: Collection[str] = ()) -> Prediction:
        """The reading of a conversation's texts, with the indicators the phrase lists found in them."""
        x = design(self.bundle, ["\n".join(texts)], [found])
        heads = {}
        for head in HEADS:
            model = self.bundle[head]
            p = model.predict_proba(x)[0]
            found = {str(label): float(v) for label, v in zip(model.classes_, p, strict=True)}
            heads[head] = {label: found.get(label, 0.0) for label in LABELS[head]}
        return Prediction(category=heads["category"], urgency=heads["urgency"])


def design(bundle: Mapping[str, Any], texts: Sequence[str], found: Sequence[Collection[str]]) -> Any:
    """The feature matrix: TF-IDF of the normalised texts (each vectorizer in turn), then one
    column per phrase-list indicator found, at the bundle's indicator_weight. Training and
    prediction both build it here."""
    from scipy import sparse

    normalised = [normalise(t) for t in texts]
    parts = [v.transform(normalised) for v in bundle["vectorizers"]]
    weight = float(bundle.get("indicator_weight", 0.0))
    if weight:
        index = {name: k for k, name in enumerate(bundle["indicators"])}
        cells = [(row, index[name]) for row, names in enumerate(found) for name in names if name in index]
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        values = [weight] * len(cells)
        parts.append(sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(index)), dtype=parts[0].dtype))
    return sparse.hstack(parts, format="csr")


def artefact_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_text_model(model_file: Path = MODEL_FILE, meta_file: Path = META_FILE) -> TextModel:
    """Load the artefact after checking it against its metadata; the error names the file."""
    import sklearn  # imported at start-up, never at import time

    name = meta_file.name
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        version = str(meta["scikit_learn"])
        expected_hash = str(meta["artefact_sha256"])
        t = meta["thresholds"]
        thresholds = Thresholds(float(t["emergency"]), float(t["review_low"]), float(t["review_high"]))
        labels = {head: tuple(meta["labels"][head]) for head in HEADS}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TextModelError(f"{name}: cannot be read ({e}); {RETRAIN}") from None
    if version != sklearn.__version__:
        raise TextModelError(
            f"{name}: the model was written with scikit-learn {version}, {sklearn.__version__} is installed; {RETRAIN}"
        )
    if labels != LABELS:
        raise TextModelError(f"{name}: the model's labels are not the contract's categories and urgencies; {RETRAIN}")
    if not 0 < thresholds.review_low <= thresholds.emergency <= thresholds.review_high <= 1:
        raise TextModelError(f"{name}: thresholds must be 0 < review_low <= emergency <= review_high <= 1")
    try:
        actual_hash = artefact_hash(model_file)
    except OSError as e:
        raise TextModelError(f"{model_file.name}: cannot be read ({e.strerror}); {RETRAIN}") from None
    if actual_hash != expected_hash:
        raise TextModelError(f"{model_file.name}: its sha256 is not the one {name} records; {RETRAIN}")

    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an unpickling warning is a version mismatch: stop
            bundle = joblib.load(model_file)
        if not all(k in bundle for k in ("vectorizers", *HEADS)):
            raise KeyError("vectorizers or a head")
    except Exception as e:
        raise TextModelError(f"{model_file.name}: cannot be loaded ({type(e).__name__}: {e}); {RETRAIN}") from None
    return TextModel(bundle, thresholds, meta)
