"""The sharing page under ``/app/share``: export (STIX 2.1, MISP, FtM), import a partner's file,
hash sets for a community and a match against theirs, and pulls from partner instances.

The forms post here (CSRF-checked by the app) and run the same functions as ``tocsin export``,
``tocsin import``, ``tocsin share`` and ``tocsin sync pull`` and as ``/api/v1/share``: the same
policy (RED and AMBER+STRICT never leave, AMBER only to a partner a dataset names, persons only
by name), the same audit records, the same roles (analyst or admin; a viewer sees the page and
why its forms are not there). An export or a hash set is a download; an import, a match or a
pull re-renders the page with what happened, and a refused form re-renders with the reason.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Final
from urllib.parse import quote

import httpx
from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from tocsin.access import AccessDenied, Principal
from tocsin.errors import InputError, TocsinError
from tocsin.settings import Settings
from tocsin.share.actions import communities, match_ours, our_hashes
from tocsin.share.exchange import FORMATS, export, import_file
from tocsin.share.policy import ExportPolicy
from tocsin.share.sync import pull, state_path, sync_directory, sync_states
from tocsin.store import Store
from tocsin.store.schema import MARKINGS, audit_log, datasets
from tocsin.web.api.ingest import writable_dataset
from tocsin.web.api.share import download
from tocsin.web.deps import ScannerDep, SettingsDep, StoreDep
from tocsin.web.pages.templating import render
from tocsin.web.pages.workspace import UserDep

__all__ = ["router"]

router = APIRouter(prefix="/app/share", include_in_schema=False)

Field = Annotated[str, Form(max_length=500)]
OUT_MARKINGS: Final = ("clear", "green", "amber")
SUFFIX: Final = {"stix": "stix.json", "misp": "misp.json", "ftm": "ftm.json"}
MEDIA: Final = {
    "stix": "application/stix+json;version=2.1",
    "misp": "application/json",
    "ftm": "application/x-ndjson",
}
SHOWN_PROBLEMS: Final = 200


def http_client() -> httpx.Client | None:
    """The HTTP client of a pull (None: `pull` opens its own). Tests point it at a test app."""
    return None


def _datasets(store: Store, principal: Principal) -> list[str]:
    """The datasets the caller sees, by name."""
    visible = store.as_principal(principal).visible_datasets()
    query = select(datasets.c.name).order_by(datasets.c.name)
    if visible is not None:
        query = query.where(datasets.c.pk.in_(visible or [-1]))
    with store.engine.connect() as conn:
        return list(conn.scalars(query))


def _exports_logged(store: Store, org: str) -> int:
    """How many exports of the organisation the audit log holds."""
    query = (
        select(func.count())
        .select_from(audit_log)
        .where(audit_log.c.action == "export", audit_log.c.org == org)
    )
    with store.engine.connect() as conn:
        return int(conn.scalar(query) or 0)


def _reason(exc: TocsinError | HTTPException) -> str:
    """What a refused form says: the error's message with its hint, or the HTTP detail."""
    return str(exc.detail) if isinstance(exc, HTTPException) else str(exc)


def _page(
    request: Request,
    principal: Principal,
    store: Store,
    settings: Settings,
    *,
    error: str | None = None,
    section: str | None = None,
    form: dict[str, Any] | None = None,
    status: int | None = None,
    **results: Any,
) -> HTMLResponse:
    context = {
        "nav": "share",
        "can_share": principal.can("export"),
        "can_pull": principal.can("ingest"),
        "datasets": _datasets(store, principal),
        "markings": MARKINGS,
        "out_markings": OUT_MARKINGS,
        "formats": FORMATS,
        "communities": communities(settings),
        "pulls": sync_states(sync_directory()),
        "organisation": principal.org or settings.organisation,
        "exports_logged": _exports_logged(store, principal.org or settings.organisation),
        "default_marking": settings.default_marking,
        "error": error,
        "section": section,
        "form": form or {},
        "quote": quote,
        **results,
    }
    return render(
        request, "app/share.html", context, lang="en", status=status or (400 if error else 200)
    )


@router.get("", response_class=HTMLResponse)
def share_page(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    cluster: str = "",
) -> HTMLResponse:
    return _page(request, principal, store, settings, form={"cluster": cluster[:20]})


# -- export -------------------------------------------------------------------------------------


def _day(value: str, name: str, end: bool = False) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value.strip()[:20]!r} is not a date (YYYY-MM-DD)", field=name) from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _names(value: str) -> tuple[str, ...]:
    """Names given one per line or separated by commas."""
    parts = value.replace("\r", "").replace(",", "\n").split("\n")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


@router.post("/export", response_class=HTMLResponse)
def export_file(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    format: Field = "stix",
    cluster: Field = "",
    since: Field = "",
    until: Field = "",
    dataset: Annotated[list[str] | None, Form()] = None,
    tlp: Field = "amber",
    to: Field = "",
    persons: Field = "",
) -> Response:
    principal.require("export")  # a viewer gets 403, as from the API
    form = {
        "format": format, "cluster": cluster, "since": since, "until": until,
        "dataset": dataset or [], "tlp": tlp, "to": to, "persons": persons,
    }  # fmt: skip
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by download
    try:
        if format not in FORMATS:
            raise InputError(f"unknown format {format!r} (stix, misp or ftm)", field="format")
        if tlp not in OUT_MARKINGS:
            raise InputError(f"TLP:{tlp.upper()} never leaves (clear, green or amber)", field="tlp")
        cluster_id = cluster.strip() or None
        policy = ExportPolicy(
            recipient=to.strip() or principal.org or settings.organisation,
            ceiling=tlp,
            datasets=tuple(d for d in dataset or () if d),
        )
        export(
            store.as_principal(principal),
            spool,
            format,
            principal=principal,
            policy=policy,
            since=_day(since, "since"),
            until=_day(until, "until", end=True),
            cluster=cluster_id,
            include_persons=_names(persons),
            target=f"workspace:{format}",
            settings=settings,
        )
    except TocsinError as exc:
        spool.close()
        return _page(request, principal, store, settings, error=_reason(exc), section="export",
                     form=form)  # fmt: skip
    except BaseException:
        spool.close()
        raise
    name = f"tocsin-{cluster_id or 'export'}.{SUFFIX[format]}"
    return download(spool, MEDIA[format], name)


# -- import -------------------------------------------------------------------------------------


@router.post("/import", response_class=HTMLResponse)
async def import_upload(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    scanner: ScannerDep,
    file: Annotated[UploadFile, File()],
    dataset: Field = "",
    format: Field = "",
    marking: Field = "",
) -> Response:
    principal.require("ingest")
    form = {"dataset": dataset, "format": format, "marking": marking}

    def run() -> HTMLResponse:
        try:
            if format and format not in FORMATS:
                raise InputError(f"unknown format {format!r} (stix, misp or ftm)", field="format")
            if marking and marking not in MARKINGS:
                raise InputError(f"unknown marking {marking!r}", field="marking")
            writable_dataset(store, principal, dataset.strip(), marking or None)
            report = import_file(
                store.as_principal(principal),
                file.file,  # spooled to disk by the multipart parser
                dataset=dataset.strip(),
                source=file.filename or "upload",
                fmt=format or None,
                marking=marking or None,
                principal=principal,
                settings=settings,
                scanner=scanner,
            )
        except (TocsinError, HTTPException) as exc:
            return _page(request, principal, store, settings, error=_reason(exc),
                         section="import", form=form)  # fmt: skip
        imported = {
            **report.to_dict(),
            "problems": [str(p) for p in report.problems[:SHOWN_PROBLEMS]],
            "problem_count": len(report.problems),
        }
        return _page(request, principal, store, settings, section="import", imported=imported)

    return await run_in_threadpool(run)


# -- hash sets ----------------------------------------------------------------------------------


@router.post("/hashes", response_class=HTMLResponse)
def hashes_file(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    community: Field = "",
    tlp: Field = "green",
    to: Field = "",
) -> Response:
    principal.require("export")
    form = {"community": community, "tlp": tlp, "to": to}
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by download
    try:
        our_hashes(
            store, settings, principal, spool,
            community=community.strip(), tlp=tlp, to=to.strip() or None, channel="workspace",
        )  # fmt: skip
    except TocsinError as exc:
        spool.close()
        return _page(request, principal, store, settings, error=_reason(exc), section="hashes",
                     form=form)  # fmt: skip
    except BaseException:
        spool.close()
        raise
    return download(spool, "text/plain", f"{community.strip()}.hashes")


@router.post("/match", response_class=HTMLResponse)
async def match_upload(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    community: Field = "",
) -> Response:
    principal.require("export")
    form = {"community": community}

    def run() -> HTMLResponse:
        try:
            result = match_ours(
                store, settings, principal, file.file,
                community=community.strip(), source=file.filename or "upload",
                channel="workspace",
            )  # fmt: skip
        except TocsinError as exc:
            return _page(request, principal, store, settings, error=_reason(exc), section="hashes",
                         form=form)  # fmt: skip
        matched = {
            "community": community.strip(),
            "source": file.filename or "upload",
            "their_organisation": result.header.organisation,
            "theirs": result.theirs,
            "ours": result.ours,
            "selectors": result.matched,
        }
        return _page(request, principal, store, settings, section="hashes", form=form,
                     matched=matched)  # fmt: skip

    return await run_in_threadpool(run)


# -- sync ---------------------------------------------------------------------------------------


@router.post("/sync", response_class=HTMLResponse)
def sync_pull(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    url: Field = "",
    token: Field = "",
    dataset: Field = "",
    marking: Field = "amber",
    from_start: Field = "",
) -> Response:
    """A pull now, with a token the analyst holds at the partner's (used once, never kept).

    Analysts re-run pulls from partners already saved here; a new partner address needs an
    admin, because the server itself fetches it."""
    principal.require("ingest")
    form = {"url": url, "dataset": dataset, "marking": marking, "from_start": from_start}
    base = url.strip().rstrip("/")
    try:
        if not token.strip():
            raise InputError("the partner's API token is needed", field="token")
        if marking not in MARKINGS:
            raise InputError(f"unknown marking {marking!r}", field="marking")
        if base not in {s.url for s in sync_states(sync_directory())}:
            # the server fetches what is typed here: a new partner address is an admin's call
            # (an analyst could otherwise make the server probe internal services)
            principal.require("manage")
        writable_dataset(store, principal, dataset.strip(), marking)
        result = pull(
            store,
            base,
            token.strip(),
            dataset=dataset.strip(),
            state_file=state_path(sync_directory(), base, dataset.strip()),
            marking=marking,
            from_start=from_start == "yes",
            client=http_client(),
            principal=principal,
        )
    except (TocsinError, HTTPException) as exc:
        refused = 403 if isinstance(exc, AccessDenied) else None
        return _page(request, principal, store, settings, error=_reason(exc), section="sync",
                     form=form, status=refused)  # fmt: skip
    pulled = {
        "url": base,
        "dataset": dataset.strip(),
        "remote": result.remote,
        "pages": result.pages,
        "documents_new": result.documents_new,
        "documents_known": result.documents_known,
        "cursor": result.cursor,
        "problems": result.problems[:SHOWN_PROBLEMS],
        "problem_count": len(result.problems),
    }
    return _page(request, principal, store, settings, section="sync", pulled=pulled)
