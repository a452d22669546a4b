"""The case pages under ``/app/cases``: cases and their teams, missing-person reports with what
they match, persons and their status, operations, spreadsheets.

Every page reads and writes through `tocsin.cases.Casebook` over ``store.as_principal(user)``,
the same calls as ``/api/v1/cases``: a case answers 404 to anyone off its team (admins
included), and every read is audited there. Forms post here (CSRF-checked by the app) and
redirect; a refused change re-renders the form with the reason. The reports, persons,
compounds and statistics pages are in `tocsin.web.pages.case_views`.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tocsin.access import Principal
from tocsin.cases import Casebook, OperationInput, PersonInput, ReportInput
from tocsin.cases.fields import SEXES
from tocsin.cases.transfer import FIELDS, check_targets, import_file, parse_mapping
from tocsin.cases.workflow import INITIAL, Status
from tocsin.errors import InputError, TocsinError
from tocsin.store import Store
from tocsin.web.deps import StoreDep
from tocsin.web.pages.templating import render
from tocsin.web.pages.workspace import UserDep

__all__ = ["book_of", "router"]

router = APIRouter(prefix="/app/cases", include_in_schema=False)

Field = Annotated[str, Form(max_length=500)]
LongField = Annotated[str, Form(max_length=200_000)]
MAX_SHEET_BYTES: Final = 50 * 1024 * 1024


def book_of(store: Store, principal: Principal) -> Casebook:
    return Casebook(store.as_principal(principal))


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value.strip()[:20]!r} is not a date (YYYY-MM-DD)", field=name) from None


def _when(value: str, name: str) -> datetime | None:
    day = _day(value, name)
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]


# -- the list of cases ---------------------------------------------------------------------------


def _index(
    request: Request, principal: Principal, store: Store, error: str | None = None, title: str = ""
) -> HTMLResponse:
    book = book_of(store, principal)
    cases = book.cases.all()
    context = {
        "nav": "cases",
        "cases": cases,
        "error": error,
        "title_value": title,
        "can_write": principal.can("ingest"),
        "totals": {
            "persons": sum(c.persons for c in cases),
            "reports": sum(c.reports for c in cases),
            "operations": sum(c.operations for c in cases),
        },
    }
    return render(request, "cases/index.html", context, lang="en", status=400 if error else 200)


@router.get("", response_class=HTMLResponse)
def cases_page(request: Request, principal: UserDep, store: StoreDep) -> HTMLResponse:
    return _index(request, principal, store)


@router.post("", response_class=HTMLResponse)
def open_case(request: Request, principal: UserDep, store: StoreDep, title: Field = "") -> Response:
    try:
        info = book_of(store, principal).cases.create(title)
    except TocsinError as exc:
        return _index(request, principal, store, str(exc), title)
    return RedirectResponse(f"/app/cases/{info.id}", status_code=303)


def _find(request: Request, principal: Principal, store: Store, q: str) -> HTMLResponse:
    found, error = [], None
    if q.strip():
        try:
            found = book_of(store, principal).persons.find(q[:200])
        except TocsinError as exc:
            error = str(exc)
    context = {"nav": "cases", "q": q, "found": found, "error": error}
    return render(request, "cases/find.html", context, lang="en", status=400 if error else 200)


@router.get("/find", response_class=HTMLResponse)
def find_page(request: Request, principal: UserDep, store: StoreDep) -> HTMLResponse:
    """The search form. The query is posted, never put in a URL: a name in a query string
    would land in the access logs of the server and of any proxy in front of it."""
    return _find(request, principal, store, "")


@router.post("/find", response_class=HTMLResponse)
def find_post(request: Request, principal: UserDep, store: StoreDep, q: Field = "") -> HTMLResponse:
    return _find(request, principal, store, q)


# -- one case ------------------------------------------------------------------------------------


def _case_page(
    request: Request,
    principal: Principal,
    store: Store,
    case_id: str,
    error: str | None = None,
    section: str | None = None,
    imported: dict[str, Any] | None = None,
) -> HTMLResponse:
    book = book_of(store, principal)
    info = book.cases.get(case_id)
    context = {
        "nav": "cases",
        "case": info,
        "reports": book.reports.in_case(case_id),
        "persons": book.persons.in_case(case_id),
        "operations": book.operations.in_case(case_id),
        "compounds": book.compounds.all(),
        "can_write": principal.can("ingest") and info.state == "open",
        "is_lead": principal.system or info.role == "lead",
        "initial": [s.value for s in Status if s in INITIAL and s is not Status.REPORTED],
        "sexes": SEXES,
        "fields": FIELDS,
        "error": error,
        "section": section,
        "imported": imported,
    }
    return render(request, "cases/case.html", context, lang="en", status=400 if error else 200)


@router.get("/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, principal: UserDep, store: StoreDep, case_id: str) -> Response:
    return _case_page(request, principal, store, case_id)


@router.post("/{case_id}/members", response_class=HTMLResponse)
def add_member(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    case_id: str,
    username: Field = "",
    role: Field = "member",
    remove: Field = "",
) -> Response:
    book = book_of(store, principal)
    try:
        if remove == "yes":
            book.cases.remove_member(case_id, username.strip())
            if username.strip() == principal.username:
                return RedirectResponse("/app/cases", status_code=303)
        else:
            book.cases.add_member(case_id, username.strip(), role)
    except InputError as exc:
        if exc.http_status == 404 and exc.field == "case":
            raise
        return _case_page(request, principal, store, case_id, str(exc), "team")
    except TocsinError as exc:
        return _case_page(request, principal, store, case_id, str(exc), "team")
    return RedirectResponse(f"/app/cases/{case_id}#team", status_code=303)


@router.post("/{case_id}/persons", response_class=HTMLResponse)
def add_person(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    case_id: str,
    name: Field = "",
    nationality: Field = "",
    sex: Field = "",
    birth_year: Field = "",
    languages: Field = "",
    compound: Field = "",
    status: Field = "located",
    at: Field = "",
) -> Response:
    try:
        year = int(birth_year) if birth_year.strip() else None
        view = book_of(store, principal).persons.add(
            case_id,
            PersonInput(
                name=name or None,
                nationality=nationality or None,
                sex=sex or None,
                birth_year=year,
                languages=languages.split(","),
                compound=compound or None,
            ),
            status,
            at=_when(at, "at"),
        )
    except ValueError:
        return _case_page(
            request, principal, store, case_id, "birth year: a year such as 1998", "person"
        )
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "case":
            raise
        return _case_page(request, principal, store, case_id, str(exc), "person")
    return RedirectResponse(f"/app/cases/persons/{view.id}", status_code=303)


@router.post("/{case_id}/operations", response_class=HTMLResponse)
def add_operation(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    case_id: str,
    kind: Field = "raid",
    day: Field = "",
    compound: Field = "",
    place: Field = "",
    agencies: Field = "",
    freed: Field = "",
    nationalities: Field = "",
    persons: Annotated[list[str] | None, Form()] = None,
    follow_up: LongField = "",
    source: Field = "",
) -> Response:
    try:
        when = _day(day, "date")
        if when is None:
            raise InputError("an operation needs its date", field="date")
        counts: dict[str, int] = {}
        for part in _lines(nationalities.replace(",", "\n")):
            code, sep, n = part.partition("=")
            if not sep or not n.strip().isdigit():
                raise InputError(
                    f"a nationality count is CODE=N (e.g. TH=109), not {part!r}",
                    field="nationalities",
                )
            counts[code.strip()] = counts.get(code.strip(), 0) + int(n)
        total = int(freed) if freed.strip().isdigit() else None
        if freed.strip() and total is None:
            raise InputError("people freed: a whole number", field="freed")
        op = book_of(store, principal).operations.record(
            case_id,
            OperationInput(
                kind=kind,
                date=when,
                compound=compound or None,
                place=place or None,
                agencies=[a.strip() for a in agencies.split(",")],
                freed_total=total,
                nationalities=counts,
                follow_up=follow_up,
                source=source,
                persons=[p for p in (persons or []) if p],
            ),
        )
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "case":
            raise
        return _case_page(request, principal, store, case_id, str(exc), "operation")
    return RedirectResponse(f"/app/cases/{case_id}?operation={op.id}#operations", status_code=303)


@router.post("/{case_id}/import", response_class=HTMLResponse)
def import_sheet(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    case_id: str,
    file: Annotated[UploadFile, File()],
    mapping: LongField = "",
    sheet: Field = "",
) -> Response:
    book = book_of(store, principal)
    try:
        pairs = _lines(mapping)
        given = parse_mapping(pairs) if pairs else {}
        check_targets(given)
        name = Path(file.filename or "sheet.csv").name
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            size = 0
            with path.open("wb") as out:
                while chunk := file.file.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_SHEET_BYTES:
                        raise InputError("the sheet is larger than 50 MB", field="file")
                    out.write(chunk)
            result = import_file(book.context, case_id, path, given, sheet=sheet or None)
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "case":
            raise
        return _case_page(request, principal, store, case_id, str(exc), "import")
    imported = {
        **result.to_dict(),
        "file": name,
        "errors": [str(e).replace(str(path), name) for e in result.errors],
    }
    return _case_page(request, principal, store, case_id, section="import", imported=imported)


# -- new report ----------------------------------------------------------------------------------


def _report_form(
    request: Request,
    principal: Principal,
    store: Store,
    case_id: str,
    values: dict[str, Any] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    book = book_of(store, principal)
    context = {
        "nav": "cases",
        "case": book.cases.get(case_id),
        "compounds": book.compounds.all(),
        "sexes": SEXES,
        "values": values or {},
        "error": error,
    }
    return render(
        request, "cases/report_form.html", context, lang="en", status=400 if error else 200
    )


@router.get("/{case_id}/reports/new", response_class=HTMLResponse)
def new_report(request: Request, principal: UserDep, store: StoreDep, case_id: str) -> Response:
    return _report_form(request, principal, store, case_id)


@router.post("/{case_id}/reports", response_class=HTMLResponse)
def add_report(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    case_id: str,
    name: Field = "",
    nationality: Field = "",
    sex: Field = "",
    birth_year: Field = "",
    languages: Field = "",
    passport: Field = "",
    last_contact: Field = "",
    last_contact_via: Field = "",
    place: Field = "",
    country: Field = "",
    compound: Field = "",
    job_title: Field = "",
    promised_place: Field = "",
    offer: LongField = "",
    contacts: LongField = "",
    reporter_relation: Field = "",
    reporter_contact: Field = "",
) -> Response:
    values = {k: v for k, v in locals().items() if isinstance(v, str) and k != "case_id"}
    try:
        if birth_year.strip() and not birth_year.strip().isdigit():
            raise InputError("birth year: a year such as 1998", field="birth_year")
        item = ReportInput(
            person=PersonInput(
                name=name or None,
                passport=passport or None,
                nationality=nationality or None,
                sex=sex or None,
                birth_year=int(birth_year) if birth_year.strip() else None,
                languages=languages.split(","),
            ),
            last_contact_at=_day(last_contact, "last_contact"),
            last_contact_channel=last_contact_via or None,
            last_known_place=place or None,
            last_known_country=country or None,
            compound=compound or None,
            job_title=job_title or None,
            promised_place=promised_place or None,
            offer_text=offer or None,
            recruiter_contacts=_lines(contacts),
            reporter_relation=reporter_relation or None,
            reporter_contact=reporter_contact or None,
        )
        report = book_of(store, principal).reports.create(case_id, item)
    except TocsinError as exc:
        if exc.http_status == 404 and getattr(exc, "field", None) == "case":
            raise
        return _report_form(request, principal, store, case_id, values, str(exc))
    return RedirectResponse(f"/app/cases/reports/{report.id}", status_code=303)
