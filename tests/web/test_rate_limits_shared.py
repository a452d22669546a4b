"""Rate limits in Redis (``TOCSIN_RATE_LIMIT_STORAGE``) are shared between server processes: a
client blocked on one app instance is blocked on another. And a storage that cannot be used
stops the app at startup with a clear error.

Uses the local Redis at 127.0.0.1:6379, database 15, with a client address and username made
for this run (their keys are deleted afterwards). Skipped when Redis does not answer, unless
``TOCSIN_REQUIRE_REDIS=1`` (set by .ci/run when it could start Redis).
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tocsin.access import users
from tocsin.errors import ConfigError
from tocsin.store import Store
from tocsin.web.security import KEY_PREFIX, RateLimits

from .client import TestClient
from .conftest import PASSWORD, make_app

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_answers():
        message = f"Redis at {REDIS_HOST}:{REDIS_PORT} does not answer"
        if os.environ.get("TOCSIN_REQUIRE_REDIS") == "1":
            pytest.fail(message + " and TOCSIN_REQUIRE_REDIS=1", pytrace=False)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def run_marks(redis_url: str) -> Iterator[tuple[str, str]]:
    """(client address, username) unique to this run; their limit keys are removed after."""
    import redis

    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    username = f"limit_{uuid.uuid4().hex[:10]}"
    yield address, username
    connection = redis.Redis.from_url(redis_url)
    try:
        for mark in (address, username):
            for key in connection.scan_iter(match=f"{KEY_PREFIX}*{mark}*"):
                connection.delete(key)
    finally:
        connection.close()


def test_two_instances_share_the_login_limit(
    sqlite_store: Store, redis_url: str, run_marks: tuple[str, str]
) -> None:
    address, username = run_marks
    key = sqlite_store.settings.secret_key
    users.create_organisation(sqlite_store.engine, "ngo", secret=key)
    users.create_user(sqlite_store.engine, username, PASSWORD, org="ngo", secret=key)
    overrides = {"rate_limit_storage": redis_url, "login_rate_limit": "3/minute"}
    # two app instances (as two server processes would have), one client address
    a, b = (
        TestClient(make_app(sqlite_store, **overrides), "http://127.0.0.1", client=(address, 1))
        for _ in range(2)
    )

    def login(c: TestClient, password: str) -> int:
        response = c.post("/api/v1/auth/login", json={"username": username, "password": password})
        return int(response.status_code)

    assert login(a, "wrong-password-1") == 401
    assert login(a, "wrong-password-2") == 401
    assert login(b, "wrong-password-3") == 401  # the third attempt, counted on the other app
    assert login(a, PASSWORD) == 429  # blocked on A ...
    assert login(b, PASSWORD) == 429  # ... and on B, even with the right password
    blocked = b.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert 1 <= int(blocked.headers["retry-after"]) <= 60


def test_in_memory_limits_are_per_instance(sqlite_store: Store) -> None:
    """The default: each instance counts for itself (what the Redis storage changes)."""
    one = RateLimits(public="1/minute")
    other = RateLimits(public="1/minute")
    one.hit("public", "10.9.9.9")
    other.hit("public", "10.9.9.9")  # not blocked: a separate count


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://127.0.0.1:1/0", "does not answer"),
        ("memcached://127.0.0.1:11211", "is not a storage for rate limits"),
        ("127.0.0.1:6379", "is not a storage for rate limits"),
        ("redis://:s3cret@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
    ],
)
def test_an_unusable_storage_stops_startup_with_a_clear_error(
    sqlite_store: Store, url: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_app(sqlite_store, rate_limit_storage=url)
    assert message in str(caught.value)
    assert "TOCSIN_RATE_LIMIT_STORAGE" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_serve_with_workers_runs_the_app_factory(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`tocsin serve --workers N` with limits in Redis: uvicorn gets the app factory (each worker
    builds its app from the environment) and the database chosen on the command line."""
    import uvicorn
    from click.testing import CliRunner

    from tocsin.cli import cli
    from tocsin.cli.serve_cmd import APP_FACTORY
    from tocsin.settings import get_settings

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen["app"], seen["options"] = app, options
        seen["database"] = os.environ.get("TOCSIN_DATABASE_URL")

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("TOCSIN_RATE_LIMIT_STORAGE", redis_url)
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'not-this.db'}")
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", "3", "--database", url])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "with 3 processes" in result.output
    assert seen["app"] == APP_FACTORY
    assert seen["options"]["factory"] is True and seen["options"]["workers"] == 3
    assert seen["options"]["timeout_worker_healthcheck"] >= 30  # models load before it answers
    assert seen["database"] == url
