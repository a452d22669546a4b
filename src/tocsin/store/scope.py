"""Which datasets, documents and selectors a `Principal` may see: the one place markings are
enforced.

A dataset's TLP 2.0 marking decides who sees it:

============  ======================================================================
clear         everyone, including the public
green         every logged-in user
amber         users of the owning organisation and of the organisations named as partners
amber+strict  users of the owning organisation only
red           only the users named as readers of the dataset (admins are not implied)
============  ======================================================================

A document is visible when any dataset it was seen in (``document_datasets``) is visible; a
selector when it is linked to a visible document; a statement when its dataset is. What is not
visible does not exist for the principal: no row, no count, no neighbour.

Within one web request the visible datasets are read once: `request_visibility` opens a cache
that lives as long as the request (a context variable), `visible_dataset_pks` fills and reads it,
and every function that changes who sees what (`tocsin.access.users`, `Store.dataset`, case
teams) calls `forget_visibility`. Nothing is cached outside such a block — not across requests,
not in the CLI — so revoking access takes effect with the next request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, or_, select, true
from sqlalchemy.engine import Connection

from tocsin.access.principal import Principal
from tocsin.store.schema import (
    MARKINGS,
    dataset_partners,
    dataset_readers,
    datasets,
    document_datasets,
    documents,
    links,
    users,
)

__all__ = [
    "RESTRICTED",
    "document_visible",
    "forget_visibility",
    "least_restricted",
    "request_visibility",
    "selector_visible",
    "visible_dataset_names",
    "visible_dataset_pks",
    "visible_markings",
    "visible_sightings",
]


RESTRICTED: Final = frozenset({"amber", "amber+strict", "red"})
"""Markings whose every read by a user is written to the audit log."""


def least_restricted(markings: Iterable[str]) -> str:
    """The least restricted of some markings: what a document seen in several datasets is to
    someone who sees those datasets."""
    return min(markings, key=MARKINGS.index)


def visible_markings(
    conn: Connection, document_pks: Sequence[int], visible: list[int] | None
) -> dict[int, str]:
    """For each document pk, the least restricted marking among its visible datasets."""
    found: dict[int, list[str]] = {}
    if not document_pks:
        return {}
    query = (
        select(document_datasets.c.document_pk, datasets.c.marking)
        .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
        .where(document_datasets.c.document_pk.in_(list(document_pks)))
    )
    if visible is not None:
        query = query.where(datasets.c.pk.in_(visible))
    for pk, marking in conn.execute(query):
        found.setdefault(int(pk), []).append(marking)
    return {pk: least_restricted(m) for pk, m in found.items()}


def visible_sightings(
    conn: Connection, document_pks: Sequence[int], visible: list[int]
) -> dict[int, tuple[str, datetime, datetime]]:
    """For each document pk: (least restricted marking, first seen, last seen) among its
    sightings in the ``visible`` datasets — what a scoped answer shows instead of the
    document row's marking and dates, which sightings in datasets it cannot see also moved."""
    if not document_pks or not visible:
        return {}
    query = (
        select(
            document_datasets.c.document_pk,
            datasets.c.marking,
            document_datasets.c.first_seen,
            document_datasets.c.last_seen,
        )
        .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
        .where(
            document_datasets.c.document_pk.in_(list(document_pks)),
            document_datasets.c.dataset_pk.in_(visible),
        )
    )
    found: dict[int, tuple[str, datetime, datetime]] = {}
    for pk, marking, first, last in conn.execute(query):
        before = found.get(int(pk))
        if before is not None:
            marking = least_restricted((before[0], marking))
            first, last = min(before[1], first), max(before[2], last)
        found[int(pk)] = (marking, first, last)
    return found


def _visible_query(kind: str) -> Select[Any]:
    """The datasets a principal of ``kind`` sees, as one statement built once with bound
    parameters (``user_pk``, ``org_pk``): "public", "user" (no organisation) or "member".

    For a user, the ``users`` row must still be active and in the same organisation as when
    the principal was made, in the same statement (a disabled user sees nothing).
    """
    marking = datasets.c.marking
    if kind == "public":
        return select(datasets.c.pk).where(marking == "clear").order_by(datasets.c.pk)
    user_pk = bindparam("user_pk", type_=users.c.pk.type)
    org_pk = bindparam("org_pk", type_=users.c.org_pk.type)
    rules: list[ColumnElement[bool]] = [marking.in_(("clear", "green"))]
    if kind == "member":
        partner = exists(
            select(dataset_partners.c.dataset_pk).where(
                dataset_partners.c.dataset_pk == datasets.c.pk,
                dataset_partners.c.org_pk == org_pk,
            )
        )
        rules.append(and_(marking == "amber", or_(datasets.c.org_pk == org_pk, partner)))
        rules.append(and_(marking == "amber+strict", datasets.c.org_pk == org_pk))
    reader = exists(
        select(dataset_readers.c.dataset_pk).where(
            dataset_readers.c.dataset_pk == datasets.c.pk,
            dataset_readers.c.user_pk == user_pk,
        )
    )
    rules.append(and_(marking == "red", reader))
    user_org = users.c.org_pk == org_pk if kind == "member" else users.c.org_pk.is_(None)
    active = exists(
        select(users.c.pk).where(users.c.pk == user_pk, users.c.active.is_(True), user_org)
    )
    return select(datasets.c.pk).where(active, or_(*rules)).order_by(datasets.c.pk)


_VISIBLE: Final = {kind: _visible_query(kind) for kind in ("public", "user", "member")}

_REQUEST_CACHE: ContextVar[dict[Principal, list[int]] | None] = ContextVar(
    "tocsin_visible_datasets", default=None
)


@contextmanager
def request_visibility() -> Iterator[None]:
    """Within the block, `visible_dataset_pks` reads each principal's datasets once.

    The web app opens one per request. Keep the block as short as a request: grants and
    revocations made elsewhere are seen only by the next block.
    """
    token = _REQUEST_CACHE.set({})
    try:
        yield
    finally:
        _REQUEST_CACHE.reset(token)


def forget_visibility() -> None:
    """Drop what the current `request_visibility` block has read (no-op outside one): call it
    after changing a dataset, a marking, a partner, a reader, or a user's role or state."""
    cache = _REQUEST_CACHE.get()
    if cache is not None:
        cache.clear()


def visible_dataset_pks(conn: Connection, principal: Principal) -> list[int] | None:
    """Primary keys of the datasets ``principal`` may see, sorted; None means every dataset
    (the system principal only). A disabled or deleted user sees nothing.

    Inside `request_visibility`, read once per principal and block (each call gets its own
    copy of the list).
    """
    if principal.system:
        return None
    cache = _REQUEST_CACHE.get()
    if cache is not None:
        cached = cache.get(principal)
        if cached is not None:
            return list(cached)
    if principal.user_pk is None:
        query, params = _VISIBLE["public"], {}
    else:
        kind = "user" if principal.org_pk is None else "member"
        query = _VISIBLE[kind]
        params = {"user_pk": principal.user_pk, "org_pk": principal.org_pk}
    found = [int(pk) for pk in conn.scalars(query, params)]
    if cache is not None:
        cache[principal] = found
        return list(found)
    return found


def visible_dataset_names(conn: Connection, principal: Principal) -> list[str] | None:
    """Names of the datasets ``principal`` may see (None: every dataset)."""
    pks = visible_dataset_pks(conn, principal)
    if pks is None:
        return None
    if not pks:
        return []
    query = select(datasets.c.name).where(datasets.c.pk.in_(pks)).order_by(datasets.c.name)
    return list(conn.scalars(query))


def document_visible(visible: list[int] | None) -> ColumnElement[bool]:
    """SQL condition on ``documents``: seen in at least one of the ``visible`` datasets."""
    if visible is None:
        return true()
    if not visible:
        return false()
    # Most documents are only in the dataset they were first stored in (documents.dataset_pk,
    # always also a document_datasets row): testing it first spares most rows the subquery.
    return or_(
        documents.c.dataset_pk.in_(visible),
        exists(
            select(document_datasets.c.document_pk).where(
                document_datasets.c.document_pk == documents.c.pk,
                document_datasets.c.dataset_pk.in_(visible),
            )
        ),
    )


def selector_visible(
    visible: list[int] | None, selector_pk: ColumnElement[int]
) -> ColumnElement[bool]:
    """SQL condition: the selector ``selector_pk`` is linked to a visible document."""
    if visible is None:
        return true()
    if not visible:
        return false()
    dd = document_datasets.alias("vis_dd")
    lk = links.alias("vis_links")
    return exists(
        select(lk.c.document_pk)
        .join(dd, dd.c.document_pk == lk.c.document_pk)
        .where(
            lk.c.selector_pk == selector_pk,
            dd.c.dataset_pk.in_(visible),
        )
    )
