"""`make train-triage`: train the triage model (actions/triage/textmodel.py) on all labelled text.

Training text: tests/triage/corpus/*.yml and tests/triage/tips/*.yml, each tip with the writer
or batch that wrote it (its group). The blind held-out set (tests/triage/blind/) is never read
for training: a training text or id that is also in it stops the script.

Steps, all deterministic (files in name order, fixed seeds, one thread):
1. out-of-fold predictions by cross-validation grouped by writer (GroupKFold), so one writer's
   style never helps to predict the same writer's tips;
2. the emergency threshold: the highest p(emergency) that keeps out-of-fold emergency recall at
   98% or more; the review band around it;
3. the model fitted on everything, written to actions/triage/textmodel.joblib with
   textmodel.json beside it (scikit-learn version, hashes of the training data and of the
   artefact, thresholds, the cross-validated figures), which the action server checks at start.

    --compare     grouped cross-validation of a few model families and feature sets (a table)
    --curve       learning curve: out-of-fold figures against the share of writers trained on
    --oof PATH    also write each training tip's out-of-fold probabilities (JSON Lines; label review)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the machine's two cores are shared
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import sklearn
import yaml
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.triage.model import Category, Urgency  # noqa: E402
from actions.triage.text import normalise  # noqa: E402
from actions.triage.textmodel import FEATURE_INDICATORS, HEADS, META_FILE, MODEL_FILE, artefact_hash, design  # noqa: E402

TRAINING_DIRS = (ROOT / "tests" / "triage" / "corpus", ROOT / "tests" / "triage" / "tips")
# The NLU's examples of messages that are no report by themselves (greetings, questions about the
# service, status requests, short replies): the live bot screens every message, and a model that
# saw only tips read "i dont know" or "whats happening with it" as a crisis. Not the intents whose
# examples carry a report's content (inform, correct, add_information, report_*) or name
# self-harm (ask_resources).
NLU_DIR = ROOT / "data" / "nlu"
NLU_NOT_A_TIP = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "how_it_works",
        "what_happens",
        "is_anonymous",
        "check_status",
        "bot_challenge",
        "out_of_scope",
        "stop",
        "switch_language",
        "affirm",
        "deny",
        "dont_know",
        "skip",
        "human_handoff",
        "start_report",
    }
)
BLIND_DIR = ROOT / "tests" / "triage" / "blind"
# Blind messages that are no report (python -m tests.triage.messages): never trained on either.
BLIND_MESSAGES_DIR = ROOT / "tests" / "triage" / "blind_messages"
LABELS = {"category": tuple(str(c) for c in Category), "urgency": tuple(str(u) for u in Urgency)}
EMERGENCY = str(Urgency.EMERGENCY)
FOLDS = 5
SEED = 20261207
TARGET_RECALL = 0.98
# The review band: p(emergency) from REVIEW_BELOW x threshold up to REVIEW_ABOVE x threshold
# asks a person to look (below the threshold: "could be an emergency"; above: "confirm").
REVIEW_BELOW = 0.6
REVIEW_ABOVE = 1.6
CHOSEN = "lr:char+word+ind"


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    category: str
    urgency: str
    group: str  # the writer or batch: the unit of grouped cross-validation
    source: str  # the file


def group_of(path: Path, raw: dict[str, Any], number: int) -> str:
    """Who wrote the tip: a recorded writer, else the batch the file stands for.

    The first training corpus (a.yml, b.yml) was written in batches of about a hundred; the
    evaluation set's per-category files were written together, each mixed_*.yml is one blind batch.
    """
    if raw.get("writer"):
        return str(raw["writer"])
    if path.parent.name == "corpus":
        return f"corpus-{path.stem}-{(number - 1) // 100 + 1}"
    if path.stem.startswith("mixed"):
        return f"tips-{path.stem}"
    return "tips-by-category"


def read_tips(directory: Path) -> list[Tip]:
    tips = []
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for number, raw in enumerate(doc, start=1):
            where = f"{path.parent.name}/{path.name}: entry {number}"
            if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("text", "category")):
                raise SystemExit(f"{where} needs id, text, category and urgency")
            category, urgency = raw["category"], str(raw.get("urgency"))
            if category not in LABELS["category"] or urgency not in LABELS["urgency"]:
                raise SystemExit(f"{where} has an unknown label {category}/{urgency}")
            tips.append(Tip(str(raw["id"]), raw["text"], category, urgency, group_of(path, raw, number), path.name))
    return tips


def read_nlu_messages(directory: Path = NLU_DIR) -> list[Tip]:
    """The NLU examples of NLU_NOT_A_TIP as no report (one group per NLU file)."""
    tips = []
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            if block.get("intent") not in NLU_NOT_A_TIP:
                continue
            for number, line in enumerate(str(block["examples"]).splitlines(), start=1):
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip().removeprefix("- ")).strip()
                if text:
                    tip_id = f"nlu-{path.stem}-{block['intent']}-{number}"
                    tips.append(Tip(tip_id, text, "not_a_tip", "none", f"nlu-{path.stem}", path.name))
    return tips


def load_training(dirs: Sequence[Path] = TRAINING_DIRS, blind: Path = BLIND_DIR) -> list[Tip]:
    """All labelled training text; refuses any text or id of the blind held-out set."""
    held_out = read_tips(blind) if blind.is_dir() else []
    blind_ids = {t.id for t in held_out}
    blind_texts = {normalise(t.text) for t in held_out} | {
        normalise(str(m["text"]))
        for path in sorted(BLIND_MESSAGES_DIR.glob("*.yml"))
        for m in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    }
    # An NLU example that a blind writer happened to write too ("buenas noches", "i dont know")
    # stays out.
    conversation = [t for t in read_nlu_messages() if normalise(t.text) not in blind_texts]
    tips = [tip for directory in dirs for tip in read_tips(directory)] + conversation
    ids = [t.id for t in tips]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise SystemExit(f"training ids appear twice: {', '.join(twice[:5])}")
    leaked = [t.id for t in tips if t.id in blind_ids or normalise(t.text) in blind_texts]
    if leaked:
        raise SystemExit(f"blind held-out tips in the training text: {', '.join(leaked[:5])}")
    if not tips:
        raise SystemExit("no training text")
    return tips


def data_hash(tips: Sequence[Tip]) -> str:
    """sha256 of the training data as the model sees it (normalised text, labels, groups)."""
    digest = hashlib.sha256()
    for t in tips:
        digest.update(json.dumps([t.id, normalise(t.text), t.category, t.urgency, t.group]).encode())
    return digest.hexdigest()


# --- features and models --------------------------------------------------------------------


def char_features() -> TfidfVectorizer:
    # character 2-5-grams inside word boundaries: misspellings, inflections, Spanish forms;
    # the texts come normalised (text.py) by design() in textmodel.py
    return TfidfVectorizer(
        lowercase=False, analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32
    )


def word_features() -> TfidfVectorizer:
    return TfidfVectorizer(
        lowercase=False,
        analyzer="word",
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regular expression: keeps one-letter words "u", "a", "y")
        dtype=np.float32,
    )


FEATURES: dict[str, Callable[[], list[TfidfVectorizer]]] = {
    "char+word+ind": lambda: [char_features(), word_features()],
    "char+word": lambda: [char_features(), word_features()],
    "char": lambda: [char_features()],
    "word": lambda: [word_features()],
}
# "+ind": the phrase lists' indicators as features too, at this weight beside the unit-length
# TF-IDF rows (0.5 did best of 0.5, 1 and 2 in grouped cross-validation).
INDICATOR_WEIGHT = 0.5


def logistic() -> LogisticRegression:
    return LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000, random_state=SEED)


def svm() -> CalibratedClassifierCV:
    return CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced", random_state=SEED), method="sigmoid", cv=3, ensemble=True
    )


def sgd() -> SGDClassifier:
    return SGDClassifier(
        loss="modified_huber", alpha=5e-5, class_weight="balanced", max_iter=50, tol=None, random_state=SEED
    )


def complement_nb() -> ComplementNB:
    return ComplementNB(alpha=0.3)


class Averaged:
    """The mean of several classifiers' probabilities (an ensemble); sklearn-like fit/predict_proba."""

    def __init__(self, makers: Sequence[Callable[[], Any]]) -> None:
        self.models = [make() for make in makers]
        self.classes_: np.ndarray = np.array([])

    def fit(self, x: Any, y: Sequence[str]) -> Averaged:
        for m in self.models:
            m.fit(x, y)
        self.classes_ = self.models[0].classes_
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        return np.mean([m.predict_proba(x) for m in self.models], axis=0)


MODELS: dict[str, Callable[[], Any]] = {
    "lr": logistic,
    "svm": svm,
    "sgd": sgd,
    "cnb": complement_nb,
    "lr+svm": lambda: Averaged([logistic, svm]),
}
CANDIDATES = (
    "lr:char+word+ind",
    "lr:char+word",
    "lr:char",
    "lr:word",
    "svm:char+word+ind",
    "sgd:char+word+ind",
    "cnb:char+word+ind",
    "lr+svm:char+word+ind",
)


def found_indicators(tips: Sequence[Tip]) -> list[frozenset[str]]:
    """The indicators the phrase lists find in each tip's text (features of the "+ind" sets)."""
    from actions.triage.indicators import find_indicators
    from actions.triage.lexicon import load_lexicon
    from actions.triage.model import Conversation, Message

    lexicon = load_lexicon()
    return [
        frozenset(str(f.indicator) for f in find_indicators(Conversation(t.id, (Message(t.text),)), lexicon))
        for t in tips
    ]


def fit_heads(name: str, texts: Sequence[str], tips: Sequence[Tip], found: Sequence[frozenset[str]]) -> dict[str, Any]:
    model_name, feature_name = name.split(":")
    normalised = [normalise(t) for t in texts]
    bundle: dict[str, Any] = {
        "vectorizers": [v.fit(normalised) for v in FEATURES[feature_name]()],
        "indicators": list(FEATURE_INDICATORS),
        "indicator_weight": INDICATOR_WEIGHT if feature_name.endswith("+ind") else 0.0,
    }
    x = design(bundle, texts, found)
    for head in HEADS:
        y = [getattr(t, head) for t in tips]
        bundle[head] = MODELS[model_name]().fit(x, y)
    return bundle


def probabilities(
    bundle: dict[str, Any], texts: Sequence[str], found: Sequence[frozenset[str]]
) -> dict[str, np.ndarray]:
    """Each head's probabilities over all its labels (LABELS order), zero for a label never seen."""
    x = design(bundle, texts, found)
    out = {}
    for head in HEADS:
        model = bundle[head]
        p = model.predict_proba(x)
        full = np.zeros((len(texts), len(LABELS[head])))
        for k, label in enumerate(model.classes_):
            full[:, LABELS[head].index(str(label))] = p[:, k]
        out[head] = full
    return out


def out_of_fold(
    name: str, tips: Sequence[Tip], found: Sequence[frozenset[str]], subset: float = 1.0
) -> dict[str, np.ndarray]:
    """Grouped cross-validated probabilities; `subset` < 1 trains each fold on that share of its writers."""
    texts = [t.text for t in tips]
    groups = np.array([t.group for t in tips])
    oof = {head: np.zeros((len(tips), len(LABELS[head]))) for head in HEADS}
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, groups=groups):
        if subset < 1.0:
            writers = sorted(set(groups[train]))
            keep = np.random.RandomState(SEED).permutation(len(writers))[: max(1, round(subset * len(writers)))]
            kept = {writers[k] for k in keep}
            train = np.array([i for i in train if groups[i] in kept])
        bundle = fit_heads(name, [texts[i] for i in train], [tips[i] for i in train], [found[i] for i in train])
        p = probabilities(bundle, [texts[i] for i in test], [found[i] for i in test])
        for head in HEADS:
            oof[head][test] = p[head]
    return oof


# --- figures ----------------------------------------------------------------------------------


def emergency_threshold(p_emergency: np.ndarray, is_emergency: np.ndarray, recall: float = TARGET_RECALL) -> float:
    """The highest threshold whose recall on these predictions is at least `recall`."""
    scores = np.sort(p_emergency[is_emergency])
    allowed_misses = math.floor((1 - recall) * len(scores))
    return float(scores[allowed_misses]) if len(scores) else 0.5


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    f1s = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def figures(
    tips: Sequence[Tip],
    oof: dict[str, np.ndarray],
    threshold: float | None = None,
    by_rules: np.ndarray | None = None,
) -> dict[str, float]:
    """Out-of-fold figures; with `by_rules`, of the model and the rules together (as triage runs)."""
    is_emergency = np.array([t.urgency == EMERGENCY for t in tips])
    p_e = oof["urgency"][:, LABELS["urgency"].index(EMERGENCY)]
    rules = np.zeros(len(tips), dtype=bool) if by_rules is None else by_rules
    if threshold is not None:
        chosen = threshold
    elif by_rules is None:
        chosen = emergency_threshold(p_e, is_emergency)
    else:
        chosen = system_threshold(p_e, is_emergency, rules)
    raised = (p_e >= chosen) | rules
    categories = [LABELS["category"][k] for k in oof["category"].argmax(axis=1)]
    order = np.argsort(-p_e)  # AUC by ranks
    ranks = np.empty(len(p_e))
    ranks[order[::-1]] = np.arange(1, len(p_e) + 1)
    positives = is_emergency.sum()
    auc = (ranks[is_emergency].sum() - positives * (positives + 1) / 2) / (positives * (~is_emergency).sum())
    return {
        "macro_f1": macro_f1([t.category for t in tips], categories, LABELS["category"]),
        "category_accuracy": float(np.mean([c == t.category for c, t in zip(categories, tips, strict=True)])),
        "emergency_auc": float(auc),
        "threshold": chosen,
        "emergency_recall": float(raised[is_emergency].mean()),
        "raised": float(raised[~is_emergency].mean()),
        "recall_at_0.5": float((p_e >= 0.5)[is_emergency].mean()),
        "raised_at_0.5": float((p_e >= 0.5)[~is_emergency].mean()),
    }


def triage_out_of_fold(
    tips: Sequence[Tip], oof: dict[str, np.ndarray], thresholds: tuple[float, float, float] | None
) -> list[tuple[str, str]]:
    """The whole triage (phrase lists, rules, the model's out-of-fold reading) of every tip:
    (category, urgency). Without thresholds the model never says emergency: the rules alone."""
    from actions.triage.assess import Triage
    from actions.triage.lexicon import load_lexicon
    from actions.triage.model import Conversation, Message
    from actions.triage.rules import load_rules
    from actions.triage.textmodel import Prediction, TextModel, Thresholds

    @dataclass(frozen=True)
    class Fixed(TextModel):
        prediction: Prediction | None = None

        def predict(self, texts: Sequence[str], found: Collection[str] = ()) -> Prediction:
            assert self.prediction is not None
            return self.prediction

    lexicon, rules = load_lexicon(), load_rules()
    cutoffs = Thresholds(*(thresholds or (1.0, 1.0, 1.0)))
    out = []
    for i, t in enumerate(tips):
        urgency = dict(zip(LABELS["urgency"], map(float, oof["urgency"][i]), strict=True))
        if thresholds is None:
            urgency[EMERGENCY] = 0.0
        category = dict(zip(LABELS["category"], map(float, oof["category"][i]), strict=True))
        model = Fixed({}, cutoffs, {}, Prediction(category, urgency))
        result = Triage(lexicon, rules, model).assess(Conversation(t.id, (Message(t.text),)))
        out.append((str(result.category), str(result.urgency)))
    return out


def rule_emergencies(tips: Sequence[Tip], oof: dict[str, np.ndarray]) -> np.ndarray:
    """Which tips the rules alone make emergencies (phrase lists, given the model's category)."""
    return np.array([u == EMERGENCY for _, u in triage_out_of_fold(tips, oof, None)])


def triage_figures(tips: Sequence[Tip], results: Sequence[tuple[str, str]]) -> dict[str, float]:
    """The figures of docs/triage.md for the whole triage's out-of-fold results."""
    rank = {u: k for k, u in enumerate(LABELS["urgency"])}
    emergency = [r[1] == EMERGENCY for t, r in zip(tips, results, strict=True) if t.urgency == EMERGENCY]
    raised = [r[1] == EMERGENCY for t, r in zip(tips, results, strict=True) if t.urgency != EMERGENCY]
    under = [rank[r[1]] < rank[t.urgency] for t, r in zip(tips, results, strict=True)]
    return {
        "emergency_recall": float(np.mean(emergency)),
        "raised": float(np.mean(raised)),
        "under_triage": float(np.mean(under)),
        "macro_f1": macro_f1([t.category for t in tips], [r[0] for r in results], LABELS["category"]),
    }


def system_threshold(p_emergency: np.ndarray, is_emergency: np.ndarray, by_rules: np.ndarray) -> float:
    """The highest threshold at which the model together with the rules keeps recall >= TARGET_RECALL."""
    allowed_misses = math.floor((1 - TARGET_RECALL) * is_emergency.sum())
    left = np.sort(p_emergency[is_emergency & ~by_rules])  # emergencies only the model can catch
    return float(left[allowed_misses]) if allowed_misses < len(left) else 1.0


def compare(tips: Sequence[Tip], found: Sequence[frozenset[str]]) -> None:
    print(f"grouped {FOLDS}-fold cross-validation, {len(tips)} tips, {len({t.group for t in tips})} writers/batches")
    print(
        "| model:features | category macro-F1 | emergency AUC | threshold for 98% recall | raised at it "
        "| recall / raised at 0.5 |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name in CANDIDATES:
        f = figures(tips, out_of_fold(name, tips, found))
        print(
            f"| {name} | {f['macro_f1']:.3f} | {f['emergency_auc']:.3f} | {f['threshold']:.3f} | "
            f"{f['raised']:.1%} | {f['recall_at_0.5']:.1%} / {f['raised_at_0.5']:.1%} |",
            flush=True,
        )


def curve(tips: Sequence[Tip], found: Sequence[frozenset[str]], threshold: float) -> None:
    print(f"learning curve ({CHOSEN}, grouped {FOLDS}-fold; emergency threshold {threshold:.3f} throughout)")
    print("| writers trained on | tips (about) | category macro-F1 | emergency recall | raised | emergency AUC |")
    print("| --- | --- | --- | --- | --- | --- |")
    for share in (0.25, 0.5, 0.75, 1.0):
        f = figures(tips, out_of_fold(CHOSEN, tips, found, subset=share), threshold)
        print(
            f"| {share:.0%} | {round(share * len(tips) * (FOLDS - 1) / FOLDS)} | {f['macro_f1']:.3f} | "
            f"{f['emergency_recall']:.1%} | {f['raised']:.1%} | {f['emergency_auc']:.3f} |",
            flush=True,
        )


def write_oof(path: Path, tips: Sequence[Tip], oof: dict[str, np.ndarray]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i, t in enumerate(tips):
            row = {
                "id": t.id,
                "group": t.group,
                "text": t.text,
                "category": t.category,
                "urgency": t.urgency,
                **{f"p_{head}": dict(zip(LABELS[head], map(float, oof[head][i]), strict=True)) for head in HEADS},
            }
            out.write(json.dumps(row) + "\n")


def train(tips: Sequence[Tip], model_file: Path = MODEL_FILE, meta_file: Path = META_FILE) -> dict[str, Any]:
    import joblib  # the artefact's format; imported here, where it is used

    found = found_indicators(tips)
    oof = out_of_fold(CHOSEN, tips, found)
    alone = figures(tips, oof)
    cv = figures(tips, oof, by_rules=rule_emergencies(tips, oof))
    threshold = math.floor(cv["threshold"] * 10000) / 10000  # rounded down: recall never below target
    band = (threshold, round(threshold * REVIEW_BELOW, 4), round(min(0.95, threshold * REVIEW_ABOVE), 4))
    whole = triage_figures(tips, triage_out_of_fold(tips, oof, band))
    bundle = fit_heads(CHOSEN, [t.text for t in tips], tips, found)
    for vectorizer in bundle["vectorizers"]:
        vectorizer.stop_words_ = None  # the pruned n-grams: prediction never uses them
    joblib.dump(bundle, model_file, compress=3)
    meta = {
        "about": "The triage model: TF-IDF character 2-5-grams in words and words 1-2 plus the phrase "
        "lists' indicators, a logistic regression per head; written by scripts/train_triage_model.py "
        "(make train-triage).",
        "model": CHOSEN,
        "scikit_learn": sklearn.__version__,
        "artefact": model_file.name,
        "artefact_sha256": artefact_hash(model_file),
        "training_tips": len(tips),
        "training_groups": len({t.group for t in tips}),
        "training_data_sha256": data_hash(tips),
        "labels": {head: list(LABELS[head]) for head in HEADS},
        "thresholds": {"emergency": band[0], "review_low": band[1], "review_high": band[2]},
        "cross_validation": {
            "folds": FOLDS,
            "grouped_by": "writer or batch",
            "with_rules": {k: round(v, 4) for k, v in cv.items()},
            "whole_triage": {k: round(v, 4) for k, v in whole.items()},
            "model_alone": {k: round(v, 4) for k, v in alone.items()},
        },
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {"meta": meta, "oof": oof}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="compare model families and feature sets")
    parser.add_argument("--curve", action="store_true", help="print the learning curve")
    parser.add_argument("--oof", type=Path, help="write out-of-fold probabilities (JSON Lines)")
    args = parser.parse_args(argv)
    tips = load_training()
    if args.compare:
        compare(tips, found_indicators(tips))
        return 0
    if args.curve:
        threshold = json.loads(META_FILE.read_text(encoding="utf-8"))["thresholds"]["emergency"]
        curve(tips, found_indicators(tips), threshold)
        return 0
    result = train(tips)
    meta = result["meta"]
    if args.oof:
        write_oof(args.oof, tips, result["oof"])
    cv = meta["cross_validation"]["with_rules"]
    print(
        f"{MODEL_FILE.relative_to(ROOT)}: {meta['training_tips']} tips, {meta['training_groups']} writers/batches; "
        f"grouped CV: category macro-F1 {cv['macro_f1']:.3f}, emergency threshold {cv['threshold']:.3f} "
        f"(recall {cv['emergency_recall']:.1%}, non-emergencies raised {cv['raised']:.1%})"
    )
    whole = meta["cross_validation"]["whole_triage"]
    print(
        f"  the whole triage, out of fold: emergency recall {whole['emergency_recall']:.1%}, raised "
        f"{whole['raised']:.1%}, under-triage {whole['under_triage']:.1%}, category macro-F1 {whole['macro_f1']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
