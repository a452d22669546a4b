"""Signals and verdicts: what fired, where, why, and what it adds up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tocsin.model.selector import Selector

__all__ = [
    "Category",
    "Evidence",
    "LanguageGuess",
    "ModelScore",
    "RiskLevel",
    "Signal",
    "Verdict",
]


class Category(StrEnum):
    """Indicator categories, from the published typologies (see docs/indicators.md)."""

    RECRUITMENT_LURE = "recruitment_lure"
    FORCED_CRIMINALITY = "forced_criminality"
    PIG_BUTCHERING = "pig_butchering"
    PAYMENT = "payment"
    GENERIC_FRAUD = "generic_fraud"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def from_risk(cls, risk: int) -> RiskLevel:
        """Thresholds are documented in docs/scoring.md; change both together."""
        if risk >= 85:
            return cls.CRITICAL
        if risk >= 60:
            return cls.HIGH
        if risk >= 30:
            return cls.MEDIUM
        return cls.LOW

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the analysed text that made a signal fire."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Signal:
    """One indicator that fired on a document.

    ``weight`` is the indicator's log-likelihood ratio (see docs/scoring.md); ``contribution``
    is what it actually added to the document's log-odds after damping of correlated signals.
    """

    indicator: str
    category: Category
    title: str
    explanation: str
    weight: float
    evidence: tuple[Evidence, ...]
    contribution: float = 0.0
    language: str | None = None
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "category": self.category.value,
            "title": self.title,
            "explanation": self.explanation,
            "weight": self.weight,
            "contribution": round(self.contribution, 4),
            "language": self.language,
            "evidence": [e.to_dict() for e in self.evidence],
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The detected language (ISO 639-1, or ``und``) with the detector's confidence."""

    code: str
    confidence: float
    script: str | None = None
    alternatives: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "script": self.script,
            "alternatives": [[c, round(p, 4)] for c, p in self.alternatives],
        }


@dataclass(frozen=True, slots=True)
class ModelScore:
    """A learned model's opinion on a document, with the terms that drove it."""

    model: str
    probability: float
    contribution: float = 0.0
    top_terms: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "probability": round(self.probability, 4),
            "contribution": round(self.contribution, 4),
            "top_terms": [[t, round(w, 4)] for t, w in self.top_terms],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The explainable result of scanning one document."""

    risk: int
    level: RiskLevel
    categories: tuple[Category, ...]
    signals: tuple[Signal, ...]
    selectors: tuple[Selector, ...]
    language: LanguageGuess
    document_id: str | None = None
    kind: str = "unknown"
    model_scores: tuple[ModelScore, ...] = ()
    log_odds: float = 0.0
    engine: str = ""
    packs: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.document_id,
            "kind": self.kind,
            "risk": self.risk,
            "level": self.level.value,
            "categories": [c.value for c in self.categories],
            "language": self.language.to_dict(),
            "signals": [s.to_dict() for s in self.signals],
            "selectors": [s.to_dict() for s in self.selectors],
            "model_scores": [m.to_dict() for m in self.model_scores],
            "log_odds": round(self.log_odds, 4),
            "engine": self.engine,
            "packs": list(self.packs),
        }
