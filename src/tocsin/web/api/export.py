"""``GET /api/v1/export``: the caller's entities as FollowTheMoney JSON lines (audited)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from tocsin.access import Principal
from tocsin.web.deps import StoreDep, require_role

__all__ = ["router"]

router = APIRouter(tags=["export"])


def _lines(entities: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for entity in entities:
        yield (json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n").encode()


@router.get(
    "/export",
    summary="Export entities (FollowTheMoney JSON lines)",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            "description": "One FtM entity per line.",
        },
        403: {"description": "Needs the analyst role (export right)."},
    },
)
def export(
    store: StoreDep,
    principal: Principal = Depends(require_role("analyst")),  # noqa: B008 - FastAPI idiom
    dataset: Annotated[str | None, Query(max_length=200)] = None,
    format: Annotated[Literal["ftm"], Query(description="Export format.")] = "ftm",
) -> StreamingResponse:
    """Every entity the caller may see (of one dataset), streamed; the export is written to
    the audit log. STIX and MISP exports are made with ``tocsin export``."""
    entities = store.as_principal(principal).export_entities(dataset, fmt=format)
    return StreamingResponse(
        _lines(entities),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="tocsin-entities.ftm.json"'},
    )
