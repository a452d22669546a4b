"""Rebuild the shipped models from the shared public data: ``python -m tocsin.detect.ml.build``.

Deterministic (fixed seeds, fixed candidate grid): the same data give the same probabilities.
For each kind it de-duplicates, holds out 20 %, picks C and the calibration method by 5-fold
cross-validation on the rest, fits, measures the held-out split, measures a textbook peer
(scikit-learn's default ``TfidfVectorizer`` + ``LogisticRegression`` on the same split), and
writes ``src/tocsin/detect/ml/models/<kind>/`` and ``docs/model-cards/<kind>.md``.
The data directory is ``../shared/data`` beside the repository, or ``$TOCSIN_TRAINING_DATA``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from tocsin.detect.ml.bundled import training_data_dir
from tocsin.detect.ml.card import model_card
from tocsin.detect.ml.metrics import summarise
from tocsin.detect.ml.model import save_model
from tocsin.detect.ml.normalise import emscad_fields_text, emscad_normalise
from tocsin.detect.ml.scoring import SHIPPED_DIR
from tocsin.detect.ml.training import TrainingResult, train
from tocsin.errors import TocsinError
from tocsin.model import DocumentKind

_DESCRIPTIONS = {
    DocumentKind.JOB_AD: "Screens job ads for employment-fraud wording. Trained on EMSCAD.",
    DocumentKind.MESSAGE: "Screens SMS / chat messages for spam and smishing wording. Trained "
    "on the SMS Spam Collection and the Mishra & Soni smishing set.",
}
_REPO = Path(__file__).resolve().parents[4]


def _baseline(result: TrainingResult) -> dict[str, float | int | None]:
    """The textbook peer on the same split: default TF-IDF + default logistic regression."""
    data = result.data
    train_texts = [data.texts[i] for i in result.train_index]
    test_texts = [data.texts[i] for i in result.test_index]
    y = data.y
    vectorizer = TfidfVectorizer()
    classifier = LogisticRegression(max_iter=1000)
    classifier.fit(vectorizer.fit_transform(train_texts), y[result.train_index])
    probs = classifier.predict_proba(vectorizer.transform(test_texts))[:, 1]
    return summarise(y[result.test_index], probs, threshold=0.5).headline()


def _raw_text_check(result: TrainingResult, directory: Path) -> tuple[dict[str, object], str]:
    """Score the *raw* versions of held-out fraudulent ads through the normaliser.

    The raw file holds the same ads as the fraudulent training rows, so only the raw ads whose
    preprocessed twin fell in the held-out split are used (the others were trained on).
    """
    with (directory / "emscad_raw_fraud_train.csv").open(encoding="utf-8", newline="") as f:
        raw = [emscad_normalise(emscad_fields_text(r)) for r in csv.DictReader(f)]
    data = result.data
    pre = [set(t.split()) for t in data.texts]
    fraud = [i for i in range(len(data.texts)) if data.labels[i] == 1]
    test = set(int(i) for i in result.test_index)
    matched_test: list[int] = []
    jaccards: list[float] = []
    for r, text in enumerate(raw):
        words = set(text.split())
        best, score = -1, 0.0
        for i in fraud:
            union = len(words | pre[i]) or 1
            value = len(words & pre[i]) / union
            if value > score:
                best, score = i, value
        jaccards.append(score)
        if best in test and score >= 0.5:
            matched_test.append(r)
    agreement = (
        f"Normaliser check: the 646 raw fraudulent EMSCAD ads, normalised by "
        f"`emscad_normalise`, share a median {statistics.median(jaccards):.1%} of their "
        f"distinct words with their published preprocessed twin (10th percentile "
        f"{sorted(jaccards)[len(jaccards) // 10]:.1%}; differences come from the two "
        f"public copies being extracted differently, e.g. list items glued together)."
    )
    model = result.model
    threshold = model.threshold
    raw_probs = model.predict_proba([raw[r] for r in matched_test])
    test_fraud = [i for i in result.test_index if data.labels[i] == 1]
    pre_probs = model.predict_proba([data.texts[i] for i in test_fraud])
    check = {
        "raw_ads": len(matched_test),
        "recall_raw": round(float(np.mean(raw_probs >= threshold)), 4),
        "recall_preprocessed": round(float(np.mean(pre_probs >= threshold)), 4),
        "description": (
            f"the raw text of {len(matched_test)} held-out fraudulent ads, normalised at "
            f"prediction time, is flagged at recall {float(np.mean(raw_probs >= threshold)):.3f}"
            f" versus {float(np.mean(pre_probs >= threshold)):.3f} for their published "
            "preprocessed form."
        ),
    }
    return check, agreement


def build(kinds: list[DocumentKind], output: Path, cards: Path | None) -> None:
    directory = training_data_dir()
    for kind in kinds:
        print(f"building {kind.value} from {directory} …", file=sys.stderr)
        result = train(
            kind,
            base="shipped",
            select=True,
            random_state=0,
            name=kind.value,
            description=_DESCRIPTIONS[kind],
        )
        meta = result.model.metadata
        meta.metrics["baseline"] = _baseline(result)
        meta.metrics["baseline_description"] = (
            "scikit-learn defaults — `TfidfVectorizer()` + `LogisticRegression()` (no "
            "normaliser, no calibration, threshold 0.5) — trained and tested on the same split."
        )
        if kind is DocumentKind.JOB_AD:
            check, agreement = _raw_text_check(result, directory)
            meta.metrics["raw_text_check"] = check
            meta.training["normaliser_agreement"] = agreement
        # Paths relative to the data directory: the model must not carry a machine's layout.
        sources = meta.training.get("sources")
        if isinstance(sources, list):
            for source in sources:
                source["path"] = Path(source["path"]).name
        target = save_model(result.model, output / kind.value)
        print(f"  held-out: {meta.metrics.get('heldout')}", file=sys.stderr)
        print(f"  peer:     {meta.metrics['baseline']}", file=sys.stderr)
        if cards is not None:
            cards.mkdir(parents=True, exist_ok=True)
            (cards / f"{kind.value}.md").write_text(model_card(target), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tocsin.detect.ml.build",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--kind", choices=["job_ad", "message"], action="append")
    parser.add_argument("--output", type=Path, default=SHIPPED_DIR)
    parser.add_argument("--cards", type=Path, default=_REPO / "docs" / "model-cards")
    args = parser.parse_args(argv)
    kinds = [DocumentKind(k) for k in (args.kind or ["job_ad", "message"])]
    try:
        build(kinds, args.output, args.cards)
    except TocsinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
