"""Case pages that show one thing: a report and its matches, a person and their timeline, the
compounds and their map, the statistics (`tocsin.web.pages.cases` has the case list and
forms). Registered before ``/app/cases/{case_id}``, whose one path segment would catch
``/app/cases/compounds`` and ``/app/cases/statistics``.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tocsin.access import Principal
from tocsin.cases.context import NotFound
from tocsin.cases.fields import MAX_PHOTO_BYTES, SEXES, clean_languages
from tocsin.cases.photos import clean_photo
from tocsin.cases.publish import chart_pngs
from tocsin.cases.reports import FAMILY_FIELDS
from tocsin.cases.stats import StatsRelease, country_name, statistics
from tocsin.cases.workflow import DESCRIPTIONS, Status
from tocsin.errors import InputError, TocsinError
from tocsin.store import Store
from tocsin.web.deps import StoreDep
from tocsin.web.pages.cases import book_of
from tocsin.web.pages.geo import MapView, Place, map_view, project
from tocsin.web.pages.templating import render
from tocsin.web.pages.workspace import UserDep

__all__ = ["compound_map", "router"]

router = APIRouter(prefix="/app/cases", include_in_schema=False)

Field = Annotated[str, Form(max_length=20_000)]


@dataclass(frozen=True, slots=True)
class CompoundMap:
    """The workspace map (`tocsin.web.pages.geo`) with the compounds of the case register."""

    base: MapView
    k: int | None


def compound_map(compounds: list[dict[str, Any]], k: int | None = None) -> CompoundMap:
    """Compounds with a coordinate, sized by their released person counts (``None``: a
    withheld count, drawn at the smallest size and labelled "<k")."""
    base = map_view([])
    largest = max([c.get("persons") or 0 for c in compounds], default=1) or 1
    drawn: list[Place] = []
    unplaced: list[tuple[str, int]] = []
    for c in compounds:
        n = c.get("persons")
        if c.get("latitude") is None or c.get("longitude") is None:
            unplaced.append((str(c["name"]), n or 0))
            continue
        x, y = project(float(c["longitude"]), float(c["latitude"]))
        r = 4.0 + (10.0 * math.sqrt(n / largest) if n else 0.0)
        count = "withheld" if n is None else str(n or 0)
        label = f"{c['name']} · {count}" if n != 0 else str(c["name"])
        drawn.append(
            Place(
                str(c["name"]),
                str(c.get("country") or ""),
                x,
                y,
                round(r, 1),
                n if n is not None else 1,
                False,
                label,
            )
        )
    view = replace(
        base,
        hubs=tuple(drawn),
        group_labels=(),
        unplaced=tuple(unplaced),
        reported=sum(c.get("persons") or 0 for c in compounds),
    )
    return CompoundMap(view, k)


# -- reports -------------------------------------------------------------------------------------


def _report_page(
    request: Request, principal: Principal, store: Store, report_id: str, error: str | None = None
) -> HTMLResponse:
    book = book_of(store, principal)
    report = book.reports.get(report_id)
    matches = book.matches(report_id)
    case = book.cases.get(report.case)
    context = {
        "nav": "cases",
        "report": report,
        "person": book.persons.get(report.person),
        "matches": matches,
        "case": case,
        "can_write": principal.can("ingest") and case.state == "open",
        "error": error,
    }
    return render(request, "cases/report.html", context, lang="en", status=400 if error else 200)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, principal: UserDep, store: StoreDep, report_id: str) -> Response:
    return _report_page(request, principal, store, report_id)


@router.post("/reports/{report_id}/family", response_class=HTMLResponse)
def edit_family(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    report_id: str,
    reporter_name: Field = "",
    reporter_contact: Field = "",
    reporter_relation: Field = "",
) -> Response:
    """Who reported the person and how to reach the family; only changed fields are written."""
    book = book_of(store, principal)
    given = {"reporter_name": reporter_name, "reporter_contact": reporter_contact,
             "reporter_relation": reporter_relation}  # fmt: skip
    try:
        current = book.reports.get(report_id)
        changes = {
            k: v.strip() or None
            for k, v in given.items()
            if k in FAMILY_FIELDS and (v.strip() or None) != getattr(current, k)
        }
        if changes:
            book.reports.update_family(report_id, changes)
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "report":
            raise
        return _report_page(request, principal, store, report_id, str(exc))
    return RedirectResponse(f"/app/cases/reports/{report_id}#family", status_code=303)


# -- persons -------------------------------------------------------------------------------------


def _person_page(
    request: Request,
    principal: Principal,
    store: Store,
    person_id: str,
    error: str | None = None,
    section: str | None = None,
) -> HTMLResponse:
    book = book_of(store, principal)
    person = book.persons.get(person_id)
    case = book.cases.get(person.case)
    context = {
        "nav": "cases",
        "person": person,
        "case": case,
        "reports": [r for r in book.reports.in_case(person.case) if r.person != person.id],
        "operations": book.operations.in_case(person.case),
        "can_write": principal.can("ingest") and case.state == "open",
        "is_lead": principal.system or case.role == "lead",
        "statuses": [s.value for s in Status],
        "descriptions": {s.value: text for s, text in DESCRIPTIONS.items()},
        "compounds": book.compounds.all() if principal.can("ingest") else [],
        "sexes": SEXES,
        "max_photo_mb": MAX_PHOTO_BYTES // 1_000_000,
        "error": error,
        "section": section,
    }
    return render(request, "cases/person.html", context, lang="en", status=400 if error else 200)


@router.get("/persons/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, principal: UserDep, store: StoreDep, person_id: str) -> Response:
    return _person_page(request, principal, store, person_id)


def _at(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value.strip()[:20]!r} is not a date (YYYY-MM-DD)", field="at") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@router.post("/persons/{person_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    person_id: str,
    status: Field = "",
    at: Field = "",
    note: Field = "",
    operation: Field = "",
    correction: Field = "",
) -> Response:
    try:
        book_of(store, principal).persons.set_status(
            person_id,
            status,
            at=_at(at),
            note=note.strip() or None,
            operation=operation or None,
            correction=correction == "yes",
        )
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "person":
            raise
        return _person_page(request, principal, store, person_id, str(exc))
    return RedirectResponse(f"/app/cases/persons/{person_id}#timeline", status_code=303)


_PERSON_FIELDS = ("name", "passport", "notes", "sex", "birth_year", "nationality", "languages",
                  "compound", "ref")  # fmt: skip


@router.post("/persons/{person_id}/edit", response_class=HTMLResponse)
def edit_person(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    person_id: str,
    name: Field = "",
    passport: Field = "",
    notes: Field = "",
    sex: Field = "",
    birth_year: Field = "",
    nationality: Field = "",
    languages: Field = "",
    compound: Field = "",
    ref: Field = "",
) -> Response:
    """Change a person's fields (as ``PATCH /api/v1/cases/persons/{id}``): only the fields
    that differ from what is stored are written, so the timeline names what really changed."""
    book = book_of(store, principal)
    given = {"name": name, "passport": passport, "notes": notes, "sex": sex,
             "birth_year": birth_year, "nationality": nationality, "languages": languages,
             "compound": compound, "ref": ref}  # fmt: skip
    try:
        current = book.persons.get(person_id)
        changes: dict[str, Any] = {}
        for key in _PERSON_FIELDS:
            text = given[key].replace("\r\n", "\n").strip()
            if key == "languages":
                wanted: Any = [x.strip() for x in text.split(",") if x.strip()]
                if clean_languages(wanted) != current.languages:  # "th" is stored as "tha"
                    changes[key] = wanted
                continue
            if key == "birth_year":
                if text and not text.isdigit():
                    raise InputError("birth year: a year such as 1998", field="birth_year")
                wanted = int(text) if text else None
            else:
                wanted = text or None
            now_value = getattr(current, key)
            if key == "nationality" and wanted is not None and now_value is not None:
                wanted = wanted.upper()  # stored lower-case, shown upper-case
            if wanted != now_value:
                changes[key] = wanted
        if changes:
            book.persons.update(person_id, changes)
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "person":
            raise
        return _person_page(request, principal, store, person_id, str(exc), "edit")
    return RedirectResponse(f"/app/cases/persons/{person_id}", status_code=303)


@router.post("/persons/{person_id}/photo", response_class=HTMLResponse)
def upload_photo(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    person_id: str,
    photo: Annotated[UploadFile | None, File()] = None,
    remove: Field = "",
) -> Response:
    """Set (or, with ``remove=yes``, clear) the photo: type read from the bytes, metadata
    stripped (`tocsin.cases.photos`), sealed with the field key."""
    book = book_of(store, principal)
    try:
        if remove == "yes":
            book.persons.update(person_id, {"photo": None})
        elif photo is None:
            raise InputError("choose a photo to upload", field="photo")
        else:
            data = photo.file.read(MAX_PHOTO_BYTES + 1)
            book.persons.update(person_id, {"photo": clean_photo(data)})
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "person":
            raise
        return _person_page(request, principal, store, person_id, str(exc), "photo")
    return RedirectResponse(f"/app/cases/persons/{person_id}", status_code=303)


@router.get("/persons/{person_id}/photo")
def person_photo(principal: UserDep, store: StoreDep, person_id: str) -> Response:
    """The photo, to the case team only (404 to anyone else), audited, never cached."""
    found = book_of(store, principal).persons.photo(person_id)
    if found is None:
        raise NotFound(f"{person_id} has no photo", field="photo")
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.post("/persons/{person_id}/link", response_class=HTMLResponse)
def link_report(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    person_id: str,
    report: Field = "",
    note: Field = "",
) -> Response:
    try:
        book_of(store, principal).reports.link(report, person_id, note=note.strip() or None)
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "person":
            raise
        return _person_page(request, principal, store, person_id, str(exc))
    return RedirectResponse(f"/app/cases/persons/{person_id}", status_code=303)


# -- compounds -----------------------------------------------------------------------------------


@router.get("/compounds", response_class=HTMLResponse)
def compounds_page(request: Request, principal: UserDep, store: StoreDep) -> HTMLResponse:
    compounds = book_of(store, principal).compounds.all()
    rows = [c.to_dict() for c in compounds]
    for row in rows:
        row["persons"] = 0
    context = {
        "nav": "cases",
        "compounds": compounds,
        "map": compound_map(rows).base,
        "country_name": country_name,
    }
    return render(request, "cases/compounds.html", context, lang="en")


@router.get("/compounds/{compound_id}", response_class=HTMLResponse)
def compound_page(
    request: Request, principal: UserDep, store: StoreDep, compound_id: str
) -> Response:
    compound = book_of(store, principal).compounds.get(compound_id)
    context = {"nav": "cases", "compound": compound, "country_name": country_name}
    return render(request, "cases/compound.html", context, lang="en")


# -- statistics ----------------------------------------------------------------------------------


def _bars(table: Any, label: Any) -> list[tuple[str, int | None, int]]:
    """(label, released count, width class 0-100 in steps of 5) for the ``.bars`` lists."""
    top = max([c for c in table.counts if c is not None], default=1) or 1
    return [
        (label(lbl), count, 0 if count is None else max(5, (count * 20 // top) * 5))
        for lbl, count in zip(table.labels, table.counts, strict=True)
    ]


def _series(table: Any, label: Any) -> list[tuple[str, int | None]]:
    """[label, released count] pairs for a Chart.js bar chart (``workspace.js``); a withheld
    count is drawn as no bar, its label saying so — its size never reaches the page."""
    return [
        (label(lbl) if count is not None else f"{label(lbl)} (withheld)", count)
        for lbl, count in zip(table.labels, table.counts, strict=True)
    ]


def statistics_context(release: StatsRelease, *, charts: bool) -> dict[str, Any]:
    """What the statistics page shows: bar lists, Chart.js series, the cross table, the map
    (``charts``: also the report's PNG charts, as data URIs)."""
    images = {}
    if charts:
        images = {
            name: "data:image/png;base64," + base64.b64encode(png).decode()
            for name, png in chart_pngs(release).items()
        }
    status_label = lambda s: s.replace("_", " ")  # noqa: E731 - a one-line label function
    same = lambda x: x  # noqa: E731 - a one-line label function
    cross = release.by_nationality_status
    return {
        "release": release,
        "images": images,
        "status_bars": _bars(release.by_status, status_label),
        "nationality_bars": _bars(release.by_nationality, country_name),
        "place_bars": _bars(release.by_place, country_name),
        "compound_bars": _bars(release.by_compound, same),
        "freed_bars": _bars(release.freed_by_nationality, country_name),
        "month_bars": _bars(release.by_month, same),
        "series": {
            "status": _series(release.by_status, status_label),
            "nationality": _series(release.by_nationality, country_name),
            "month": _series(release.by_month, same),
            "compound": _series(release.by_compound, same),
            "freed": _series(release.freed_by_nationality, country_name),
        },
        "cross": {
            "columns": [c.replace("_", " ") for c in cross.columns],
            "rows": [
                (country_name(r), cells, total)
                for r, cells, total in zip(cross.rows, cross.cells, cross.row_totals, strict=True)
            ],
            "column_totals": cross.column_totals,
            "total": cross.total,
        },
        "map": compound_map(release.compounds, release.k).base,
    }


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request, principal: UserDep, store: StoreDep, k: int | None = None
) -> Response:
    release = statistics(book_of(store, principal).context, k=k)
    context = {"nav": "cases", **statistics_context(release, charts=False)}
    return render(request, "cases/statistics.html", context, lang="en")
