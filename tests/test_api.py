"""The public Python API is small, stable and all of it importable."""

from __future__ import annotations

import tocsin


def test_all_names_resolve() -> None:
    for name in tocsin.__all__:
        assert getattr(tocsin, name) is not None


def test_all_is_exactly_the_public_api() -> None:
    assert sorted(tocsin.__all__) == sorted(
        [
            "Category",
            "ConfigError",
            "Document",
            "DocumentKind",
            "Engine",
            "Evidence",
            "InputError",
            "LanguageGuess",
            "ModelError",
            "ModelScore",
            "RecordError",
            "RiskLevel",
            "Selector",
            "SelectorType",
            "Signal",
            "TocsinError",
            "Verdict",
            "__version__",
            "detect_language",
            "extract",
            "scan",
            "scan_texts",
        ]
    )


def test_scan_from_python() -> None:
    verdict = tocsin.scan(
        "Typist job in Myawaddy, no experience, 3000 USD/month, flights paid. "
        "Contact WhatsApp wa.me/66812345678",
        kind="job_ad",
    )
    assert verdict.level.rank >= tocsin.RiskLevel.HIGH.rank
    assert any(
        s.type is tocsin.SelectorType.WHATSAPP and s.value == "+66812345678"
        for s in verdict.selectors
    )
    assert verdict.to_dict()["risk"] == verdict.risk
