"""Readers for plain text, JSON Lines and CSV/TSV, with bounded memory per record."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from tocsin.errors import InputError, RecordError
from tocsin.intake.markup import read_eml, read_html
from tocsin.model import Document, DocumentKind

__all__ = ["FORMATS", "INPUT_FORMATS", "ReadOptions", "read_inputs"]

#: File extensions understood, and the format each means.
FORMATS: Final[dict[str, str]] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".html": "html",
    ".htm": "html",
    ".eml": "eml",
}

#: The format names, for `--input-format` options.
INPUT_FORMATS: Final[tuple[str, ...]] = tuple(dict.fromkeys(FORMATS.values()))

_KNOWN_JSON_FIELDS: Final = ("kind", "language", "lang", "country", "source")

Item = Document | InputError
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; every field has a CLI option of the same name."""

    text_field: str = "text"
    id_field: str = "id"
    kind: DocumentKind | None = None
    default_kind: DocumentKind = DocumentKind.UNKNOWN
    language: str | None = None
    country: str | None = None
    encoding: str = "utf-8"
    input_format: str | None = None
    max_bytes: int = 2_000_000
    extra: dict[str, str] = field(default_factory=dict)


def _decode(data: bytes, encoding: str, source: str, line: int | None) -> str | InputError:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = "pass --encoding with the file's encoding, e.g. --encoding cp1252"
        return RecordError(
            f"not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            source=source,
            line=line,
            hint=hint if encoding.lower().replace("-", "") in {"utf8", "utf8sig"} else None,
        )
    except LookupError:
        return InputError(f"unknown encoding {encoding!r}", source=source)
    return text.removeprefix("\ufeff")


def _too_big(size: int, limit: int, source: str, line: int | None) -> RecordError:
    return RecordError(
        f"record is {size:,} bytes or more, over the limit of {limit:,} bytes; skipped",
        source=source,
        line=line,
        hint="raise TOCSIN_MAX_DOCUMENT_BYTES if such records are expected",
    )


def _lines(
    stream: IO[bytes], limit: int, source: str, progress: Progress | None
) -> Iterator[tuple[int, bytes | RecordError]]:
    """Physical lines of a binary stream, never holding more than ``limit`` bytes of one."""
    number = 0
    while True:
        chunk = stream.readline(limit + 1)
        if not chunk:
            return
        number += 1
        if progress is not None:
            progress(len(chunk))
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            size = len(chunk)
            while rest := stream.readline(1 << 20):  # skip the rest of the oversized line
                size += len(rest)
                if progress is not None:
                    progress(len(rest))
                if rest.endswith(b"\n"):
                    break
            yield number, _too_big(size, limit, source, number)
            continue
        yield number, chunk


def _read_whole(
    stream: IO[bytes], opts: ReadOptions, source: str, progress: Progress | None
) -> Iterator[Item]:
    data = stream.read(opts.max_bytes + 1)
    if progress is not None:
        progress(len(data))
    if len(data) > opts.max_bytes:
        yield _too_big(len(data), opts.max_bytes, source, None)
        return
    text = _decode(data, opts.encoding, source, None)
    if isinstance(text, InputError):
        yield text
        return
    if not text.strip():
        yield RecordError("empty document; skipped", source=source)
        return
    name = Path(source).name if source != "<stdin>" else None
    yield Document(
        text,
        opts.kind or opts.default_kind,
        id=name,
        language=opts.language,
        country=opts.country,
        source=source,
    )


def _record_document(
    record: dict[str, Any], opts: ReadOptions, source: str, line: int, default_id: str
) -> Item:
    text = record.pop(opts.text_field, None)
    if text is None:
        fields = ", ".join(sorted(record)) or "none"
        return RecordError(
            f"no {opts.text_field!r} field (fields present: {fields})",
            source=source,
            line=line,
            field=opts.text_field,
            hint="choose the text field with --text-field",
        )
    if not isinstance(text, str):
        return RecordError(
            f"expected text, found {type(text).__name__}",
            source=source,
            line=line,
            field=opts.text_field,
        )
    if not text.strip():
        return RecordError("empty text; skipped", source=source, line=line, field=opts.text_field)
    raw_id = record.pop(opts.id_field, None)
    doc_id = default_id if raw_id is None or raw_id == "" else str(raw_id)
    raw_kind = record.pop("kind", None)
    kind = opts.kind
    if kind is None:
        try:
            kind = DocumentKind(raw_kind) if raw_kind else opts.default_kind
        except ValueError:
            choices = ", ".join(k.value for k in DocumentKind)
            return RecordError(
                f"unknown kind {raw_kind!r} (one of: {choices})",
                source=source,
                line=line,
                field="kind",
            )
    language = record.pop("language", None) or record.pop("lang", None) or opts.language
    country = record.pop("country", None) or opts.country
    record_source = record.pop("source", None)
    metadata = {k: str(v) for k, v in record.items() if isinstance(v, str | int | float | bool)}
    return Document(
        text,
        kind,
        id=doc_id,
        language=str(language) if language else None,
        country=str(country) if country else None,
        source=str(record_source) if record_source else source,
        metadata=metadata,
    )


def _read_jsonl(
    stream: IO[bytes], opts: ReadOptions, source: str, progress: Progress | None
) -> Iterator[Item]:
    for number, raw in _lines(stream, opts.max_bytes, source, progress):
        if isinstance(raw, RecordError):
            yield raw
            continue
        text = _decode(raw, opts.encoding, source, number)
        if isinstance(text, InputError):
            yield text
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RecordError(
                f"malformed JSON: {exc.msg} at column {exc.colno}", source=source, line=number
            )
            continue
        if not isinstance(record, dict):
            yield RecordError(
                f"expected a JSON object, found {type(record).__name__}",
                source=source,
                line=number,
            )
            continue
        yield _record_document(record, opts, source, number, f"{Path(source).name}:{number}")


def _text_lines(
    stream: IO[bytes],
    opts: ReadOptions,
    source: str,
    progress: Progress | None,
    errors: list[InputError],
) -> Iterator[str]:
    """Decoded physical lines for the csv module; bad lines become errors, not exceptions."""
    for number, raw in _lines(stream, opts.max_bytes, source, progress):
        if isinstance(raw, RecordError):
            errors.append(raw)
            yield "\n"
            continue
        text = _decode(raw, opts.encoding, source, number)
        if isinstance(text, InputError):
            errors.append(text)
            yield "\n"
            continue
        yield text


def _read_csv(
    stream: IO[bytes], opts: ReadOptions, source: str, progress: Progress | None, delimiter: str
) -> Iterator[Item]:
    errors: list[InputError] = []
    csv.field_size_limit(max(opts.max_bytes, 131072))
    reader = csv.reader(_text_lines(stream, opts, source, progress, errors), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield from errors
        yield InputError("empty file: no header row", source=source)
        return
    except csv.Error as exc:
        yield InputError(f"cannot read the header row: {exc}", source=source, line=1)
        return
    yield from errors
    errors.clear()
    header = [h.strip() for h in header]
    if opts.text_field not in header:
        yield InputError(
            f"no column {opts.text_field!r} (columns: {', '.join(header) or 'none'})",
            source=source,
            line=1,
            field=opts.text_field,
            hint="choose the text column with --text-column",
        )
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            yield from errors
            break
        except csv.Error as exc:
            yield from errors
            errors.clear()
            yield RecordError(f"malformed CSV: {exc}", source=source, line=reader.line_num)
            continue
        yield from errors
        errors.clear()
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        line = reader.line_num
        if len(row) != len(header):
            yield RecordError(
                f"row has {len(row)} fields, the header has {len(header)}",
                source=source,
                line=line,
            )
            continue
        record: dict[str, Any] = dict(zip(header, row, strict=True))
        yield _record_document(record, opts, source, line, f"{Path(source).name}:{line}")


def _format_of(path: Path, opts: ReadOptions) -> str | None:
    if opts.input_format is not None:
        return opts.input_format
    return FORMATS.get(path.suffix.lower())


def _read_stream(
    stream: IO[bytes], fmt: str, opts: ReadOptions, source: str, progress: Progress | None
) -> Iterator[Item]:
    if fmt == "txt":
        return _read_whole(stream, opts, source, progress)
    if fmt == "jsonl":
        return _read_jsonl(stream, opts, source, progress)
    if fmt in {"csv", "tsv"}:
        return _read_csv(stream, opts, source, progress, "," if fmt == "csv" else "\t")
    if fmt == "html":
        return read_html(
            stream, opts.max_bytes, opts.encoding, opts.kind, source, opts.language, opts.country
        )
    if fmt == "eml":
        return read_eml(stream, opts.max_bytes, opts.kind, source, opts.language, opts.country)
    raise InputError(f"unknown input format {fmt!r} (one of: txt, jsonl, csv, tsv, html, eml)")


def _expand(inputs: Sequence[str]) -> Iterator[Path | str | InputError]:
    for name in inputs:
        if name == "-":
            yield name
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for p in files:
                if p.suffix.lower() in FORMATS:
                    yield p
        elif path.is_file():
            yield path
        elif not path.exists():
            yield InputError("no such file or directory", source=name)
        else:
            yield InputError("not a regular file or directory", source=name)


def input_size(inputs: Sequence[str]) -> int | None:
    """Total bytes of the named inputs (for a progress bar), or None when unknown (stdin)."""
    total = 0
    for item in _expand(inputs):
        if isinstance(item, str):
            return None
        if isinstance(item, Path):
            total += item.stat().st_size
    return total


def read_inputs(
    inputs: Sequence[str], opts: ReadOptions, progress: Progress | None = None
) -> Iterator[Item]:
    """Documents and errors from files, directories (recursively) and ``-`` (stdin)."""
    for item in _expand(inputs):
        if isinstance(item, InputError):
            yield item
            continue
        if isinstance(item, str):
            fmt = opts.input_format or "txt"
            yield from _read_stream(sys.stdin.buffer, fmt, opts, "<stdin>", progress)
            continue
        fmt_or_none = _format_of(item, opts)
        if fmt_or_none is None:
            known = ", ".join(sorted(FORMATS))
            yield InputError(
                f"unknown file type {item.suffix or '(none)'!r} (known: {known})",
                source=str(item),
                hint="name the format with --input-format",
            )
            continue
        try:
            with item.open("rb") as stream:
                yield from _read_stream(stream, fmt_or_none, opts, str(item), progress)
        except OSError as exc:
            yield InputError(f"cannot read: {exc.strerror}", source=str(item))


def iter_documents(items: Iterable[Item]) -> Iterator[Document]:
    """Only the documents of a reader's output (errors dropped): for tests and quick use."""
    return (i for i in items if isinstance(i, Document))
