"""The audit log: append-only, each row chained to the one before by an HMAC.

``hash = HMAC-SHA256(secret_key, prev_hash + canonical JSON of the row)``, with ``seq``
counting 1, 2, 3 … without gaps. So a row edited in the database no longer matches its hash, a
deleted row leaves a missing ``seq``, and rows swapped around break the chain — unless whoever
did it also holds the secret key, which lives in the server's configuration, not the database.

What the chain cannot show on its own: rows cut from the end (the last row left is still a valid
head). `anchor` prints the head (``seq:hash``); keep it somewhere the database's users cannot
write (a ticket, a notebook, a partner's mailbox), and `verify` with ``anchor=`` checks that the
log still reaches it unchanged. docs/access.md has the whole threat model.

Appends are serialised: PostgreSQL takes a transaction-scoped advisory lock, SQLite's single
writer is taken before the head is read, so concurrent appends never fork the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from tocsin.access.principal import Principal
from tocsin.errors import InputError
from tocsin.settings import get_settings
from tocsin.store.schema import MARKINGS, audit_log

__all__ = [
    "GENESIS",
    "AuditEntry",
    "VerifyReport",
    "anchor",
    "append",
    "count",
    "entries",
    "parse_anchor",
    "record",
    "verify",
]

GENESIS: Final = "0" * 64
"""The ``prev_hash`` of the first row."""

_LOCK_ID: Final = 0x70C5_1A0D  # PostgreSQL advisory lock key of the audit chain


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log."""

    seq: int
    at: datetime
    actor: str
    org: str | None
    action: str
    target_kind: str
    target_id: str
    marking: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "org": self.org,
            "action": self.action,
            "target_kind": self.target_kind,
            "target_id": self.target_id,
            "marking": self.marking,
            "detail": self.detail,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `verify` found: ``ok``, or the first bad ``seq`` and what is wrong with it."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return (
                f"audit log intact: {self.checked} entries, head {self.head_seq}:{self.head_hash}"
            )
        return f"audit log BROKEN at seq {self.first_bad_seq}: {self.problem}"


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _payload(
    seq: int,
    at: datetime,
    actor: str,
    org: str | None,
    action: str,
    target_kind: str,
    target_id: str,
    marking: str | None,
    detail: str,
) -> bytes:
    fields = [seq, _aware(at).isoformat(), actor, org, action, target_kind, target_id, marking]
    return json.dumps([*fields, detail], ensure_ascii=False, separators=(",", ":")).encode()


def _mac(secret: str, prev_hash: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), prev_hash.encode() + payload, hashlib.sha256).hexdigest()


def _lock(conn: Connection) -> None:
    """Take the chain's write lock for the rest of the transaction (before reading the head)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_ID})
    else:
        # A write statement takes SQLite's single write lock (waiting for it up to the busy
        # timeout); it matches no row, so it changes nothing.
        conn.execute(audit_log.update().where(audit_log.c.seq < 0).values(seq=audit_log.c.seq))


def record(
    conn: Connection,
    principal: Principal,
    action: str,
    target_kind: str,
    target_id: str,
    marking: str | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    secret: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with it).

    ``secret`` defaults to ``TOCSIN_SECRET_KEY``. Call it at the start of a write transaction
    on SQLite, or through `append`, which opens its own.
    """
    if marking is not None and marking not in MARKINGS:
        raise InputError(f"unknown TLP marking {marking!r}", field="marking")
    key = secret if secret is not None else get_settings().secret_key
    when = _aware(at or datetime.now(UTC))
    detail_text = json.dumps(
        dict(detail or {}), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    actor = principal.username[:200]
    org = principal.org[:200] if principal.org is not None else None
    target_id = target_id[:600]
    _lock(conn)
    head = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (1, GENESIS) if head is None else (int(head[0]) + 1, str(head[1]))
    payload = _payload(seq, when, actor, org, action, target_kind, target_id, marking, detail_text)
    digest = _mac(key, prev_hash, payload)
    conn.execute(
        audit_log.insert(),
        {
            "seq": seq,
            "at": when,
            "actor": actor,
            "org": org,
            "action": action,
            "target_kind": target_kind,
            "target_id": target_id,
            "marking": marking,
            "detail": detail_text,
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )
    return AuditEntry(
        seq, when, actor, org, action, target_kind, target_id, marking,
        json.loads(detail_text), prev_hash, digest,
    )  # fmt: skip


def append(
    engine: Engine,
    principal: Principal,
    action: str,
    target_kind: str,
    target_id: str,
    marking: str | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    secret: str | None = None,
) -> AuditEntry:
    """`record` in a transaction of its own (for reads, logins, anything not already writing)."""
    with engine.begin() as conn:
        return record(
            conn, principal, action, target_kind, target_id, marking, detail, secret=secret
        )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=int(row.seq),
        at=_aware(row.at),
        actor=row.actor,
        org=row.org,
        action=row.action,
        target_kind=row.target_kind,
        target_id=row.target_id,
        marking=row.marking,
        detail=json.loads(row.detail),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def entries(
    engine: Engine,
    *,
    limit: int = 50,
    before: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    org: str | None = None,
) -> list[AuditEntry]:
    """The latest entries (newest first), optionally of one actor, action or organisation."""
    query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.seq < before)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    if org is not None:
        query = query.where(audit_log.c.org == org)
    with engine.connect() as conn:
        return [_entry(r) for r in conn.execute(query)]


def anchor(engine: Engine) -> str:
    """The head of the chain as ``seq:hash`` (``0:000…`` for an empty log), to keep elsewhere."""
    with engine.connect() as conn:
        head = conn.execute(
            select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
    return f"0:{GENESIS}" if head is None else f"{int(head[0])}:{head[1]}"


def parse_anchor(value: str) -> tuple[int, str]:
    """``seq:hash`` as printed by `anchor`."""
    seq_text, _, digest = value.strip().partition(":")
    if (
        not seq_text.isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise InputError(
            f"an anchor is seq:hash as printed by `tocsin audit anchor`, not {value!r}",
            field="anchor",
        )
    return int(seq_text), digest


def _rows(engine: Engine, batch: int = 5000) -> Iterator[Any]:
    """Every row in seq order, read in pages (no cursor is left open when the caller stops)."""
    after: int | None = None
    while True:
        query = select(audit_log).order_by(audit_log.c.seq).limit(batch)
        if after is not None:
            query = query.where(audit_log.c.seq > after)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        yield from rows
        if len(rows) < batch:
            return
        after = int(rows[-1].seq)


def verify(engine: Engine, secret: str | None = None, *, anchor: str | None = None) -> VerifyReport:
    """Walk the chain from seq 1: the first row that is missing, altered or out of place fails.

    With ``anchor`` (``seq:hash`` printed earlier by `anchor`), the log must still contain that
    row with that hash, so that cutting rows off the end is found too.
    """
    key = secret if secret is not None else get_settings().secret_key
    wanted = parse_anchor(anchor) if anchor is not None else None
    expected, prev, checked = 1, GENESIS, 0
    anchor_seen = wanted is None or wanted[0] == 0

    def broken(seq: int, problem: str) -> VerifyReport:
        return VerifyReport(False, checked, expected - 1, prev, seq, problem)

    for row in _rows(engine):
        seq = int(row.seq)
        if seq != expected:
            missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected} to {seq - 1}"
            return broken(expected, f"{missing} missing (deleted?)")
        if row.prev_hash != prev:
            return broken(seq, "its prev_hash is not the hash of the row before (moved or edited)")
        payload = _payload(
            seq, row.at, row.actor, row.org, row.action, row.target_kind, row.target_id,
            row.marking, row.detail,
        )  # fmt: skip
        if not hmac.compare_digest(_mac(key, prev, payload), row.hash):
            hint = " (or TOCSIN_SECRET_KEY is not the key that wrote the log)" if seq == 1 else ""
            return broken(seq, f"its content does not match its hash (edited){hint}")
        if wanted is not None and seq == wanted[0]:
            if row.hash != wanted[1]:
                return broken(seq, "its hash differs from the anchor (the log was rewritten)")
            anchor_seen = True
        prev, expected, checked = row.hash, expected + 1, checked + 1
    if not anchor_seen and wanted is not None:
        return VerifyReport(
            False,
            checked,
            expected - 1,
            prev,
            expected,
            f"the log ends at seq {expected - 1} but the anchor names seq {wanted[0]} "
            "(rows cut from the end)",
        )
    return VerifyReport(True, checked, expected - 1, prev)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
