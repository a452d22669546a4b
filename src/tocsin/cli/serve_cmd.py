"""``tocsin serve``: the web workspace and the JSON API (uvicorn; one process, or several with
``--workers`` when the rate limits live in Redis)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from tocsin.settings import get_settings

__all__ = ["APP_FACTORY", "serve_command"]

APP_FACTORY = "tocsin.web.app:create_app"
"""What each uvicorn worker imports and calls (settings from the environment)."""
WORKER_STARTUP_SECONDS = 60
"""How long a worker may take to start before uvicorn replaces it (uvicorn's default, 5 s, is
shorter than loading the models on a busy machine)."""


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="TCP port."
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load the bundled synthetic examples and create a demo organisation with an admin, "
    "an analyst and a viewer (random passwords, printed once).",
)
@click.option(
    "--examples",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --demo: the examples directory [default: examples/ of the source tree or the "
    "current directory].",
)
@click.option(
    "--database",
    default=None,
    metavar="URL",
    help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
)
@click.option(
    "--proxy-headers",
    is_flag=True,
    help="Trust X-Forwarded-For/-Proto from a reverse proxy on this machine (TLS terminated "
    "there): client addresses and https are then taken from the proxy.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes (uvicorn workers), e.g. one per core. More than one needs "
    "TOCSIN_RATE_LIMIT_STORAGE=redis://… so that every process counts the same limits.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve_command(
    host: str,
    port: int,
    demo: bool,
    examples: Path | None,
    database: str | None,
    proxy_headers: bool,
    workers: int,
    log_level: str,
) -> None:
    """Serve the web workspace and the JSON API (/api/v1, docs at /docs).

    In team mode (TOCSIN_DEPLOYMENT_MODE=team) the server refuses to start with the default
    secret key or without TOCSIN_FIELD_KEY. Put a TLS-terminating reverse proxy in front and
    pass --proxy-headers. Rate limits are counted in the process's memory unless
    TOCSIN_RATE_LIMIT_STORAGE names a Redis server, which --workers above 1 requires.

    \b
    Examples:
      tocsin serve --demo                      # http://127.0.0.1:8000, synthetic data
      TOCSIN_DEPLOYMENT_MODE=team TOCSIN_SECRET_KEY=… tocsin serve --host 0.0.0.0 --proxy-headers
    """
    import uvicorn

    from tocsin.cases.crypto import require_field_key
    from tocsin.settings import check_deployment
    from tocsin.store import open_store
    from tocsin.web.app import create_app

    if demo and not _loopback(host):
        raise click.UsageError(
            "--demo prints its users' passwords and serves only on a loopback address "
            "(127.0.0.1, ::1, localhost)"
        )
    settings = get_settings()
    if database is not None:
        settings = settings.model_copy(update={"database_url": database})
    if workers > 1 and settings.rate_limit_storage.startswith("memory://"):
        raise click.UsageError(
            f"--workers {workers} needs rate limits shared by the processes: set "
            "TOCSIN_RATE_LIMIT_STORAGE=redis://127.0.0.1:6379/0 (or run one worker)"
        )
    check_deployment(settings)
    require_field_key(settings.deployment_mode, settings.field_key)
    store = open_store(settings)
    if demo:
        from tocsin.web.demo import prepare_demo

        prepare_demo(store, settings, examples, echo=click.echo)
    app = create_app(settings, store)  # also checks the rate-limit storage answers
    shown = f"[{host}]" if ":" in host else host
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": "127.0.0.1" if proxy_headers else None,
        "server_header": False,
    }
    if workers == 1:
        click.echo(f"Tocsin is serving at http://{shown}:{port}/  (API docs: /docs; Ctrl+C stops)")
        uvicorn.run(app, **options)
        store.close()
        return
    # each worker process builds its own app from the environment (settings are read there)
    store.close()
    if database is not None:
        os.environ["TOCSIN_DATABASE_URL"] = database
    click.echo(
        f"Tocsin is serving at http://{shown}:{port}/ with {workers} processes "
        "(API docs: /docs; Ctrl+C stops)"
    )
    # a worker loads the models and opens the store before it answers uvicorn's health check
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        **options,
    )
