"""Browser tests: the app served by uvicorn on a free loopback port over a temporary SQLite
store with synthetic data, driven by Debian's Chromium through Playwright (sync API).

Skipped, with the reason, when /usr/bin/chromium is missing, unless TOCSIN_REQUIRE_BROWSER=1
(set by CI), where a missing browser fails. Every page a test opens is watched: a console error
(a CSP violation is reported as one), an uncaught exception or a failed request fails the test.
Screenshots go to tests/browser/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pages.world import World, build_world  # tests/ is on sys.path (rootdir-relative packages)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _require() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("TOCSIN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TOCSIN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt install chromium)")
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium to run the browser tests)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    world: World


@contextmanager
def serve_world(world: World) -> Iterator[Server]:
    """``world``'s app under uvicorn on a free loopback port, for the length of the block."""
    import uvicorn

    from tocsin.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(world.settings, world.store),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", world)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _require()
    world = build_world(tmp_path_factory.mktemp("browser"))
    with serve_world(world) as running:
        yield running
    world.store.close()


def login_at(page: Any, server: Server, username: str, path: str) -> None:
    """Open ``path``, be sent to the login form, log in as ``username`` and land on ``path``."""
    page.goto(f"{server.url}{path}")
    page.wait_for_url(f"**/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", server.world.passwords[username])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{server.url}{path}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API runs an event loop in this thread while it is open,
    which would break later tests that call asyncio.run()."""
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """Everything that went wrong on the pages of one test."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        def console(msg: Any) -> None:
            if msg.type == "error":
                self.problems.append(f"console error on {page.url}: {msg.text} {msg.location}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

        def failed(req: Any) -> None:
            # ERR_ABORTED is the browser cancelling a request because the test navigated on
            # (e.g. the logo of the page it left); a server's failure shows as another error
            if req.failure != "net::ERR_ABORTED":
                self.problems.append(f"request failed: {req.url} {req.failure}")

        page.on("requestfailed", failed)


@pytest.fixture
def watch() -> Watch:
    return Watch()


def new_page(browser: Any, watch: Watch, **options: Any) -> Any:
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)
    page = context.new_page()
    watch.attach(page)
    return page


def shot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
