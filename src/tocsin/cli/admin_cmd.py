"""``tocsin admin``, ``tocsin audit`` and ``tocsin db``: organisations, users, tokens, dataset
access, the audit log and the database schema, from the server's shell.

The CLI runs as the system principal (the operator of the deployment), so these commands may
change any organisation; each change is written to the audit log as done by ``system``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tocsin.access import audit, tokens, users
from tocsin.cli.query_cmd import emit
from tocsin.errors import InputError
from tocsin.settings import get_settings
from tocsin.store import Store, open_store
from tocsin.store.database import (
    connect,
    current_revision,
    database_url,
    downgrade,
    head_revision,
    upgrade,
)
from tocsin.store.schema import MARKINGS, ROLES

__all__ = ["admin", "audit_group", "db"]

F = TypeVar("F", bound=Callable[..., Any])

AUDIT_BROKEN_EXIT = 6


def _database(fn: F) -> F:
    return click.option(
        "--database",
        default=None,
        metavar="URL",
        help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
    )(fn)


def _format(fn: F) -> F:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["table", "jsonl", "csv"]),
        default=None,
        help="Output format [default: table on a terminal, jsonl otherwise].",
    )(fn)


def _store(database: str | None) -> Store:
    return open_store(get_settings(), url=database)


def _done(message: str) -> None:
    click.echo(message, err=True)


# -- tocsin admin --------------------------------------------------------------------------------


@click.group("admin")
def admin() -> None:
    """Organisations, users, API tokens and who may see a dataset.

    \b
    Markings (TLP 2.0) decide who sees a dataset:
      clear         everyone, including the public
      green         every logged-in user
      amber         the owning organisation and its named partners (admin dataset share)
      amber+strict  the owning organisation only
      red           only the users named as readers (admin dataset grant), admins included
    """


@admin.group("org")
def org_group() -> None:
    """Organisations (each user and each dataset belongs to one)."""


@org_group.command("add")
@click.argument("name")
@_database
def org_add(name: str, database: str | None) -> None:
    """Create an organisation."""
    with _store(database) as store:
        users.create_organisation(store.engine, name)
    _done(f"organisation {name!r} created")


@org_group.command("list")
@_format
@_database
def org_list(fmt: str | None, database: str | None) -> None:
    """Organisations with their numbers of users and datasets."""
    with _store(database) as store:
        rows = users.list_organisations(store.engine)
    emit(rows, ["name", "users", "datasets", "created_at"], fmt, title="organisations")


@admin.group("user")
def user_group() -> None:
    """Users: add, list, change role, disable."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on standard input", field="password")
        return password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_group.command("add")
@click.argument("username")
@click.option("--org", required=True, help="Organisation of the user.")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True, help="Role.")
@click.option("--display-name", default=None, help="Name shown in the workspace.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@_database
def user_add(
    username: str,
    org: str,
    role: str,
    display_name: str | None,
    password_stdin: bool,
    database: str | None,
) -> None:
    """Create a user (asks for the password twice unless --password-stdin).

    \b
    Examples:
      tocsin admin user add mai --org ngo-hotline --role analyst
      printf '%s\\n' "$PASSWORD" | tocsin admin user add bot --org ngo-hotline --password-stdin
    """
    password = _read_password(password_stdin)
    with _store(database) as store:
        users.create_user(
            store.engine, username, password, org=org, role=role, display_name=display_name
        )
    _done(f"user {username!r} ({role}) created in {org!r}")


@user_group.command("list")
@click.option("--org", default=None, help="Only users of this organisation.")
@_format
@_database
def user_list(org: str | None, fmt: str | None, database: str | None) -> None:
    """Users, their organisation, role and last login."""
    with _store(database) as store:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "org": u.org,
                "role": u.role,
                "active": u.active,
                "last_login": u.last_login,
            }
            for u in users.list_users(store.engine, org=org)
        ]
    emit(rows, ["username", "display_name", "org", "role", "active", "last_login"], fmt)


@user_group.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@_database
def user_set_role(username: str, role: str, database: str | None) -> None:
    """Change a user's role."""
    with _store(database) as store:
        users.set_role(store.engine, username, role)
    _done(f"user {username!r} is now {role}")


@user_group.command("disable")
@click.argument("username")
@_database
def user_disable(username: str, database: str | None) -> None:
    """Disable a user: their sessions end and their API tokens are revoked."""
    with _store(database) as store:
        users.set_active(store.engine, username, False)
    _done(f"user {username!r} disabled; sessions ended, tokens revoked")


@user_group.command("enable")
@click.argument("username")
@_database
def user_enable(username: str, database: str | None) -> None:
    """Enable a disabled user again (their old tokens stay revoked)."""
    with _store(database) as store:
        users.set_active(store.engine, username, True)
    _done(f"user {username!r} enabled")


@user_group.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_database
def user_password(username: str, password_stdin: bool, database: str | None) -> None:
    """Set a user's password."""
    password = _read_password(password_stdin)
    with _store(database) as store:
        users.set_password(store.engine, username, password)
    _done(f"password of {username!r} changed")


@admin.group("token")
def token_group() -> None:
    """API tokens: shown once when created, stored hashed, revocable."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (e.g. 'nightly sync').")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Expire after this many days [default: never].")  # fmt: skip
@_database
def token_create(username: str, name: str, days: float | None, database: str | None) -> None:
    """Create an API token for a user and print it (the only time it is shown)."""
    with _store(database) as store:
        token, info = tokens.create_token(store.engine, username, name, days=days)
    click.echo(token)
    expiry = info.expires_at.isoformat() if info.expires_at else "never"
    _done(
        f"token {info.prefix} for {username!r}; expires: {expiry}. Keep it now: it is not stored."
    )


@token_group.command("revoke")
@click.argument("prefix")
@_database
def token_revoke(prefix: str, database: str | None) -> None:
    """Revoke the token with this prefix (as shown by `tocsin admin token list`)."""
    with _store(database) as store:
        tokens.revoke_token(store.engine, prefix)
    _done(f"token {prefix} revoked")


@token_group.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@_format
@_database
def token_list(username: str | None, fmt: str | None, database: str | None) -> None:
    """Tokens (never their values)."""
    with _store(database) as store:
        rows = [
            {
                "prefix": t.prefix,
                "user": t.username,
                "name": t.name,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "last_used": t.last_used,
                "revoked": t.revoked,
            }
            for t in tokens.list_tokens(store.engine, username=username)
        ]
    columns = ["prefix", "user", "name", "created_at", "expires_at", "last_used", "revoked"]
    emit(rows, columns, fmt)


@admin.group("dataset")
def dataset_group() -> None:
    """Who may see a dataset: its marking, AMBER partners, RED readers."""


@dataset_group.command("share")
@click.argument("dataset")
@click.argument("org")
@click.option("--remove", is_flag=True, help="Stop sharing with this organisation.")
@_database
def dataset_share(dataset: str, org: str, remove: bool, database: str | None) -> None:
    """Name ORG as a partner of DATASET: it sees the dataset while it is AMBER."""
    with _store(database) as store:
        users.share_dataset(store.engine, dataset, org, remove=remove)
    _done(f"{dataset!r} {'no longer shared with' if remove else 'shared with'} {org!r}")


@dataset_group.command("grant")
@click.argument("dataset")
@click.argument("username")
@click.option("--remove", is_flag=True, help="Take the user off the readers.")
@_database
def dataset_grant(dataset: str, username: str, remove: bool, database: str | None) -> None:
    """Name USERNAME as a reader of DATASET: the only people who see it while it is RED."""
    with _store(database) as store:
        users.grant_reader(store.engine, dataset, username, remove=remove)
    _done(f"{username!r} {'removed from' if remove else 'added to'} the readers of {dataset!r}")


@dataset_group.command("mark")
@click.argument("dataset")
@click.argument("marking", type=click.Choice(MARKINGS, case_sensitive=False))
@_database
def dataset_mark(dataset: str, marking: str, database: str | None) -> None:
    """Change the TLP marking of DATASET (and of its documents and statements)."""
    with _store(database) as store:
        users.mark_dataset(store.engine, dataset, marking)
    _done(f"{dataset!r} is now {marking.lower()}")


@dataset_group.command("show")
@click.argument("dataset")
@_format
@_database
def dataset_show(dataset: str, fmt: str | None, database: str | None) -> None:
    """Marking, owner, partners and readers of DATASET."""
    with _store(database) as store:
        info = users.dataset_access(store.engine, dataset)
    row = {
        "dataset": info.name,
        "marking": info.marking,
        "owner": info.owner,
        "partners": list(info.partners),
        "readers": list(info.readers),
    }
    emit([row], list(row), fmt)


# -- tocsin audit --------------------------------------------------------------------------------


@click.group("audit")
def audit_group() -> None:
    """The audit log: who read restricted material, exported, logged in or changed anything."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    default=None,
    metavar="SEQ:HASH",
    help="A head printed earlier by `tocsin audit anchor`: also finds rows cut from the end.",
)
@_database
def audit_verify(anchor: str | None, database: str | None) -> None:
    """Check the hash chain with TOCSIN_SECRET_KEY; exit 6 at the first missing or altered row.

    \b
    Examples:
      tocsin audit verify
      tocsin audit verify --anchor "$(cat /secure/place/tocsin-anchor.txt)"
    """
    with _store(database) as store:
        report = audit.verify(store.engine, get_settings().secret_key, anchor=anchor)
    click.echo(str(report))
    if not report.ok:
        raise SystemExit(AUDIT_BROKEN_EXIT)


@audit_group.command("anchor")
@_database
def audit_anchor(database: str | None) -> None:
    """Print the head of the chain (SEQ:HASH). Keep it where the database's users cannot write;
    `tocsin audit verify --anchor` then also finds rows deleted from the end."""
    with _store(database) as store:
        click.echo(audit.anchor(store.engine))


@audit_group.command("log")
@click.option("-n", "--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--before", type=int, default=None, help="Only entries before this seq (paging).")
@click.option("--actor", default=None, help="Only this username.")
@click.option("--action", default=None, help="Only this action (read, search, export, login …).")
@click.option("--org", default=None, help="Only actors of this organisation.")
@_format
@_database
def audit_log(
    limit: int,
    before: int | None,
    actor: str | None,
    action: str | None,
    org: str | None,
    fmt: str | None,
    database: str | None,
) -> None:
    """The latest audit entries, newest first."""
    with _store(database) as store:
        found = audit.entries(
            store.engine, limit=limit, before=before, actor=actor, action=action, org=org
        )
    rows = [e.to_dict() for e in found]
    columns = ["seq", "at", "actor", "org", "action", "target_kind", "target_id", "marking"]
    emit(rows, [*columns, "detail"] if fmt in ("jsonl", "csv") else columns, fmt)


# -- tocsin db -----------------------------------------------------------------------------------


@click.group("db")
def db() -> None:
    """The database schema (Alembic migrations shipped with Tocsin)."""


@db.command("current")
@_database
def db_current(database: str | None) -> None:
    """Print the schema revision of the database and the newest one this version knows."""
    engine = connect(database or database_url(get_settings()), migrate=False)
    try:
        click.echo(f"current: {current_revision(engine) or 'empty'}; head: {head_revision()}")
    finally:
        engine.dispose()


@db.command("upgrade")
@click.argument("revision", default="head")
@_database
def db_upgrade(revision: str, database: str | None) -> None:
    """Migrate the database up to REVISION [default: head] (opening a store does this too)."""
    engine = connect(database or database_url(get_settings()), migrate=False)
    try:
        upgrade(engine, revision)
        _done(f"database at {current_revision(engine)}")
    finally:
        engine.dispose()


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Confirm: downgrading drops tables and their data.")
@_database
def db_downgrade(revision: str, yes: bool, database: str | None) -> None:
    """Migrate the database down to REVISION (e.g. 0001; base drops every table)."""
    if not yes:
        raise click.UsageError("downgrading drops tables and their data: add --yes to confirm")
    engine = connect(database or database_url(get_settings()), migrate=False)
    try:
        downgrade(engine, revision)
        _done(f"database at {current_revision(engine) or 'empty'}")
    finally:
        engine.dispose()
