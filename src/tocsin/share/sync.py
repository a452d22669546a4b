"""Sync between two Tocsin instances: a partner pulls what we share with it, page by page.

**Serving** (`changes`, behind ``GET /api/v1/sync/changes``): the documents the requesting
organisation may receive — the datasets its user sees, minus RED and AMBER+STRICT, AMBER only
when the organisation owns the dataset or is a partner it names (`tocsin.share.policy`) —
ordered by a monotonic cursor (the document's row number), each with its text, metadata,
marking and selectors. Every page served is written to the audit log (what left, to whom).
On PostgreSQL the page is read under ``LOCK TABLE documents IN SHARE MODE``: it waits for
writers in flight, so a batch that commits late can never slip behind a cursor already given
out (on SQLite one writer at a time gives the same guarantee).

**Pulling** (`pull`, ``tocsin sync pull``): ask for the page after the saved cursor, import it
into a local dataset in one transaction (scanned and linked like an ingest; the partner's
markings never lowered: more restrictive material than the local dataset is refused), then save
the cursor. A pull cut off mid-page saved nothing for that page; running it again resumes from
the last saved cursor, and importing a page twice adds nothing (documents are identified by the
hash of their text).

What the cursor does not see: a document already passed that *becomes* shareable later (its
dataset re-marked, a partner named afterwards). ``tocsin sync pull --from-start`` reads
everything again (idempotent: only what is new is stored).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
from platformdirs import user_data_path
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from tocsin.access import Principal, audit
from tocsin.errors import ConfigError, InputError, TocsinError
from tocsin.model import Document, SelectorType
from tocsin.share.collect import read_documents
from tocsin.share.ingest import ImportReport, ImportWriter
from tocsin.share.model import (
    MARKING_RANK,
    Package,
    SharedDocument,
    SharedSelector,
    most_restrictive,
    utc,
)
from tocsin.share.policy import ExportPolicy, exportable_datasets
from tocsin.store import Store
from tocsin.store.links import SqlLinkSource
from tocsin.store.schema import MARKINGS, document_datasets, documents

__all__ = [
    "MAX_LIMIT",
    "Page",
    "PullResult",
    "SyncError",
    "SyncState",
    "changes",
    "pull",
    "state_path",
    "sync_directory",
    "sync_states",
]

FORMAT: Final = "tocsin-sync/1"
MAX_LIMIT: Final = 1000
RETRIES: Final = 3


class SyncError(TocsinError):
    """The partner's instance could not be reached or sent something unusable."""

    exit_code = 7
    http_status = 502


@dataclass
class Page:
    """One answer of ``/sync/changes``."""

    cursor: int
    next_cursor: int
    more: bool
    organisation: str | None
    items: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "cursor": str(self.cursor),
            "next_cursor": str(self.next_cursor),
            "more": self.more,
            "organisation": self.organisation,
            "items": self.items,
        }


def _iso(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_cursor(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit() or len(value) > 18:
        raise InputError(f"{value!r} is not a sync cursor", field="cursor")
    return int(value)


def changes(
    engine: Engine, principal: Principal, cursor: int, limit: int, *, organisation: str
) -> Page:
    """The page of documents after ``cursor`` that ``principal``'s organisation may receive."""
    principal.require("export")
    limit = max(1, min(limit, MAX_LIMIT))
    recipient = principal.org or organisation
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = '15s'"))
            conn.execute(text("LOCK TABLE documents IN SHARE MODE"))
        eligible = exportable_datasets(conn, principal, ExportPolicy(recipient=recipient))
        page = Page(cursor=cursor, next_cursor=cursor, more=False, organisation=organisation)
        if not eligible.datasets:
            return page
        pks = list(
            conn.scalars(
                select(document_datasets.c.document_pk)
                .where(
                    document_datasets.c.dataset_pk.in_(eligible.pks),
                    document_datasets.c.document_pk > cursor,
                )
                .group_by(document_datasets.c.document_pk)
                .order_by(document_datasets.c.document_pk)
                .limit(limit)
            )
        )
        if not pks:
            return page
        markings: dict[int, str] = {}
        for doc_pk, dataset_pk in conn.execute(
            select(document_datasets.c.document_pk, document_datasets.c.dataset_pk).where(
                document_datasets.c.document_pk.in_(pks),
                document_datasets.c.dataset_pk.in_(eligible.pks),
            )
        ):
            marking = eligible.datasets[int(dataset_pk)][1]
            current = markings.get(int(doc_pk))
            if current is None or MARKING_RANK[marking] < MARKING_RANK[current]:
                markings[int(doc_pk)] = marking
        rejected = SqlLinkSource(engine).judgements().rejected_links
        package = Package(organisation=organisation)
        docs = {d.id: d for d in read_documents(conn, pks, markings, rejected, package)}
        order = conn.execute(
            select(documents.c.pk, documents.c.id).where(documents.c.pk.in_(pks))
        ).all()
    for pk, doc_id in sorted(order):
        doc = docs[doc_id]
        page.items.append({"cursor": str(pk), "document": _document_json(doc, package)})
    page.next_cursor = max(pks)
    page.more = len(pks) == limit
    audit.append(
        engine,
        principal,
        "export",
        "sync",
        recipient,
        most_restrictive(d.marking for d in docs.values()),
        {
            "format": FORMAT,
            "to": recipient,
            "documents": len(docs),
            "cursor": str(cursor),
            "next_cursor": str(page.next_cursor),
            "datasets": eligible.names,
        },
    )
    return page


def _document_json(doc: SharedDocument, package: Package) -> dict[str, Any]:
    return {
        "id": doc.id,
        "text": doc.text,
        "kind": doc.kind,
        "title": doc.title,
        "language": doc.language,
        "source_url": doc.source_url,
        "marking": doc.marking,
        "first_seen": _iso(doc.first_seen),
        "last_seen": _iso(doc.last_seen),
        "selectors": [
            {
                "key": key,
                "value": package.selectors[key].value,
                "chain": package.selectors[key].chain,
                "country": package.selectors[key].country,
                "validated": package.selectors[key].validated,
            }
            for key in doc.selectors
        ],
    }


# -- pulling -------------------------------------------------------------------------------


@dataclass
class PullResult:
    pages: int = 0
    documents_new: int = 0
    documents_known: int = 0
    cursor: int = 0
    problems: list[str] = field(default_factory=list)
    remote: str | None = None


@dataclass(frozen=True)
class SyncState:
    """A saved pull: which partner, into which dataset, how far, when."""

    url: str
    dataset: str
    cursor: str
    saved: str


def sync_directory() -> Path:
    """Where the pulls' cursors are kept (``sync`` under the user's data directory), the same
    for ``tocsin sync pull`` and the workspace."""
    return user_data_path("tocsin", appauthor=False) / "sync"


def sync_states(directory: Path) -> list[SyncState]:
    """The pulls saved in ``directory``, most recent first (unreadable files are skipped)."""
    found: list[SyncState] = []
    if not directory.is_dir():
        return found
    for path in directory.glob("*.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
            found.append(
                SyncState(
                    url=str(data["url"]),
                    dataset=str(data["dataset"]),
                    cursor=str(data.get("cursor", "0")),
                    saved=str(data.get("saved", "")),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda s: s.saved, reverse=True)


def state_path(directory: Path, base_url: str, dataset: str) -> Path:
    digest = hashlib.sha256(f"{base_url}|{dataset}".encode()).hexdigest()[:24]
    return directory / f"{digest}.json"


def _load_state(path: Path, base_url: str, dataset: str) -> int:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the sync state {path}: {exc}") from None
    if data.get("url") != base_url or data.get("dataset") != dataset:
        raise ConfigError(f"{path} is the state of another sync ({data.get('url')})")
    return parse_cursor(str(data.get("cursor", "0")))


def _save_state(path: Path, base_url: str, dataset: str, cursor: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sync-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(
            {
                "url": base_url,
                "dataset": dataset,
                "cursor": str(cursor),
                "saved": datetime.now(UTC).isoformat(),
            },
            out,
        )
    os.replace(tmp, path)


def _page_documents(
    data: Any, report: ImportReport
) -> tuple[list[tuple[SharedDocument, str]], dict[str, SharedSelector], int, bool]:
    """Check a page strictly (a field Tocsin does not know is an error: the versions differ)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SyncError("the partner did not answer with a Tocsin sync page")
    docs: list[tuple[SharedDocument, str]] = []
    declared: dict[str, SharedSelector] = {}
    for item in data.get("items") or []:
        where = f"cursor {item.get('cursor')}" if isinstance(item, dict) else "an item"
        try:
            doc = item["document"]
            text_ = str(doc["text"])
            marking = str(doc["marking"])
            if marking not in MARKINGS:
                raise ValueError(f"unknown marking {marking!r}")
            keys = []
            for sel in doc["selectors"]:
                sel_type = SelectorType(str(sel["key"]).partition(":")[0])
                shared = SharedSelector(
                    key=str(sel["key"]), type=sel_type, value=str(sel["value"]),
                    chain=sel.get("chain"), country=sel.get("country"),
                    validated=bool(sel.get("validated")),
                )  # fmt: skip
                declared.setdefault(shared.key, shared)
                keys.append(shared.key)
            first = utc(datetime.fromisoformat(str(doc["first_seen"]).replace("Z", "+00:00")))
            last = utc(datetime.fromisoformat(str(doc["last_seen"]).replace("Z", "+00:00")))
            normalised = Document(text_)
            if normalised.content_hash != doc["id"]:
                raise ValueError("the id is not the hash of the text (altered in transit?)")
            docs.append(
                (
                    SharedDocument(
                        id=normalised.content_hash, text=normalised.text, kind=str(doc["kind"]),
                        marking=marking, first_seen=first, last_seen=max(first, last),
                        selectors=tuple(sorted(set(keys))), title=doc.get("title"),
                        language=doc.get("language"), source_url=doc.get("source_url"),
                    ),
                    where,
                )
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            report.problem(f"unusable item: {exc}; skipped", where=where)
    next_cursor = parse_cursor(str(data.get("next_cursor", "0")))
    return docs, declared, next_cursor, bool(data.get("more"))


def pull(
    store: Store,
    base_url: str,
    token: str,
    *,
    dataset: str,
    state_file: Path,
    marking: str | None = None,
    limit: int = 500,
    from_start: bool = False,
    client: httpx.Client | None = None,
    principal: Principal | None = None,
    progress: Callable[[PullResult], None] | None = None,
) -> PullResult:
    """Pull every page after the saved cursor from the partner at ``base_url`` (…/api/v1)."""
    principal = principal or Principal.system()
    principal.require("ingest")
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InputError(f"{base_url!r} is not an http(s) URL", hint="e.g. https://partner/api/v1")
    cursor = 0 if from_start else _load_state(state_file, base, dataset)
    report = ImportReport(source=base, format="sync", dataset=dataset)
    writer = ImportWriter(store, dataset, report, marking=marking or "amber")
    result = PullResult(cursor=cursor)
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
    try:
        while True:
            data = _get(http, f"{base}/sync/changes", token, cursor, limit)
            result.remote = data.get("organisation") if isinstance(data, dict) else None
            docs, declared, next_cursor, more = _page_documents(data, report)
            before = (report.documents_new, report.documents_known)
            writer.write(docs, declared)
            result.documents_new += report.documents_new - before[0]
            result.documents_known += report.documents_known - before[1]
            if next_cursor < cursor:
                raise SyncError(f"the partner's cursor went back ({cursor} → {next_cursor})")
            cursor = next_cursor
            _save_state(state_file, base, dataset, cursor)
            result.pages += 1
            result.cursor = cursor
            if progress is not None:
                progress(result)
            if not more:
                break
    finally:
        if own_client:
            http.close()
        result.problems = [str(p) for p in report.problems]
        audit.append(
            store.engine,
            principal,
            "import",
            "dataset",
            dataset,
            writer.marking,
            {
                "format": FORMAT,
                "from": base,
                "remote_organisation": result.remote,
                "pages": result.pages,
                "documents_new": result.documents_new,
                "documents_known": result.documents_known,
                "cursor": str(result.cursor),
                "problems": len(report.problems),
            },
        )
    return result


def _detail(response: httpx.Response) -> str:
    """The ``detail`` of a Tocsin error answer, never other text: a pull started from the
    workspace shows this message, and the URL is the user's to choose (an internal service's
    page must not be readable through it)."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return ""
    return f": {detail[:200]}" if isinstance(detail, str) else ""


def _get(http: httpx.Client, url: str, token: str, cursor: int, limit: int) -> Any:
    """GET one page; connection failures are retried (with back-off), then reported."""
    last: Exception | None = None
    for attempt in range(RETRIES):
        try:
            response = http.get(
                url,
                params={"cursor": str(cursor), "limit": str(limit)},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
        except httpx.TransportError as exc:  # refused, reset, cut mid-body, timed out
            last = exc
            time.sleep(0.2 * 2**attempt)
            continue
        if response.status_code in (401, 403):
            raise SyncError(
                f"the partner refused the token ({response.status_code})",
                hint="ask the partner for a token of a user with the analyst role",
            )
        if response.status_code >= 500:
            last = SyncError(f"the partner answered {response.status_code}")
            time.sleep(0.2 * 2**attempt)
            continue
        if response.status_code != 200:
            raise SyncError(f"the partner answered {response.status_code}{_detail(response)}")
        try:
            return response.json()
        except ValueError:
            last = SyncError("the partner's answer is not JSON (cut off?)")
            continue
    raise SyncError(
        f"no answer from {url} after {RETRIES} tries: {last}",
        hint="run the same command again: the pull resumes from the last page stored",
    )
