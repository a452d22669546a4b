"""Spreadsheets in and out: CSV and XLSX, the way hotline teams already keep their cases.

**Import** maps the sheet's columns to Tocsin's fields — a column named like a field maps by
itself; others are mapped with ``--map "Full name=name"`` or a mapping file — and reads every
row: a row with any report field (date reported, job offer, recruiter contacts, ...) or with
status ``reported`` becomes a missing-person report; any other row a person with the given
status (the status is taken as the sheet gives it and recorded as the person's first event:
a spreadsheet's history is what it is). A bad row is reported with file, row and column and
skipped; the good rows are kept. Columns nobody mapped are listed, never silently dropped.

**Export** writes one row per person of the principal's cases, *without* personal fields
unless they are named (``include``); every export is audited with the fields it carried. Cells
that a spreadsheet would run as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy import select

from tocsin.access.principal import AccessDenied
from tocsin.cases.context import CaseContext, aware, new_id
from tocsin.cases.fields import (
    PersonInput,
    ReportInput,
    parse_date,
    parse_datetime,
)
from tocsin.cases.persons import insert_person
from tocsin.cases.reports import insert_report, report_documents, store_documents
from tocsin.cases.workflow import Status, parse
from tocsin.errors import InputError, RecordError
from tocsin.store.schema import CASE_TABLES

__all__ = [
    "EXPORTABLE_PERSONAL",
    "EXPORT_COLUMNS",
    "FIELDS",
    "ImportResult",
    "check_targets",
    "export_persons",
    "export_rows",
    "import_file",
    "parse_mapping",
    "read_mapping_file",
]

T = CASE_TABLES
PERSON_FIELDS: Final = ("ref", "name", "passport", "notes", "sex", "birth_year", "age",
                        "nationality", "languages", "compound")  # fmt: skip
REPORT_FIELDS: Final = (
    "reported_at", "reporter_name", "reporter_contact", "reporter_relation", "last_contact_at",
    "last_contact_channel", "last_known_place", "last_known_country", "job_title",
    "promised_place", "job_offer", "recruiter_contacts",
)  # fmt: skip
STATUS_FIELDS: Final = ("status", "status_at")
FIELDS: Final = PERSON_FIELDS + REPORT_FIELDS + STATUS_FIELDS
"""Every field a sheet's column can be mapped to (docs/cases.md lists what each holds)."""

EXPORT_COLUMNS: Final = (
    "id", "case", "ref", "sex", "birth_year", "nationality", "languages", "status",
    "status_at", "compound", "report", "reported_at", "last_contact_at", "last_known_place",
    "last_known_country", "job_title", "promised_place", "recruiter_contacts", "operations",
)  # fmt: skip
EXPORTABLE_PERSONAL: Final = ("name", "passport", "notes", "reporter_name", "reporter_contact")
BATCH: Final = 500
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _key(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``["Full name=name", ...]`` → ``{"Full name": "name"}`` (checked against `FIELDS`)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f"a mapping is 'Column=field', not {pair!r}", field="map")
        mapping[column.strip()] = target.strip()
    check_targets(mapping)
    return mapping


def read_mapping_file(path: Path) -> dict[str, str]:
    """A JSON object ``{"Column": "field"}`` or a two-column CSV (column, field)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"cannot read the mapping file: {exc.strerror}", source=str(path)
        ) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", source=str(path), line=exc.lineno) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise InputError('a JSON mapping is an object {"Column": "field"}', source=str(path))
        mapping = {str(k): v for k, v in data.items()}
    else:
        mapping = {}
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2:
                raise InputError("a CSV mapping has two columns: column, field",
                                 source=str(path), line=number)  # fmt: skip
            mapping[row[0].strip()] = row[1].strip()
    check_targets(mapping, source=str(path))
    return mapping


def check_targets(mapping: Mapping[str, str], source: str | None = None) -> None:
    for column, target in mapping.items():
        if target not in FIELDS and target != "ignore":
            raise InputError(
                f"{column!r} is mapped to {target!r}, which is not a field "
                f"(one of: {', '.join(FIELDS)}, or 'ignore')",
                source=source, field="map",
            )  # fmt: skip


@dataclass(slots=True)
class ImportResult:
    rows: int = 0
    reports: int = 0
    persons: int = 0
    blank: int = 0
    errors: list[RecordError] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "reports": self.reports,
            "persons": self.persons,
            "blank": self.blank,
            "errors": [
                {"row": e.line, "column": e.field, "message": e.message} for e in self.errors
            ],
            "mapping": self.mapping,
            "ignored_columns": self.ignored_columns,
        }


def _read_rows(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """(header, rows numbered as the spreadsheet numbers them: the header is row 1).

    The header is read (and the file closed) at once; the rows are read when iterated."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, sheet)
    if suffix not in (".csv", ".tsv", ".txt"):
        raise InputError("import reads .csv, .tsv or .xlsx files", source=str(path))
    delimiter = "\t" if suffix == ".tsv" else ","

    def opened() -> IO[str]:
        try:
            return path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None

    with opened() as handle:
        try:
            header = [h.strip() for h in next(csv.reader(handle, delimiter=delimiter), [])]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"cannot read the header: {exc}", source=str(path), line=1) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with opened() as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            number = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise InputError(
                        f"unreadable ({exc})", source=str(path), line=number + 1
                    ) from None
                number = reader.line_num
                if number > 1:
                    yield number, row

    return header, rows()


def _xlsx(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def worksheet() -> Any:
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise InputError(f"not a readable XLSX file ({exc})", source=str(path)) from None
        if sheet is not None and sheet not in book.sheetnames:
            book.close()
            raise InputError(
                f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})", source=str(path)
            )
        return book, (book[sheet] if sheet is not None else book.worksheets[0])

    book, ws = worksheet()
    try:
        first = next(ws.iter_rows(values_only=True, max_row=1), ())
        header = [str(c).strip() if c is not None else "" for c in first]
    finally:
        book.close()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        book, ws = worksheet()
        try:
            for number, row in enumerate(ws.iter_rows(values_only=True, min_row=2), start=2):
                yield number, list(row)
        finally:
            book.close()

    return header, rows()


def _resolve_mapping(header: list[str], given: Mapping[str, str], source: str) -> dict[int, str]:
    """Column index → field: given mappings first, then columns named like a field."""
    missing = [c for c in given if c not in header]
    if missing:
        raise InputError(
            f"the mapping names columns the file does not have: {', '.join(missing)} "
            f"(columns: {', '.join(h for h in header if h)})",
            source=source, line=1, field="map",
        )  # fmt: skip
    found: dict[int, str] = {}
    for index, column in enumerate(header):
        target = given.get(column) or (_key(column) if _key(column) in FIELDS else None)
        if target is not None and target != "ignore":
            if target in found.values():
                raise InputError(f"two columns are mapped to {target!r}", source=source,
                                 line=1, field=column)  # fmt: skip
            found[index] = target
    if not found:
        raise InputError(
            "no column maps to a field; map them with --map 'Column=field'",
            source=source, line=1,
            hint=f"fields: {', '.join(FIELDS)}",
        )  # fmt: skip
    return found


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _int(value: Any, column: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"{str(value)[:20]!r} is not a whole number", field=column) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(slots=True)
class _Row:
    number: int
    report: ReportInput | None
    person: PersonInput | None
    status: Status
    status_at: datetime | None


def _parse_row(values: dict[str, Any], columns: dict[str, str]) -> _Row | None:
    """Inputs from one row (``values``: field → cell); None when every mapped cell is empty.
    Raises `InputError` naming the *sheet's* column."""
    if all(v is None for v in values.values()):
        return None
    current = ""
    try:
        current = columns.get("status", "status")
        status_text = _text(values.get("status"))
        status = parse(status_text) if status_text else None
        current = columns.get("status_at", "status_at")
        status_at = parse_datetime(values.get("status_at"), current)
        current = columns.get("reported_at", "reported_at")
        reported_at = parse_datetime(values.get("reported_at"), current)
        current = columns.get("birth_year", "birth_year")
        birth_year = _int(values.get("birth_year"), current)
        if birth_year is None and values.get("age") is not None:
            current = columns.get("age", "age")
            age = _int(values.get("age"), current)
            assert age is not None
            if not 0 < age < 120:
                raise InputError(f"{age} is not an age", field=current)
            birth_year = (reported_at or datetime.now()).year - age
        current = ""
        person = PersonInput(
            name=_text(values.get("name")), passport=_text(values.get("passport")),
            notes=_text(values.get("notes")), sex=_text(values.get("sex")),
            birth_year=birth_year, nationality=_text(values.get("nationality")),
            languages=(_text(values.get("languages")) or "").split(","),
            compound=_text(values.get("compound")), ref=_text(values.get("ref")),
        ).cleaned()  # fmt: skip
        is_report = status in (None, Status.REPORTED) or any(
            values.get(f) is not None for f in REPORT_FIELDS
        )
        if not is_report:
            assert status is not None
            return _Row(0, None, person, status, status_at)
        current = columns.get("last_contact_at", "last_contact_at")
        last_contact = parse_date(values.get("last_contact_at"), current)
        current = ""
        contacts = (_text(values.get("recruiter_contacts")) or "").replace(";", "\n")
        report = ReportInput(
            person=person, reported_at=reported_at,
            reporter_name=_text(values.get("reporter_name")),
            reporter_contact=_text(values.get("reporter_contact")),
            reporter_relation=_text(values.get("reporter_relation")),
            last_contact_at=last_contact,
            last_contact_channel=_text(values.get("last_contact_channel")),
            last_known_place=_text(values.get("last_known_place")),
            last_known_country=_text(values.get("last_known_country")),
            compound=person.compound, job_title=_text(values.get("job_title")),
            promised_place=_text(values.get("promised_place")),
            offer_text=_text(values.get("job_offer")),
            recruiter_contacts=contacts.split("\n"),
        ).cleaned()  # fmt: skip
        return _Row(0, report, None, status or Status.REPORTED, status_at)
    except InputError as exc:
        column = exc.field
        if column is not None and column in FIELDS:
            column = columns.get(column, column)
        raise InputError(exc.message, field=column or current or None, hint=exc.hint) from None


def import_file(
    ctx: CaseContext,
    case_id: str,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
) -> ImportResult:
    """Import a CSV or XLSX sheet into a case; bad rows are reported, good rows kept."""
    source = str(path)
    header, rows = _read_rows(path, sheet)
    by_index = _resolve_mapping(header, mapping or {}, source)
    columns = {target: header[i] for i, target in by_index.items()}  # field → sheet column
    result = ImportResult(mapping={header[i]: t for i, t in by_index.items()})
    result.ignored_columns = [h for i, h in enumerate(header) if h and i not in by_index]
    with ctx.engine.connect() as conn:
        case = ctx.case_ref(conn, case_id)
        ctx.require_write(case)
        known_refs = set(
            conn.scalars(select(T.persons.c.ref).where(T.persons.c.case_pk == case.pk))
        )
        compounds = set(conn.scalars(select(T.compounds.c.id)))
    batch: list[_Row] = []
    refs_seen: set[str] = set()
    for number, raw in rows:
        result.rows += 1
        values = {t: _cell(raw[i]) if i < len(raw) else None for i, t in by_index.items()}
        try:
            row = _parse_row(values, columns)
            if row is None:
                result.blank += 1
                continue
            person = row.report.person if row.report is not None else row.person
            assert person is not None
            if person.ref is not None:
                if person.ref in known_refs or person.ref in refs_seen:
                    raise InputError(f"the reference {person.ref!r} is already in case {case.id}",
                                     field=columns.get("ref"))  # fmt: skip
                refs_seen.add(person.ref)
            if person.compound is not None and person.compound.lower() not in compounds:
                raise InputError(f"no compound {person.compound!r}", field=columns.get("compound"))
        except InputError as exc:
            result.errors.append(RecordError(exc.message, source=source, line=number,
                                             field=exc.field, hint=exc.hint))  # fmt: skip
            continue
        row.number = number
        batch.append(row)
        if len(batch) >= BATCH:
            _write(ctx, case_id, batch, result, source)
            batch = []
    if batch:
        _write(ctx, case_id, batch, result, source)
    return result


def _write(
    ctx: CaseContext, case_id: str, batch: list[_Row], result: ImportResult, source: str
) -> None:
    ids = {row.number: new_id("R") for row in batch if row.report is not None}
    docs: dict[str, Any] = {}
    for row in batch:
        if row.report is not None:
            docs.update(report_documents(case_id, ids[row.number], row.report))
    store_documents(ctx, case_id, [d for pair in docs.values() for d in pair.values()])
    detail = {"case": case_id, "rows": len(batch), "source": Path(source).name}
    with ctx.transaction("cases.import", "case", case_id, detail) as conn:
        case = ctx.case_ref(conn, case_id)
        note = f"imported from {Path(source).name}"
        for row in batch:
            if row.report is not None:
                report_id = ids[row.number]
                insert_report(ctx, conn, case, row.report, report_id, docs.get(report_id, {}),
                              status=row.status, status_at=row.status_at, note=note)  # fmt: skip
                result.reports += 1
            else:
                assert row.person is not None
                insert_person(ctx, conn, case, row.person, row.status, at=row.status_at,
                              note=note)  # fmt: skip
                result.persons += 1


# -- export ----------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    """What a spreadsheet must not run as a formula gets an apostrophe in front."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def export_rows(
    ctx: CaseContext, case_ids: Sequence[str] | None, include: Sequence[str]
) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) of every person in the principal's cases (or the given ones)."""
    unknown = [f for f in include if f not in EXPORTABLE_PERSONAL]
    if unknown:
        raise InputError(
            f"cannot include {', '.join(unknown)} (personal fields that can be named: "
            f"{', '.join(EXPORTABLE_PERSONAL)}; photos are never exported)",
            field="include",
        )
    if not ctx.principal.can("export"):
        raise AccessDenied(f"{ctx.principal.username} ({ctx.principal.role}) may not export")
    columns = [*EXPORT_COLUMNS, *include]
    detail = {"cases": list(case_ids or ["*"]), "personal_fields": sorted(include)}
    with ctx.transaction("cases.export", "case", ",".join(case_ids or ["*"]), detail) as conn:
        if case_ids:
            pks = [ctx.case_ref(conn, c).pk for c in case_ids]
        else:
            members = ctx.member_case_pks(conn)
            pks = members if members is not None else list(conn.scalars(select(T.cases.c.pk)))
        cases = dict(conn.execute(select(T.cases.c.pk, T.cases.c.id)).all())
        compounds = dict(conn.execute(select(T.compounds.c.pk, T.compounds.c.id)).all())
        reports: dict[int, Any] = {}
        for rep in conn.execute(
            select(T.missing_reports).where(T.missing_reports.c.case_pk.in_(pks))
            .order_by(T.missing_reports.c.reported_at)
        ):  # fmt: skip
            reports.setdefault(rep.person_pk, rep)
        operations: dict[int, list[str]] = {}
        for person_pk, op in conn.execute(
            select(T.operation_persons.c.person_pk, T.operations.c.id)
            .join(T.operations, T.operations.c.pk == T.operation_persons.c.operation_pk)
            .where(T.operations.c.case_pk.in_(pks))
        ):  # fmt: skip
            operations.setdefault(person_pk, []).append(op)
        rows = []
        c = ctx.cipher
        for p in conn.execute(
            select(T.persons).where(T.persons.c.case_pk.in_(pks)).order_by(T.persons.c.pk)
        ):
            r = reports.get(p.pk)
            values: dict[str, Any] = {
                "id": p.id, "case": cases[p.case_pk], "ref": p.ref, "sex": p.sex,
                "birth_year": p.birth_year,
                "nationality": p.nationality.upper() if p.nationality else None,
                "languages": ",".join(x for x in p.languages.split(",") if x),
                "status": p.status, "status_at": aware(p.status_at),
                "compound": compounds.get(p.compound_pk),
                "report": r.id if r is not None else None,
                "reported_at": aware(r.reported_at) if r is not None else None,
                "last_contact_at": r.last_contact_at if r is not None else None,
                "last_known_place": r.last_known_place if r is not None else None,
                "last_known_country": r.last_known_country.upper()
                if r is not None and r.last_known_country else None,
                "job_title": r.job_title if r is not None else None,
                "promised_place": r.promised_place if r is not None else None,
                "recruiter_contacts": r.recruiter_contacts.replace("\n", "; ")
                if r is not None else None,
                "operations": ",".join(operations.get(p.pk, [])),
            }  # fmt: skip
            for name in include:
                if name in ("name", "passport", "notes"):
                    values[name] = c.open(getattr(p, name), place=f"persons.{name}:{p.id}")
                elif r is not None:
                    place = f"missing_reports.{name}:{r.id}"
                    values[name] = c.open(getattr(r, name), place=place)
            rows.append([values.get(col) for col in columns])
    return columns, rows


def export_persons(
    ctx: CaseContext,
    out: IO[bytes],
    *,
    fmt: str,
    case_ids: Sequence[str] | None = None,
    include: Sequence[str] = (),
) -> int:
    """Write the export as ``csv`` or ``xlsx`` to ``out``; returns the number of rows."""
    if fmt not in ("csv", "xlsx"):
        raise InputError("export writes csv or xlsx", field="format")
    columns, rows = export_rows(ctx, case_ids, include)

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.replace(microsecond=0).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return _safe(value)

    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else plain(v) for v in row])
        text.detach()
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("persons")
        sheet.append(columns)
        for row in rows:
            sheet.append([plain(v) for v in row])
        book.save(out)
    return len(rows)
