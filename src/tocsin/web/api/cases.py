"""``/api/v1/cases``: missing-person reports, persons, operations, compounds, statistics.

Need-to-know: a case and everything in it answer 404 to anyone not on its team (admins
included), exactly like a case that does not exist; every read is audited (`tocsin.cases`).
Writing needs a place on the team and the analyst role; managing the team, a lead. Personal
fields (names, passport numbers, notes, families' contacts, photos) are returned to the team
only and are encrypted at rest when the deployment has a field key.
"""

from __future__ import annotations

import io
import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from tocsin.access import Principal
from tocsin.cases import Casebook
from tocsin.cases.fields import MAX_PHOTO_BYTES
from tocsin.cases.photos import clean_photo
from tocsin.cases.publish import render_html, render_pdf
from tocsin.cases.reference import load_reference
from tocsin.cases.stats import StatsRelease, statistics
from tocsin.cases.transfer import EXPORTABLE_PERSONAL, check_targets, export_persons, import_file
from tocsin.errors import InputError
from tocsin.web.api.case_models import (
    CaseIn,
    CompanyIn,
    CompoundIn,
    FamilyIn,
    FindIn,
    LinkIn,
    MemberIn,
    NameIn,
    OperationIn,
    PersonCreate,
    PersonIn,
    ReportIn,
    SelectorLinkIn,
    StateIn,
    StatusIn,
)
from tocsin.web.deps import StoreDep, require_role

__all__ = ["router"]

router = APIRouter(prefix="/cases", tags=["cases"])

Viewer = Annotated[Principal, Depends(require_role("viewer"))]
Json = dict[str, Any]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such thing, or not in a case you are on the team of."}
}
MAX_SHEET_BYTES = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PHOTO_UPLOAD = MAX_PHOTO_BYTES + 64 * 1024
CaseIds = Annotated[list[str] | None, Query(alias="case", max_length=50)]


def _book(store: StoreDep, principal: Principal) -> Casebook:
    return Casebook(store.as_principal(principal))


# -- cases and teams -------------------------------------------------------------------------


@router.get("", summary="Cases you are on the team of")
def list_cases(store: StoreDep, principal: Viewer) -> list[Json]:
    return [c.to_dict() for c in _book(store, principal).cases.all()]


@router.post("", status_code=201, summary="Open a case (you lead it)")
def open_case(body: CaseIn, store: StoreDep, principal: Viewer) -> Json:
    members = [(m.username, m.role) for m in body.members]
    return _book(store, principal).cases.create(body.title, members=members).to_dict()


# -- persons -----------------------------------------------------------------------------------


@router.get("/persons/search", summary="Find persons of your cases by name, passport, id")
def find_persons(
    store: StoreDep, principal: Viewer, q: Annotated[str, Query(min_length=2, max_length=200)]
) -> list[Json]:
    """Personal fields are encrypted, so they are searched here — only in your cases — and
    never by the documents' full-text index. The query is not written to the audit log, but a
    query string ends up in web servers' and proxies' access logs: prefer the POST twin."""
    return [p.to_dict() for p in _book(store, principal).persons.find(q)]


@router.post("/persons/search", summary="Find persons of your cases (the query in the body)")
def find_persons_post(body: FindIn, store: StoreDep, principal: Viewer) -> list[Json]:
    """As ``GET /persons/search``, with the query in the body, so no name reaches a URL."""
    return [p.to_dict() for p in _book(store, principal).persons.find(body.q)]


@router.get("/persons/{person_id}", summary="A person with the timeline", responses=NOT_FOUND)
def get_person(person_id: str, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).persons.get(person_id).to_dict()


@router.patch("/persons/{person_id}", summary="Change fields of a person", responses=NOT_FOUND)
def edit_person(person_id: str, body: PersonIn, store: StoreDep, principal: Viewer) -> Json:
    """Only the fields sent change; the timeline records their names, never their values."""
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    if not changes:
        raise InputError("nothing to change", field="body")
    return _book(store, principal).persons.update(person_id, changes).to_dict()


@router.post(
    "/persons/{person_id}/status",
    summary="Record a status change",
    responses={**NOT_FOUND, 409: {"description": "A change the workflow does not allow."}},
)
def set_status(person_id: str, body: StatusIn, store: StoreDep, principal: Viewer) -> Json:
    """reported → located → rescued → in_shelter → repatriated, or another outcome; the 409
    answer names the allowed changes. ``correction`` (a lead, with a note) fixes a mistake."""
    view = _book(store, principal).persons.set_status(
        person_id, body.status, at=body.at, note=body.note, operation=body.operation,
        correction=body.correction,
    )  # fmt: skip
    return view.to_dict()


@router.get(
    "/persons/{person_id}/photo",
    summary="A person's photo",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
    },
)
def get_photo(person_id: str, store: StoreDep, principal: Viewer) -> Response:
    found = _book(store, principal).persons.photo(person_id)
    if found is None:
        raise InputError(f"{person_id} has no photo", field="photo")
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.put(
    "/persons/{person_id}/photo",
    summary="Set a person's photo (JPEG, PNG or WebP; encrypted at rest)",
    responses=NOT_FOUND,
    max_body_size=MAX_PHOTO_UPLOAD,
)
def put_photo(
    person_id: str,
    store: StoreDep,
    principal: Viewer,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 2 MB")],
) -> Json:
    data = file.file.read(MAX_PHOTO_BYTES + 1)
    changes = {"photo": clean_photo(data)}  # type sniffed, metadata (EXIF, GPS) stripped
    return _book(store, principal).persons.update(person_id, changes).to_dict()


# -- reports -----------------------------------------------------------------------------------


@router.get("/reports/{report_id}", summary="A missing-person report", responses=NOT_FOUND)
def get_report(report_id: str, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).reports.get(report_id).to_dict()


@router.get(
    "/reports/{report_id}/matches", summary="What the report's selectors share", responses=NOT_FOUND
)
def get_matches(report_id: str, store: StoreDep, principal: Viewer) -> Json:
    """Documents naming each selector, the network they form, other reports of your cases and
    compounds sharing them — only what you may see."""
    return _book(store, principal).matches(report_id).to_dict()


@router.patch(
    "/reports/{report_id}",
    summary="Change who reported and the family's contact",
    responses=NOT_FOUND,
)
def edit_family(report_id: str, body: FamilyIn, store: StoreDep, principal: Viewer) -> Json:
    """``reporter_name`` and ``reporter_contact`` are sealed like every personal field; the
    person's timeline records which fields changed, never their values."""
    changes = {k: getattr(body, k) for k in body.model_fields_set}
    return _book(store, principal).reports.update_family(report_id, changes).to_dict()


@router.post(
    "/reports/{report_id}/link",
    summary="The person a report is about was found",
    responses=NOT_FOUND,
)
def link_report(report_id: str, body: LinkIn, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).reports.link(report_id, body.person, note=body.note).to_dict()


# -- operations --------------------------------------------------------------------------------


@router.get("/operations/{operation_id}", summary="An operation", responses=NOT_FOUND)
def get_operation(operation_id: str, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).operations.get(operation_id).to_dict()


# -- compounds ---------------------------------------------------------------------------------


@router.get("/compounds", summary="Compounds you can see")
def list_compounds(store: StoreDep, principal: Viewer) -> list[Json]:
    return [c.to_dict() for c in _book(store, principal).compounds.all()]


@router.post("/compounds", status_code=201, summary="Add a compound")
def add_compound(body: CompoundIn, store: StoreDep, principal: Viewer) -> Json:
    book = _book(store, principal)
    return book.compounds.add(body.to_input(), dataset=body.dataset, marking=body.marking).to_dict()


@router.post("/compounds/reference", summary="Load or refresh the reference compounds (admin)")
def reference(store: StoreDep, principal: Viewer) -> Json:
    added, updated = load_reference(_book(store, principal).context)
    return {"added": added, "updated": updated}


@router.get(
    "/compounds/{compound_id}", summary="A compound and what concerns it", responses=NOT_FOUND
)
def get_compound(compound_id: str, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).compounds.get(compound_id).to_dict()


@router.post("/compounds/{compound_id}/names", summary="Add a name", responses=NOT_FOUND)
def add_name(compound_id: str, body: NameIn, store: StoreDep, principal: Viewer) -> Json:
    book = _book(store, principal)
    return book.compounds.add_name(compound_id, body.name, body.language, body.script).to_dict()


@router.post("/compounds/{compound_id}/companies", summary="Add a company", responses=NOT_FOUND)
def add_company(compound_id: str, body: CompanyIn, store: StoreDep, principal: Viewer) -> Json:
    book = _book(store, principal)
    return book.compounds.add_company(compound_id, body.name, body.role, body.note).to_dict()


@router.post("/compounds/{compound_id}/selectors", summary="Tie a selector", responses=NOT_FOUND)
def link_selector(
    compound_id: str, body: SelectorLinkIn, store: StoreDep, principal: Viewer
) -> Json:
    book = _book(store, principal)
    return book.compounds.link_selector(compound_id, body.selector, remove=body.remove).to_dict()


# -- statistics and spreadsheets ---------------------------------------------------------------


def _release(
    store: StoreDep, principal: Principal, k: int | None, cases: list[str] | None,
    since: date | None, until: date | None, round_base: int | None = None,
) -> StatsRelease:  # fmt: skip
    context = _book(store, principal).context
    return statistics(context, k=k, case_ids=cases, since=since, until=until,
                      round_base=round_base)  # fmt: skip


K = Annotated[
    int | None,
    Query(ge=2, le=1000, description="[default and least: TOCSIN_STATS_MIN_COUNT]"),
]
RoundBase = Annotated[
    int | None,
    Query(
        ge=0, le=100,
        description="Round every figure at random to this base [default and least: "
        "TOCSIN_STATS_ROUND_BASE]",
    ),
]  # fmt: skip


@router.get("/statistics", summary="Counts with small counts withheld")
def get_statistics(
    store: StoreDep, principal: Viewer, k: K = None, case: CaseIds = None,
    since: date | None = None, until: date | None = None, round_base: RoundBase = None,
) -> Json:  # fmt: skip
    """Persons by nationality × status (``by_nationality_status``, whose margins are
    ``by_nationality`` and ``by_status``), month, place and compound, and people freed in
    operations; ``null`` marks a withheld count (below k, or needed to protect one — all tables
    of a release are protected together). ``k`` and ``round_base`` can only be raised above
    the deployment's settings."""
    return _release(store, principal, k, case, since, until, round_base).to_dict()


@router.get(
    "/statistics/report",
    summary="The printable report (HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_report_file(
    store: StoreDep, principal: Viewer, k: K = None, case: CaseIds = None,
    round_base: RoundBase = None, format: Literal["html", "pdf"] = "html",
    title: Annotated[str, Query(max_length=200)] = "Scam-compound trafficking: persons assisted",
) -> Response:  # fmt: skip
    release = _release(store, principal, k, case, None, None, round_base)
    if format == "pdf":
        disposition = 'attachment; filename="tocsin-cases.pdf"'
        return Response(
            render_pdf(release, title=title),
            media_type="application/pdf",
            headers={"Content-Disposition": disposition},
        )
    return HTMLResponse(
        render_html(release, title=title),
        headers={"Content-Disposition": 'attachment; filename="tocsin-cases.html"'},
    )


@router.get(
    "/export",
    summary="Persons as CSV or XLSX (personal fields only when named)",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
def export(
    store: StoreDep, principal: Viewer, case: CaseIds = None,
    format: Literal["csv", "xlsx"] = "csv",
    include: Annotated[list[Literal["name", "passport", "notes", "reporter_name",
                                    "reporter_contact"]] | None, Query()] = None,
) -> Response:  # fmt: skip
    """Audited with the personal fields it carries."""
    out = io.BytesIO()
    fields = [f for f in (include or []) if f in EXPORTABLE_PERSONAL]
    export_persons(_book(store, principal).context, out, fmt=format, case_ids=case,
                   include=fields)  # fmt: skip
    media = "text/csv" if format == "csv" else XLSX
    return Response(out.getvalue(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="tocsin-persons.{format}"',
        "Cache-Control": "no-store"})  # fmt: skip


# -- one case ----------------------------------------------------------------------------------


@router.get("/{case_id}", summary="A case and its team", responses=NOT_FOUND)
def get_case(case_id: str, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).cases.get(case_id).to_dict()


@router.post("/{case_id}/members", summary="Put a user on the team (lead)", responses=NOT_FOUND)
def add_member(case_id: str, body: MemberIn, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).cases.add_member(case_id, body.username, body.role).to_dict()


@router.delete(
    "/{case_id}/members/{username}", status_code=204, summary="Take a user off the team (lead)",
    responses=NOT_FOUND,
)  # fmt: skip
def remove_member(case_id: str, username: str, store: StoreDep, principal: Viewer) -> Response:
    _book(store, principal).cases.remove_member(case_id, username)
    return Response(status_code=204)


@router.put("/{case_id}/state", summary="Close or reopen a case (lead)", responses=NOT_FOUND)
def set_state(case_id: str, body: StateIn, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).cases.set_state(case_id, body.state).to_dict()


@router.get("/{case_id}/persons", summary="Persons of a case", responses=NOT_FOUND)
def case_persons(
    case_id: str, store: StoreDep, principal: Viewer,
    status: Annotated[str | None, Query(max_length=30)] = None,
) -> list[Json]:  # fmt: skip
    return [p.to_dict() for p in _book(store, principal).persons.in_case(case_id, status)]


@router.post("/{case_id}/persons", status_code=201, summary="Record a person", responses=NOT_FOUND)
def add_person(case_id: str, body: PersonCreate, store: StoreDep, principal: Viewer) -> Json:
    """A survivor met without a report; no name needed (a pseudonymous id is given)."""
    book = _book(store, principal)
    return book.persons.add(case_id, body.person.to_input(), body.status, at=body.at).to_dict()


@router.get("/{case_id}/reports", summary="Missing-person reports of a case", responses=NOT_FOUND)
def case_reports(case_id: str, store: StoreDep, principal: Viewer) -> list[Json]:
    return [r.to_dict() for r in _book(store, principal).reports.in_case(case_id)]


@router.post(
    "/{case_id}/reports", status_code=201, summary="Record a missing-person report",
    responses=NOT_FOUND,
)  # fmt: skip
def add_report(case_id: str, body: ReportIn, store: StoreDep, principal: Viewer) -> Json:
    """The offer and the recruiter's contacts are stored, scanned and linked in the case's
    RED dataset; the answer carries the report and its matches."""
    book = _book(store, principal)
    report = book.reports.create(case_id, body.to_input())
    return {"report": report.to_dict(), "matches": book.matches(report.id).to_dict()}


@router.get("/{case_id}/operations", summary="Operations of a case", responses=NOT_FOUND)
def case_operations(case_id: str, store: StoreDep, principal: Viewer) -> list[Json]:
    return [o.to_dict() for o in _book(store, principal).operations.in_case(case_id)]


@router.post(
    "/{case_id}/operations", status_code=201, summary="Record a raid, rescue or escape",
    responses=NOT_FOUND,
)  # fmt: skip
def add_operation(case_id: str, body: OperationIn, store: StoreDep, principal: Viewer) -> Json:
    return _book(store, principal).operations.record(case_id, body.to_input()).to_dict()


@router.post(
    "/{case_id}/import",
    summary="Import a CSV or XLSX sheet",
    responses=NOT_FOUND,
    max_body_size=MAX_SHEET_BYTES + 1024 * 1024,
)
def import_sheet(
    case_id: str, store: StoreDep, principal: Viewer,
    file: Annotated[UploadFile, File(description="CSV, TSV or XLSX")],
    mapping: Annotated[str, Form(max_length=20_000, description='JSON {"Column": "field"}')] = "{}",
    sheet: Annotated[str | None, Form(max_length=200)] = None,
) -> Json:  # fmt: skip
    """Bad rows are listed with row and column and skipped; good rows are kept."""
    try:
        given = json.loads(mapping or "{}")
    except json.JSONDecodeError:
        raise InputError("the mapping is not JSON", field="mapping") from None
    if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
        raise InputError('the mapping is a JSON object {"Column": "field"}', field="mapping")
    name = Path(file.filename or "upload.csv").name
    suffix = Path(name).suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sheet{suffix}"
        size = 0
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_SHEET_BYTES:
                    raise InputError(
                        f"the sheet is larger than {MAX_SHEET_BYTES} bytes", field="file"
                    )
                out.write(chunk)
        check_targets({str(k): v for k, v in given.items()})
        result = import_file(_book(store, principal).context, case_id, path, given, sheet=sheet)
    data = result.to_dict()
    data["file"] = name
    return data
