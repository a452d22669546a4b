"""One table from errors to HTTP answers; every answer is JSON, never a traceback.

API paths (``/api/…``) always answer JSON ``{"error", "message", "detail"?}``. Elsewhere a
browser asking for HTML gets the pages' error page (``tocsin.web.pages.render_error``) when the
pages are installed.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from tocsin.errors import TocsinError
from tocsin.web.security import RateLimited

__all__ = ["JsonErrorsMiddleware", "error_response", "install_error_handlers"]

log = logging.getLogger("tocsin.web")

ErrorPage = Callable[[Request, int, str], Response]

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


def _code(status: int) -> str:
    return _CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    code: str | None = None,
    detail: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error answer for ``request``: the pages' HTML error page or JSON."""
    page: ErrorPage | None = getattr(request.app.state, "error_page", None)
    if page is not None and _wants_html(request):
        response = page(request, status, message)
        if headers:
            response.headers.update(headers)
        return response
    body: dict[str, Any] = {"error": code or _code(status), "message": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the input back (it may be large or sensitive)."""
    return [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", ""))}
        for err in exc.errors()
    ][:50]


def install_error_handlers(app: FastAPI) -> None:
    async def tocsin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TocsinError)
        status = exc.http_status
        if status >= 500:
            log.error("server error on %s %s: %s", request.method, request.url.path, exc)
            return error_response(request, status, "the server is misconfigured; see its log")
        return error_response(request, status, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return error_response(
            request, exc.status_code, message, headers=dict(exc.headers or {}) or None
        )

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        detail = _validation_detail(exc)
        first = detail[0] if detail else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"][1:] or first["loc"])
        message = f"{where}: {first['msg']}" if where else str(first["msg"])
        return error_response(request, 422, message, detail=detail)

    async def rate_limited(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimited)
        return error_response(
            request,
            429,
            f"too many requests; try again in {exc.retry_after} s",
            headers={"Retry-After": str(exc.retry_after)},
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        reference = secrets.token_hex(6)
        log.exception("unexpected error %s on %s %s", reference, request.method, request.url.path)
        return error_response(request, 500, f"internal error (reference {reference})")

    app.add_exception_handler(TocsinError, tocsin_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(RateLimited, rate_limited)
    app.add_exception_handler(Exception, unexpected)


class JsonErrorsMiddleware:
    """Turns the few plain-text error answers made below FastAPI's exception handlers (the
    body-size limit's 413) into the API's JSON errors, on ``/api/`` paths only."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}

        async def rewrite(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                ctype = headers.get(b"content-type", b"")
                if message["status"] >= 400 and not ctype.startswith(b"application/json"):
                    held["start"] = message
                    return
            elif "start" in held:
                if message.get("more_body", False):
                    return
                start = held.pop("start")
                status = int(start["status"])
                message = (
                    "the request body is too large (API calls take 4 MB at most; upload "
                    "files to POST /api/v1/ingest)"
                    if status == 413
                    else HTTPStatus(status).phrase.lower()
                )
                body = json.dumps({"error": _code(status), "message": message}).encode()
                kept = [
                    (k, v)
                    for k, v in start.get("headers", [])
                    if k.lower() not in (b"content-type", b"content-length")
                ]
                kept += [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
                await send({**start, "headers": kept})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, rewrite)
