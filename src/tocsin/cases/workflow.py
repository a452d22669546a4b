"""A person's status and the changes allowed between statuses: a pure state machine.

The main path is reported → located → rescued → in_shelter → repatriated; the other outcomes
(declined_assistance, lost_contact, deceased, withdrawn) branch off it. ``rescued`` means out of
the compound, whether freed in a raid or escaped. A change that is not allowed raises
`InvalidTransition`, naming the changes that are; a case lead may record a *correction* (any
status, with a reason) when an earlier entry was wrong — the timeline keeps both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from tocsin.errors import InputError

__all__ = [
    "DESCRIPTIONS",
    "INITIAL",
    "TRANSITIONS",
    "InvalidTransition",
    "Status",
    "allowed",
    "check_initial",
    "check_transition",
    "parse",
]


class Status(StrEnum):
    REPORTED = "reported"
    LOCATED = "located"
    RESCUED = "rescued"
    IN_SHELTER = "in_shelter"
    REPATRIATED = "repatriated"
    DECLINED_ASSISTANCE = "declined_assistance"
    LOST_CONTACT = "lost_contact"
    DECEASED = "deceased"
    WITHDRAWN = "withdrawn"


DESCRIPTIONS: Final[dict[Status, str]] = {
    Status.REPORTED: "reported missing; whereabouts unknown",
    Status.LOCATED: "whereabouts known (e.g. a compound), still held or not yet reached",
    Status.RESCUED: "out of the compound: freed in an operation or escaped",
    Status.IN_SHELTER: "in a shelter or in the care of a partner organisation",
    Status.REPATRIATED: "returned home",
    Status.DECLINED_ASSISTANCE: "reached, but declined assistance",
    Status.LOST_CONTACT: "contact lost after being reached",
    Status.DECEASED: "reported deceased",
    Status.WITHDRAWN: "report withdrawn (found safe before being located, or a mistaken report)",
}

_S = Status
TRANSITIONS: Final[dict[Status, frozenset[Status]]] = {
    _S.REPORTED: frozenset({_S.LOCATED, _S.RESCUED, _S.DECEASED, _S.WITHDRAWN}),
    _S.LOCATED: frozenset(
        {_S.RESCUED, _S.DECLINED_ASSISTANCE, _S.LOST_CONTACT, _S.DECEASED, _S.WITHDRAWN}
    ),
    _S.RESCUED: frozenset(
        {_S.IN_SHELTER, _S.REPATRIATED, _S.DECLINED_ASSISTANCE, _S.LOST_CONTACT, _S.DECEASED}
    ),
    _S.IN_SHELTER: frozenset(
        {_S.REPATRIATED, _S.DECLINED_ASSISTANCE, _S.LOST_CONTACT, _S.DECEASED}
    ),
    _S.DECLINED_ASSISTANCE: frozenset({_S.IN_SHELTER, _S.REPATRIATED, _S.LOST_CONTACT}),
    _S.LOST_CONTACT: frozenset({_S.LOCATED, _S.RESCUED, _S.DECEASED}),
    # Final states; an earlier mistake is fixed by a correction, a new disappearance is a new
    # report.
    _S.REPATRIATED: frozenset(),
    _S.DECEASED: frozenset(),
    _S.WITHDRAWN: frozenset({_S.REPORTED}),  # reopened
}
"""For each status, the statuses a person may move to next."""

INITIAL: Final = frozenset({_S.REPORTED, _S.LOCATED, _S.RESCUED, _S.IN_SHELTER})
"""Statuses a person may be recorded with: ``reported`` by a missing-person report, the others
when a survivor is first met (in an operation, at a shelter)."""


class InvalidTransition(InputError):
    """A status change the workflow does not allow (HTTP 409)."""

    http_status = 409


def parse(value: str, field: str = "status") -> Status:
    """A status from its name (case and ``-``/space insensitive)."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Status(key)
    except ValueError:
        raise InputError(
            f"unknown status {value!r} (one of: {', '.join(s.value for s in Status)})",
            field=field,
        ) from None


def allowed(current: Status) -> list[Status]:
    """The statuses ``current`` may change to, in workflow order."""
    return [s for s in Status if s in TRANSITIONS[current]]


def check_transition(current: Status, new: Status) -> None:
    """Raise `InvalidTransition` unless ``current`` → ``new`` is allowed."""
    if new in TRANSITIONS[current]:
        return
    options = ", ".join(s.value for s in allowed(current)) or "none: it is a final status"
    raise InvalidTransition(
        f"a person who is {current.value} cannot become {new.value} (allowed next: {options})",
        field="status",
        hint="a case lead can record a correction with a reason if an earlier entry was wrong",
    )


def check_initial(status: Status) -> None:
    """Raise unless a person may be first recorded with ``status``."""
    if status not in INITIAL:
        raise InvalidTransition(
            f"a person cannot be first recorded as {status.value} "
            f"(one of: {', '.join(s.value for s in Status if s in INITIAL)})",
            field="status",
        )
