"""The indicator-pack format: what a pack file may say, checked strictly.

A pack file is YAML data (see ``packs/``). It is read into the pydantic models below with
``extra="forbid"`` everywhere, so that a misspelt key fails loudly instead of being silently
ignored; :mod:`tocsin.detect.rules.loader` turns validation failures into a
:class:`~tocsin.errors.ConfigError` that names the pack file and the indicator.

The frozen dataclasses at the end (:class:`Indicator`, :class:`Pack`, ...) are what the rest of
Tocsin sees: plain, typed, immutable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from tocsin.model.document import DocumentKind
from tocsin.model.verdict import Category

__all__ = [
    "LANGUAGES",
    "Group",
    "Indicator",
    "Pack",
    "PackSpec",
    "Pattern",
]

#: Languages a pattern list may be written for. ``zh`` is for Chinese written the same in
#: Simplified and Traditional script; ``und`` for brand or place names shared by all languages.
LANGUAGES: frozenset[str] = frozenset(
    {
        "und", "en", "fr", "es", "pt", "de", "ru", "ar", "hi",
        "zh", "zh-hans", "zh-hant", "ja", "ko",
        "vi", "th", "id", "ms", "tl", "km", "my", "lo",
    }
)  # fmt: skip

_SEMVER = r"^\d+\.\d+\.\d+$"
_INDICATOR_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
_NAME = r"^[a-z][a-z0-9_]*$"
#: A source must start with a FACTS.md entry id (``A3``, ``D6``; a bare ``E`` for the
#: locations table), then a short citation.
_SOURCE = re.compile(r"^[A-H](?:\d{1,2})?\b.{3,}")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _phrase(value: str) -> str:
    value = value.strip()
    if len(value) < 2 and not (value and (ord(value[0]) >= 0x2E80 or not value.isalnum())):
        raise ValueError(
            f"phrase {value!r} is too short (one letter is allowed only for CJK, or a symbol)"
        )
    return value


class RegexSpec(_Strict):
    """A regular expression, tried only when one of its ``keys`` occurs in the text.

    The keys are plain literals (case-insensitive, no word boundaries) of which at least one
    appears in every match; they let the matcher skip the regex on the vast majority of texts.
    """

    regex: Text
    keys: list[Annotated[str, AfterValidator(_phrase)]] = Field(min_length=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"bad regex {value!r}: {exc}") from exc
        if compiled.match(""):
            raise ValueError(f"regex {value!r} matches the empty string")
        return value


def _pattern_kind(value: object) -> str:
    return "phrase" if isinstance(value, str) else "regex"


#: A pattern is a phrase or ``{regex: ..., keys: [...]}``; the discriminator makes an error
#: talk about the form the author wrote, not about both.
PatternSpec = Annotated[
    Annotated[Annotated[str, AfterValidator(_phrase)], Tag("phrase")]
    | Annotated[RegexSpec, Tag("regex")],
    Discriminator(_pattern_kind),
]


def _check_languages(value: dict[str, list[PatternSpec]]) -> dict[str, list[PatternSpec]]:
    unknown = sorted(set(value) - LANGUAGES)
    if unknown:
        raise ValueError(f"unknown language(s) {unknown}; known: {sorted(LANGUAGES)}")
    if not any(value.values()):
        raise ValueError("no patterns given")
    return value


class TermSpec(_Strict):
    """A named, reusable set of patterns (e.g. all names of compound hubs)."""

    description: Text
    patterns: dict[str, list[PatternSpec]]

    _languages = field_validator("patterns")(_check_languages)


class GroupSpec(_Strict):
    """One member of an ``all_of`` combination: a term by name, several terms of which any
    may match (``terms: [job_offer, cover_job]``), or inline patterns."""

    term: Annotated[str, StringConstraints(pattern=_NAME)] | None = None
    terms: list[Annotated[str, StringConstraints(pattern=_NAME)]] | None = Field(
        default=None, min_length=2
    )
    patterns: dict[str, list[PatternSpec]] | None = None

    @field_validator("patterns")
    @classmethod
    def _languages(
        cls, value: dict[str, list[PatternSpec]] | None
    ) -> dict[str, list[PatternSpec]] | None:
        return None if value is None else _check_languages(value)

    @model_validator(mode="after")
    def _one_of(self) -> GroupSpec:
        given = [self.term is not None, self.terms is not None, self.patterns is not None]
        if sum(given) != 1:
            raise ValueError("an all_of group needs exactly one of 'term', 'terms' or 'patterns'")
        return self


class ExamplesSpec(_Strict):
    match: list[Text] = Field(min_length=1)
    no_match: list[Text] = Field(default_factory=list)


class IndicatorSpec(_Strict):
    """One indicator. It fires when any of ``patterns`` or ``terms`` matches, or when every
    ``all_of`` group matches with all the chosen matches inside ``window`` characters."""

    id: Annotated[str, StringConstraints(pattern=_INDICATOR_ID)]
    category: Category
    title: Text
    description: Text
    weight: float = Field(gt=0, le=5)
    weight_note: Text
    kinds: list[DocumentKind] | None = None
    patterns: dict[str, list[PatternSpec]] | None = None
    terms: list[Annotated[str, StringConstraints(pattern=_NAME)]] | None = None
    all_of: list[GroupSpec] | None = Field(default=None, min_length=2)
    window: int | None = Field(default=None, ge=10, le=5000)
    examples: ExamplesSpec
    sources: list[Text] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _languages(
        cls, value: dict[str, list[PatternSpec]] | None
    ) -> dict[str, list[PatternSpec]] | None:
        return None if value is None else _check_languages(value)

    @field_validator("sources")
    @classmethod
    def _facts(cls, value: list[str]) -> list[str]:
        for source in value:
            if not _SOURCE.match(source):
                raise ValueError(f"source {source!r} must start with a FACTS.md id (e.g. 'A3 ...')")
        return value

    @model_validator(mode="after")
    def _shape(self) -> IndicatorSpec:
        if self.patterns is None and self.terms is None and self.all_of is None:
            raise ValueError("an indicator needs 'patterns', 'terms' or 'all_of'")
        if (self.all_of is None) != (self.window is None):
            raise ValueError("'all_of' and 'window' go together")
        return self


class PackSpec(_Strict):
    id: Annotated[str, StringConstraints(pattern=_NAME)]
    version: Annotated[str, StringConstraints(pattern=_SEMVER)]
    description: Text
    terms: dict[Annotated[str, StringConstraints(pattern=_NAME)], TermSpec] = Field(
        default_factory=dict
    )
    indicators: list[IndicatorSpec] = Field(default_factory=list)


# -- what the rest of Tocsin sees ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pattern:
    """A phrase (``regex is False``) or a regular expression, in one language."""

    language: str
    text: str
    regex: bool = False
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    """One ``all_of`` member: the names of terms of which any may match, or inline patterns
    (``names`` is then empty)."""

    names: tuple[str, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class Indicator:
    """A validated indicator, as matched, scored and shown in the catalogue."""

    id: str
    pack: str
    category: Category
    title: str
    description: str
    weight: float
    weight_note: str
    kinds: frozenset[DocumentKind] | None
    patterns: tuple[Pattern, ...]
    terms: tuple[str, ...]
    all_of: tuple[Group, ...]
    window: int | None
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def source_labels(self) -> tuple[str, ...]:
        """Sources as short labels for a signal (``FACTS A3: ...``)."""
        return tuple(f"FACTS {s}" for s in self.sources)

    def applies_to(self, kind: DocumentKind) -> bool:
        """Whether the indicator is tried on this kind (``UNKNOWN`` documents get them all)."""
        return self.kinds is None or kind is DocumentKind.UNKNOWN or kind in self.kinds


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    version: str
    description: str
    path: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"
