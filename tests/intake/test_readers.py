"""Readers keep the good records, and name the file, line and field of each bad one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.errors import InputError, RecordError
from tocsin.intake import ReadOptions, read_inputs
from tocsin.model import Document, DocumentKind


def _split(items: list[Document | InputError]) -> tuple[list[Document], list[InputError]]:
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, InputError)]
    return docs, errors


def test_jsonl_bad_lines_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "first ad", "kind": "job_ad"}),
                '{"id": "b", "text": "broken',
                json.dumps({"id": "c", "body": "no text field"}),
                json.dumps({"id": "d", "text": 42}),
                "",
                json.dumps(["not", "an", "object"]),
                json.dumps({"text": "no id, language hint", "lang": "vi", "country": "vn"}),
            ]
        ),
        encoding="utf-8",
    )
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions())))
    assert [d.id for d in docs] == ["a", "ads.jsonl:7"]
    assert docs[0].kind is DocumentKind.JOB_AD
    assert docs[1].language == "vi" and docs[1].country == "VN"
    assert [(e.line, e.field) for e in errors] == [(2, None), (3, "text"), (4, "text"), (6, None)]
    assert all(isinstance(e, RecordError) for e in errors)
    assert "malformed JSON" in str(errors[0]) and str(errors[0]).startswith(f"{path}:2")
    assert "fields present: body" in str(errors[1])


def test_csv_missing_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions())))
    assert docs == []
    assert len(errors) == 1
    assert "no column 'text' (columns: id, body)" in str(errors[0])
    assert "--text-column" in str(errors[0])


def test_csv_multiline_fields_bom_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes('\ufeffid,body\n1,"line one\nline two"\n2,a,b\n3,third\n'.encode())
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions(text_field="body"))))
    assert [d.text for d in docs] == ["line one\nline two", "third"]
    assert [d.id for d in docs] == ["1", "3"]
    assert len(errors) == 1 and errors[0].line == 4 and "3 fields" in str(errors[0])


def test_undecodable_line_is_reported_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n{"text": "also ok"}\n')
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions())))
    assert [d.text for d in docs] == ["ok", "also ok"]
    assert errors[0].line == 2 and "not valid utf-8" in str(errors[0])
    assert "--encoding" in str(errors[0])
    # With the right encoding the same line reads.
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions(encoding="cp1252"))))
    assert [d.text for d in docs] == ["ok", "café", "also ok"] and not errors


def test_oversized_line_is_skipped_without_losing_the_next(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as f:
        f.write(b'{"text": "before"}\n')
        f.write(b'{"text": "' + b"x" * 300_000 + b'"}\n')
        f.write(b'{"text": "after"}\n')
    docs, errors = _split(list(read_inputs([str(path)], ReadOptions(max_bytes=100_000))))
    assert [d.text for d in docs] == ["before", "after"]
    assert errors[0].line == 2 and "over the limit" in str(errors[0])


def test_directory_is_read_recursively_and_missing_paths_reported(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("first", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("second", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    items = list(read_inputs([str(tmp_path), str(tmp_path / "nope.txt")], ReadOptions()))
    docs, errors = _split(items)
    assert sorted(d.text for d in docs) == ["first", "second"]
    assert len(errors) == 1 and "no such file" in str(errors[0])


def test_text_is_normalised_to_nfc(tmp_path: Path) -> None:
    path = tmp_path / "vi.txt"
    path.write_text("vie\u0323\u0302c nhe\u0323", encoding="utf-8")  # decomposed
    (doc,) = [i for i in read_inputs([str(path)], ReadOptions()) if isinstance(i, Document)]
    assert doc.text == "việc nhẹ"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.binary(max_size=40)), max_size=8))
def test_jsonl_reader_never_raises_and_accounts_for_every_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str | bytes]
) -> None:
    path = tmp_path_factory.mktemp("h") / "fuzz.jsonl"
    raw = b"\n".join(
        (x.replace(b"\n", b" ") if isinstance(x, bytes) else x.replace("\n", " ").encode())
        for x in lines
    )
    path.write_bytes(raw)
    items = list(read_inputs([str(path)], ReadOptions()))
    non_blank = sum(1 for line in raw.split(b"\n") if line.strip())
    # Every non-blank line is either a document or an error (whitespace-only decoded lines may
    # be skipped), never an exception and never more items than lines.
    assert len(items) <= non_blank
