"""The selector keys a hash set or a match is made of, streamed from the store."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tocsin.share.policy import Eligible
from tocsin.store.links import SqlLinkSource
from tocsin.store.schema import document_datasets, documents, links, selectors

__all__ = ["exportable_selector_keys", "selector_keys"]


def selector_keys(engine: Engine) -> Iterator[str]:
    """Every selector key linked to a document (a match runs on all of our own material)."""
    query = select(selectors.c.key).where(
        select(links.c.selector_pk).where(links.c.selector_pk == selectors.c.pk).exists()
    )
    with engine.connect() as conn:
        yield from conn.execution_options(yield_per=10_000).scalars(query)


def exportable_selector_keys(engine: Engine, eligible: Eligible) -> Iterator[str]:
    """Keys of the selectors linked to a document of an eligible dataset, minus the links
    analysts rejected (a phone misread from a price is not ours to share)."""
    if not eligible.datasets:
        return
    rejected = SqlLinkSource(engine).judgements().rejected_links
    query = (
        select(selectors.c.key, documents.c.id)
        .join(links, links.c.selector_pk == selectors.c.pk)
        .join(documents, documents.c.pk == links.c.document_pk)
        .join(document_datasets, document_datasets.c.document_pk == documents.c.pk)
        .where(document_datasets.c.dataset_pk.in_(eligible.pks))
    )
    seen: set[str] = set()
    with engine.connect() as conn:
        for key, doc_id in conn.execution_options(yield_per=10_000).execute(query):
            if key not in seen and (doc_id, key) not in rejected:
                seen.add(key)
                yield key
