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
    """Models by document kind; kinds without a model are simply not scored by one."""

    by_kind: Mapping[DocumentKind, object] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ModelSet:
        return cls({})

    def score(
        self, items: Sequence[tuple[Document, LanguageGuess]]
    ) -> list[ModelVerdict | None]:
        return [None for _ in items]


def load_model_set(path: Path | None = None) -> ModelSet:
    return ModelSet.empty()
