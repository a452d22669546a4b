"""Spreadsheets in and out: a mapping step, clear errors per bad row with the good rows kept,
and exports that carry personal fields only when they are named."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cases.world import World
from tocsin.access import audit
from tocsin.access.principal import AccessDenied
from tocsin.cases.transfer import export_persons, import_file, parse_mapping, read_mapping_file
from tocsin.errors import InputError

HEADER = ["Case no.", "Full name", "Nat.", "Age", "Date reported", "Recruiter", "Status", "Memo"]
ROWS = [
    ["HL-1", "Anh Synthetic", "VN", "24", "2025-01-10", "Telegram @hr_zq_desk", "", "x"],
    ["HL-2", "", "Thailand", "31", "", "", "in shelter", ""],  # a survivor, no name
    ["HL-3", "Bad Nation", "Narnia", "22", "2025-02-03", "", "", ""],  # bad country
    ["HL-4", "Bad Date", "ID", "22", "03/02/2025", "", "", ""],  # bad date
    ["HL-1", "Duplicate Ref", "ID", "22", "2025-02-05", "", "", ""],  # ref used above
    ["", "", "", "", "", "", "", ""],  # blank
    ["HL-6", "Bad Status", "PH", "29", "", "", "found", ""],  # unknown status
    ["HL-7", "Fine Too", "PH", "29", "2025-03-01", "+855 12 345 678", "", ""],
]
MAPPING = [
    "Full name=name",
    "Nat.=nationality",
    "Case no.=ref",
    "Date reported=reported_at",
    "Recruiter=recruiter_contacts",
    "Age=age",
    "Status=status",
]


def _csv(tmp_path: Path, rows: list[list[str]] = ROWS) -> Path:
    path = tmp_path / "hotline.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_bad_rows_are_named_and_good_rows_kept(world: World, tmp_path: Path) -> None:
    path = _csv(tmp_path)
    result = import_file(world.book("lead").context, world.case, path, parse_mapping(MAPPING))
    assert (result.reports, result.persons, result.blank) == (2, 1, 1)
    errors = {(e.line, e.field): e.message for e in result.errors}
    assert set(errors) == {(4, "Nat."), (5, "Date reported"), (6, "Case no."), (8, "Status")}
    assert "Narnia" in errors[(4, "Nat.")] and "not a country" in errors[(4, "Nat.")]
    assert "YYYY-MM-DD" in errors[(5, "Date reported")]
    assert str(result.errors[0]).startswith(f"{path}:4 field 'Nat.'")
    assert result.ignored_columns == ["Memo"]
    persons = world.book("lead").persons.in_case(world.case)
    assert sorted(p.status for p in persons) == ["in_shelter", "reported", "reported"]
    survivor = next(p for p in persons if p.status == "in_shelter")
    assert survivor.name is None and survivor.nationality == "TH"


def test_errors_never_repeat_personal_values(world: World, tmp_path: Path) -> None:
    long_name = "Zqx" + "n" * 400
    path = _csv(tmp_path, [["HL-9", long_name, "VN", "30", "2025-01-01", "", "", ""]])
    result = import_file(world.book("lead").context, world.case, path, parse_mapping(MAPPING))
    assert len(result.errors) == 1
    assert result.errors[0].field == "Full name"
    assert "too long" in str(result.errors[0]) and long_name not in str(result.errors[0])


def test_reimport_adds_nothing_twice(world: World, tmp_path: Path) -> None:
    path = _csv(tmp_path)
    context = world.book("lead").context
    import_file(context, world.case, path, parse_mapping(MAPPING))
    again = import_file(context, world.case, path, parse_mapping(MAPPING))
    assert again.reports == again.persons == 0
    assert {e.field for e in again.errors} >= {"Case no."}


def test_xlsx_and_a_mapping_file(world: World, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Reports"
    sheet.append(["Name", "Nationality", "Reported", "Age"])
    from datetime import datetime

    sheet.append(["Xlsx Synthetic", "KE", datetime(2025, 4, 2), 27])
    sheet.append(["Xlsx Bad", "KE", datetime(2025, 4, 2), "old"])
    path = tmp_path / "sheet.xlsx"
    book.save(path)
    mapping = tmp_path / "map.json"
    mapping.write_text('{"Name": "name", "Reported": "reported_at"}', encoding="utf-8")
    result = import_file(
        world.book("lead").context, world.case, path, read_mapping_file(mapping), sheet="Reports"
    )
    assert result.reports == 1
    assert [(e.line, e.field) for e in result.errors] == [(3, "Age")]
    assert result.mapping == {
        "Name": "name",
        "Nationality": "nationality",
        "Reported": "reported_at",
        "Age": "age",
    }


@pytest.mark.parametrize(
    ("pairs", "message"),
    [(["Full name"], "Column=field"), (["Full name=fullname"], "not a field")],
)
def test_mapping_mistakes(pairs: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_mapping(pairs)


def test_a_mapping_naming_a_missing_column(world: World, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not have: Surname"):
        import_file(world.book("lead").context, world.case, _csv(tmp_path), {"Surname": "name"})


def test_export_leaves_personal_fields_out_unless_named(world: World, tmp_path: Path) -> None:
    context = world.book("lead").context
    import_file(context, world.case, _csv(tmp_path), parse_mapping(MAPPING))
    out = io.BytesIO()
    assert export_persons(context, out, fmt="csv") == 3
    plain = out.getvalue().decode()
    assert "Anh Synthetic" not in plain and "name" not in plain.splitlines()[0].split(",")
    assert "HL-1" in plain and "VN" in plain
    out = io.BytesIO()
    export_persons(context, out, fmt="xlsx", include=["name"])
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "name" and "Anh Synthetic" in [r[-1] for r in rows]
    exports = audit.entries(world.store.engine, action="cases.export")
    assert [e.detail["personal_fields"] for e in reversed(exports)] == [[], ["name"]]


def test_export_defuses_formulas(world: World, tmp_path: Path) -> None:
    rows = [['=HYPERLINK("http://x")', "Formula Name", "VN", "20", "2025-01-01", "", "", ""]]
    context = world.book("lead").context
    import_file(context, world.case, _csv(tmp_path, rows), parse_mapping(MAPPING))
    out = io.BytesIO()
    export_persons(context, out, fmt="csv")
    assert "'=HYPERLINK" in out.getvalue().decode()


def test_a_viewer_cannot_export_and_photos_never_leave(world: World) -> None:
    with pytest.raises(AccessDenied):
        export_persons(world.book("viewer").context, io.BytesIO(), fmt="csv")
    with pytest.raises(InputError, match="photos are never exported"):
        export_persons(world.book("lead").context, io.BytesIO(), fmt="csv", include=["photo"])
