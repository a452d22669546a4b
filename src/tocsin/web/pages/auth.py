"""``/login`` and ``/logout``: the session for the workspace (cookie set by `deps.login`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tocsin.web.deps import LoginFailed, PrincipalDep, login, logout
from tocsin.web.pages.templating import render
from tocsin.web.security import RateLimited

__all__ = ["LoginRedirect", "router", "safe_next"]

router = APIRouter(include_in_schema=False)


class LoginRedirect(HTTPException):
    """303 to /login, raised by workspace pages for a visitor who is not logged in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(
            303, "log in first", headers={"Location": f"/login?next={quote(next_path)}"}
        )


def safe_next(value: str | None) -> str:
    """Where to go after login: a local path only (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/app"
    return value


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: PrincipalDep, next: str = "/app") -> Response:
    if principal.logged_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/app",
) -> Response:
    target = safe_next(next)
    response = RedirectResponse(target, status_code=303)
    try:
        login(request, response, username.strip(), password)
    except LoginFailed:
        context: dict[str, Any] = {"next": target, "error": "login_failed", "username": username}
        return render(request, "login.html", context, status=401)
    except RateLimited as exc:
        context = {"next": target, "error": "rate_limited", "username": username}
        page = render(request, "login.html", context, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return response


@router.post("/logout")
def logout_submit(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    logout(request, response)
    return response
