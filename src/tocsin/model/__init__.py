"""The vocabulary of Tocsin: documents, selectors, signals and verdicts."""

from tocsin.model.document import Document, DocumentKind
from tocsin.model.selector import MESSAGING_TYPES, Selector, SelectorType
from tocsin.model.verdict import (
    Category,
    Evidence,
    LanguageGuess,
    ModelScore,
    RiskLevel,
    Signal,
    Verdict,
)

__all__ = [
    "MESSAGING_TYPES",
    "Category",
    "Document",
    "DocumentKind",
    "Evidence",
    "LanguageGuess",
    "ModelScore",
    "RiskLevel",
    "Selector",
    "SelectorType",
    "Signal",
    "Verdict",
]
