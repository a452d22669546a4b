"""The screening engine: a Document in, an explainable Verdict out.

``Engine.scan`` is a pure function of the document and of the engine's immutable
configuration (indicator packs, models, scoring settings): no I/O, no clock, no randomness,
so the same input always gives the same verdict. ``Engine.scan_many`` gives the same verdicts
for many documents, batching the learned models, which is where batching pays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

from tocsin import __version__
from tocsin.detect import scoring
from tocsin.detect.derived import derive
from tocsin.detect.kind import effective_kind
from tocsin.detect.language import detect_language
from tocsin.detect.models import ModelSet, ModelVerdict, load_model_set
from tocsin.detect.rules import RuleSet, load_packs
from tocsin.model import (
    Category,
    Document,
    DocumentKind,
    LanguageGuess,
    ModelScore,
    RiskLevel,
    Selector,
    Signal,
    Verdict,
)
from tocsin.selectors import extract
from tocsin.settings import Settings, get_settings

__all__ = ["Engine", "default_engine", "scan"]

ENGINE_VERSION = f"tocsin-{__version__}"

#: A category is listed on the verdict when its signals add at least this much log-odds.
_CATEGORY_MIN = 0.5


@dataclass(frozen=True, slots=True)
class _Analysis:
    """What the per-document steps found, before the models and the scoring."""

    document: Document
    language: LanguageGuess
    selectors: list[Selector]
    signals: list[Signal]
    #: The document as the models see it: an ``unknown`` one that is clearly a job offer is
    #: read as a job ad (``tocsin.detect.kind``).
    scored: Document


class Engine:
    """Screens documents with indicator packs, selector extraction and learned models."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        models: ModelSet | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings if settings is not None else get_settings()
        self.rules = rules if rules is not None else load_packs()
        if models is None and self.settings.use_models:
            models = load_model_set()
        self.models = models if models is not None else ModelSet.empty()

    # -- public ---------------------------------------------------------------------------

    def scan(self, document: Document) -> Verdict:
        """The verdict on one document."""
        analysis = self._analyse(document)
        scores = self.models.score([(analysis.scored, analysis.language)])
        return self._verdict(analysis, scores[0])

    def scan_many(self, documents: Iterable[Document], batch_size: int = 256) -> Iterator[Verdict]:
        """Verdicts for many documents, in order, scoring the models in batches."""
        it = iter(documents)
        while batch := list(islice(it, batch_size)):
            analyses = [self._analyse(d) for d in batch]
            scores = self.models.score([(a.scored, a.language) for a in analyses])
            for analysis, score in zip(analyses, scores, strict=True):
                yield self._verdict(analysis, score)

    # -- steps ----------------------------------------------------------------------------

    def _analyse(self, document: Document) -> _Analysis:
        language = detect_language(document.text, hint=document.language)
        lang = language.code if language.code != "und" else document.language
        selectors = extract(document.text, country=document.country, language=lang)
        signals = [
            hit.to_signal()
            for hit in self.rules.match(document.text, kind=document.kind, language=lang)
        ]
        kind = document.kind
        if kind is DocumentKind.UNKNOWN:
            kind = effective_kind(kind, self.rules.terms_found(document.text))
        for derived, evidence in derive(kind, selectors):
            signals.append(
                Signal(
                    indicator=derived.id,
                    category=derived.category,
                    title=derived.title,
                    explanation=derived.description,
                    weight=derived.weight,
                    evidence=evidence,
                    sources=derived.sources,
                )
            )
        scored = document if kind is document.kind else replace(document, kind=kind)
        return _Analysis(document, language, selectors, signals, scored)

    def _verdict(self, analysis: _Analysis, model: ModelVerdict | None) -> Verdict:
        items = [scoring.Contribution(s.indicator, s.category, s.weight) for s in analysis.signals]
        model_scores: list[ModelScore] = []
        if model is not None:
            evidence = 0.0  # a model has no say on a language it was not trained on
            if model.language_known:
                evidence = scoring.model_evidence(model.score.probability, model.train_prior)
                evidence = min(self.settings.model_max_increase, evidence)
                evidence = max(-self.settings.model_max_decrease, evidence)
                evidence *= model.coverage  # a short text gives the model little to go on
            items.append(scoring.Contribution(f"model:{model.score.model}", None, evidence))
        damped = scoring.damp(items, self.settings.category_damping)
        signals = sorted(
            (_with_contribution(s, damped[s.indicator]) for s in analysis.signals),
            key=lambda s: (-s.contribution, s.indicator),
        )
        if model is not None:
            key = f"model:{model.score.model}"
            model_scores.append(_model_with_contribution(model.score, damped[key]))
        log_odds, risk = scoring.combine(self.settings.prior, damped.values())
        per_category: dict[Category, float] = {}
        for s in signals:
            per_category[s.category] = per_category.get(s.category, 0.0) + s.contribution
        categories = tuple(
            c
            for c, total in sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0].value))
            if total >= _CATEGORY_MIN
        )
        return Verdict(
            risk=risk,
            level=RiskLevel.from_risk(risk),
            categories=categories,
            signals=tuple(signals),
            selectors=tuple(analysis.selectors),
            language=analysis.language,
            document_id=analysis.document.id,
            kind=analysis.document.kind.value,
            model_scores=tuple(model_scores),
            log_odds=log_odds,
            engine=ENGINE_VERSION,
            packs=self.rules.pack_versions,
        )


def _with_contribution(signal: Signal, contribution: float) -> Signal:
    return replace(signal, contribution=contribution)


def _model_with_contribution(score: ModelScore, contribution: float) -> ModelScore:
    return replace(score, contribution=contribution)


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine with the bundled packs and models and the process settings (cached)."""
    return Engine()


def scan(
    text: str | Document,
    *,
    kind: DocumentKind | str = DocumentKind.UNKNOWN,
    language: str | None = None,
    country: str | None = None,
    id: str | None = None,
) -> Verdict:
    """Scan one text (or Document) with the default engine.

    >>> scan("Hello, how are you?").level.value
    'low'
    """
    document = (
        text
        if isinstance(text, Document)
        else Document(text, DocumentKind(kind), id=id, language=language, country=country)
    )
    return default_engine().scan(document)


def scan_texts(texts: Sequence[str], *, kind: DocumentKind = DocumentKind.UNKNOWN) -> list[Verdict]:
    """Scan several texts of one kind with the default engine (batched)."""
    return list(default_engine().scan_many(Document(t, kind) for t in texts))
