"""``/admin``: an organisation's users and roles, API tokens, organisations, and the
deployment settings shown on the public page (organisation name, hotlines).

Every change calls `tocsin.access` with the caller as ``actor``: the access layer decides
whether an admin may do it (their own organisation only) and writes the audit entry. Forms post
back here and redirect (post/redirect/get); errors re-render the page with the message.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from tocsin.access import Principal, tokens, users
from tocsin.errors import TocsinError
from tocsin.store.schema import ROLES
from tocsin.web.api.models import DeploymentSettingsModel
from tocsin.web.deps import StoreDep, audit, deployment_settings, save_deployment_settings
from tocsin.web.pages.templating import render
from tocsin.web.pages.workspace import workspace_principal

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)

#: Notices shown after a change, by code (never text from the query string).
DONE: Final = {
    "user_added": "The user was added.",
    "role_changed": "The role was changed.",
    "user_disabled": "The user was disabled and their sessions and tokens ended.",
    "user_enabled": "The user was enabled.",
    "token_revoked": "The token was revoked.",
    "settings_saved": "The settings were saved. The public page shows them now.",
}
HOTLINE_ROWS: Final = 6

Field = Annotated[str, Form(max_length=500)]


def admin_principal(request: Request) -> Principal:
    principal = workspace_principal(request)
    if not principal.can("manage"):
        raise HTTPException(403, f"the admin pages need the admin role (you are {principal.role})")
    return principal


AdminDep = Annotated[Principal, Depends(admin_principal)]


def _org_filter(principal: Principal) -> str | None:
    return None if principal.system else principal.org


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key)


def _page(
    request: Request,
    template: str,
    section: str,
    context: dict[str, Any],
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    done = DONE.get(request.query_params.get("done", ""))
    full = {"nav": "admin", "section": section, "error": error, "done": done, **context}
    return render(request, template, full, status=status, lang="en")


@router.get("", response_class=HTMLResponse)
def admin_home(principal: AdminDep) -> Response:
    return RedirectResponse("/admin/users", status_code=303)


# -- users and roles ----------------------------------------------------------------------------


def _users_page(
    request: Request, principal: Principal, store: StoreDep, error: str | None = None
) -> HTMLResponse:
    listed = users.list_users(store.engine, org=_org_filter(principal))
    context = {"users": listed, "roles": [r for r in ROLES if r != "public"]}
    return _page(
        request, "admin/users.html", "users", context, error=error, status=400 if error else 200
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, principal: AdminDep, store: StoreDep) -> HTMLResponse:
    return _users_page(request, principal, store)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    principal: AdminDep,
    store: StoreDep,
    username: Field = "",
    display_name: Field = "",
    password: Field = "",
    role: Field = "viewer",
) -> Response:
    try:
        users.create_user(
            store.engine, username.strip(), password,
            org=principal.org or "", role=role, display_name=display_name.strip() or None,
            actor=principal, secret=_secret(request),
        )  # fmt: skip
    except TocsinError as exc:
        return _users_page(request, principal, store, str(exc))
    return RedirectResponse("/admin/users?done=user_added", status_code=303)


@router.post("/users/{username}/role", response_class=HTMLResponse)
def change_role(
    request: Request, principal: AdminDep, store: StoreDep, username: str, role: Field = ""
) -> Response:
    try:
        users.set_role(store.engine, username, role, actor=principal, secret=_secret(request))
    except TocsinError as exc:
        return _users_page(request, principal, store, str(exc))
    return RedirectResponse("/admin/users?done=role_changed", status_code=303)


@router.post("/users/{username}/active", response_class=HTMLResponse)
def change_active(
    request: Request, principal: AdminDep, store: StoreDep, username: str, active: Field = ""
) -> Response:
    enable = active == "yes"
    try:
        users.set_active(store.engine, username, enable, actor=principal, secret=_secret(request))
    except TocsinError as exc:
        return _users_page(request, principal, store, str(exc))
    done = "user_enabled" if enable else "user_disabled"
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


# -- API tokens ---------------------------------------------------------------------------------


def _tokens_page(
    request: Request,
    principal: Principal,
    store: StoreDep,
    *,
    error: str | None = None,
    new_token: str | None = None,
) -> HTMLResponse:
    org = _org_filter(principal)
    context = {
        "tokens": tokens.list_tokens(store.engine, org=org),
        "usernames": [u.username for u in users.list_users(store.engine, org=org) if u.active],
        "new_token": new_token,
    }
    return _page(
        request, "admin/tokens.html", "tokens", context, error=error, status=400 if error else 200
    )


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, principal: AdminDep, store: StoreDep) -> HTMLResponse:
    return _tokens_page(request, principal, store)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    principal: AdminDep,
    store: StoreDep,
    username: Field = "",
    name: Field = "",
    days: Field = "",
) -> HTMLResponse:
    try:
        lifetime = float(days) if days.strip() else None
    except ValueError:
        return _tokens_page(request, principal, store, error="days must be a number")
    try:
        token, _info = tokens.create_token(
            store.engine, username or principal.username, name.strip(), days=lifetime,
            actor=principal, secret=_secret(request),
        )  # fmt: skip
    except TocsinError as exc:
        return _tokens_page(request, principal, store, error=str(exc))
    # Shown once, in this answer only (no redirect: the token is not stored anywhere).
    return _tokens_page(request, principal, store, new_token=token)


@router.post("/tokens/{prefix}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, principal: AdminDep, store: StoreDep, prefix: str) -> Response:
    try:
        tokens.revoke_token(store.engine, prefix, actor=principal, secret=_secret(request))
    except TocsinError as exc:
        return _tokens_page(request, principal, store, error=str(exc))
    return RedirectResponse("/admin/tokens?done=token_revoked", status_code=303)


# -- organisations ------------------------------------------------------------------------------


@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, principal: AdminDep, store: StoreDep) -> HTMLResponse:
    orgs = users.list_organisations(store.engine)
    if not principal.system:
        orgs = [o for o in orgs if o["name"] == principal.org]
    return _page(request, "admin/organisations.html", "organisations", {"orgs": orgs})


# -- deployment settings ------------------------------------------------------------------------


def _settings_page(
    request: Request,
    store: StoreDep,
    values: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    current = values if values is not None else deployment_settings(store)
    hotlines = list(current.get("hotlines") or [])
    rows = hotlines + [{}] * max(1, HOTLINE_ROWS - len(hotlines))
    context = {"organisation_name": current.get("organisation_name") or "", "hotlines": rows}
    return _page(
        request,
        "admin/settings.html",
        "settings",
        context,
        error=error,
        status=400 if error else 200,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, principal: AdminDep, store: StoreDep) -> HTMLResponse:
    return _settings_page(request, store)


@router.post("/settings", response_class=HTMLResponse)
async def save_settings(request: Request, principal: AdminDep, store: StoreDep) -> Response:
    async with request.form(max_fields=200) as form:

        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        hotlines = []
        for i in range(HOTLINE_ROWS + 100):
            if f"hotline_name_{i}" not in form:
                break
            row = {
                "name": text(f"hotline_name_{i}"),
                "country": text(f"hotline_country_{i}").upper() or None,
                "phone": text(f"hotline_phone_{i}") or None,
                "url": text(f"hotline_url_{i}") or None,
                "languages": [
                    lang.strip().lower()
                    for lang in text(f"hotline_languages_{i}").split(",")
                    if lang.strip()
                ],
            }
            if row["name"] or row["phone"] or row["url"]:
                hotlines.append(row)
        values: dict[str, Any] = {
            "organisation_name": text("organisation_name"),
            "hotlines": hotlines,
        }
    try:
        checked = DeploymentSettingsModel.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return _settings_page(request, store, values, f"{where}: {first['msg']}")
    save_deployment_settings(store, checked.model_dump(mode="json"))
    audit(request, "settings", "deployment", "public_page", None, {"hotlines": len(hotlines)})
    return RedirectResponse("/admin/settings?done=settings_saved", status_code=303)
