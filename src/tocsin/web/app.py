"""`create_app`: the FastAPI application (the JSON API under /api/v1 and the pages).

One app object per store: the settings, the store, the scanner and the rate limits hang off
``app.state`` and reach handlers through `tocsin.web.deps`. The app refuses to start in team
mode with default secrets (`tocsin.settings.check_deployment`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, PlainTextResponse

from tocsin import __version__
from tocsin.cases.crypto import require_field_key
from tocsin.settings import Settings, check_deployment, get_settings
from tocsin.store import Store, open_store
from tocsin.web.api import MAX_BODY_BYTES, api_router
from tocsin.web.api.models import ErrorOut
from tocsin.web.errors import JsonErrorsMiddleware, install_error_handlers
from tocsin.web.security import CsrfMiddleware, RateLimits, SecurityHeadersMiddleware

__all__ = ["create_app"]

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER = "/static/vendor/swagger-ui-dist"

DESCRIPTION = """\
Screen job offers and messages for scam-centre recruitment and fraud scripts, search the
intelligence store, pivot on selectors and share — the same queries as the web workspace and the
CLI. Every read is scoped by the caller's organisation, role and the TLP 2.0 markings of the
datasets; what a caller may not see answers 404.

Authenticate with a session cookie (`POST /api/v1/auth/login`; state-changing requests then need
the `X-CSRF-Token` header) or an API token (`Authorization: Bearer …`, made by an admin).
"""

DOCS_INIT_JS = """\
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""


def _docs_page(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">\n'
        f'<link rel="icon" type="image/png" href="{SWAGGER}/favicon-32x32.png">\n'
        '</head>\n<body>\n<div id="swagger-ui"></div>\n'
        f'<script src="{SWAGGER}/swagger-ui-bundle.js"></script>\n'
        '<script src="/docs/init.js"></script>\n</body>\n</html>\n'
    )


def _pages_module() -> ModuleType | None:
    """The server-rendered pages (`tocsin.web.pages`), when installed."""
    if importlib.util.find_spec("tocsin.web.pages") is None:
        return None
    import tocsin.web.pages as pages

    return pages


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The web application over ``store`` (default: the configured store, opened here).

    Raises `tocsin.errors.ConfigError` in team mode with the default or a short secret key,
    or without ``TOCSIN_FIELD_KEY`` (`tocsin.cases.crypto.require_field_key`).
    """
    settings = settings if settings is not None else get_settings()
    check_deployment(settings)
    require_field_key(settings.deployment_mode, settings.field_key)
    owns_store = store is None
    the_store = store if store is not None else open_store(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_store:
            the_store.close()

    app = FastAPI(
        title="Tocsin API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    app.state.settings = settings
    app.state.store = the_store
    app.state.limits = RateLimits(
        settings.rate_limit_storage,
        public=settings.public_rate_limit,
        login=settings.login_rate_limit,
        login_user=settings.login_rate_limit,
    )
    app.state.error_page = None

    from tocsin.web.deps import VisibilityPerRequestMiddleware, csrf_for_session_factory

    app.add_middleware(VisibilityPerRequestMiddleware)
    app.add_middleware(JsonErrorsMiddleware)
    app.add_middleware(
        CsrfMiddleware,
        csrf_for_session=csrf_for_session_factory(the_store),
        exempt_paths=frozenset({"/api/v1/auth/login", "/login"}),
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.deployment_mode == "team")
    install_error_handlers(app)
    app.include_router(api_router, max_body_size=MAX_BODY_BYTES)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page("Tocsin API"))

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> PlainTextResponse:
        return PlainTextResponse(DOCS_INIT_JS, media_type="text/javascript")

    pages = _pages_module()
    if pages is not None:
        app.include_router(pages.router)
        app.state.error_page = getattr(pages, "render_error", None)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every error answer described as what it is: an `ErrorOut`."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        license_info=app.license_info,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schema["components"]["securitySchemes"] = {
        "apiToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (tocsin_…) made by an admin of your organisation.",
        }
    }
    schema["security"] = [{}, {"apiToken": []}]  # the public may call some endpoints
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                if status.startswith(("4", "5")):
                    response["content"] = error
                    response.setdefault("description", "Error")
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    app.openapi_schema = schema
    return schema
