"""Verdicts made readable: what the public check page and the document page show.

The public page speaks to job seekers and families in their language, so indicator titles are
translated (`tocsin.web.i18n.indicator_title`), findings are grouped by category with a plain
explanation of the category, and the advice depends on what was found. The workspace shows the
indicators' own titles and explanations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from tocsin.model import Category, Selector, SelectorType, Verdict
from tocsin.report.highlight import Mark, Segment, segments
from tocsin.web.i18n import indicator_title

__all__ = [
    "Contact",
    "Finding",
    "FindingGroup",
    "PublicResult",
    "public_result",
    "stored_marks",
]

#: Most findings listed on the public page; the rest are counted.
MAX_FINDINGS: Final = 10
#: Longest text shown highlighted (the rest is cut with a note).
TEXT_LIMIT: Final = 20_000
#: Evidence quotes shown per finding.
MAX_QUOTES: Final = 2

_MESSAGING_APPS: Final = {
    SelectorType.TELEGRAM: "Telegram",
    SelectorType.WHATSAPP: "WhatsApp",
    SelectorType.LINE: "LINE",
    SelectorType.WECHAT: "WeChat",
    SelectorType.QQ: "QQ",
    SelectorType.SIGNAL: "Signal",
    SelectorType.SKYPE: "Skype",
    SelectorType.ZALO: "Zalo",
}

_CATEGORY_ORDER: Final = (
    Category.FORCED_CRIMINALITY,
    Category.RECRUITMENT_LURE,
    Category.PIG_BUTCHERING,
    Category.PAYMENT,
    Category.GENERIC_FRAUD,
)


@dataclass(frozen=True, slots=True)
class Finding:
    n: int
    indicator: str
    title: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FindingGroup:
    category: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Contact:
    group: str
    app: str | None
    raw: str
    value: str


@dataclass(frozen=True, slots=True)
class PublicResult:
    text: str
    kind: str
    risk: int
    level: str
    groups: tuple[FindingGroup, ...]
    more: int
    segments: tuple[Segment, ...]
    cut: bool
    contacts: tuple[Contact, ...]
    advice: tuple[str, ...]


def _group_of(selector: Selector) -> str:
    if selector.type in _MESSAGING_APPS:
        return "messaging"
    return selector.type.value


def _advice(verdict: Verdict, kind: str) -> tuple[str, ...]:
    """Catalog keys of the advice for this verdict, most urgent first."""
    found = {s.category for s in verdict.signals}
    keys: list[str] = []
    if Category.FORCED_CRIMINALITY in found:
        keys += ["advice_held", "advice_emergency"]
    if Category.RECRUITMENT_LURE in found or kind == "job_ad" or not found:
        keys += ["advice_passport", "advice_verify", "advice_travel"]
    if Category.PIG_BUTCHERING in found:
        keys += ["advice_apps"]
    if found & {Category.PIG_BUTCHERING, Category.PAYMENT, Category.GENERIC_FRAUD} or not found:
        keys += ["advice_money"]
    if Category.RECRUITMENT_LURE in found or kind == "job_ad":
        keys += ["advice_family"]
    return tuple(dict.fromkeys(keys))


def public_result(text: str, kind: str, verdict: Verdict, lang: str) -> PublicResult:
    """The public page's view of a verdict, in ``lang``."""
    shown = verdict.signals[:MAX_FINDINGS]
    numbered = {s.indicator: n for n, s in enumerate(shown, start=1)}
    by_category: dict[Category, list[Finding]] = {}
    for signal in shown:
        quotes = tuple(dict.fromkeys(e.text.strip() for e in signal.evidence if e.text.strip()))
        by_category.setdefault(signal.category, []).append(
            Finding(
                n=numbered[signal.indicator],
                indicator=signal.indicator,
                title=indicator_title(signal.indicator, lang, signal.title),
                evidence=quotes[:MAX_QUOTES],
            )
        )
    groups = tuple(
        FindingGroup(c.value, tuple(by_category[c])) for c in _CATEGORY_ORDER if c in by_category
    )
    marks = [
        Mark(
            e.start,
            e.end,
            f"sig cat-{s.category.value} s{numbered[s.indicator]}",
            indicator_title(s.indicator, lang, s.title),
        )
        for s in shown
        for e in s.evidence
    ]
    marks += [Mark(s.start, s.end, "selector", s.raw) for s in verdict.selectors]
    contacts = tuple(
        {
            s.key: Contact(_group_of(s), _MESSAGING_APPS.get(s.type), s.raw, s.value)
            for s in verdict.selectors
        }.values()
    )
    return PublicResult(
        text=text,
        kind=kind,
        risk=verdict.risk,
        level=verdict.level.value,
        groups=groups,
        more=max(0, len(verdict.signals) - len(shown)),
        segments=tuple(segments(text, marks, TEXT_LIMIT)),
        cut=len(text) > TEXT_LIMIT,
        contacts=contacts,
        advice=_advice(verdict, kind),
    )


def stored_marks(verdict: dict[str, Any]) -> list[Mark]:
    """Marks for a stored verdict (its JSON form): signals with their titles, and selectors."""
    marks: list[Mark] = []
    for n, signal in enumerate(verdict.get("signals", []), start=1):
        for e in signal.get("evidence", []):
            marks.append(
                Mark(
                    int(e["start"]),
                    int(e["end"]),
                    f"sig cat-{signal.get('category', '')} s{n}",
                    str(signal.get("title", "")),
                )
            )
    for s in verdict.get("selectors", []):
        marks.append(Mark(int(s["start"]), int(s["end"]), "selector", f"{s['type']}: {s['value']}"))
    return marks
