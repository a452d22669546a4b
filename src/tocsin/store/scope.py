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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
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
    "least_restricted",
    "selector_visible",
    "visible_dataset_names",
    "visible_dataset_pks",
    "visible_markings",
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


def _dataset_rule(principal: Principal) -> ColumnElement[bool]:
    marking = datasets.c.marking
    if principal.user_pk is None:
        return marking == "clear"
    rules: list[ColumnElement[bool]] = [marking.in_(("clear", "green"))]
    if principal.org_pk is not None:
        partner = exists(
            select(dataset_partners.c.dataset_pk).where(
                dataset_partners.c.dataset_pk == datasets.c.pk,
                dataset_partners.c.org_pk == principal.org_pk,
            )
        )
        rules.append(and_(marking == "amber", or_(datasets.c.org_pk == principal.org_pk, partner)))
        rules.append(and_(marking == "amber+strict", datasets.c.org_pk == principal.org_pk))
    reader = exists(
        select(dataset_readers.c.dataset_pk).where(
            dataset_readers.c.dataset_pk == datasets.c.pk,
            dataset_readers.c.user_pk == principal.user_pk,
        )
    )
    rules.append(and_(marking == "red", reader))
    return or_(*rules)


def visible_dataset_pks(conn: Connection, principal: Principal) -> list[int] | None:
    """Primary keys of the datasets ``principal`` may see, sorted; None means every dataset
    (the system principal only). A disabled or deleted user sees nothing."""
    if principal.system:
        return None
    if principal.user_pk is not None:
        active = conn.execute(
            select(users.c.active, users.c.org_pk).where(users.c.pk == principal.user_pk)
        ).first()
        if active is None or not active[0] or active[1] != principal.org_pk:
            return []
    query = select(datasets.c.pk).where(_dataset_rule(principal)).order_by(datasets.c.pk)
    return [int(pk) for pk in conn.scalars(query)]


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
