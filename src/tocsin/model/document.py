"""The Document: one unit of text with the metadata that analysis needs."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["Document", "DocumentKind"]


class DocumentKind(StrEnum):
    """What a document is; indicators and models can be restricted to some kinds."""

    JOB_AD = "job_ad"
    MESSAGE = "message"
    CONVERSATION = "conversation"
    WEB_PAGE = "web_page"
    REPORT = "report"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Document:
    """A text to analyse.

    ``text`` is normalised to Unicode NFC on construction, so that every span Tocsin reports
    (selectors, evidence) indexes the same string whatever form the input came in.
    ``language`` and ``country`` are *hints* from the caller (ISO 639-1 and ISO 3166-1
    alpha-2); the engine still detects the language, and uses the hints where the text alone
    is ambiguous (a national phone number, a very short message).
    """

    text: str
    kind: DocumentKind = DocumentKind.UNKNOWN
    id: str | None = None
    language: str | None = None
    country: str | None = None
    source: str | None = None
    received_at: datetime | None = None
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not unicodedata.is_normalized("NFC", self.text):
            object.__setattr__(self, "text", unicodedata.normalize("NFC", self.text))
        if not isinstance(self.kind, DocumentKind):
            object.__setattr__(self, "kind", DocumentKind(self.kind))
        if self.country is not None:
            object.__setattr__(self, "country", self.country.upper())
        if self.language is not None:
            object.__setattr__(self, "language", self.language.lower())

    @property
    def content_hash(self) -> str:
        """SHA-256 of the normalised text: the identity of a document's content."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
