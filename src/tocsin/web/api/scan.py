"""``POST /api/v1/scan``: screen one text, public and rate-limited; nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tocsin.model import Document
from tocsin.web.api.models import ScanRequest, VerdictOut, verdict_out
from tocsin.web.deps import ScannerDep, rate_limit_public

__all__ = ["router"]

router = APIRouter(tags=["scan"])


@router.post(
    "/scan",
    response_model=VerdictOut,
    summary="Screen a job offer or message",
    dependencies=[Depends(rate_limit_public)],
    responses={429: {"description": "Too many requests from this address (see Retry-After)."}},
)
def scan(body: ScanRequest, scanner: ScannerDep) -> VerdictOut:
    """The explainable verdict on one text: risk 0–100, level, the warning signs found with
    their evidence spans, the selectors (phones, accounts, wallets, …) and the learned models'
    opinion. The text is not stored (use ``POST /public/report`` to report it)."""
    document = Document(body.text, body.kind, language=body.language, country=body.country)
    return verdict_out(scanner.scan(document))
