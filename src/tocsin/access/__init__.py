"""Access control and audit: who may see and do what, and a tamper-evident record of it.

docs/access.md explains the threat model (a corrupt insider tipping off a compound before a
raid), what each TLP marking means here, and what the audit chain does and does not protect.

Public API
----------
Principals (`tocsin.access.principal`):
    ``Principal(user_pk, username, org_pk, org, role, is_system=False)``, frozen;
    ``Principal.public()``, ``Principal.system()``; ``p.system`` (bool), ``p.logged_in``,
    ``p.can(action) -> bool``, ``p.require(action)`` (raises `AccessDenied`, HTTP 403).
    Roles viewer (read) < analyst (+ ingest, judge, export) < admin (+ manage).

Visibility (`tocsin.store.scope`, enforced by the store's queries):
    ``visible_dataset_pks(conn, principal) -> list[int] | None`` (None: all, system only);
    ``store.as_principal(p)`` scopes every `Store` read (search, search_count, document,
    selector, find_selectors, entity_statements, iter_statements, entities, export_entities,
    counts) and ``store.link_source()`` / ``SqlLinkSource(engine, p)`` every graph query.

Users and datasets (`tocsin.access.users`):
    ``create_organisation(engine, name, *, actor)``, ``list_organisations(engine)``,
    ``create_user(engine, username, password, *, org, role, display_name, actor) -> Principal``,
    ``list_users``, ``set_role``, ``set_active``, ``set_password``, ``principal_of(conn, pk)``,
    ``authenticate(engine, username, password) -> Principal | None`` (constant work for
    unknown users; the caller audits the attempt), ``share_dataset(engine, dataset, org)``,
    ``grant_reader(engine, dataset, username)``, ``mark_dataset(engine, dataset, marking)``,
    ``dataset_access(engine, dataset)``. Mutators take ``actor=`` (default system) and
    ``secret=`` (audit key, default ``TOCSIN_SECRET_KEY``).

Sessions (`tocsin.access.sessions`):
    ``create_session(engine, principal, hours) -> (cookie, csrf)``,
    ``session_principal(engine, cookie) -> (Principal, csrf) | None``,
    ``end_session(engine, cookie)``, ``end_user_sessions``, ``purge_expired``.

API tokens (`tocsin.access.tokens`):
    ``create_token(engine, username, name, *, days, actor) -> (token, TokenInfo)`` (shown
    once), ``token_principal(engine, token) -> Principal | None``,
    ``revoke_token(engine, prefix, *, actor)``, ``list_tokens(engine, *, username, org)``.

Audit (`tocsin.access.audit`):
    ``record(conn, principal, action, target_kind, target_id, marking, detail, *, secret)``
    (in the caller's transaction), ``append(engine, …)`` (own transaction),
    ``verify(engine, secret, *, anchor) -> VerifyReport``, ``anchor(engine) -> "seq:hash"``,
    ``entries(engine, *, limit, before, actor, action, org)``.
"""

from __future__ import annotations

from tocsin.access.principal import ACTIONS, AccessDenied, Principal
from tocsin.store.scope import visible_dataset_names, visible_dataset_pks

from tocsin.access import audit  # isort: skip - after the store's scope (import order)
from tocsin.access import users  # isort: skip
from tocsin.access import sessions, tokens  # isort: skip

__all__ = [
    "ACTIONS",
    "AccessDenied",
    "Principal",
    "audit",
    "sessions",
    "tokens",
    "users",
    "visible_dataset_names",
    "visible_dataset_pks",
]
