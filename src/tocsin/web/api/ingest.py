"""``POST /api/v1/ingest``: store documents (analyst or admin), from JSON records or a file.

A file upload is spooled to disk by the multipart parser and read record by record with the
same readers as ``tocsin ingest`` (txt, jsonl, csv/tsv, html, eml), batch by batch: a large
file never sits in memory whole. Bad records are counted and the first hundred are named.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import UploadFile

from tocsin.access import Principal, visible_dataset_pks
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.intake import INPUT_FORMATS, ReadOptions, read_inputs
from tocsin.model import Document, DocumentKind
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.store.schema import MARKINGS, datasets
from tocsin.web.api.models import IngestIn, IngestOut, RecordProblem
from tocsin.web.deps import get_scanner, get_settings, get_store, require_role

__all__ = ["ingest_documents", "router", "writable_dataset"]

router = APIRouter(tags=["ingest"])

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_UPLOAD_BYTES = 8 * 1024**3
"""Largest upload (spooled to disk, read record by record): 8 GiB."""
MAX_PROBLEMS = 100

_FORM_FIELDS = {
    "dataset": {"type": "string", "minLength": 1, "maxLength": 200},
    "marking": {"type": "string", "enum": list(MARKINGS)},
    "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
    "input_format": {"type": "string", "enum": list(INPUT_FORMATS)},
    "text_field": {"type": "string", "maxLength": 200},
    "id_field": {"type": "string", "maxLength": 200},
    "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$"},
    "country": {"type": "string", "pattern": r"^[A-Za-z]{2}$"},
    "encoding": {"type": "string", "maxLength": 40},
}

_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/IngestIn"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["dataset", "file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .txt, .jsonl, .csv, .tsv, .html or .eml file.",
                        },
                        **_FORM_FIELDS,
                    },
                }
            },
        },
    }
}


def writable_dataset(
    store: Store, principal: Principal, name: str, marking: str | None
) -> tuple[int, str]:
    """(pk, marking) of a dataset ``principal`` may add documents to; created (owned by the
    principal's organisation) when new. Another organisation's dataset cannot be written."""
    if not name or len(name) > 200:
        raise InputError("a dataset name needs 1 to 200 characters", field="dataset")
    with store.engine.connect() as conn:
        row = conn.execute(
            select(datasets.c.pk, datasets.c.org_pk).where(datasets.c.name == name)
        ).first()
        if row is not None and not principal.system and row.org_pk != principal.org_pk:
            visible = visible_dataset_pks(conn, principal)
            if visible is not None and row.pk not in visible:
                raise HTTPException(409, f"the dataset name {name!r} is not available")
            raise HTTPException(403, f"dataset {name!r} belongs to another organisation")
    return store.as_principal(principal).dataset(name, marking)


def ingest_documents(
    store: Store,
    scanner: ScanEngine,
    settings: Settings,
    items: Iterable[Document | InputError],
    *,
    dataset: str,
    marking: str | None,
) -> IngestOut:
    """Store documents batch by batch (each batch one transaction), counting what happened."""
    _pk, ds_marking = store.dataset(dataset, marking)
    out = IngestOut(
        dataset=dataset,
        marking=ds_marking,
        read=0,
        new=0,
        known=0,
        selectors=0,
        errors=0,
        problems=[],
    )
    batch: list[Document] = []

    def flush() -> None:
        result = store.store_batch(batch, scanner, dataset=dataset, marking=marking)
        out.new += result.new
        out.known += result.known + result.duplicates_in_batch
        out.selectors += result.selectors
        batch.clear()

    for item in items:
        if isinstance(item, InputError):
            out.errors += 1
            if len(out.problems) < MAX_PROBLEMS:
                out.problems.append(RecordProblem(place=item.place or "", message=item.message))
            continue
        out.read += 1
        batch.append(item)
        if len(batch) >= settings.ingest_batch_size:
            flush()
    if batch:
        flush()
    return out


def _records(body: IngestIn) -> Iterator[Document]:
    for r in body.records:
        metadata = {"title": r.title} if r.title else {}
        yield Document(
            r.text,
            r.kind or body.kind or DocumentKind.UNKNOWN,
            id=r.id,
            language=r.language,
            country=r.country,
            source=r.source,
            metadata=metadata,
        )


def _form_text(form: Any, name: str) -> str | None:
    value = form.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"form field {name!r} must be text, not a file", field=name)
    return value


def _file_options(form: Any, settings: Settings) -> tuple[ReadOptions, str]:
    kind = _form_text(form, "kind")
    fmt = _form_text(form, "input_format")
    if kind is not None and kind not in {k.value for k in DocumentKind}:
        raise InputError(f"unknown kind {kind!r}", field="kind")
    if fmt is not None and fmt not in INPUT_FORMATS:
        raise InputError(
            f"unknown input format {fmt!r} (one of: {', '.join(INPUT_FORMATS)})",
            field="input_format",
        )
    encoding = _form_text(form, "encoding") or "utf-8"
    try:
        "".encode(encoding)
    except (LookupError, ValueError):  # unknown name, or one with a NUL character
        raise InputError(f"unknown encoding {encoding!r}", field="encoding") from None
    opts = ReadOptions(
        text_field=_form_text(form, "text_field") or "text",
        id_field=_form_text(form, "id_field") or "id",
        kind=DocumentKind(kind) if kind else None,
        language=_form_text(form, "language"),
        country=_form_text(form, "country"),
        encoding=encoding,
        input_format=fmt,
        max_bytes=settings.max_document_bytes,
    )
    return opts, fmt or ""


def _ingest_upload(
    store: Store,
    scanner: ScanEngine,
    settings: Settings,
    upload: UploadFile,
    opts: ReadOptions,
    dataset: str,
    marking: str | None,
) -> IngestOut:
    name = Path(upload.filename or "upload").name or "upload"
    suffix = Path(name).suffix.lower() if not opts.input_format else ".upload"
    with tempfile.TemporaryDirectory(prefix="tocsin-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        items = (_rename(item, str(path), name) for item in read_inputs([str(path)], opts, None))
        return ingest_documents(store, scanner, settings, items, dataset=dataset, marking=marking)


def _rename(item: Document | InputError, tmp: str, name: str) -> Document | InputError:
    """Errors and documents name the uploaded file, not the temporary copy."""
    if isinstance(item, InputError):
        if item.source == tmp:
            item.source = name
        return item
    if item.source and item.source.startswith(tmp):
        from dataclasses import replace

        return replace(item, source=name + item.source[len(tmp) :])
    return item


@router.post(
    "/ingest",
    response_model=IngestOut,
    summary="Store documents (JSON records or a file)",
    openapi_extra=_OPENAPI_BODY,
    max_body_size=MAX_UPLOAD_BYTES,
    responses={
        403: {"description": "Needs the analyst role, or the dataset is another organisation's."},
        409: {"description": "The dataset name is taken."},
        413: {"description": "JSON body over 64 MB (upload a file instead), or over 8 GiB."},
    },
)
async def ingest(
    request: Request,
    principal: Principal = Depends(require_role("analyst")),  # noqa: B008 - FastAPI idiom
) -> IngestOut:
    """Scan and store documents in a dataset of the caller's organisation (created with
    ``marking`` when new). Send ``application/json`` (``IngestIn``: up to 10,000 records) or
    ``multipart/form-data`` with a ``file`` and the form fields. Documents already stored are
    recognised by the hash of their text and only noted as seen again."""
    store = get_store(request).as_principal(principal)
    settings = get_settings(request)
    scanner = get_scanner(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_JSON_BYTES:
            raise HTTPException(413, "JSON body over 64 MB: upload the records as a file")
        raw = await request.body()
        if len(raw) > MAX_JSON_BYTES:
            raise HTTPException(413, "JSON body over 64 MB: upload the records as a file")
        try:
            body = IngestIn.model_validate_json(raw)
        except ValidationError as exc:
            from fastapi.exceptions import RequestValidationError

            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
            ) from None
        await run_in_threadpool(writable_dataset, store, principal, body.dataset, body.marking)
        out = await run_in_threadpool(
            ingest_documents,
            store,
            scanner,
            settings,
            _records(body),
            dataset=body.dataset,
            marking=body.marking,
        )
    elif content_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=20) as form:
            dataset = _form_text(form, "dataset")
            if dataset is None:
                raise InputError("the form needs a dataset field", field="dataset")
            marking = _form_text(form, "marking")
            if marking is not None and marking not in MARKINGS:
                raise InputError(f"unknown TLP marking {marking!r}", field="marking")
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InputError("the form needs a file field with the upload", field="file")
            opts, _fmt = _file_options(form, settings)
            await run_in_threadpool(writable_dataset, store, principal, dataset, marking)
            out = await run_in_threadpool(
                _ingest_upload, store, scanner, settings, upload, opts, dataset, marking
            )
    else:
        raise HTTPException(415, "send application/json or multipart/form-data")
    return out
