"""The engine's view of the learned models: which model scores which document, and how.

The engine asks a ``ModelSet`` to score a batch of (document, detected language) pairs; it gets
back, per document, the model's calibrated probability with its top terms, the class balance
the model was calibrated on (its prior) and whether the document's language is one the model
was trained on. How those become evidence is decided in ``tocsin.detect.scoring``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tocsin.model import Document, DocumentKind, LanguageGuess, ModelScore

__all__ = ["ModelSet", "ModelVerdict", "load_model_set"]


@dataclass(frozen=True, slots=True)
class ModelVerdict:
    score: ModelScore
    train_prior: float
    language_known: bool


@dataclass(frozen=True)
class ModelSet:
    """Models by document kind; documents of other kinds are not scored by a model."""

    by_kind: Mapping[DocumentKind, object] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ModelSet:
        return cls({})

    def score(self, items: Sequence[tuple[Document, LanguageGuess]]) -> list[ModelVerdict | None]:
        """One verdict per item (None where no model applies), scoring each model in one batch."""
        from tocsin.detect.ml import TextModel, score

        out: list[ModelVerdict | None] = [None] * len(items)
        for kind, model in self.by_kind.items():
            assert isinstance(model, TextModel)
            rows = [i for i, (doc, _) in enumerate(items) if doc.kind is kind]
            if not rows:
                continue
            scores = score(model, [items[i][0].text for i in rows])
            for i, s in zip(rows, scores, strict=True):
                language = items[i][1].code
                out[i] = ModelVerdict(s, model.train_prior, model.knows_language(language))
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
