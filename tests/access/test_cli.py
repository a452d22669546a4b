"""``tocsin admin``, ``tocsin audit`` and ``tocsin db`` over a real database (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from tocsin.access import Principal, tokens
from tocsin.cli import cli
from tocsin.model import Document, DocumentKind
from tocsin.store import open_store

from .world import ENGINE, PASSWORD


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def test_admin_audit_db(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    db = ("--database", url)
    store = open_store(url=url)
    store.store_batch(
        [Document("Synthetic ad: Telegram @hr_cli_desk", DocumentKind.JOB_AD)],
        ENGINE,
        dataset="cli-set",
        marking="red",
    )
    assert _run("admin", "org", "add", "ngo", *db)[0] == 0
    assert _run("admin", "org", "add", "police", *db)[0] == 0
    code, out = _run(
        "admin", "user", "add", "mai", "--org", "ngo", "--role", "analyst", "--password-stdin",
        *db, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, out
    code, out = _run("admin", "user", "list", "-f", "jsonl", *db)
    assert json.loads(out.splitlines()[0])["role"] == "analyst"
    assert _run("admin", "user", "set-role", "mai", "viewer", *db)[0] == 0
    code, out = _run("admin", "token", "create", "mai", "--name", "sync", "--days", "7", *db)
    token = out.splitlines()[0]
    assert code == 0 and tokens.token_principal(store.engine, token) is not None
    assert _run("admin", "token", "revoke", token.split("_")[1], *db)[0] == 0
    assert tokens.token_principal(store.engine, token) is None
    assert _run("admin", "dataset", "share", "cli-set", "police", *db)[0] == 0
    assert _run("admin", "dataset", "grant", "cli-set", "mai", *db)[0] == 0
    assert _run("admin", "dataset", "mark", "cli-set", "AMBER", *db)[0] == 0
    code, out = _run("admin", "dataset", "show", "cli-set", "-f", "jsonl", *db)
    shown = json.loads(out)
    assert shown == {
        "dataset": "cli-set", "marking": "amber", "owner": "local",
        "partners": ["police"], "readers": ["mai"],
    }  # fmt: skip
    assert _run("admin", "user", "disable", "mai", *db)[0] == 0

    code, out = _run("audit", "verify", *db)
    assert code == 0 and out.startswith("audit log intact")
    code, anchor = _run("audit", "anchor", *db)
    code, out = _run("audit", "log", "-f", "jsonl", "--action", "dataset.mark", *db)
    assert json.loads(out)["actor"] == "system"
    with store.engine.begin() as conn:
        last = int(anchor.split(":")[0])
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    assert _run("audit", "verify", *db)[0] == 0  # a cut tail: only the anchor shows it
    code, out = _run("audit", "verify", "--anchor", anchor.strip(), *db)
    assert code == 6 and f"BROKEN at seq {last}" in out
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"))
    code, out = _run("audit", "verify", *db)
    assert code == 6 and "seq 2" in out

    code, out = _run("db", "current", *db)
    current, head = (part.split(": ")[1] for part in out.strip().split("; "))
    assert current == head
    assert _run("db", "downgrade", "0001", *db)[0] == 2  # needs --yes
    store.close()
    assert _run("db", "downgrade", "0001", "--yes", *db)[0] == 0
    assert "current: 0001" in _run("db", "current", *db)[1]
    assert _run("db", "upgrade", *db)[0] == 0
    reopened = open_store(url=url)
    assert reopened.as_principal(Principal.public()).search_count("") == 0
    reopened.close()
