"""The pages' Jinja2 environment and `render`: every page gets the same base context.

Base context: ``t`` (the message catalog of the request's language), ``lang``, ``languages``
(for the switcher), ``principal``, ``csrf`` (the CSRF token for forms and fetch), ``org_name``
and ``asset(path)`` (a static URL with a content hash, so browsers may cache static files and
still see a new release at once). Templates never contain scripts or style attributes: the CSP
is ``script-src 'self'; style-src 'self'``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from tocsin import __version__
from tocsin.access import Principal
from tocsin.web.deps import csrf_token, current_principal, deployment_settings, get_store
from tocsin.web.i18n import LANGUAGES, Catalog, catalog, negotiate

__all__ = ["LANG_COOKIE", "STATIC_DIR", "TEMPLATES_DIR", "language_of", "render", "templates"]

PACKAGE_DIR: Final = Path(__file__).resolve().parent.parent
STATIC_DIR: Final = PACKAGE_DIR / "static"
TEMPLATES_DIR: Final = PACKAGE_DIR / "templates"
LANG_COOKIE: Final = "tocsin_lang"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


@cache
def _digest(path: str) -> str:
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR) or not file.is_file():
        raise FileNotFoundError(f"no static file {path!r} under {STATIC_DIR}")
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def asset(path: str) -> str:
    """``/static/<path>?v=<hash of the file>``."""
    return f"/static/{path}?v={_digest(path)}"


def _data_json(value: Any) -> str:
    """A value as JSON for a ``data-*`` attribute (Jinja escapes the quotes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _date(value: datetime | str | None, with_time: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return _date(parsed, with_time)
    return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _short(value: str, n: int = 12) -> str:
    return value[:n]


def _thousands(value: int | float) -> str:
    return f"{value:,}".replace(",", "\u202f")


templates.env.globals["asset"] = asset
templates.env.globals["version"] = __version__
templates.env.filters["data_json"] = _data_json
templates.env.filters["date"] = _date
templates.env.filters["short"] = _short
templates.env.filters["thousands"] = _thousands
templates.env.filters["nl2br"] = lambda text: Markup("<br>").join(str(text).split("\n"))


def language_of(request: Request) -> str:
    """The page language: ``?lang=``, the switcher's cookie, ``Accept-Language``, English."""
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def organisation_name(request: Request) -> str:
    """The name the public page gives the deployment's organisation."""
    settings = deployment_settings(get_store(request))
    name = str(settings.get("organisation_name") or "").strip()
    if name:
        return name
    return str(request.app.state.settings.organisation)


def base_context(request: Request, lang: str | None = None) -> dict[str, Any]:
    lang = lang or language_of(request)
    t: Catalog = catalog(lang)
    principal: Principal = current_principal(request)
    return {
        "request": request,
        "t": t,
        "lang": lang,
        "languages": [(code, catalog(code).name) for code in LANGUAGES],
        "principal": principal,
        "csrf": csrf_token(request),
        "org_name": organisation_name(request),
        "path": request.url.path,
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    """Render ``template`` with the base context plus ``context``."""
    full = base_context(request, lang)
    if context:
        full.update(context)
    response = templates.TemplateResponse(request, template, full, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            full["lang"],
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            samesite="lax",
        )
    return response
