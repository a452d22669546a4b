"""The engine: deterministic, explainable verdicts, and models kept in their lane."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.detect.engine import Engine
from tocsin.detect.models import ModelSet, ModelVerdict
from tocsin.detect.scoring import logit
from tocsin.model import Document, DocumentKind, LanguageGuess, ModelScore, RiskLevel
from tocsin.settings import Settings

LURE_VI = (
    "Tuyển nhân viên chăm sóc khách hàng làm việc tại Campuchia, việc nhẹ lương cao 1500 USD, "
    "không cần kinh nghiệm, bao vé máy bay và ăn ở. Gửi ảnh hộ chiếu qua Telegram @tuyendung_kh"
)
CHAT_EN = (
    "Your account is frozen. To withdraw your profits you must first pay the 20% tax, "
    "send 3,000 USDT (TRC20) to my wallet TM4LPMiLdDBt6pfKbepHeG1NpUMUg52hdG"
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(settings=Settings(use_models=False))


class FixedModel(ModelSet):
    """A stand-in model set that gives every document the same probability."""

    def __init__(self, probability: float, languages: frozenset[str]) -> None:
        super().__init__({})
        self.probability = probability
        self.languages = languages

    def score(self, items: object) -> list[ModelVerdict | None]:
        assert isinstance(items, list)
        return [
            ModelVerdict(
                ModelScore("fixed", self.probability, top_terms=(("term", 1.0),)),
                0.5,
                lang.code in self.languages,
            )
            for _, lang in items
        ]


def test_a_vietnamese_lure_is_high_with_evidence(engine: Engine) -> None:
    verdict = engine.scan(Document(LURE_VI, DocumentKind.JOB_AD))
    assert verdict.language.code == "vi"
    assert verdict.level.rank >= RiskLevel.HIGH.rank
    for signal in verdict.signals:
        assert signal.explanation and signal.evidence
        for e in signal.evidence:
            assert LURE_VI[e.start : e.end] == e.text
    assert any(s.type.value == "telegram" for s in verdict.selectors)


def test_log_odds_is_prior_plus_shown_contributions(engine: Engine) -> None:
    verdict = engine.scan(Document(CHAT_EN, DocumentKind.MESSAGE))
    total = logit(engine.settings.prior) + sum(s.contribution for s in verdict.signals)
    total += sum(m.contribution for m in verdict.model_scores)
    assert math.isclose(verdict.log_odds, total, abs_tol=1e-9)
    assert verdict.risk == round(100 / (1 + math.exp(-verdict.log_odds)))


def test_scan_is_deterministic_and_batching_changes_nothing(engine: Engine) -> None:
    docs = [Document(LURE_VI, DocumentKind.JOB_AD), Document(CHAT_EN, DocumentKind.MESSAGE)] * 3
    one_by_one = [engine.scan(d) for d in docs]
    batched = list(engine.scan_many(docs, batch_size=4))
    assert one_by_one == batched


def test_model_has_no_say_on_unseen_language() -> None:
    base = Engine(settings=Settings(use_models=False))
    doc = Document(LURE_VI, DocumentKind.JOB_AD)
    without = base.scan(doc)
    with_model = Engine(models=FixedModel(0.01, frozenset({"en"})), settings=base.settings)
    verdict = with_model.scan(doc)
    assert verdict.model_scores[0].contribution == 0.0
    assert verdict.risk == without.risk


def test_model_evidence_is_bounded_both_ways() -> None:
    s = Settings(use_models=False)
    doc = Document(CHAT_EN, DocumentKind.MESSAGE)
    low = Engine(models=FixedModel(0.0, frozenset({"en"})), settings=s).scan(doc)
    assert low.model_scores[0].contribution == -s.model_max_decrease
    # An ordinary text that only the model dislikes is at most "medium".
    plain = Document("Meeting moved to 3pm, room 4B. Bring the slides.", DocumentKind.MESSAGE)
    high = Engine(models=FixedModel(1.0, frozenset({"en"})), settings=s).scan(plain)
    assert high.model_scores[0].contribution == s.model_max_increase
    assert high.level is RiskLevel.MEDIUM


def test_strong_indicators_survive_a_sceptical_model() -> None:
    s = Settings(use_models=False)
    doc = Document(CHAT_EN, DocumentKind.MESSAGE)
    verdict = Engine(models=FixedModel(0.0, frozenset({"en"})), settings=s).scan(doc)
    assert verdict.level.rank >= RiskLevel.HIGH.rank


def test_shipped_models_score_their_kind_only() -> None:
    engine = Engine(settings=Settings(use_models=True))
    ad = engine.scan(Document("Accountant wanted, apply with CV.", DocumentKind.JOB_AD))
    assert [m.model for m in ad.model_scores] == ["job_ad"]
    web = engine.scan(Document("Accountant wanted, apply with CV.", DocumentKind.WEB_PAGE))
    assert web.model_scores == ()
    convo = engine.scan(Document("A: hi\nB: hello, who is this?", DocumentKind.CONVERSATION))
    assert convo.model_scores == ()


def test_verdict_serialises_with_everything_a_consumer_needs(engine: Engine) -> None:
    data = engine.scan(Document(LURE_VI, DocumentKind.JOB_AD, id="ad-1")).to_dict()
    assert data["id"] == "ad-1" and data["kind"] == "job_ad"
    assert set(data) >= {"risk", "level", "categories", "signals", "selectors", "language"}
    assert data["packs"] and data["engine"].startswith("tocsin-")


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=2000), st.sampled_from(list(DocumentKind)))
def test_any_text_gives_a_valid_verdict(text: str, kind: DocumentKind) -> None:
    engine = Engine(settings=Settings(use_models=False))
    verdict = engine.scan(Document(text, kind))
    assert 0 <= verdict.risk <= 100
    assert verdict.level is RiskLevel.from_risk(verdict.risk)
    doc_text = Document(text).text
    for signal in verdict.signals:
        for e in signal.evidence:
            assert doc_text[e.start : e.end] == e.text
    for sel in verdict.selectors:
        assert doc_text[sel.start : sel.end] == sel.raw


def test_language_hint_is_used_for_short_texts(engine: Engine) -> None:
    verdict = engine.scan(Document("ok", DocumentKind.MESSAGE, language="th"))
    assert verdict.language == LanguageGuess("th", 0.2)
    assert replace(verdict.language, confidence=0.2).code == "th"
