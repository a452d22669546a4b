"""Sharing from the workspace and the API: export (STIX, MISP, FtM), import, hash sets, match.

The same functions as the CLI (`tocsin.share.exchange`, `tocsin.share.hashes`), run as the
caller: an export holds only what the caller sees *and* what may leave to the recipient (RED
and AMBER+STRICT never; AMBER to the owner or a partner the dataset names), persons only when
named, and is audited; an import goes into a dataset of the caller's organisation; a match
runs on the selectors the caller sees and tells nothing to anyone else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from tocsin.access import Principal
from tocsin.share.actions import match_ours, our_hashes
from tocsin.share.exchange import export, import_file
from tocsin.share.policy import ExportPolicy
from tocsin.web.api.ingest import MAX_UPLOAD_BYTES, writable_dataset
from tocsin.web.api.models import Marking
from tocsin.web.deps import ScannerDep, SettingsDep, StoreDep, require_role

__all__ = ["router"]

router = APIRouter(tags=["share"])

Analyst = Annotated[Principal, Depends(require_role("analyst"))]
OutMarking = Literal["clear", "green", "amber"]
_MEDIA = {
    "stix": ("application/stix+json;version=2.1", "stix.json"),
    "misp": ("application/json", "misp.json"),
    "ftm": ("application/x-ndjson", "ftm.json"),
}
CHUNK = 1 << 16


class ImportOut(BaseModel):
    source: str
    format: str
    dataset: str
    documents_new: int
    documents_known: int
    selectors: int
    statements: int
    compounds: int
    not_imported: dict[str, int]
    problems: list[str] = Field(description="The first hundred problems, each with its place.")


class MatchOut(BaseModel):
    community: str
    their_organisation: str | None
    theirs: int = Field(description="Hashes in their file.")
    ours: int = Field(description="Our selectors hashed for the match.")
    matched: list[str] = Field(description="Our selectors they hold too.")


def _stream(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := handle.read(CHUNK):
            yield block
    finally:
        handle.close()


def download(spool: IO[bytes], media: str, filename: str) -> StreamingResponse:
    """``spool`` from its start as an attachment named ``filename``; closed when sent."""
    spool.seek(0)
    return StreamingResponse(
        _stream(spool),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/share/export",
    summary="Export what may leave, as STIX 2.1, MISP or FtM (audited)",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "application/stix+json;version=2.1": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
            "description": "The export file.",
        }
    },
)
def share_export(
    store: StoreDep,
    settings: SettingsDep,
    principal: Analyst,
    format: Annotated[Literal["stix", "misp", "ftm"], Query()] = "stix",
    dataset: Annotated[list[str] | None, Query(max_length=50)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    cluster: Annotated[str | None, Query(pattern=r"^c-[0-9a-f]{12}$")] = None,
    tlp: Annotated[OutMarking, Query()] = "amber",
    to: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    include_person: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> StreamingResponse:
    """The caller's shareable material for ``to`` (default: the caller's organisation)."""
    policy = ExportPolicy(
        recipient=to or principal.org or settings.organisation,
        ceiling=tlp,
        datasets=tuple(dataset or ()),
    )
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by _stream
    try:
        export(
            store.as_principal(principal),
            spool,
            format,
            principal=principal,
            policy=policy,
            since=_aware(since),
            until=_aware(until),
            cluster=cluster,
            include_persons=tuple(include_person or ()),
            target=f"api:{format}",
            settings=settings,
        )
    except BaseException:
        spool.close()
        raise
    media, suffix = _MEDIA[format]
    return download(spool, media, f"tocsin-export.{suffix}")


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.post(
    "/share/import",
    summary="Import a STIX, MISP or FtM file",
    response_model=ImportOut,
    max_body_size=MAX_UPLOAD_BYTES,  # spooled to disk by the multipart parser
)
async def share_import(
    store: StoreDep,
    settings: SettingsDep,
    scanner: ScannerDep,
    principal: Annotated[Principal, Depends(require_role("analyst"))],
    file: Annotated[UploadFile, File(description="A STIX bundle, MISP event(s) or FtM stream.")],
    dataset: Annotated[str, Form(min_length=1, max_length=200)],
    format: Annotated[Literal["stix", "misp", "ftm"] | None, Form()] = None,
    marking: Annotated[Marking | None, Form()] = None,
) -> ImportOut:
    """Into a dataset of the caller's organisation (created when new); audited."""

    def run() -> ImportOut:
        writable_dataset(store, principal, dataset, marking)
        report = import_file(
            store.as_principal(principal),
            file.file,  # spooled to disk by the multipart parser
            dataset=dataset,
            source=file.filename or "upload",
            fmt=format,
            marking=marking,
            principal=principal,
            settings=settings,
            scanner=scanner,
        )
        data = report.to_dict()
        data["problems"] = [str(p) for p in report.problems[:100]]
        return ImportOut.model_validate(data)

    return await run_in_threadpool(run)


@router.get(
    "/share/hashes",
    summary="Keyed hashes of the caller's shareable selectors (audited)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def share_hashes(
    store: StoreDep,
    settings: SettingsDep,
    principal: Analyst,
    community: Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9._\-]{0,63}$")],
    tlp: Annotated[Literal["clear", "green", "amber"], Query()] = "green",
    to: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> StreamingResponse:
    """A hash-set file for the community (AMBER selectors only with ``to``)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by _stream
    try:
        our_hashes(store, settings, principal, spool, community=community, tlp=tlp, to=to)
    except BaseException:
        spool.close()
        raise
    return download(spool, "text/plain", f"{community}.hashes")


@router.post(
    "/share/match",
    summary="Which of the caller's selectors are in a hash set",
    response_model=MatchOut,
    max_body_size=MAX_UPLOAD_BYTES,  # a million hashes is 65 MB
)
async def share_match(
    store: StoreDep,
    settings: SettingsDep,
    principal: Analyst,
    file: Annotated[UploadFile, File(description="The other party's hash-set file.")],
    community: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9._\-]{0,63}$")],
) -> MatchOut:
    """Runs here, on the selectors the caller sees; nothing is sent anywhere (audited)."""

    def run() -> MatchOut:
        result = match_ours(
            store,
            settings,
            principal,
            file.file,
            community=community,
            source=file.filename or "upload",
        )
        return MatchOut(
            community=community,
            their_organisation=result.header.organisation,
            theirs=result.theirs,
            ours=result.ours,
            matched=result.matched,
        )

    return await run_in_threadpool(run)
