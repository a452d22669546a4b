"""Server-rendered pages over the same scoped queries as the API.

- ``/`` and ``/check``: the public check page (no login), in six languages; ``/report``.
- ``/login``, ``/logout``.
- ``/app/...``: the analysts' workspace (dashboard, search, documents, selectors, clusters,
  upload, share, cases); ``/admin/...``: organisation, users, API tokens, deployment settings.

Every read goes through ``store.as_principal(principal)``, the one place access rules live.
Pages carry no inline script or style (CSP ``script-src 'self'; style-src 'self'``): scripts
are files under ``static/js`` and data reaches them in ``data-*`` attributes or from the API.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from tocsin.access import Principal
from tocsin.web.i18n import catalog
from tocsin.web.pages import admin, auth, case_views, cases, public, share, workspace
from tocsin.web.pages.templating import STATIC_DIR, TEMPLATES_DIR, language_of, render, templates

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "render_error", "router"]

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
router.include_router(auth.router)
router.include_router(workspace.router)
router.include_router(case_views.router)  # before cases: /app/cases/{case_id} is one segment
router.include_router(cases.router)
router.include_router(share.router)
router.include_router(admin.router)


def render_error(request: Request, status: int, message: str) -> Response:
    """The HTML error page (the app's error handlers call it for browsers)."""
    if status in (301, 302, 303, 307, 308):  # e.g. `auth.LoginRedirect`: headers carry Location
        return RedirectResponse("/login", status_code=status)
    lang = language_of(request)
    t = catalog(lang)
    in_workspace = request.url.path.startswith(("/app", "/admin"))
    if status == 404 and not in_workspace:
        message = t("error_not_found")
    elif status == 429:
        message = t("error_rate_limited")
    context = {
        "status": status,
        "title": t("error_title"),
        "message": message,
        "back_href": "/app" if in_workspace else f"/?lang={lang}",
        "back_label": "Back to the workspace" if in_workspace else t("back_home"),
    }
    try:
        return render(request, "error.html", context, status=status, lang=lang)
    except (SQLAlchemyError, HTTPException):  # the database or the session is what failed
        context.update(
            request=request,
            t=t,
            lang=lang,
            languages=[],
            principal=Principal.public(),
            csrf="",
            org_name="",
            path="/",
        )
        return templates.TemplateResponse(request, "error.html", context, status_code=status)
