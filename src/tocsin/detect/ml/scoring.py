"""Scoring for the engine: shipped models by document kind, batched probabilities with reasons.

:func:`score` vectorises a batch once and derives everything from that one sparse matrix: the
margin ``X @ coef``, the calibrated probability, and each document's strongest terms. A term's
contribution is ``scale x coef[j] x tfidf[j]`` where ``scale`` is the slope of the sigmoid
calibration map, so contributions are in calibrated log-odds and, with the model's intercept
terms, add up exactly to ``logit(probability)`` (for an isotonic map they are in the base
model's log-odds, which the map then transforms monotonically).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from scipy import sparse

from tocsin.detect.ml.model import TextModel, load_model
from tocsin.model import DocumentKind, ModelScore

__all__ = ["SHIPPED_DIR", "explain", "score", "score_with_terms", "shipped_model"]

#: Where the shipped models live inside the package.
SHIPPED_DIR: Final = Path(__file__).resolve().parent / "models"

#: Which shipped model scores which document kind. Web pages and reports are long, mixed
#: texts unlike any training data: no model, the indicator packs decide alone.
_MODEL_FOR_KIND: Final = {
    DocumentKind.JOB_AD: "job_ad",
    DocumentKind.MESSAGE: "message",
    DocumentKind.CONVERSATION: "message",
}


@cache
def _shipped(name: str) -> TextModel | None:
    directory = SHIPPED_DIR / name
    if not (directory / "model.json").is_file():
        return None
    return load_model(directory)


def shipped_model(kind: DocumentKind | str) -> TextModel | None:
    """The model shipped for documents of ``kind`` (loaded once), or None when there is none."""
    name = _MODEL_FOR_KIND.get(DocumentKind(kind))
    return None if name is None else _shipped(name)


def explain(
    model: TextModel, matrix: sparse.csr_matrix, top_k: int
) -> list[tuple[tuple[str, float], ...]]:
    """The ``top_k`` terms with the largest |contribution| in each row, strongest first."""
    estimator = model.estimator
    csr = sparse.csr_matrix(matrix)
    contributions = csr.data * estimator.coef_[csr.indices] * estimator.term_scale
    names = estimator.feature_names()
    result: list[tuple[tuple[str, float], ...]] = []
    indptr = csr.indptr
    for row in range(csr.shape[0]):
        start, end = int(indptr[row]), int(indptr[row + 1])
        if start == end or top_k <= 0:
            result.append(())
            continue
        values = contributions[start:end]
        if end - start > top_k:
            order = np.argpartition(-np.abs(values), top_k - 1)[:top_k]
        else:
            order = np.arange(end - start)
        order = order[np.argsort(-np.abs(values[order]), kind="stable")]
        columns = csr.indices[start:end][order]
        result.append(
            tuple(
                (str(names[c]), round(float(v), 4))
                for c, v in zip(columns, values[order], strict=True)
            )
        )
    return result


def score(model: TextModel, texts: Sequence[str], *, top_k: int = 5) -> list[ModelScore]:
    """Calibrated P(fraud) and the top contributing terms for each text, in one batch.

    ``ModelScore.contribution`` is left at 0: the engine decides how much the model adds to a
    verdict (it knows the document's language and the indicator evidence).
    """
    return [s for s, _ in score_with_terms(model, texts, top_k=top_k)]


def score_with_terms(
    model: TextModel, texts: Sequence[str], *, top_k: int = 5
) -> list[tuple[ModelScore, int]]:
    """Like :func:`score`, with the number of distinct terms of the model's vocabulary that
    each text contains: how much of the text the model could read (the engine weighs a
    model's evidence on a short text by it, see docs/scoring.md)."""
    if len(texts) == 0:
        return []
    estimator = model.estimator
    matrix = sparse.csr_matrix(estimator.transform_texts(texts))
    margin = np.asarray(matrix @ estimator.coef_ + estimator.intercept_, dtype=np.float64)
    probabilities = estimator.calibrate(margin)
    terms = explain(model, matrix, top_k)
    known = np.diff(matrix.indptr)
    return [
        (ModelScore(model=model.name, probability=float(p), top_terms=t), int(n))
        for p, t, n in zip(probabilities, terms, known, strict=True)
    ]
