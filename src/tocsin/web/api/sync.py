"""``GET /api/v1/sync/changes``: what a partner's Tocsin may pull from us, page by page.

The caller is a partner's instance with the API token of one of its users (analyst role or
above). The answer holds the documents its organisation may receive — markings enforced by
`tocsin.share.policy` (RED and AMBER+STRICT never, AMBER only to the owner or a named partner)
— after ``cursor``, ordered by a monotonic cursor, with their selectors. Each page is written to
the audit log. The puller is `tocsin.share.sync.pull` (``tocsin sync pull``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tocsin.access import Principal
from tocsin.share.sync import FORMAT, MAX_LIMIT, changes, parse_cursor
from tocsin.web.api.models import Marking
from tocsin.web.deps import SettingsDep, StoreDep, require_role

__all__ = ["SyncPageOut", "router"]

router = APIRouter(tags=["sync"])


class SyncSelectorOut(BaseModel):
    key: str = Field(description="type:value, the canonical selector.")
    value: str
    chain: str | None = None
    country: str | None = None
    validated: bool = False


class SyncDocumentOut(BaseModel):
    id: str = Field(description="SHA-256 of the NFC text.")
    text: str
    kind: str
    title: str | None = None
    language: str | None = None
    source_url: str | None = None
    marking: Marking
    first_seen: str
    last_seen: str
    selectors: list[SyncSelectorOut]


class SyncItemOut(BaseModel):
    cursor: str
    document: SyncDocumentOut


class SyncPageOut(BaseModel):
    format: str = Field(FORMAT, description="Version of the page format.")
    cursor: str = Field(description="The cursor asked for.")
    next_cursor: str = Field(description="Ask for the page after this one with it.")
    more: bool = Field(description="Whether another page follows now.")
    organisation: str | None = Field(description="The organisation serving the page.")
    items: list[SyncItemOut]


@router.get(
    "/sync/changes",
    summary="Documents a partner instance may pull, after a cursor",
    response_model=SyncPageOut,
    responses={401: {"description": "A token is needed."}, 403: {"description": "Role."}},
)
async def sync_changes(
    store: StoreDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(require_role("analyst"))],
    cursor: Annotated[
        str, Query(pattern=r"^[0-9]{0,18}$", description="'' or 0: from start.")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> SyncPageOut:
    """The next page of what the caller's organisation may receive (audited)."""
    page = await run_in_threadpool(
        changes,
        store.engine,
        principal,
        parse_cursor(cursor),
        limit,
        organisation=settings.organisation,
    )
    return SyncPageOut.model_validate(page.to_json())
