"""Log in and out with a session cookie; who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tocsin.access import Principal
from tocsin.web.api.models import LoginIn, Me
from tocsin.web.deps import PrincipalDep, csrf_token, login, logout

__all__ = ["me_of", "router"]

router = APIRouter(prefix="/auth", tags=["auth"])


def me_of(request: Request, principal: Principal) -> Me:
    via = getattr(request.state, "via", "none")
    return Me(
        logged_in=principal.logged_in,
        username=principal.username,
        role=principal.role if principal.logged_in else "public",
        organisation=principal.org,
        via=via,
        csrf_token=csrf_token(request),
    )


@router.post(
    "/login",
    response_model=Me,
    summary="Log in (sets the session cookie)",
    responses={
        401: {"description": "Wrong username or password."},
        429: {"description": "Too many attempts (see Retry-After)."},
    },
)
def login_route(body: LoginIn, request: Request, response: Response) -> Me:
    """Check the password and start a session: an HttpOnly, SameSite=Strict cookie (Secure
    except on plain http to a loopback address). Send the returned ``csrf_token`` as
    ``X-CSRF-Token`` with every state-changing request. Rate-limited per address and per
    username; every attempt is written to the audit log."""
    principal = login(request, response, body.username, body.password)
    request.state.via = "session"
    return me_of(request, principal)


@router.post("/logout", status_code=204, summary="Log out (ends the session)")
def logout_route(request: Request, response: Response) -> Response:
    """End the session behind the cookie and clear it."""
    logout(request, response)
    response.status_code = 204
    return response


@router.get("/me", response_model=Me, summary="Who the caller is")
def me(request: Request, principal: PrincipalDep) -> Me:
    """The caller's name, role and organisation (the public when not logged in), and the
    session's CSRF token."""
    return me_of(request, principal)
