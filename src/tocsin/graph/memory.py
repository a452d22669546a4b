"""`MemoryLinkSource`: the in-memory twin of the store's link queries.

Built from verdicts (and optionally the texts, for near-duplicates). Tests, benchmarks and small
one-off runs use it; the SQL store implements the same `LinkSource` protocol.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache

import numpy as np

from tocsin.detect.rules import load_packs
from tocsin.detect.rules.folding import fold
from tocsin.graph.neardup import signature
from tocsin.graph.source import DocumentSummary, Judgements, LinkArrays, MergeJudgement
from tocsin.model import Verdict

__all__ = ["MemoryLinkSource", "is_place_name", "summary_from_verdict"]

PLACE_PREFIX = "place."
"""Indicators whose evidence names a place (the ``places`` pack)."""

PLACE_TERMS = ("compound_place", "transit_place")
"""The ``places`` pack's terms that are place names; the job words next to them are not."""


@cache
def _place_names() -> frozenset[str]:
    rules = load_packs()
    return frozenset(
        fold(pattern.text)
        for term in PLACE_TERMS
        for pattern in rules.terms.get(term, ())
        if not pattern.regex
    )


def is_place_name(text: str) -> bool:
    """Whether a piece of place-indicator evidence is the place itself (not "salary", "招聘")."""
    return fold(text).strip() in _place_names()


def summary_from_verdict(
    verdict: Verdict,
    document_id: str,
    *,
    dataset: str | None = None,
    first_seen: datetime | None = None,
    last_seen: datetime | None = None,
) -> DocumentSummary:
    """The `DocumentSummary` of a scanned document (shared with the store)."""
    places = sorted(
        {
            ev.text.casefold()
            for sig in verdict.signals
            if sig.indicator.startswith(PLACE_PREFIX)
            for ev in sig.evidence
            if is_place_name(ev.text)
        }
    )
    return DocumentSummary(
        id=document_id,
        kind=verdict.kind,
        language=verdict.language.code,
        risk=verdict.risk,
        level=verdict.level.value,
        categories=tuple(c.value for c in verdict.categories),
        first_seen=first_seen,
        last_seen=last_seen if last_seen is not None else first_seen,
        datasets=(dataset,) if dataset is not None else (),
        indicators=tuple(sorted({s.indicator for s in verdict.signals})),
        places=tuple(places),
    )


class MemoryLinkSource:
    """Documents, their selectors, texts and analyst judgements, held in dictionaries."""

    def __init__(self) -> None:
        self._doc_selectors: dict[str, list[str]] = {}
        self._selector_docs: dict[str, list[str]] = {}
        self._summaries: dict[str, DocumentSummary] = {}
        self._signatures: dict[str, bytes] = {}
        self._rejected: set[tuple[str, str]] = set()
        self._merges: list[MergeJudgement] = []

    # -- building ---------------------------------------------------------------------------

    def add(
        self,
        document_id: str,
        selector_keys: Iterable[str] = (),
        *,
        summary: DocumentSummary | None = None,
        text: str | None = None,
    ) -> None:
        """Add (or extend) a document with its selector keys, summary and text."""
        selectors = self._doc_selectors.setdefault(document_id, [])
        for key in selector_keys:
            if key in selectors:
                continue
            insort(selectors, key)
            insort(self._selector_docs.setdefault(key, []), document_id)
        if summary is not None:
            self._summaries[document_id] = summary
        elif document_id not in self._summaries:
            self._summaries[document_id] = DocumentSummary(id=document_id)
        if text is not None:
            sig = signature(text)
            if sig is not None:
                self._signatures[document_id] = sig

    def add_verdict(
        self,
        verdict: Verdict,
        *,
        document_id: str | None = None,
        text: str | None = None,
        dataset: str | None = None,
        first_seen: datetime | None = None,
    ) -> str:
        """Add a scanned document; returns its id (the verdict's, or the one given)."""
        doc_id = document_id if document_id is not None else verdict.document_id
        if doc_id is None:
            raise ValueError("a verdict without document_id needs document_id=")
        summary = summary_from_verdict(verdict, doc_id, dataset=dataset, first_seen=first_seen)
        keys = (key for sel in verdict.selectors for key in sel.link_keys)
        self.add(doc_id, keys, summary=summary, text=text)
        return doc_id

    def reject_link(self, document_id: str, selector_key: str) -> None:
        self._rejected.add((document_id, selector_key))

    def judge_merge(self, judgement: MergeJudgement) -> None:
        self._merges.append(judgement)

    # -- LinkSource -------------------------------------------------------------------------

    def link_arrays(self) -> LinkArrays:
        documents = sorted(self._doc_selectors)
        selectors = sorted(self._selector_docs)
        sel_index = {key: i for i, key in enumerate(selectors)}
        link_docs: list[int] = []
        link_sels: list[int] = []
        for i, doc_id in enumerate(documents):
            for key in self._doc_selectors[doc_id]:
                link_docs.append(i)
                link_sels.append(sel_index[key])
        return LinkArrays(
            documents=documents,
            selectors=selectors,
            link_documents=np.asarray(link_docs, dtype=np.int64),
            link_selectors=np.asarray(link_sels, dtype=np.int64),
        )

    def selectors_of(self, document_id: str) -> list[str]:
        return list(self._doc_selectors.get(document_id, ()))

    def documents_of(self, selector_key: str, limit: int | None = None) -> list[str]:
        docs = self._selector_docs.get(selector_key, [])
        return list(docs if limit is None else docs[:limit])

    def selector_degree(self, selector_key: str) -> int:
        return len(self._selector_docs.get(selector_key, ()))

    def summaries(self, document_ids: Iterable[str]) -> list[DocumentSummary]:
        return [self._summaries[d] for d in document_ids if d in self._summaries]

    def iter_signatures(self) -> Iterator[tuple[str, bytes]]:
        yield from sorted(self._signatures.items())

    def judgements(self) -> Judgements:
        return Judgements(rejected_links=frozenset(self._rejected), merges=tuple(self._merges))
