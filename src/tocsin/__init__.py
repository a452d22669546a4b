"""Tocsin: open-source intelligence against trafficking-fuelled scam centres.

The public Python API is small and re-exported here::

    import tocsin
    verdict = tocsin.scan("Customer service job in Sihanoukville, no experience, flights paid")
    verdict.risk, verdict.level, [s.title for s in verdict.signals]
    tocsin.extract("Contact t.me/hr_desk or WhatsApp +855 12 345 678")
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from tocsin.errors import ConfigError, InputError, ModelError, RecordError, TocsinError
from tocsin.model import (
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

if TYPE_CHECKING:
    from tocsin.detect.engine import Engine, scan, scan_texts
    from tocsin.detect.language import detect_language
    from tocsin.selectors import extract

# The analysis functions load models and tables on import; they are imported on first use so
# that `import tocsin.errors` or `import tocsin.model` stays cheap.
_LAZY = {
    "Engine": "tocsin.detect.engine",
    "scan": "tocsin.detect.engine",
    "scan_texts": "tocsin.detect.engine",
    "detect_language": "tocsin.detect.language",
    "extract": "tocsin.selectors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tocsin' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
