"""The audit chain: edits, deletions, reordering and a cut tail are found; concurrent appends
keep it valid. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from tocsin.access import Principal, audit
from tocsin.store import Store

SECRET = "test-secret-key-of-the-synthetic-deployment-0123456789"
ALICE = Principal(user_pk=1, username="alice", org_pk=1, org="ngo", role="analyst")


def _fill(store: Store, n: int = 6) -> None:
    for i in range(n):
        audit.append(
            store.engine, ALICE, "read", "document", f"doc{i}", "amber", {"i": i}, secret=SECRET
        )


def test_intact_chain_verifies(store: Store) -> None:
    assert audit.verify(store.engine, SECRET).ok  # empty
    _fill(store)
    report = audit.verify(store.engine, SECRET)
    assert report.ok and report.checked == 6 and report.head_seq == 6
    assert audit.anchor(store.engine) == f"6:{report.head_hash}"
    newest = audit.entries(store.engine, limit=2)
    assert [e.seq for e in newest] == [6, 5] and newest[0].detail == {"i": 5}
    assert audit.entries(store.engine, actor="nobody") == []


def test_wrong_secret_fails_at_the_first_row(store: Store) -> None:
    _fill(store, 2)
    report = audit.verify(store.engine, "another-secret")
    assert not report.ok and report.first_bad_seq == 1
    assert "TOCSIN_SECRET_KEY" in (report.problem or "")


@pytest.mark.parametrize(
    ("statement", "bad_seq", "words"),
    [
        ("UPDATE audit_log SET target_id = 'doc99' WHERE seq = 3", 3, "edited"),
        ("UPDATE audit_log SET detail = '{}' WHERE seq = 4", 4, "edited"),
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", 1, "edited"),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "missing"),
        ("DELETE FROM audit_log WHERE seq IN (2, 3)", 2, "missing"),
        ("DELETE FROM audit_log WHERE seq = 1", 1, "missing"),
    ],
)
def test_tampering_is_found(store: Store, statement: str, bad_seq: int, words: str) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text(statement))
    report = audit.verify(store.engine, SECRET)
    assert not report.ok
    assert report.first_bad_seq == bad_seq
    assert words in (report.problem or "")
    assert str(report).startswith(f"audit log BROKEN at seq {bad_seq}")


def test_reordered_rows_are_found(store: Store) -> None:
    """Swap the contents of rows 3 and 4 (their hashes go with them): the chain breaks at 3."""
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET seq = 1000 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 1000"))
    report = audit.verify(store.engine, SECRET)
    assert not report.ok and report.first_bad_seq == 3


def test_rehashed_row_without_the_key_is_found(store: Store) -> None:
    """Editing a row and recomputing a plain SHA-256 chain does not help without the secret."""
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET hash = :h WHERE seq = 6"), {"h": "ab" * 32})
    report = audit.verify(store.engine, SECRET)
    assert not report.ok and report.first_bad_seq == 6


def test_cut_tail_needs_the_anchor(store: Store) -> None:
    _fill(store)
    kept = audit.anchor(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 5"))
    assert audit.verify(store.engine, SECRET).ok  # what the chain alone cannot see
    report = audit.verify(store.engine, SECRET, anchor=kept)
    assert not report.ok and report.first_bad_seq == 5 and "cut" in (report.problem or "")


def test_anchor_catches_a_rewritten_log(store: Store) -> None:
    """Someone with the key rewrites the log: its head no longer matches the anchor."""
    _fill(store, 3)
    kept = audit.anchor(store.engine)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    _fill(store, 4)
    report = audit.verify(store.engine, SECRET, anchor=kept)
    assert not report.ok and report.first_bad_seq == 3 and "anchor" in (report.problem or "")
    assert audit.verify(store.engine, SECRET, anchor=audit.anchor(store.engine)).ok


def test_bad_anchor_is_an_input_error(store: Store) -> None:
    from tocsin.errors import InputError

    with pytest.raises(InputError, match="seq:hash"):
        audit.verify(store.engine, SECRET, anchor="12-abc")


def test_concurrent_appends_keep_the_chain(store: Store) -> None:
    threads, per_thread = 4, 15
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(per_thread):
                audit.append(
                    store.engine, ALICE, "read", "document", f"t{n}-{i}", None, secret=SECRET
                )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors
    report = audit.verify(store.engine, SECRET)
    assert report.ok, str(report)
    assert report.checked == threads * per_thread


def test_an_audited_write_rolls_back_with_its_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        audit.record(conn, ALICE, "ingest", "dataset", "x", secret=SECRET)
        raise RuntimeError("the write failed")
    assert audit.count(store.engine) == 0
