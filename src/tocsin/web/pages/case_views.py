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

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tocsin.access import Principal
from tocsin.cases.publish import chart_pngs
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
        count = f"<{k}" if n is None and k is not None else str(n or 0)
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


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, principal: UserDep, store: StoreDep, report_id: str) -> Response:
    book = book_of(store, principal)
    report = book.reports.get(report_id)
    matches = book.matches(report_id)
    context = {
        "nav": "cases",
        "report": report,
        "person": book.persons.get(report.person),
        "matches": matches,
        "case": book.cases.get(report.case),
    }
    return render(request, "cases/report.html", context, lang="en")


# -- persons -------------------------------------------------------------------------------------


def _person_page(
    request: Request, principal: Principal, store: Store, person_id: str, error: str | None = None
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
        "error": error,
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


def statistics_context(release: StatsRelease, *, charts: bool) -> dict[str, Any]:
    images = {}
    if charts:
        images = {
            name: "data:image/png;base64," + base64.b64encode(png).decode()
            for name, png in chart_pngs(release).items()
        }
    status_label = lambda s: s.replace("_", " ")  # noqa: E731 - a one-line label function
    return {
        "release": release,
        "images": images,
        "status_bars": _bars(release.by_status, status_label),
        "nationality_bars": _bars(release.by_nationality, country_name),
        "place_bars": _bars(release.by_place, country_name),
        "compound_bars": _bars(release.by_compound, lambda c: c),
        "freed_bars": _bars(release.freed_by_nationality, country_name),
        "month_bars": _bars(release.by_month, lambda m: m),
        "map": compound_map(release.compounds, release.k).base,
    }


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request, principal: UserDep, store: StoreDep, k: int | None = None
) -> Response:
    release = statistics(book_of(store, principal).context, k=k)
    context = {"nav": "cases", **statistics_context(release, charts=True)}
    return render(request, "cases/statistics.html", context, lang="en")
