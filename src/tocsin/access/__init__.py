"""Access control and audit: who may see and do what, and a tamper-evident record of it.

Public API (docs/access.md explains the threat model and each marking):

- `Principal` (frozen dataclass: ``user_pk``, ``username``, ``org_pk``, ``org``, ``role``,
  ``system``), `Principal.public()`, `Principal.system()`, ``.can(action)``,
  ``.require(action)`` (raises `AccessDenied`); roles viewer < analyst < admin.
- `visible_dataset_pks(conn, principal) -> list[int] | None`: the datasets a principal sees
  (None: all, system only). The store enforces it in every query: ``store.as_principal(p)``.
"""

from __future__ import annotations

from tocsin.access.principal import ACTIONS, AccessDenied, Principal
from tocsin.store.scope import visible_dataset_names, visible_dataset_pks

__all__ = [
    "ACTIONS",
    "AccessDenied",
    "Principal",
    "visible_dataset_names",
    "visible_dataset_pks",
]
