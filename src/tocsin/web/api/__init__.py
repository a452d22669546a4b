"""The JSON API under ``/api/v1``: one router per resource, assembled here."""

from __future__ import annotations

from fastapi import APIRouter

from tocsin.web.api import (
    admin,
    auth,
    cases,
    documents,
    export,
    graph,
    ingest,
    judgements,
    public,
    scan,
    share,
    stats,
    sync,
)

__all__ = ["MAX_BODY_BYTES", "api_router"]

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest request body of an API call (413 above), except uploads to ``POST /ingest``."""

api_router = APIRouter(prefix="/api/v1")
for module in (
    scan,
    public,
    auth,
    documents,
    graph,
    stats,
    judgements,
    ingest,
    export,
    share,
    sync,
    cases,
    admin,
):
    api_router.include_router(module.router)
