"""Training and evaluation from labelled files: the Python API behind ``tocsin model``.

``train`` de-duplicates first, then holds out a stratified, seeded test split that nothing is
tuned on; choices (regularisation, calibration method) are made by cross-validation on the
training split only; the model that is saved is the one fitted on the training split, so the
held-out figures in its metadata describe exactly that model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedKFold, train_test_split

from tocsin.detect.language import detect_language
from tocsin.detect.ml.bundled import load_bundled
from tocsin.detect.ml.data import (
    DEFAULT_NEGATIVE,
    DEFAULT_POSITIVE,
    LabelledData,
    dedupe,
    read_labelled,
)
from tocsin.detect.ml.estimator import TextClassifier
from tocsin.detect.ml.metrics import EvaluationReport, summarise
from tocsin.detect.ml.model import ModelMetadata, TextModel
from tocsin.errors import InputError
from tocsin.model import DocumentKind

__all__ = ["DEFAULT_PARAMS", "TrainingResult", "evaluate", "evaluate_data", "train"]

#: Starting parameters per kind (chosen by cross-validation on the bundled data, see build).
DEFAULT_PARAMS: Final[dict[DocumentKind, dict[str, object]]] = {
    DocumentKind.JOB_AD: {
        "normaliser": "emscad",
        "ngram_max": 2,
        "min_df": 2,
        "max_features": 40_000,
        "C": 10.0,
        "calibration": "sigmoid",
    },
    DocumentKind.MESSAGE: {
        "normaliser": "message",
        "ngram_max": 2,
        "min_df": 2,
        "max_features": 40_000,
        "C": 10.0,
        "calibration": "sigmoid",
    },
}
#: Candidates compared by cross-validation when ``select=True``.
GRID: Final = ({"C": 1.0}, {"C": 10.0}, {"C": 100.0})
CALIBRATIONS: Final = ("sigmoid", "isotonic")
_MIN_PER_CLASS_FOR_TEST: Final = 10
_MIN_LANGUAGE_SHARE: Final = 0.05


@dataclass
class TrainingResult:
    """A trained model with what was learnt about the data on the way."""

    model: TextModel
    heldout: EvaluationReport | None
    data: LabelledData
    selection: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    train_index: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    test_index: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))


def _languages(data: LabelledData) -> list[str]:
    return [
        lang or detect_language(text).code
        for text, lang in zip(data.texts, data.languages, strict=True)
    ]


def _best_threshold(y: npt.NDArray[np.int64], p: npt.NDArray[np.float64]) -> float:
    """Threshold in 0.05 steps with the best positive-class F1 on out-of-fold probabilities."""
    best, best_f1 = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        flagged = p >= t
        tp = float(np.sum(flagged & (y == 1)))
        f1 = 2 * tp / (float(flagged.sum()) + float(y.sum())) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def _cv_probabilities(
    texts: list[str], y: npt.NDArray[np.int64], params: Mapping[str, object], folds: int, seed: int
) -> npt.NDArray[np.float64]:
    oof = np.zeros(len(y), dtype=np.float64)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in splitter.split(np.zeros(len(y)), y):
        est = TextClassifier(**params, random_state=seed)  # type: ignore[arg-type]
        est.fit([texts[i] for i in tr], y[tr])
        oof[te] = est.predict_proba([texts[i] for i in te])[:, 1]
    return oof


def select_params(
    texts: list[str],
    y: npt.NDArray[np.int64],
    base: Mapping[str, object],
    *,
    folds: int = 5,
    seed: int = 0,
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Pick C and the calibration method by cross-validated Brier score on the training split.

    Brier is a proper scoring rule: it rewards both ranking and honest probabilities.
    """
    table: list[dict[str, object]] = []
    best: tuple[float, dict[str, object]] | None = None
    for extra in GRID:
        for calibration in CALIBRATIONS:
            params = {**base, **extra, "calibration": calibration}
            p = _cv_probabilities(texts, y, params, folds, seed)
            report = summarise(y, p)
            row = {
                "C": params["C"],
                "calibration": calibration,
                **{k: v for k, v in report.headline().items() if k not in ("n", "positives")},
            }
            table.append(row)
            if best is None or report.brier < best[0] - 1e-12:
                best = (report.brier, params)
    assert best is not None
    return dict(best[1]), table


def _read(
    paths: Sequence[Path | str],
    text_column: str | Sequence[str],
    label_column: str,
    positive_labels: Sequence[str],
    negative_labels: Sequence[str],
    language_column: str | None,
) -> LabelledData:
    return read_labelled(
        paths,
        text_column=text_column,
        label_column=label_column,
        positive_labels=positive_labels,
        negative_labels=negative_labels,
        language_column=language_column,
    )


def train(
    kind: DocumentKind | str,
    data_paths: Sequence[Path | str] = (),
    *,
    text_column: str | Sequence[str] = "text",
    label_column: str = "label",
    positive_labels: Sequence[str] = DEFAULT_POSITIVE,
    negative_labels: Sequence[str] = DEFAULT_NEGATIVE,
    language_column: str | None = None,
    base: Literal["shipped", "none"] = "none",
    params: Mapping[str, object] | None = None,
    select: bool = False,
    test_size: float = 0.2,
    random_state: int = 0,
    name: str | None = None,
    description: str = "",
) -> TrainingResult:
    """Train a calibrated text model for ``kind`` from labelled files.

    ``base="shipped"`` starts from the bundled public training data of the shipped model (read
    from the shared data directory, see :mod:`tocsin.detect.ml.bundled`) and adds the given
    examples; where the same text appears in both, the given label wins (an analyst's
    judgement overrides the public data set). ``select=True`` chooses C and the calibration
    method by 5-fold cross-validation on the training split (slower).
    """
    kind = DocumentKind(kind)
    if base not in ("shipped", "none"):
        raise InputError(f"base must be 'shipped' or 'none', not {base!r}")
    warnings: list[str] = []
    data = LabelledData()
    if base == "shipped":
        data.extend(load_bundled(kind))
    bundled_count = len(data)
    if data_paths:
        data.extend(
            _read(
                data_paths,
                text_column,
                label_column,
                positive_labels,
                negative_labels,
                language_column,
            )
        )
    elif base == "none":
        raise InputError("no training data", hint="give --data FILE, or --base shipped")
    data = dedupe(data, prefer_last=base == "shipped")
    y = data.y
    counts = np.bincount(y, minlength=2)
    if counts.min() == 0:
        missing = "fraudulent (positive)" if counts[1] == 0 else "legitimate (negative)"
        raise InputError(
            f"the training data has no {missing} examples after reading {len(data)} records",
            hint="a model needs examples of both classes; "
            "check --positive/--negative and --label-column",
        )
    if counts.min() < 5:
        raise InputError(
            f"too few examples to train: {counts[0]} legitimate, {counts[1]} "
            "fraudulent (at least 5 of each are needed)"
        )
    languages = _languages(data)
    data.languages = list(languages)
    language_counts = Counter(languages)
    if base == "shipped" and bundled_count < len(data.texts):
        new_langs = Counter(languages[bundled_count:]) if bundled_count else Counter()
        rare = {k: v for k, v in new_langs.items() if k != "en"}
        if rare:
            warnings.append(
                f"new examples in languages the bundled data does not cover: "
                f"{dict(rare)}; the model learns little from a few examples, so "
                "the engine keeps relying on the indicator packs there"
            )
    dominant = language_counts.most_common(1)[0]
    if dominant[1] / len(languages) < 0.8:
        warnings.append(
            f"the training texts mix languages {dict(language_counts)}: word "
            "features do not transfer between languages; consider one model per "
            "language"
        )

    all_index = np.arange(len(y))
    if counts.min() >= _MIN_PER_CLASS_FOR_TEST:
        train_idx, test_idx = train_test_split(
            all_index, test_size=test_size, stratify=y, random_state=random_state
        )
    else:
        train_idx, test_idx = all_index, np.empty(0, dtype=np.int64)
        warnings.append(
            f"fewer than {_MIN_PER_CLASS_FOR_TEST} examples of a class: no "
            "held-out split, so no honest figures for this model; add data"
        )
    train_part, test_part = data.subset(train_idx), data.subset(test_idx)
    y_train = train_part.y

    chosen: dict[str, object] = {**DEFAULT_PARAMS.get(kind, DEFAULT_PARAMS[DocumentKind.MESSAGE])}
    if params:
        chosen.update(params)
    selection: list[dict[str, object]] = []
    if select:
        chosen, selection = select_params(train_part.texts, y_train, chosen, seed=random_state)
    estimator = TextClassifier(**chosen, random_state=random_state)  # type: ignore[arg-type]
    estimator.fit(train_part.texts, y_train)
    oof_p = estimator.calibrate(estimator.oof_margin_)
    threshold = _best_threshold(y_train, oof_p)

    total = len(languages)
    known = {
        k: v
        for k, v in language_counts.items()
        if k != "und" and (v >= 50 or v / total >= _MIN_LANGUAGE_SHARE)
    }
    metrics: dict[str, object] = {
        "train_oof": {
            **summarise(y_train, oof_p, threshold=threshold).headline(),
            "note": "out-of-fold margins of the training split, calibrated",
        },
    }
    heldout = None
    if len(test_idx):
        model_name = name or f"{kind.value}-custom"
        probs = estimator.predict_proba(test_part.texts)[:, 1]
        heldout = summarise(
            test_part.y,
            probs,
            threshold=threshold,
            model=model_name,
            kind=kind.value,
            languages=test_part.languages,
        )
        metrics["heldout"] = heldout.headline()
        metrics["heldout_bins"] = [b.to_dict() for b in heldout.bins]
        if base == "shipped" and bundled_count:
            new = [
                i
                for i, j in enumerate(test_idx)
                if j >= 0
                and not data.origins[j]
                .split(":")[0]
                .endswith(("emscad_balanced_train.csv", "sms_spam_train.tsv", "smishing_train.csv"))
            ]
            if new and 0 < sum(test_part.labels[i] for i in new) < len(new):
                sub = summarise(test_part.y[new], probs[new], threshold=threshold)
                metrics["heldout_new_examples"] = sub.headline()
    meta = ModelMetadata(
        name=name or f"{kind.value}-custom",
        kind=kind.value,
        normaliser=str(chosen["normaliser"]),
        params={k: v for k, v in estimator.get_params().items()},
        train_prior=round(float(y_train.mean()), 6),
        threshold=threshold,
        languages=dict(sorted(known.items())),
        training={
            "base": base,
            "sources": [s.to_dict() for s in data.sources],
            "records_kept": len(data),
            "positives": int(counts[1]),
            "negatives": int(counts[0]),
            "duplicates_removed": data.duplicates_removed,
            "conflicts_removed": data.conflicts_removed,
            "bad_records": data.problem_count,
            "train_size": len(train_idx),
            "test_size": len(test_idx),
            "split": f"stratified {1 - test_size:.0%}/{test_size:.0%}, seed {random_state}",
            "languages_all": dict(sorted(language_counts.items())),
            "selection": selection,
        },
        metrics=metrics,
        created=datetime.now(UTC).date().isoformat(),
        description=description,
    )
    return TrainingResult(
        TextModel(estimator, meta),
        heldout,
        data,
        selection,
        warnings,
        np.asarray(train_idx),
        np.asarray(test_idx),
    )


def evaluate_data(model: TextModel, data: LabelledData) -> EvaluationReport:
    """Evaluate ``model`` on already-read labelled data."""
    probs = model.predict_proba(data.texts)
    has_languages = any(data.languages)
    detected = [
        lang or detect_language(t).code for t, lang in zip(data.texts, data.languages, strict=True)
    ]
    report = summarise(
        data.y,
        probs,
        threshold=model.threshold,
        model=model.name,
        kind=model.kind,
        languages=data.languages if has_languages else None,
    )
    report.languages_detected = dict(Counter(detected))
    unknown = {k: v for k, v in report.languages_detected.items() if not model.knows_language(k)}
    if unknown:
        report.warnings.append(
            f"{sum(unknown.values())} documents in languages the model was not trained on "
            f"{dict(sorted(unknown.items()))}: its scores there are not evidence of legitimacy"
        )
    report.problems = [str(p) for p in data.problems]
    report.problem_count = data.problem_count
    report.data = [s.path for s in data.sources]
    return report


def evaluate(
    model: TextModel,
    data_paths: Sequence[Path | str],
    *,
    text_column: str | Sequence[str] = "text",
    label_column: str = "label",
    positive_labels: Sequence[str] = DEFAULT_POSITIVE,
    negative_labels: Sequence[str] = DEFAULT_NEGATIVE,
    language_column: str | None = None,
) -> EvaluationReport:
    """Evaluate ``model`` on labelled files (bad records are counted, not fatal)."""
    data = _read(
        data_paths, text_column, label_column, positive_labels, negative_labels, language_column
    )
    return evaluate_data(model, data)
