"""The engine's view of the learned models: which model scores which document, and how.

The engine asks a ``ModelSet`` to score a batch of (document, detected language) pairs; it gets
back, per document, the model's calibrated probability with its top terms, the class balance
the model was calibrated on (its prior), whether the document's language is one the model
was trained on, and how much of the text the model could read (its *coverage*). How those
become evidence is decided in ``tocsin.detect.scoring``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from tocsin.model import Document, DocumentKind, LanguageGuess, ModelScore

__all__ = ["FULL_COVERAGE_TERMS", "ModelSet", "ModelVerdict", "coverage", "load_model_set"]

#: How many distinct terms of a model's vocabulary a text needs for the model's evidence to
#: count fully, by the kind of text the model learnt from. Job-ad models learn from whole
#: adverts: the held-out EMSCAD ads contain 45 (5th percentile, fraudulent) to 90
#: (legitimate) known terms, a pasted one-line offer 2 to 16, and on so little the model's
#: answer is mostly its intercept (P = 0.84 for an empty text, against a 0.46 training prior).
#: Message models learn from SMS, where 3 known terms is already a typical short message.
FULL_COVERAGE_TERMS: Final = {
    DocumentKind.JOB_AD: 40,
    DocumentKind.MESSAGE: 3,
    DocumentKind.CONVERSATION: 3,
}


def coverage(kind: DocumentKind, known_terms: int) -> float:
    """The share of a model's evidence that a text with ``known_terms`` earns, in [0, 1]."""
    full = FULL_COVERAGE_TERMS.get(kind, 1)
    return min(1.0, known_terms / full)


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    score: ModelScore
    train_prior: float
    language_known: bool
    #: How much of the text the model could read (``coverage``); its evidence is scaled by it.
    coverage: float = 1.0


@dataclass(frozen=True)
class ModelSet:
    """Models by document kind; documents of other kinds are not scored by a model."""

    by_kind: Mapping[DocumentKind, object] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ModelSet:
        return cls({})

    def score(self, items: Sequence[tuple[Document, LanguageGuess]]) -> list[ModelVerdict | None]:
        """One verdict per item (None where no model applies), scoring each model in one batch."""
        from tocsin.detect.ml import TextModel, score_with_terms

        out: list[ModelVerdict | None] = [None] * len(items)
        for kind, model in self.by_kind.items():
            assert isinstance(model, TextModel)
            rows = [i for i, (doc, _) in enumerate(items) if doc.kind is kind]
            if not rows:
                continue
            scores = score_with_terms(model, [items[i][0].text for i in rows])
            for i, (s, known) in zip(rows, scores, strict=True):
                language = items[i][1].code
                out[i] = ModelVerdict(
                    s, model.train_prior, model.knows_language(language), coverage(kind, known)
                )
        return out


def load_model_set(paths: Sequence[Path] = ()) -> ModelSet:
    """The shipped models, with any model directories in ``paths`` replacing them by kind.

    A model scores only the kind it was trained on: the message model learnt from single SMS,
    and a multi-turn conversation transcript is a different text; like a language the model
    has not seen, it gets no say there (docs/scoring.md).
    """
    from tocsin.detect.ml import load_model, shipped_model

    by_kind: dict[DocumentKind, object] = {}
    for kind in DocumentKind:
        model = shipped_model(kind)
        if model is not None and model.kind == kind.value:
            by_kind[kind] = model
    for path in paths:
        model = load_model(path)
        by_kind[DocumentKind(model.kind)] = model
    return ModelSet(by_kind)
