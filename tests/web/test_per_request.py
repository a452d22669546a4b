"""What one API request costs the database, and that the savings never outlive the request:
the visible datasets are read once per request (and again after a grant or revocation), and an
API token's ``last_used`` is written at most once a minute."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from tocsin.access import tokens, users
from tocsin.store.schema import api_tokens
from tocsin.store.scope import forget_visibility, request_visibility, visible_dataset_pks

from .conftest import World, dataset_for

VISIBLE_QUERY = "SELECT datasets.pk FROM datasets WHERE"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _last_used(world: World, prefix: str) -> datetime | None:
    with world.store.engine.connect() as conn:
        value = conn.execute(
            select(api_tokens.c.last_used).where(api_tokens.c.prefix == prefix)
        ).scalar_one()
    return None if value is None else value.replace(tzinfo=value.tzinfo or UTC)


def test_a_search_reads_the_visible_datasets_once(sqlite_world: World) -> None:
    c = sqlite_world.client("analyst")
    c.get("/api/v1/search", params={"q": "Sihanoukville"})  # the token's first use is written
    with statements(sqlite_world.store.engine) as seen:
        # a full first page, so the total is counted by a second query
        page = c.get("/api/v1/search", params={"q": "Sihanoukville", "limit": 3}).json()
    assert page["total"] == 4 and len(page["items"]) == 3
    assert {i["marking"] for i in page["items"]} & {"amber", "amber+strict"}
    assert sum(s.startswith(VISIBLE_QUERY) for s in seen) == 1, seen
    assert not [s for s in seen if s.startswith("UPDATE api_tokens")]
    # the AMBER result is still audited: the one write of the request
    assert sum(s.startswith("INSERT INTO audit_log") for s in seen) == 1


def test_revoking_access_shows_at_the_next_request(sqlite_world: World) -> None:
    """The partner sees the AMBER dataset; once un-named, the very next request does not."""
    c = sqlite_world.client("partner")
    found = c.get("/api/v1/search", params={"dataset": dataset_for("amber")}).json()
    assert found["total"] == 1
    users.share_dataset(
        sqlite_world.store.engine, dataset_for("amber"), "police", remove=True,
        secret=sqlite_world.store.settings.secret_key,
    )  # fmt: skip
    gone = c.get("/api/v1/search", params={"dataset": dataset_for("amber")}).json()
    assert gone["total"] == 0 and gone["items"] == []
    assert dataset_for("amber") not in {d["name"] for d in c.get("/api/v1/datasets").json()}


def test_a_change_within_the_block_is_seen_at_once(sqlite_world: World) -> None:
    """Inside one request's block, a revocation made through `tocsin.access.users` drops the
    cached datasets at once (the partner is un-named, then read again)."""
    engine = sqlite_world.store.engine
    with engine.connect() as conn:
        police = users.principal_of(conn, _user_pk(sqlite_world, "an_police"))
    assert police is not None
    with request_visibility():
        with engine.connect() as conn:
            before = visible_dataset_pks(conn, police)
            assert visible_dataset_pks(conn, police) == before
        users.share_dataset(
            engine, dataset_for("amber"), "police", remove=True,
            secret=sqlite_world.store.settings.secret_key,
        )  # fmt: skip
        with engine.connect() as conn:
            after = visible_dataset_pks(conn, police)
        assert before is not None and after is not None and len(after) == len(before) - 1
        forget_visibility()  # harmless when nothing is cached


def test_outside_a_request_nothing_is_cached(sqlite_world: World) -> None:
    engine = sqlite_world.store.engine
    with engine.connect() as conn:
        police = users.principal_of(conn, _user_pk(sqlite_world, "an_police"))
    assert police is not None
    with statements(engine) as seen, engine.connect() as conn:
        visible_dataset_pks(conn, police)
        visible_dataset_pks(conn, police)
    assert sum(s.startswith(VISIBLE_QUERY) for s in seen) == 2


def test_last_used_is_written_at_most_once_a_minute(sqlite_world: World) -> None:
    token = sqlite_world.tokens["viewer"]
    prefix = token.split("_")[1]
    assert _last_used(sqlite_world, prefix) is None
    c = sqlite_world.client("viewer")
    assert c.get("/api/v1/search").status_code == 200
    first = _last_used(sqlite_world, prefix)
    assert first is not None
    with statements(sqlite_world.store.engine) as seen:
        for _ in range(3):
            assert c.get("/api/v1/search").status_code == 200
    assert not [s for s in seen if s.startswith("UPDATE api_tokens")]
    assert _last_used(sqlite_world, prefix) == first
    # a minute later the next use is recorded
    stale = first - tokens.LAST_USED_RESOLUTION - timedelta(seconds=1)
    with sqlite_world.store.engine.begin() as conn:
        conn.execute(
            update(api_tokens).where(api_tokens.c.prefix == prefix).values(last_used=stale)
        )
    assert c.get("/api/v1/search").status_code == 200
    latest = _last_used(sqlite_world, prefix)
    assert latest is not None and latest > first


def test_an_inactive_users_token_stops_at_once(sqlite_world: World) -> None:
    """The token lookup is one statement joined with the user: a user made inactive in the
    database (even without `users.set_active`, which also revokes the tokens) is refused."""
    from tocsin.store.schema import users as users_table

    c = sqlite_world.client("viewer")
    assert c.get("/api/v1/search").status_code == 200
    with sqlite_world.store.engine.begin() as conn:
        conn.execute(
            update(users_table).where(users_table.c.username == "v_ngo").values(active=False)
        )
    assert c.get("/api/v1/search").status_code == 401


def _user_pk(world: World, username: str) -> int:
    from tocsin.store.schema import users as users_table

    with world.store.engine.connect() as conn:
        return int(
            conn.execute(
                select(users_table.c.pk).where(users_table.c.username == username)
            ).scalar_one()
        )
