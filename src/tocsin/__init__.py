"""Tocsin: open-source intelligence against trafficking-fuelled scam centres.

The public Python API is small and re-exported here::

    import tocsin
    verdict = tocsin.scan("Customer service job in Sihanoukville, no experience, flights paid")
    verdict.risk, verdict.level, [s.title for s in verdict.signals]
    tocsin.extract("Contact t.me/hr_desk or WhatsApp +855 12 345 678")
"""

__version__ = "0.1.0"

from tocsin.detect.engine import Engine, scan, scan_texts  # noqa: E402 - needs __version__
from tocsin.detect.language import detect_language  # noqa: E402
from tocsin.errors import ConfigError, InputError, ModelError, RecordError, TocsinError  # noqa: E402
from tocsin.model import (  # noqa: E402
    Category,
    Document,
    DocumentKind,
    Evidence,
    LanguageGuess,
    ModelScore,
    RiskLevel,
    Selector,
    SelectorType,
    Signal,
    Verdict,
)
from tocsin.selectors import extract  # noqa: E402

__all__ = [
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
