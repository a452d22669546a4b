"""The public check page: paste a text, get a verdict in plain words, report it.

Works without JavaScript (the form posts to ``/check`` and the page comes back with the
verdict); ``static/js/check.js`` posts the same form with fetch and swaps in the verdict
(``/check?partial=1`` answers the verdict fragment alone). Nothing is stored unless the visitor
presses "report", which calls the same function as ``POST /api/v1/public/report``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from tocsin.model import Document, DocumentKind
from tocsin.web.api.public import store_report
from tocsin.web.deps import (
    ScannerDep,
    SettingsDep,
    StoreDep,
    deployment_settings,
    rate_limit_public,
)
from tocsin.web.i18n import LANGUAGES, catalog
from tocsin.web.pages.present import public_result
from tocsin.web.pages.templating import language_of, render
from tocsin.web.security import RateLimited

__all__ = ["MAX_CHARS", "router"]

router = APIRouter(include_in_schema=False)

#: Longest text the page checks (the API's limit for public reports).
MAX_CHARS: Final = 100_000
KINDS: Final = ("job_ad", "message", "unknown")

TextField = Annotated[str, Form(max_length=MAX_CHARS * 2)]
ShortField = Annotated[str, Form(max_length=40)]


def _kind(value: str) -> str:
    return value if value in KINDS else "unknown"


def _lang(request: Request, posted: str) -> str:
    return posted if posted in LANGUAGES else language_of(request)


def _hotlines(store: Any) -> list[dict[str, Any]]:
    try:
        values = deployment_settings(store)
    except SQLAlchemyError:  # the page still helps when the database is down
        return []
    hotlines = values.get("hotlines") or []
    return [h for h in hotlines if isinstance(h, dict) and h.get("name")]


def _page(
    request: Request,
    store: Any,
    *,
    lang: str,
    text: str = "",
    kind: str = "unknown",
    result: Any = None,
    error: str | None = None,
    report_error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "report_error": report_error,
        "text": text,
        "kind": kind,
        "result": result,
        "error": error,
        "max_chars": MAX_CHARS,
        "hotlines": _hotlines(store),
    }
    partial = request.query_params.get("partial") == "1"
    template = (
        "public/result_fragment.html" if partial and result is not None else "public/check.html"
    )
    if partial and result is None:
        template = "public/error_fragment.html"
    return render(request, template, context, status=status, lang=lang)


@router.get("/", response_class=HTMLResponse)
@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request, store: StoreDep) -> HTMLResponse:
    return _page(request, store, lang=language_of(request))


@router.post("/check", response_class=HTMLResponse)
def check(
    request: Request,
    store: StoreDep,
    scanner: ScannerDep,
    text: TextField = "",
    kind: ShortField = "unknown",
    lang: ShortField = "",
) -> HTMLResponse:
    language = _lang(request, lang)
    t = catalog(language)
    kind = _kind(kind)
    try:
        rate_limit_public(request)
    except RateLimited:
        return _page(
            request, store, lang=language, text=text[:MAX_CHARS], kind=kind,
            error=t("error_rate_limited"), status=429,
        )  # fmt: skip
    if not text.strip():
        return _page(request, store, lang=language, kind=kind, error=t("error_empty"), status=422)
    if len(text) > MAX_CHARS:
        return _page(
            request, store, lang=language, text=text[:MAX_CHARS], kind=kind,
            error=t("error_too_long", max=f"{MAX_CHARS:,}"), status=422,
        )  # fmt: skip
    verdict = scanner.scan(Document(text, DocumentKind(kind)))
    result = public_result(text, kind, verdict, language)
    return _page(request, store, lang=language, text=text, kind=kind, result=result)


@router.post("/report", response_class=HTMLResponse)
def report(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    scanner: ScannerDep,
    text: TextField = "",
    kind: ShortField = "unknown",
    lang: ShortField = "",
    consent: ShortField = "",
) -> Response:
    language = _lang(request, lang)
    t = catalog(language)
    kind = _kind(kind)
    try:
        rate_limit_public(request)
    except RateLimited:
        return _page(
            request, store, lang=language, text=text[:MAX_CHARS], kind=kind,
            error=t("error_rate_limited"), status=429,
        )  # fmt: skip
    if not text.strip() or len(text) > MAX_CHARS:
        return _page(request, store, lang=language, kind=kind, error=t("error_empty"), status=422)
    if consent != "yes":
        verdict = scanner.scan(Document(text, DocumentKind(kind)))
        return _page(
            request, store, lang=language, text=text, kind=kind,
            result=public_result(text, kind, verdict, language),
            report_error=t("report_error_consent"), status=422,
        )  # fmt: skip
    receipt = store_report(store, settings, text, kind, None, scanner=scanner)
    return RedirectResponse(
        f"/report/sent?ref={receipt.reference}&lang={language}", status_code=303
    )


@router.get("/report/sent", response_class=HTMLResponse)
def report_sent(request: Request, store: StoreDep, ref: str = "") -> HTMLResponse:
    reference = "".join(c for c in ref if c in "0123456789abcdef")[:12]
    return render(
        request,
        "public/report_sent.html",
        {"reference": reference or "—", "hotlines": _hotlines(store)},
    )
