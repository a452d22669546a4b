"""What link analysis needs from storage: the `LinkSource` protocol.

The graph code never imports the store. It asks a `LinkSource` for a handful of queries, so that
the SQL store (``tocsin.store``) and the in-memory twin (`tocsin.graph.memory.MemoryLinkSource`,
used by tests and small runs) are interchangeable. Keep this protocol small: every method here is
one query the store must implement and keep fast.

Identifiers: a document is named by its id (the store's content hash); a selector by its key,
``"type:value"`` (`tocsin.Selector.key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = [
    "DocumentSummary",
    "Judgements",
    "LinkArrays",
    "LinkSource",
    "MergeJudgement",
    "NodeKind",
    "NodeRef",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LinkArrays:
    """Every document ↔ selector link, as integer arrays (the bulk path for clustering).

    ``documents[i]`` is the id of document ``i`` and ``selectors[j]`` the key of selector ``j``;
    link ``k`` joins ``documents[link_documents[k]]`` and ``selectors[link_selectors[k]]``.
    ``documents`` lists *every* document, linked or not, so that clusters partition them all.
    Duplicate links are allowed (they are counted once). Rejected links may be included: the
    graph removes them using `LinkSource.judgements`.
    """

    documents: Sequence[str]
    selectors: Sequence[str]
    link_documents: IntArray
    link_selectors: IntArray


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What a cluster summary needs to know about one document (no text)."""

    id: str
    kind: str = "unknown"
    language: str | None = None
    risk: int = 0
    level: str = "low"
    categories: tuple[str, ...] = ()
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    datasets: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


class NodeKind(StrEnum):
    DOCUMENT = "document"
    SELECTOR = "selector"


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node of the document ↔ selector graph: a document id or a selector key."""

    kind: NodeKind
    id: str


@dataclass(frozen=True, slots=True)
class MergeJudgement:
    """An analyst's decision that two nodes are (``confirmed``) or are not the same network."""

    a: NodeRef
    b: NodeRef
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Judgements:
    """The analyst judgements link analysis obeys.

    - ``rejected_links``: (document id, selector key) pairs that must not link, e.g. a phone
      number mis-read from a price; they are removed before clustering, on every run.
    - ``merges``: confirmed merges are forced (the two nodes end up in one cluster); rejected
      merges cut a direct near-duplicate edge between two documents, and are reported as a
      conflict when the two nodes are still connected through selectors.
    """

    rejected_links: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    merges: tuple[MergeJudgement, ...] = ()


@runtime_checkable
class LinkSource(Protocol):
    """The queries link analysis makes. Implemented over SQL by the store, in memory here."""

    def link_arrays(self) -> LinkArrays:
        """All documents, selectors and links as integer arrays (bulk clustering)."""
        ...

    def selectors_of(self, document_id: str) -> list[str]:
        """Selector keys linked to a document, sorted; empty for an unknown document."""
        ...

    def documents_of(self, selector_key: str, limit: int | None = None) -> list[str]:
        """Ids of documents linked to a selector, sorted, at most ``limit``."""
        ...

    def selector_degree(self, selector_key: str) -> int:
        """How many documents a selector is linked to (0 when unknown)."""
        ...

    def summaries(self, document_ids: Iterable[str]) -> list[DocumentSummary]:
        """Summaries of the given documents, in the order given; unknown ids are skipped."""
        ...

    def iter_signatures(self) -> Iterator[tuple[str, bytes]]:
        """(document id, MinHash signature) for documents with text.

        Signatures are made by `tocsin.graph.neardup.signature` (stored at ingest, or computed
        from the text on the fly); documents without text may be left out.
        """
        ...

    def judgements(self) -> Judgements:
        """Rejected links and confirmed/rejected merges recorded by analysts."""
        ...
