"""``tocsin search``, ``tocsin show`` and ``tocsin export``: reading the intelligence store."""

from __future__ import annotations

import csv
import functools
import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.table import Table

from tocsin.errors import InputError
from tocsin.graph.source import DocumentSummary
from tocsin.model import Category, DocumentKind, RiskLevel
from tocsin.selectors import extract
from tocsin.settings import get_settings
from tocsin.store import SqlLinkSource, Store, open_store
from tocsin.store.ftm import assemble, document_entity_id, selector_entity_id
from tocsin.store.search import SearchFilters, search

__all__ = ["emit", "search_command", "show_command"]

LEVELS = [lvl.value for lvl in RiskLevel]
_HEX = re.compile(r"^[0-9a-f]{8,64}$")


def _fmt_option(fn: Any, formats: Sequence[str] = ("table", "jsonl", "csv")) -> Any:
    fn = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(formats)),
        default=None,
        help="Output format [default: table on a terminal, jsonl otherwise].",
    )(fn)
    return click.option(
        "--database",
        default=None,
        metavar="URL",
        help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
    )(fn)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).isoformat()
    return value


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: str | None,
    title: str | None = None,
    out: IO[str] | None = None,
) -> None:
    """Rows as a table on a terminal, JSON Lines or CSV."""
    out = out or sys.stdout
    fmt = fmt or ("table" if out.isatty() else "jsonl")
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps({k: _plain(v) for k, v in r.items()}, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(
                [
                    ";".join(map(str, v)) if isinstance(v, list | tuple) else _plain(v)
                    for v in (r.get(c) for c in columns)
                ]
            )
    else:
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(
                *(
                    ", ".join(map(str, v))
                    if isinstance(v, list | tuple)
                    else ""
                    if v is None
                    else str(_plain(v))
                    for v in (r.get(c) for c in columns)
                )
            )
        Console(file=out).print(table)


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=name
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.command("search")
@click.argument("query", default="")
@click.option(
    "--risk",
    "levels",
    multiple=True,
    type=click.Choice(LEVELS),
    help="Only documents at this level or above (repeatable: exactly these levels).",
)
@click.option("--min-risk", type=click.IntRange(0, 100), default=None, help="Minimum risk 0–100.")
@click.option(
    "--level",
    "exact_levels",
    multiple=True,
    type=click.Choice(LEVELS),
    help="Only documents at exactly this level (repeatable).",
)
@click.option(
    "--category",
    multiple=True,
    type=click.Choice([c.value for c in Category]),
    help="Only documents with this category (repeatable: all of them).",
)
@click.option("--lang", "languages", multiple=True, metavar="CODE", help="Detected language.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice([k.value for k in DocumentKind]))
@click.option("--dataset", "dataset_names", multiple=True, help="Only these datasets.")
@click.option("--since", default=None, metavar="DATE", help="Seen on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="First seen on or before DATE.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@_fmt_option
def search_command(
    query: str,
    levels: tuple[str, ...],
    min_risk: int | None,
    exact_levels: tuple[str, ...],
    category: tuple[str, ...],
    languages: tuple[str, ...],
    kinds: tuple[str, ...],
    dataset_names: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    fmt: str | None,
    database: str | None,
) -> None:
    """Full-text search of stored documents, with filters; ranked and paged.

    \b
    Examples:
      tocsin search "customer service Sihanoukville" --risk high --lang vi
      tocsin search --category pig_butchering --since 2025-01-01 --format csv
    """
    if len(levels) == 1:
        lowest = RiskLevel(levels[0]).rank
        chosen = tuple(lvl.value for lvl in RiskLevel if lvl.rank >= lowest)
    else:
        chosen = levels
    if exact_levels:
        chosen = tuple(sorted(set(chosen) & set(exact_levels))) if chosen else exact_levels
    filters = SearchFilters(
        min_risk=min_risk,
        levels=chosen,
        categories=category,
        languages=languages,
        kinds=kinds,
        datasets=dataset_names,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
    )
    with open_store(get_settings(), url=database) as store:
        rows = search(store.engine, query, filters, limit=limit, offset=offset)
    short = fmt == "table" or (fmt is None and sys.stdout.isatty())
    for r in rows:
        r["snippet"] = " ".join(str(r["snippet"]).split())[: 60 if short else 160]
        if short:
            r["id"] = str(r["id"])[:12]
    emit(
        rows,
        ["id", "score", "risk", "level", "kind", "language", "categories", "title", "snippet"],
        fmt,
        title=f"search {query!r}",
    )


def _resolve(store: Store, target: str) -> tuple[str, list[str]]:
    """('document', [id]) or ('selector', [keys]) for what the user typed."""
    if _HEX.match(target.lower()):
        doc = store.document(target.lower())
        if doc is not None:
            return "document", [str(doc["id"])]
    if ":" in target and store.selector(target) is not None:
        return "selector", [target]
    keys = [s.key for s in extract(target)]
    keys = [k for k in dict.fromkeys(keys) if store.selector(k) is not None]
    return "selector", keys or store.find_selectors(target)


@click.command("show")
@click.argument("target", metavar="SELECTOR_OR_DOC_ID")
@click.option(
    "--depth",
    type=click.IntRange(1, 6),
    default=2,
    show_default=True,
    help="Hops to follow (selector → document → selector …).",
)
@click.option(
    "--no-clusters", is_flag=True, help="Skip finding the clusters (faster on big stores)."
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Where to write (with --format html, a self-contained page).",
)
@functools.partial(_fmt_option, formats=("table", "jsonl", "csv", "html"))
def show_command(
    target: str,
    depth: int,
    no_clusters: bool,
    output: str,
    fmt: str | None,
    database: str | None,
) -> None:
    """Every document, entity and cluster a selector (or a document) touches.

    SELECTOR_OR_DOC_ID is a selector as written (+85512345678, @handle, an address), a stored
    selector key (telegram:handle) or a document id (or its first 8+ characters).
    ``--format html`` writes a static page with the neighbourhood drawn and the same lists.

    \b
    Examples:
      tocsin show +85512345678
      tocsin show telegram:hr_desk --format html -o hr_desk.html
    """
    from tocsin.graph import NodeKind, NodeRef
    from tocsin.graph.queries import pivot

    with open_store(get_settings(), url=database) as store:
        kind, ids = _resolve(store, target)
        if not ids:
            raise InputError(
                f"nothing stored matches {target!r}",
                hint="give a selector key such as phone:+85512345678 or a document id",
            )
        source = SqlLinkSource(store.engine)
        node_kind = NodeKind.DOCUMENT if kind == "document" else NodeKind.SELECTOR
        documents: dict[str, int] = {}
        selectors: dict[str, int] = {}
        edges: dict[tuple[str, str], None] = {}
        for start in ids:
            sub = pivot(source, NodeRef(node_kind, start), depth=depth)
            for node, d in sub.depth.items():
                bucket = documents if node.kind is NodeKind.DOCUMENT else selectors
                bucket[node.id] = min(d, bucket.get(node.id, d))
            edges.update(((a.id, b.id), None) for a, b in sub.edges)
        summaries = {s.id: s for s in source.summaries(documents)}
        rows: list[dict[str, Any]] = []
        for key, d in sorted(selectors.items(), key=lambda kv: (kv[1], kv[0])):
            rows.append(
                {
                    "node": "selector",
                    "id": key,
                    "depth": d,
                    "detail": f"{source.selector_degree(key)} documents",
                }
            )
        for doc_id, d in sorted(documents.items(), key=lambda kv: (kv[1], kv[0])):
            s = summaries.get(doc_id)
            detail = f"risk {s.risk} {s.level}, {s.kind}, {s.language}" if s else ""
            rows.append({"node": "document", "id": doc_id, "depth": d, "detail": detail})
        entity_ids = [selector_entity_id(k) for k in selectors]
        entity_ids += [document_entity_id(d) for d in documents]
        for entity in assemble(store.entity_statements(entity_ids)):
            rows.append(
                {
                    "node": "entity",
                    "id": entity["id"],
                    "depth": None,
                    "detail": f"{entity['schema']}: {entity.get('caption', '')}",
                }
            )
        if not no_clusters:
            rows.extend(_cluster_rows(source, set(documents)))
    if fmt == "html":
        page = _show_html(target, rows, summaries, edges)
        if output == "-":
            sys.stdout.write(page)
        else:
            Path(output).write_text(page, encoding="utf-8")
        return
    if output == "-":
        emit(rows, ["node", "id", "depth", "detail"], fmt, title=f"show {target}")
    else:
        with open(output, "w", encoding="utf-8", newline="") as out:
            emit(rows, ["node", "id", "depth", "detail"], fmt or "jsonl", out=out)


def _show_html(
    target: str,
    rows: Sequence[dict[str, Any]],
    summaries: dict[str, DocumentSummary],
    edges: Iterable[tuple[str, str]],
) -> str:
    """`tocsin show` as a page: the neighbourhood drawn, then documents, selectors, entities
    and clusters listed (nearest first)."""
    from tocsin.graph.render import neighbourhood_html

    def of(node: str) -> list[dict[str, Any]]:
        return [r for r in rows if r["node"] == node]

    doc_rows = []
    for r in of("document"):
        s = summaries.get(r["id"])
        doc_rows.append(
            [
                r["id"],
                r["depth"],
                s.risk if s else "",
                s.level if s else "",
                s.kind if s else "",
                (s.language or "") if s else "",
                ", ".join(s.categories) if s else "",
                ", ".join(s.datasets) if s else "",
            ]
        )
    tables: list[tuple[str, Sequence[str], Sequence[Sequence[object]]]] = [
        (
            "Documents",
            ["id", "depth", "risk", "level", "kind", "language", "categories", "datasets"],
            doc_rows,
        ),
        (
            "Selectors",
            ["key", "depth", "documents"],
            [[r["id"], r["depth"], r["detail"]] for r in of("selector")],
        ),
        ("Entities", ["id", "entity"], [[r["id"], r["detail"]] for r in of("entity")]),
        ("Clusters", ["id", "summary"], [[r["id"], r["detail"]] for r in of("cluster")]),
    ]
    return neighbourhood_html(
        f"Tocsin — show {target}",
        [r["id"] for r in of("document")],
        [r["id"] for r in of("selector")],
        edges,
        tables,
    )


def _cluster_rows(source: SqlLinkSource, documents: set[str]) -> list[dict[str, Any]]:
    from tocsin.graph.clusters import ClusterOptions, find_clusters
    from tocsin.graph.summary import summarise

    rows: list[dict[str, Any]] = []
    clustering = find_clusters(source, ClusterOptions.from_settings())
    for cluster in clustering.clusters(min_size=1):
        if documents.isdisjoint(cluster.documents):
            continue
        s = summarise(cluster, source)
        rows.append(
            {
                "node": "cluster",
                "id": cluster.id,
                "depth": None,
                "detail": f"{s.documents} documents, {s.selectors} selectors, "
                f"risk max {s.risk_max}",
            }
        )
    return rows
