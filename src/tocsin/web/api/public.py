"""``POST /api/v1/public/report``: the public page's "report it" button (no login).

The text is scanned and stored as a document in the intake dataset (setting
``public_report_dataset``, owned by the deployment's organisation and marked
``public_report_marking``, AMBER+STRICT by default, because reports can name victims). Nothing
about the reporter is kept: no address, no account, no cookie. Rate-limited per address.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from tocsin.access import Principal
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.model import Document, DocumentKind
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.api.models import DeploymentSettingsModel, PublicInfo, ReportIn, ReportOut
from tocsin.web.deps import (
    ScannerDep,
    SettingsDep,
    StoreDep,
    deployment_settings,
    public_rate_limit,
)

__all__ = ["router", "store_report"]

router = APIRouter(prefix="/public", tags=["public"])

REPORTER = Principal.public()


def store_report(
    store: Store,
    settings: Settings,
    text: str,
    kind: DocumentKind | str = DocumentKind.UNKNOWN,
    language: str | None = None,
    country: str | None = None,
    scanner: ScanEngine | None = None,
) -> ReportOut:
    """Scan and store one public report; the answer names it by a short reference."""
    from tocsin.access import audit
    from tocsin.web.deps import _engine_for

    engine = scanner if scanner is not None else _engine_for(settings)
    dataset = settings.public_report_dataset
    _pk, marking = store.dataset(dataset, settings.public_report_marking, org=settings.organisation)
    document = Document(
        text, DocumentKind(kind), language=language, country=country, source="public-report"
    )
    verdict = engine.scan(document)
    store.store_batch([document], engine, dataset=dataset)
    reference = document.content_hash[:12]
    audit.append(
        store.engine,
        REPORTER,
        "public_report",
        "document",
        document.content_hash,
        marking,
        {"dataset": dataset, "level": verdict.level.value},
        secret=store.settings.secret_key,
    )
    return ReportOut(
        received=True,
        reference=reference,
        level=verdict.level.value,
        message="Thank you. Your report was received and will be read by the team.",
    )


@router.post(
    "/report",
    response_model=ReportOut,
    summary="Report a suspicious offer or message (no login)",
    dependencies=[Depends(public_rate_limit)],
    responses={429: {"description": "Too many requests from this address (see Retry-After)."}},
)
def report(
    body: ReportIn, store: StoreDep, settings: SettingsDep, scanner: ScannerDep
) -> ReportOut:
    """Store the text for the deployment's analysts (marked AMBER+STRICT by default). Nothing
    about the sender is recorded."""
    return store_report(
        store, settings, body.text, body.kind, body.language, body.country, scanner=scanner
    )


@router.get("/info", response_model=PublicInfo, summary="Hotlines and organisation name")
def info(store: StoreDep) -> PublicInfo:
    """What the public page shows besides the check: the organisation's display name and the
    hotlines people can call (set by an admin with ``PUT /admin/settings``)."""
    values = DeploymentSettingsModel.model_validate(deployment_settings(store))
    return PublicInfo(organisation_name=values.organisation_name, hotlines=values.hotlines)
