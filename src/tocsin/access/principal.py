"""`Principal`: who a query runs as — a user of an organisation with a role, the public, or the
local operator (``system``).

Rights by role (each role has the rights of the ones before it):

========  =============================================================================
public    not logged in: CLEAR material only, no writes
viewer    read what the markings allow
analyst   + ingest, judge (confirm/reject links and merges), export
admin     + manage the users, API tokens, datasets and settings of their organisation
system    the local CLI operator: sees and may do everything (never a web request)
========  =============================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, overload

from tocsin.errors import TocsinError

__all__ = ["ACTIONS", "ROLE_ACTIONS", "AccessDenied", "Principal"]

ACTIONS: Final = ("read", "ingest", "judge", "export", "manage")
"""What a principal may be allowed to do."""

ROLE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    "public": frozenset(),
    "viewer": frozenset({"read"}),
    "analyst": frozenset({"read", "ingest", "judge", "export"}),
    "admin": frozenset({"read", "ingest", "judge", "export", "manage"}),
}


class AccessDenied(TocsinError):
    """The principal may not do this (HTTP 403; a missing login is `NotAuthenticated`)."""

    exit_code = 5
    http_status = 403


class _System:
    """``Principal.system()`` makes the system principal; ``principal.system`` is its flag.

    One name for both, so that ``if principal.system:`` can never test a bound method (always
    true) by mistake.
    """

    @overload
    def __get__(self, obj: None, owner: type[Principal]) -> Callable[[], Principal]: ...
    @overload
    def __get__(self, obj: Principal, owner: type[Principal]) -> bool: ...
    def __get__(
        self, obj: Principal | None, owner: type[Principal]
    ) -> Callable[[], Principal] | bool:
        if obj is None:
            return owner.make_system
        return obj.is_system


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a query runs as. Build users' principals with `tocsin.access.users` functions.

    ``Principal.system()`` is the local operator; ``principal.system`` (same as ``is_system``)
    tells whether a principal is it.
    """

    user_pk: int | None
    username: str
    org_pk: int | None
    org: str | None
    role: str
    is_system: bool = False

    system = _System()

    @classmethod
    def public(cls) -> Principal:
        """Anyone, not logged in: sees CLEAR material only."""
        return cls(user_pk=None, username="public", org_pk=None, org=None, role="public")

    @classmethod
    def make_system(cls) -> Principal:
        """The local operator (the CLI): sees everything, may do everything."""
        return cls(
            user_pk=None, username="system", org_pk=None, org=None, role="admin", is_system=True
        )

    @property
    def is_public(self) -> bool:
        return not self.system and self.user_pk is None

    @property
    def logged_in(self) -> bool:
        """A user with an account (GREEN material is theirs to see)."""
        return self.user_pk is not None

    def can(self, action: str) -> bool:
        """Whether the role allows ``action`` (one of `ACTIONS`)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if self.system:
            return True
        if self.user_pk is None:
            return False
        return action in ROLE_ACTIONS.get(self.role, frozenset())

    def require(self, action: str) -> None:
        """Raise `AccessDenied` unless the role allows ``action``."""
        if not self.can(action):
            raise AccessDenied(
                f"{self.username} ({self.role}) may not {action}",
                hint="ask an admin of your organisation for a role that allows it",
            )
