"""Users, passwords, sessions, tokens, roles, and the audit entries they leave."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tocsin.access import AccessDenied, Principal, audit, sessions, tokens, users
from tocsin.errors import ConfigError, InputError
from tocsin.model import Document, DocumentKind
from tocsin.settings import DEV_SECRET_KEY, Settings, check_deployment
from tocsin.store import Store
from tocsin.store.schema import api_tokens
from tocsin.store.schema import users as users_table

from .world import ENGINE, PASSWORD, SHARED_KEY, World, build, dataset_for, text_for


@pytest.fixture
def world(store: Store) -> World:
    return build(store)


def test_authenticate(world: World) -> None:
    engine = world.store.engine
    me = users.authenticate(engine, "an_ngo", PASSWORD)
    assert me == world.principals["analyst"]
    assert users.authenticate(engine, "an_ngo", PASSWORD + "x") is None
    assert users.authenticate(engine, "nobody", PASSWORD) is None
    users.set_active(engine, "an_ngo", False)
    assert users.authenticate(engine, "an_ngo", PASSWORD) is None
    with engine.connect() as conn:
        stored = conn.execute(select(users_table.c.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)


def test_unknown_user_costs_as_much_as_a_wrong_password(world: World) -> None:
    engine = world.store.engine

    def best_of(username: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            users.authenticate(engine, username, "wrong-password-123")
            times.append(time.perf_counter() - start)
        return min(times)

    known, unknown = best_of("an_ngo"), best_of("nobody-at-all")
    assert unknown > 0.5 * known  # both pay one argon2 verification


def test_roles_and_rights(world: World) -> None:
    p = world.principals
    assert not p["public"].can("read") and p["viewer"].can("read")
    assert not p["viewer"].can("export") and p["analyst"].can("export")
    assert not p["analyst"].can("manage") and p["admin"].can("manage")
    assert p["system"].can("manage") and p["system"].system and not p["admin"].system
    with pytest.raises(AccessDenied):
        p["viewer"].require("ingest")
    viewer_store = world.store.as_principal(p["viewer"])
    with pytest.raises(AccessDenied):
        viewer_store.store_batch(
            [Document("synthetic", DocumentKind.JOB_AD)], ENGINE, dataset="ds-c"
        )
    with pytest.raises(AccessDenied):
        list(viewer_store.export_entities())
    with pytest.raises(AccessDenied):
        viewer_store.judge("link", ("document", "x"), ("selector", "y"), "reject", who="v")
    analyst_store = world.store.as_principal(p["analyst"])
    red, amber = world.doc_ids["red"], world.doc_ids["amber"]
    with pytest.raises(InputError, match="no document"):  # RED is not theirs: "not found"
        analyst_store.judge("link", ("document", red), ("selector", SHARED_KEY), "reject", who="")
    analyst_store.judge("link", ("document", amber), ("selector", SHARED_KEY), "reject", who="x")
    [entry] = audit.entries(world.store.engine, limit=1)
    assert entry.action == "judge" and entry.actor == "an_ngo"


def test_admin_manages_only_their_organisation(world: World) -> None:
    engine = world.store.engine
    admin, other = world.principals["admin"], world.principals["other"]
    users.create_user(engine, "new_ngo", PASSWORD, org="ngo", actor=admin)
    users.set_role(engine, "new_ngo", "analyst", actor=admin)
    with pytest.raises(AccessDenied):
        users.create_user(engine, "spy", PASSWORD, org="ngo", actor=other)
    with pytest.raises(AccessDenied):
        users.set_role(engine, "new_ngo", "admin", actor=other)
    with pytest.raises(AccessDenied):  # bank's admin cannot read ngo's RED dataset by fiat
        users.grant_reader(engine, dataset_for("red"), "an_bank", actor=other)
    with pytest.raises(AccessDenied):
        users.create_organisation(engine, "rogue", actor=admin)
    with pytest.raises(AccessDenied):
        users.create_user(engine, "x_ngo", PASSWORD, org="ngo", actor=world.principals["analyst"])
    with pytest.raises(InputError, match="at least"):
        users.create_user(engine, "short", "short", org="ngo")
    with pytest.raises(InputError, match="taken"):
        users.create_user(engine, "new_ngo", PASSWORD, org="ngo")
    with pytest.raises(InputError, match="role"):
        users.set_role(engine, "new_ngo", "root")


def test_admins_are_not_readers_of_red(world: World) -> None:
    """RED is for named readers: even the owning organisation's admin needs a grant."""
    engine = world.store.engine
    admin = world.principals["admin"]
    red_doc = world.doc_ids["red"]
    assert world.store.as_principal(admin).document(red_doc) is None
    users.grant_reader(engine, dataset_for("red"), "ad_ngo", actor=admin)
    assert world.store.as_principal(admin).document(red_doc) is not None
    users.grant_reader(engine, dataset_for("red"), "ad_ngo", remove=True, actor=admin)
    assert world.store.as_principal(admin).document(red_doc) is None


def test_marking_change_and_disabled_user(world: World) -> None:
    engine = world.store.engine
    other = world.principals["other"]
    amber_doc = world.doc_ids["amber"]
    assert world.store.as_principal(other).document(amber_doc) is None
    users.mark_dataset(engine, dataset_for("amber"), "green")
    shown = world.store.as_principal(other).document(amber_doc)
    assert shown is not None and shown["marking"] == "green"
    users.set_active(engine, "an_bank", False)  # a stale principal of a disabled user
    assert world.store.as_principal(other).document(amber_doc) is None
    assert world.store.as_principal(other).search_count("Sihanoukville") == 0


def test_document_seen_in_a_clear_and_a_red_dataset(world: World) -> None:
    """The public finds it through the CLEAR sighting, but learns nothing of the RED one."""
    store = world.store
    red_doc = world.doc_ids["red"]
    store.store_batch(
        [Document(text_for("red"), DocumentKind.JOB_AD)], ENGINE, dataset=dataset_for("clear")
    )
    public = store.as_principal(Principal.public())
    shown = public.document(red_doc)
    assert shown is not None
    assert shown["marking"] == "clear" and shown["dataset"] == "ds-c"
    assert shown["datasets"] == ["ds-c"]
    assert shown["source"] is None and shown["record_id"] is None
    [hit] = public.search("zqrmarker")
    assert hit["marking"] == "clear" and hit["source"] is None
    [summary] = public.link_source().summaries([red_doc])
    assert summary.datasets == ("ds-c",)
    system_view = store.document(red_doc)
    assert system_view is not None and system_view["datasets"] == ["ds-c", "ds-r"]


def test_ingest_does_not_tell_who_else_holds_a_text(world: World) -> None:
    analyst = world.store.as_principal(world.principals["partner"])
    users.create_organisation(world.store.engine, "hotline")
    result = analyst.store_batch(
        [Document(text_for("red"), DocumentKind.JOB_AD)], ENGINE, dataset="police-intake"
    )
    assert result.new == 1 and result.known == 0
    again = analyst.store_batch(
        [Document(text_for("red"), DocumentKind.JOB_AD)], ENGINE, dataset="police-intake"
    )
    assert again.known == 1
    with pytest.raises(AccessDenied, match="taken"):
        analyst.store_batch(
            [Document("synthetic text", DocumentKind.JOB_AD)], ENGINE, dataset="ds-c"
        )


def test_sessions(world: World) -> None:
    engine = world.store.engine
    me = world.principals["analyst"]
    cookie, csrf = sessions.create_session(engine, me, 1.0)
    assert sessions.session_principal(engine, cookie) == (me, csrf)
    assert sessions.session_principal(engine, cookie + "x") is None
    sessions.end_session(engine, cookie)
    assert sessions.session_principal(engine, cookie) is None
    cookie, _ = sessions.create_session(engine, me, 1.0)
    users.set_active(engine, "an_ngo", False)
    assert sessions.session_principal(engine, cookie) is None
    expired, _ = sessions.create_session(engine, world.principals["viewer"], 1e-6)
    time.sleep(0.01)
    assert sessions.session_principal(engine, expired) is None
    assert sessions.purge_expired(engine) >= 1
    with pytest.raises(InputError):
        sessions.create_session(engine, Principal.public(), 1.0)


def test_tokens(world: World) -> None:
    engine = world.store.engine
    me = world.principals["analyst"]
    token, info = tokens.create_token(engine, "an_ngo", "nightly sync", days=30, actor=me)
    assert token.startswith("tocsin_" + info.prefix)
    assert tokens.token_principal(engine, token) == me
    assert tokens.token_principal(engine, token[:-1]) is None
    with engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    [listed] = tokens.list_tokens(engine, username="an_ngo")
    assert listed.last_used is not None and not listed.revoked
    with pytest.raises(AccessDenied):
        tokens.revoke_token(engine, info.prefix, actor=world.principals["other"])
    tokens.revoke_token(engine, info.prefix, actor=world.principals["admin"])
    assert tokens.token_principal(engine, token) is None
    old, old_info = tokens.create_token(engine, "an_ngo", "old")
    with engine.begin() as conn:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.pk == old_info.pk)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )
    assert tokens.token_principal(engine, old) is None
    with pytest.raises(InputError):
        tokens.revoke_token(engine, "nosuchprefix")


def test_restricted_reads_and_writes_are_audited(world: World) -> None:
    store = world.store
    before = audit.count(store.engine)
    viewer = store.as_principal(world.principals["viewer"])
    assert viewer.document(world.doc_ids["clear"]) is not None
    assert audit.count(store.engine) == before  # CLEAR: not audited
    assert viewer.document(world.doc_ids["amber"]) is not None
    [entry] = audit.entries(store.engine, limit=1)
    assert (entry.actor, entry.action, entry.marking) == ("v_ngo", "read", "amber")
    assert entry.target_id == world.doc_ids["amber"] and entry.org == "ngo"
    viewer.search("Sihanoukville")
    [entry] = audit.entries(store.engine, limit=1)
    assert entry.action == "search" and world.doc_ids["amber"] in entry.detail["documents"]
    analyst = store.as_principal(world.principals["analyst"])
    list(analyst.export_entities())
    assert audit.entries(store.engine, limit=1)[0].action == "export"
    actions = {e.action for e in audit.entries(store.engine, limit=1000)}
    assert {"org.create", "user.create", "dataset.create", "ingest", "dataset.share"} <= actions
    assert audit.verify(store.engine).ok


def test_check_deployment() -> None:
    check_deployment(Settings(deployment_mode="local"))
    with pytest.raises(ConfigError, match="not the default"):
        check_deployment(Settings(deployment_mode="team"))
    with pytest.raises(ConfigError, match="at least 32"):
        check_deployment(Settings(deployment_mode="team", secret_key="short-secret"))
    check_deployment(Settings(deployment_mode="team", secret_key="k" * 40))
    assert Settings().secret_key == DEV_SECRET_KEY
