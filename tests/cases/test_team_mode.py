"""A team deployment (a shared server) refuses to start without TOCSIN_FIELD_KEY, naming the
setting and the command that makes a key; a laptop (local mode) starts without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.cases import generate_key
from tocsin.cli import cli
from tocsin.errors import ConfigError
from tocsin.settings import Settings, get_settings
from tocsin.web.app import create_app

SECRET = "synthetic-team-secret-" + "k" * 40


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'team.db'}", **values)  # type: ignore[arg-type]


def test_team_mode_refuses_to_start_without_the_field_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        create_app(_settings(tmp_path, deployment_mode="team", secret_key=SECRET))
    message = str(refused.value)
    assert "TOCSIN_FIELD_KEY" in message and "tocsin cases keygen" in message
    with pytest.raises(ConfigError, match="TOCSIN_FIELD_KEY"):  # blank is not a key
        create_app(_settings(tmp_path, deployment_mode="team", secret_key=SECRET, field_key=" , "))
    with pytest.raises(ConfigError, match="not kid:base64key"):  # malformed: at start, not later
        create_app(_settings(tmp_path, deployment_mode="team", secret_key=SECRET, field_key="oops"))
    app = create_app(
        _settings(tmp_path, deployment_mode="team", secret_key=SECRET, field_key=generate_key("k1"))
    )
    assert app.state.settings.deployment_mode == "team"
    assert create_app(_settings(tmp_path)).state.settings.field_key is None  # a laptop: fine


def test_tocsin_serve_says_how_to_make_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOCSIN_DEPLOYMENT_MODE", "team")
    monkeypatch.setenv("TOCSIN_SECRET_KEY", SECRET)
    monkeypatch.setenv("TOCSIN_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.delenv("TOCSIN_FIELD_KEY", raising=False)
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: pytest.fail("the server started"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--port", "8765"])
    finally:
        get_settings.cache_clear()
    assert isinstance(result.exception, ConfigError)  # `tocsin` prints "error: <this>", exit 1
    shown = str(result.exception)
    assert "TOCSIN_FIELD_KEY" in shown and "tocsin cases keygen" in shown
    assert not (tmp_path / "serve.db").exists()  # refused before a store is opened or written
    keygen = CliRunner().invoke(cli, ["cases", "keygen"])
    assert keygen.exit_code == 0 and keygen.output.count(":") == 1
