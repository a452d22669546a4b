"""The analysts' workspace under ``/app``: dashboard, search, documents, selectors, clusters,
upload.

Every page reads through ``store.as_principal(principal)`` or the API's own functions, which do
the same, so a page shows exactly what the caller could fetch from the API. Graphs, judgements
and uploads are drawn and sent by ``static/js/workspace.js`` with the JSON API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import or_, select

from tocsin.access import Principal
from tocsin.detect.derived import DERIVED
from tocsin.detect.rules import load_packs
from tocsin.graph.source import NodeKind, NodeRef
from tocsin.graph.summary import summarise
from tocsin.model import Category, DocumentKind, RiskLevel
from tocsin.report.highlight import segments
from tocsin.store import Store
from tocsin.store.schema import MARKINGS, datasets, judgements
from tocsin.store.search import SearchFilters
from tocsin.web.api.graph import cached_clustering
from tocsin.web.api.stats import stats as api_stats
from tocsin.web.deps import StoreDep, current_principal
from tocsin.web.pages.auth import LoginRedirect
from tocsin.web.pages.geo import map_view
from tocsin.web.pages.present import TEXT_LIMIT, stored_marks
from tocsin.web.pages.templating import render

__all__ = ["router", "workspace_principal"]

router = APIRouter(prefix="/app", include_in_schema=False)

PAGE_SIZE: Final = 25
LEVELS: Final = [level.value for level in RiskLevel]
CATEGORIES: Final = [c.value for c in Category]
KINDS: Final = [k.value for k in DocumentKind]


def workspace_principal(request: Request) -> Principal:
    """The logged-in caller; a visitor is sent to /login and back."""
    principal = current_principal(request)
    if not principal.logged_in and not principal.system:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRedirect(target)
    return principal


UserDep = Annotated[Principal, Depends(workspace_principal)]


def indicator_titles() -> dict[str, str]:
    titles = {i.id: i.title for i in load_packs().indicators}
    titles.update({d.id: d.title for d in DERIVED})
    return titles


def _pairs(items: Any) -> list[tuple[str, int]]:
    return [(c.key, c.count) for c in items]


# -- dashboard ----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, principal: UserDep, store: StoreDep) -> HTMLResponse:
    stats = api_stats(request, principal, store)
    levels = dict(_pairs(stats.levels))
    context = {
        "nav": "dashboard",
        "stats": stats,
        "high": levels.get("high", 0) + levels.get("critical", 0),
        "per_day": _pairs(stats.per_day),
        "levels": [(lvl, levels.get(lvl, 0)) for lvl in LEVELS],
        "categories": _pairs(stats.categories),
        "languages": _pairs(stats.languages)[:12],
        "kinds": _pairs(stats.kinds),
        "indicators": _pairs(stats.top_indicators),
        "titles": indicator_titles(),
        "map": map_view(_pairs(stats.places)),
        "clusters": stats.top_clusters,
    }
    return render(request, "app/dashboard.html", context, lang="en")


# -- search -------------------------------------------------------------------------------------


def _day(value: str | None, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _choice(values: list[str], allowed: list[str]) -> tuple[str, ...]:
    return tuple(v for v in values if v in allowed)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
    level: Annotated[list[str] | None, Query()] = None,
    category: Annotated[str, Query(max_length=40)] = "",
    lang: Annotated[str, Query(max_length=12)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    dataset: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=400)] = 1,
) -> HTMLResponse:
    scoped = store.as_principal(principal)
    filters = SearchFilters(
        levels=_choice(level or [], LEVELS),
        categories=_choice([category], CATEGORIES),
        languages=(lang.lower(),) if lang.strip() else (),
        kinds=_choice([kind], KINDS),
        datasets=(dataset,) if dataset else (),
        since=_day(since),
        until=_day(until, end=True),
    )
    rows = scoped.search(q, filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    total = scoped.search_count(q, filters)
    query = {
        "q": q, "category": category, "lang": lang, "kind": kind, "dataset": dataset,
        "since": since, "until": until,
    }  # fmt: skip
    base = urlencode(
        [(k, v) for k, v in query.items() if v] + [("level", lv) for lv in level or []]
    )
    context = {
        "nav": "search",
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "total": total,
        "page": page,
        "base_query": base,
        "form": {**query, "levels": set(level or [])},
        "levels": LEVELS,
        "categories": CATEGORIES,
        "kinds": KINDS,
        "datasets": _dataset_names(scoped),
    }
    return render(request, "app/search.html", context, lang="en")


def _dataset_names(scoped: Store) -> list[str]:
    visible = scoped.visible_datasets()
    query = select(datasets.c.name).order_by(datasets.c.name)
    if visible is not None:
        query = query.where(datasets.c.pk.in_(visible or [-1]))
    with scoped.engine.connect() as conn:
        return list(conn.scalars(query))


# -- documents and selectors --------------------------------------------------------------------


def _judged_links(scoped: Store, document_id: str) -> dict[str, str]:
    """The latest decision on each (document, selector) link of a document (the document is
    visible to the caller: the page checked it)."""
    query = (
        select(judgements.c.a_kind, judgements.c.a_id, judgements.c.b_id, judgements.c.decision)
        .where(
            judgements.c.target == "link",
            or_(judgements.c.a_id == document_id, judgements.c.b_id == document_id),
        )
        .order_by(judgements.c.at, judgements.c.pk)
    )
    latest: dict[str, str] = {}
    with scoped.engine.connect() as conn:
        for a_kind, a_id, b_id, decision in conn.execute(query):
            latest[b_id if a_kind == "document" else a_id] = decision
    return latest


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request, principal: UserDep, store: StoreDep, doc_id: str
) -> HTMLResponse:
    if not 8 <= len(doc_id) <= 64 or any(c not in "0123456789abcdef" for c in doc_id.lower()):
        raise HTTPException(404, "no such document")
    scoped = store.as_principal(principal)
    doc = scoped.document(doc_id.lower())
    if doc is None:
        raise HTTPException(404, "no such document")
    verdict = doc["verdict"]
    text = doc["text"] or ""
    selectors: dict[str, dict[str, Any]] = {}
    for s in verdict.get("selectors", []):
        key = f"{s['type']}:{s['value']}"
        selectors.setdefault(key, {"key": key, "type": s["type"], "value": s["value"], "raws": []})
        if s["raw"] not in selectors[key]["raws"]:
            selectors[key]["raws"].append(s["raw"])
    context = {
        "nav": "search",
        "doc": doc,
        "verdict": verdict,
        "segments": segments(text, stored_marks(verdict), TEXT_LIMIT),
        "cut": len(text) > TEXT_LIMIT,
        "selectors": list(selectors.values()),
        "judged": _judged_links(scoped, doc["id"]),
        "can_judge": principal.can("judge"),
        "quote": quote,
    }
    return render(request, "app/document.html", context, lang="en")


@router.get("/selectors/{key:path}", response_class=HTMLResponse)
def selector_page(request: Request, principal: UserDep, store: StoreDep, key: str) -> HTMLResponse:
    scoped = store.as_principal(principal)
    row = scoped.selector(key)
    if row is None:
        raise HTTPException(404, "no such selector")
    source = scoped.link_source()
    ids = source.documents_of(key, limit=200)
    docs = sorted(
        source.summaries(ids),
        key=lambda d: (d.first_seen or datetime.min.replace(tzinfo=UTC), d.id),
    )
    context = {
        "nav": "search",
        "sel": row,
        "docs": docs,
        "more": max(0, int(row["degree"]) - len(docs)),
        "titles": indicator_titles(),
        "graph_url": "/api/v1/selectors/" + quote(key, safe=":@"),
        "can_judge": principal.can("judge"),
    }
    return render(request, "app/selector.html", context, lang="en")


@router.get("/lookup", response_class=HTMLResponse)
def lookup(request: Request, principal: UserDep, store: StoreDep, value: str = "") -> HTMLResponse:
    """Find a selector by its value (a phone, a handle, a wallet) and list the matches."""
    scoped = store.as_principal(principal)
    keys = scoped.find_selectors(value.strip()) if value.strip() else []
    return render(request, "app/lookup.html", {"nav": "search", "value": value, "keys": keys})


# -- clusters -----------------------------------------------------------------------------------


@router.get("/clusters", response_class=HTMLResponse)
def clusters_page(
    request: Request,
    principal: UserDep,
    store: StoreDep,
    min_size: Annotated[int, Query(ge=2, le=100_000)] = 2,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    clustering = cached_clustering(request, store, principal)
    source = store.as_principal(principal).link_source()
    found = list(clustering.clusters(min_size=min_size))
    start = (page - 1) * PAGE_SIZE
    summaries = [summarise(c, source) for c in found[start : start + PAGE_SIZE]]
    context = {
        "nav": "clusters",
        "summaries": summaries,
        "total": len(found),
        "page": page,
        "has_next": start + PAGE_SIZE < len(found),
        "base_query": urlencode({"min_size": min_size}),
        "min_size": min_size,
        "titles": indicator_titles(),
    }
    return render(request, "app/clusters.html", context, lang="en")


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster_page(
    request: Request, principal: UserDep, store: StoreDep, cluster_id: str
) -> HTMLResponse:
    clustering = cached_clustering(request, store, principal)
    found = next((c for c in clustering.clusters(min_size=1) if c.id == cluster_id), None)
    if found is None:
        raise HTTPException(404, "no such cluster")
    source = store.as_principal(principal).link_source()
    docs = source.summaries(found.documents[:200])
    context = {
        "nav": "clusters",
        "summary": summarise(found, source),
        "docs": sorted(docs, key=lambda d: (-d.risk, d.id)),
        "selectors": list(found.selectors[:300]),
        "titles": indicator_titles(),
        "graph_url": f"/api/v1/clusters/{cluster_id}",
        "start": NodeRef(NodeKind.DOCUMENT, found.documents[0]) if found.documents else None,
    }
    return render(request, "app/cluster.html", context, lang="en")


# -- upload -------------------------------------------------------------------------------------


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, principal: UserDep, store: StoreDep) -> HTMLResponse:
    scoped = store.as_principal(principal)
    context = {
        "nav": "upload",
        "can_ingest": principal.can("ingest"),
        "datasets": _dataset_names(scoped),
        "markings": MARKINGS,
        "default_marking": request.app.state.settings.default_marking,
    }
    return render(request, "app/upload.html", context, lang="en")
