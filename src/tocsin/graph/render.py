"""Views of clusters and paths: table rows, JSON Lines and a self-contained HTML page.

The HTML page has no external assets and no scripts: each cluster is drawn as inline SVG, laid
out on the server with networkx's spring layout and a fixed seed (the same input gives the same
picture). All text from documents and selectors is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape

import networkx as nx

from tocsin.graph.clusters import Cluster
from tocsin.graph.queries import Path
from tocsin.graph.summary import ClusterSummary

__all__ = [
    "MAX_DRAWN",
    "cluster_rows",
    "clusters_html",
    "jsonl",
    "neighbourhood_html",
    "path_html",
    "svg",
]

MAX_DRAWN = 150
"""Most nodes drawn per cluster; bigger clusters are drawn in part and say so."""

SEED = 7
WIDTH, HEIGHT = 640, 420
_COLOURS = {
    "phone": "#d95f02",
    "email": "#7570b3",
    "url": "#1b9e77",
    "domain": "#1b9e77",
    "crypto": "#e6ab02",
    "iban": "#a6761d",
    "bank_account": "#a6761d",
}
_MESSAGING = "#e7298a"
_DOCUMENT = "#666666"

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;
text-align:left;vertical-align:top;font-size:90%}section{margin-bottom:3em}
svg{border:1px solid #ddd;background:#fcfcfc}.note{color:#666;font-size:90%}
"""


def cluster_rows(summaries: Iterable[ClusterSummary]) -> list[dict[str, str]]:
    """One flat row per cluster, for the terminal table and CSV."""

    def top(items: tuple[tuple[str, int], ...], n: int = 3) -> str:
        return ", ".join(f"{k} ({v})" for k, v in items[:n])

    rows = []
    for s in summaries:
        rows.append(
            {
                "cluster": s.id,
                "docs": str(s.documents),
                "selectors": str(s.selectors),
                "risk max/mean": f"{s.risk_max}/{s.risk_mean}",
                "languages": top(s.languages),
                "first seen": s.first_seen.date().isoformat() if s.first_seen else "",
                "last seen": s.last_seen.date().isoformat() if s.last_seen else "",
                "top indicators": top(s.top_indicators),
                "places": top(s.places),
                "hubs excluded": str(len(s.hubs)),
            }
        )
    return rows


def jsonl(items: Iterable[dict[str, object]]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n" for item in items)


def _colour(node: str, is_document: bool) -> str:
    if is_document:
        return _DOCUMENT
    return _COLOURS.get(node.split(":", 1)[0], _MESSAGING)


def svg(
    documents: Sequence[str],
    selectors: Sequence[str],
    edges: Iterable[tuple[str, str]],
    dashed: Iterable[tuple[str, str]] = (),
) -> str:
    """An SVG drawing of a small bipartite graph (documents grey, selectors by type).

    ``edges`` join a document and a selector; ``dashed`` edges join near-duplicate documents.
    Node names appear as tooltips (``<title>``) and, for selectors, as labels.
    """
    graph = nx.Graph()
    docs = set(documents)
    graph.add_nodes_from(sorted(docs))
    graph.add_nodes_from(sorted(selectors))
    solid = [(a, b) for a, b in edges if a in graph and b in graph]
    dots = [(a, b) for a, b in dashed if a in graph and b in graph]
    graph.add_edges_from(solid)
    graph.add_edges_from(dots)
    if graph.number_of_nodes() == 0:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="40"></svg>'
    pos = nx.spring_layout(graph, seed=SEED, iterations=60)
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)

    def at(node: str) -> tuple[float, float]:
        px, py = float(pos[node][0]), float(pos[node][1])
        sx = 30 + (px - x0) / ((x1 - x0) or 1.0) * (WIDTH - 160)
        sy = 20 + (py - y0) / ((y1 - y0) or 1.0) * (HEIGHT - 40)
        return round(sx, 1), round(sy, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'
    ]
    for style, pairs in (("", solid), (' stroke-dasharray="4 3"', dots)):
        for a, b in pairs:
            (ax, ay), (bx, by) = at(a), at(b)
            parts.append(
                f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" stroke="#999"{style}></line>'
            )
    for node in graph.nodes:
        x, y = at(node)
        is_doc = node in docs
        colour = _colour(node, is_doc)
        title = f"<title>{'document ' if is_doc else ''}{escape(node)}</title>"
        if is_doc:
            parts.append(
                f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{colour}">{title}</rect>'
            )
        else:
            label = escape(node if len(node) <= 28 else node[:27] + "…")
            parts.append(f'<circle cx="{x}" cy="{y}" r="6" fill="{colour}">{title}</circle>')
            parts.append(f'<text x="{x + 8}" y="{y + 4}" font-size="10">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def _summary_table(summary: ClusterSummary) -> str:
    rows = []
    for key, value in summary.to_dict().items():
        if isinstance(value, dict):
            text = ", ".join(f"{k} ({v})" for k, v in value.items())
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        rows.append(f"<tr><th>{escape(key)}</th><td>{escape(text)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def clusters_html(
    clusters: Sequence[tuple[Cluster, ClusterSummary, Sequence[tuple[str, str]]]],
    *,
    title: str = "Tocsin — networks",
    hubs: Sequence[tuple[str, int]] = (),
) -> str:
    """A page with one section per cluster: its summary table and its drawing.

    Each item is (cluster, summary, document→selector edges of the cluster).
    """
    body = [
        f'<p class="note">{len(clusters)} clusters. Documents are grey squares, selectors '
        "coloured circles; dashed lines join near-duplicate documents. Hover for names.</p>"
    ]
    if hubs:
        items = "".join(f"<li>{escape(k)} — {d} documents</li>" for k, d in hubs)
        body.append(f"<h2>Hub selectors (not used to merge)</h2><ul>{items}</ul>")
    for cluster, summary, edges in clusters:
        docs = list(cluster.documents)
        sels = list(cluster.selectors)
        note = ""
        if len(docs) + len(sels) > MAX_DRAWN:
            sels = sels[: MAX_DRAWN // 3]
            docs = docs[: MAX_DRAWN - len(sels)]
            note = f'<p class="note">Drawn in part: first {len(docs) + len(sels)} nodes.</p>'
        dashed = [(a, b) for a, b, _ in cluster.near_duplicates]
        body.append(
            f'<section id="{escape(cluster.id)}"><h2>{escape(cluster.id)}</h2>'
            f"{_summary_table(summary)}{note}{svg(docs, sels, edges, dashed)}</section>"
        )
    return _page(title, "".join(body))


def path_html(path: Path, title: str = "Tocsin — path") -> str:
    """A page explaining a path hop by hop, with its drawing."""
    docs = [n.id for n in path.nodes if n.kind.value == "document"]
    sels = [n.id for n in path.nodes if n.kind.value == "selector"]
    edges = [(path.nodes[i].id, path.nodes[i + 1].id) for i in range(len(path.nodes) - 1)]
    items = "".join(f"<li>{escape(line)}</li>" for line in path.explain())
    return _page(title, f"<ol>{items}</ol>{svg(docs, sels, edges)}")


def _rows_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def neighbourhood_html(
    title: str,
    documents: Sequence[str],
    selectors: Sequence[str],
    edges: Iterable[tuple[str, str]],
    tables: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
) -> str:
    """A page with the drawing of a neighbourhood (e.g. what ``tocsin show`` reaches) and lists.

    ``tables`` are (heading, columns, rows); every cell is escaped. Neighbourhoods bigger than
    `MAX_DRAWN` nodes are drawn in part (the nearest first, as given) and say so.
    """
    docs, sels = list(documents), list(selectors)
    note = ""
    if len(docs) + len(sels) > MAX_DRAWN:
        sels = sels[: MAX_DRAWN // 3]
        docs = docs[: MAX_DRAWN - len(sels)]
        note = f'<p class="note">Drawn in part: first {len(docs) + len(sels)} nodes.</p>'
    body = [
        '<p class="note">Documents are grey squares, selectors coloured circles. '
        "Hover for names.</p>",
        note,
        svg(docs, sels, edges),
    ]
    for heading, columns, rows in tables:
        body.append(f"<section><h2>{escape(heading)} ({len(rows)})</h2>")
        body.append(_rows_table(columns, rows) if rows else '<p class="note">none</p>')
        body.append("</section>")
    return _page(title, "".join(body))
