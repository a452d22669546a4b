"""Evaluation of a probability model on labelled data: the numbers an analyst can trust.

Accuracy is not reported on purpose: on EMSCAD (4.8 % fraud) "always legitimate" scores 95 %.
We report the positive class (fraud / spam): precision, recall, F1, PR-AUC, ROC-AUC, the
confusion matrix at the model's threshold, a threshold table, and calibration — whether a
probability of 0.8 is right eight times in ten (reliability bins, Brier score, expected
calibration error).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

__all__ = [
    "BinMetrics",
    "ClassMetrics",
    "EvaluationReport",
    "brier_score",
    "class_metrics",
    "expected_calibration_error",
    "reliability_bins",
    "summarise",
]

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True, slots=True)
class BinMetrics:
    """One bin of the reliability curve: predictions in [low, high)."""

    low: float
    high: float
    count: int
    mean_predicted: float | None
    fraction_positive: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "mean_predicted": _r(self.mean_predicted),
            "fraction_positive": _r(self.fraction_positive),
        }


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    """Positive-class metrics at one threshold."""

    threshold: float
    n: int
    positives: int
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def flagged(self) -> int:
        return self.tp + self.fp

    def to_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "n": self.n,
            "positives": self.positives,
            "precision": _r(self.precision),
            "recall": _r(self.recall),
            "f1": _r(self.f1),
            "flagged": self.flagged,
            "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def class_metrics(y: npt.ArrayLike, p: npt.ArrayLike, threshold: float) -> ClassMetrics:
    labels = np.asarray(y, dtype=np.int64)
    flagged = np.asarray(p, dtype=np.float64) >= threshold
    tp = int(np.sum(flagged & (labels == 1)))
    fp = int(np.sum(flagged & (labels == 0)))
    fn = int(np.sum(~flagged & (labels == 1)))
    tn = int(np.sum(~flagged & (labels == 0)))
    return ClassMetrics(threshold, len(labels), int(labels.sum()), tp, fp, tn, fn)


def brier_score(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Mean squared difference between probability and outcome (0 is perfect)."""
    labels = np.asarray(y, dtype=np.float64)
    return float(np.mean((np.asarray(p, dtype=np.float64) - labels) ** 2))


def reliability_bins(y: npt.ArrayLike, p: npt.ArrayLike, n_bins: int = 10) -> list[BinMetrics]:
    """Equal-width bins over [0, 1]; the last bin includes 1.0."""
    labels = np.asarray(y, dtype=np.float64)
    probs = np.asarray(p, dtype=np.float64)
    index = np.minimum((probs * n_bins).astype(np.int64), n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = index == b
        count = int(mask.sum())
        bins.append(
            BinMetrics(
                round(b / n_bins, 4),
                round((b + 1) / n_bins, 4),
                count,
                float(probs[mask].mean()) if count else None,
                float(labels[mask].mean()) if count else None,
            )
        )
    return bins


def expected_calibration_error(y: npt.ArrayLike, p: npt.ArrayLike, n_bins: int = 10) -> float:
    """Σ over bins of (share of documents in the bin) x |mean probability - fraction positive|."""
    total = len(np.asarray(y))
    ece = 0.0
    for b in reliability_bins(y, p, n_bins):
        if b.count and b.mean_predicted is not None and b.fraction_positive is not None:
            ece += b.count / total * abs(b.mean_predicted - b.fraction_positive)
    return ece


@dataclass
class EvaluationReport:
    """Everything ``tocsin model evaluate`` shows, in one JSON-able object."""

    model: str
    kind: str
    n: int
    positives: int
    threshold: float
    at_threshold: ClassMetrics
    pr_auc: float | None
    roc_auc: float | None
    brier: float
    ece: float
    bins: list[BinMetrics]
    thresholds: list[ClassMetrics]
    per_language: dict[str, ClassMetrics] = field(default_factory=dict)
    languages_detected: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    pr_curve: tuple[list[float], list[float]] = ((), ())  # type: ignore[assignment]

    @property
    def precision(self) -> float:
        return self.at_threshold.precision

    @property
    def recall(self) -> float:
        return self.at_threshold.recall

    @property
    def f1(self) -> float:
        return self.at_threshold.f1

    def headline(self) -> dict[str, float | int | None]:
        """The figures stored in model metadata and quoted in model cards."""
        return {
            "n": self.n,
            "positives": self.positives,
            "threshold": self.threshold,
            "precision": _r(self.precision),
            "recall": _r(self.recall),
            "f1": _r(self.f1),
            "pr_auc": _r(self.pr_auc),
            "roc_auc": _r(self.roc_auc),
            "brier": _r(self.brier),
            "ece": _r(self.ece),
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "kind": self.kind,
            "data": self.data,
            **self.headline(),
            "confusion": self.at_threshold.to_dict()["confusion"],
            "calibration": {
                "brier": _r(self.brier),
                "ece": _r(self.ece),
                "bins": [b.to_dict() for b in self.bins],
            },
            "thresholds": [t.to_dict() for t in self.thresholds],
            "per_language": {k: v.to_dict() for k, v in sorted(self.per_language.items())},
            "languages_detected": dict(sorted(self.languages_detected.items())),
            "problem_count": self.problem_count,
            "problems": self.problems,
            "warnings": self.warnings,
        }


def summarise(
    y: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    threshold: float = 0.5,
    model: str = "",
    kind: str = "",
    languages: Sequence[str | None] | None = None,
    n_bins: int = 10,
) -> EvaluationReport:
    """Compute an :class:`EvaluationReport` from labels and predicted P(positive)."""
    labels = np.asarray(y, dtype=np.int64)
    probs = np.asarray(p, dtype=np.float64)
    if labels.shape != probs.shape or labels.ndim != 1 or len(labels) == 0:
        raise ValueError("need one probability per label, and at least one label")
    both = 0 < labels.sum() < len(labels)
    warnings: list[str] = []
    if not both:
        warnings.append("the data has only one class: PR-AUC and ROC-AUC are undefined")
    curve: tuple[list[float], list[float]] = ([], [])
    if both:
        precision, recall, _ = precision_recall_curve(labels, probs)
        curve = ([float(v) for v in recall], [float(v) for v in precision])
    per_language: dict[str, ClassMetrics] = {}
    if languages is not None and any(lang for lang in languages):
        for lang in sorted({lang or "und" for lang in languages}):
            mask = np.array([(x or "und") == lang for x in languages])
            per_language[lang] = class_metrics(labels[mask], probs[mask], threshold)
    return EvaluationReport(
        model=model,
        kind=kind,
        n=len(labels),
        positives=int(labels.sum()),
        threshold=threshold,
        at_threshold=class_metrics(labels, probs, threshold),
        pr_auc=float(average_precision_score(labels, probs)) if both else None,
        roc_auc=float(roc_auc_score(labels, probs)) if both else None,
        brier=brier_score(labels, probs),
        ece=expected_calibration_error(labels, probs, n_bins),
        bins=reliability_bins(labels, probs, n_bins),
        thresholds=[class_metrics(labels, probs, t) for t in THRESHOLDS],
        per_language=per_language,
        languages_detected=dict(Counter(lang or "und" for lang in languages or [])),
        warnings=warnings,
        pr_curve=curve,
    )
