"""What a missing-person report shares with everything else, at once.

From the report's selectors (those found in the pasted offer and in the recruiter contacts):

- **documents** naming each selector (job ads, chats, other reports' offers), as the principal
  sees them — the store's scoping decides, so nothing invisible is counted;
- the **network**: every document and selector reachable from the report's documents through
  shared selectors (a pivot that never walks through hub selectors, `tocsin.graph.queries`),
  with its summary; when the walk is complete its id is the cluster id `tocsin clusters` gives
  the same documents (when hub thresholds and near-duplicate links agree);
- other **reports** sharing a selector, or in the same network — only reports of cases the
  principal is on the team of;
- **compounds** tied to a shared selector, or named in the network's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from tocsin.cases.context import CaseContext
from tocsin.cases.reports import load_report
from tocsin.graph.clusters import Cluster, cluster_id
from tocsin.graph.queries import pivot
from tocsin.graph.source import NodeKind, NodeRef
from tocsin.graph.summary import summarise
from tocsin.store.schema import CASE_TABLES, datasets
from tocsin.store.scope import visible_dataset_pks

__all__ = ["Matches", "match_report"]

T = CASE_TABLES
SAMPLE = 5
NETWORK_LIMIT = 2000


@dataclass(slots=True)
class Matches:
    report: str
    selectors: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    compounds: list[dict[str, Any]] = field(default_factory=list)
    network: dict[str, Any] | None = None

    @property
    def any(self) -> bool:
        return bool(any(s["documents"] for s in self.selectors) or self.reports or self.compounds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "selectors": self.selectors,
            "reports": self.reports,
            "compounds": self.compounds,
            "network": self.network,
        }


def match_report(ctx: CaseContext, report_id: str) -> Matches:
    """Everything the report's selectors touch that the principal may see (audited)."""
    with ctx.transaction("report.matches", "report", report_id) as conn:
        row, _case = load_report(ctx, conn, report_id)
        own = {d for d in (row.offer_document_id, row.contacts_document_id) if d}
        keys = dict(
            conn.execute(
                select(T.report_selectors.c.selector_key, T.report_selectors.c.source).where(
                    T.report_selectors.c.report_pk == row.pk
                )
            ).all()
        )
        case_pks = ctx.member_case_pks(conn)
        visible = visible_dataset_pks(conn, ctx.principal)
    source = ctx.store.link_source()
    hub = ctx.settings.graph_hub_threshold
    found = Matches(report=row.id)

    # the network: a bounded walk from the report's own documents
    depth: dict[NodeRef, int] = {}
    truncated = False
    for doc in sorted(own):
        start = NodeRef(NodeKind.DOCUMENT, doc)
        if start in depth:
            continue
        graph = pivot(source, start, depth=12, limit=NETWORK_LIMIT, hub_threshold=hub)
        depth.update(graph.depth)
        truncated = truncated or graph.truncated
    net_docs = sorted(n.id for n in depth if n.kind is NodeKind.DOCUMENT)
    net_sels = sorted(n.id for n in depth if n.kind is NodeKind.SELECTOR)
    summaries = {s.id: s for s in source.summaries(net_docs)}

    def doc_brief(doc_id: str) -> dict[str, Any]:
        s = summaries.get(doc_id)
        if s is None:
            s = next(iter(source.summaries([doc_id])), None)
        if s is None:
            return {"id": doc_id}
        return {
            "id": s.id, "kind": s.kind, "risk": s.risk, "level": s.level,
            "language": s.language, "datasets": list(s.datasets),
            "first_seen": s.first_seen.isoformat() if s.first_seen else None,
        }  # fmt: skip

    own_keys = {d: set(source.selectors_of(d)) for d in own}
    for key in sorted(keys):
        degree = source.selector_degree(key)
        others = [d for d in source.documents_of(key, limit=SAMPLE + len(own)) if d not in own]
        found.selectors.append(
            {
                "key": key,
                "source": keys[key],
                "documents": degree - sum(key in ks for ks in own_keys.values()),
                "hub": degree > hub,
                "sample": [doc_brief(d) for d in others[:SAMPLE]],
            }
        )
    if net_docs:
        cluster = Cluster(id=cluster_id(net_docs), documents=tuple(net_docs),
                          selectors=tuple(net_sels))  # fmt: skip
        summary = summarise(cluster, source).to_dict()
        found.network = {
            "id": None if truncated else cluster.id,
            "complete": not truncated,
            "documents": len(net_docs) - len(own),
            "selectors": len(net_sels),
            "summary": summary,
            "sample": [doc_brief(d) for d in net_docs if d not in own][: SAMPLE * 2],
        }

    with ctx.engine.connect() as conn:
        # other reports, in the principal's cases only
        query = (
            select(
                T.missing_reports.c.id, T.cases.c.id.label("case"),
                T.report_selectors.c.selector_key,
            )
            .join(T.cases, T.cases.c.pk == T.missing_reports.c.case_pk)
            .outerjoin(T.report_selectors,
                       T.report_selectors.c.report_pk == T.missing_reports.c.pk)
            .where(
                T.missing_reports.c.pk != row.pk,
                or_(
                    T.report_selectors.c.selector_key.in_(sorted(keys)),
                    T.missing_reports.c.offer_document_id.in_(net_docs),
                    T.missing_reports.c.contacts_document_id.in_(net_docs),
                ),
            )
        )  # fmt: skip
        if case_pks is not None:
            query = query.where(T.missing_reports.c.case_pk.in_(case_pks))
        linked: dict[str, dict[str, Any]] = {}
        for rid, case, key in conn.execute(query):
            entry = linked.setdefault(
                rid, {"id": rid, "case": case, "shared": [], "via": "network"}
            )
            if key in keys:
                entry["shared"] = sorted({*entry["shared"], key})
                entry["via"] = "selector"
        found.reports = sorted(linked.values(), key=lambda r: (r["via"] != "selector", r["id"]))

        # compounds: tied to a shared or network selector, or named in the network
        wanted = sorted(set(keys) | set(net_sels))
        cquery = (
            select(T.compounds.c.id, T.compounds.c.name, T.compound_selectors.c.selector_key)
            .join(T.compound_selectors, T.compound_selectors.c.compound_pk == T.compounds.c.pk)
            .join(datasets, datasets.c.pk == T.compounds.c.dataset_pk)
            .where(T.compound_selectors.c.selector_key.in_(wanted))
        )
        names_query = select(T.compounds.c.id, T.compounds.c.name).union_all(
            select(T.compounds.c.id, T.compound_names.c.name).join(
                T.compound_names, T.compound_names.c.compound_pk == T.compounds.c.pk
            )
        )
        if visible is not None:
            cquery = cquery.where(T.compounds.c.dataset_pk.in_(visible))
        compounds: dict[str, dict[str, Any]] = {}
        for cid, name, key in conn.execute(cquery):
            entry = compounds.setdefault(cid, {"id": cid, "name": name, "selectors": [],
                                               "named_in": 0})  # fmt: skip
            entry["selectors"].append(key)
        places: dict[str, int] = {}
        for s in summaries.values():
            if s.id in own:  # the report's own offer names its own place
                continue
            for p in s.places:
                places[p] = places.get(p, 0) + 1
        if places:
            titles = dict(conn.execute(select(T.compounds.c.id, T.compounds.c.name)).all())
            vis = None if visible is None else set(
                conn.scalars(select(T.compounds.c.id).where(T.compounds.c.dataset_pk.in_(visible)))
            )  # fmt: skip
            for cid, name in conn.execute(names_query):
                hits = places.get(name.casefold(), 0)
                if hits and (vis is None or cid in vis):
                    entry = compounds.setdefault(cid, {"id": cid, "name": titles[cid],
                                                       "selectors": [], "named_in": 0})  # fmt: skip
                    entry["named_in"] = max(entry["named_in"], hits)
        found.compounds = sorted(compounds.values(), key=lambda c: (-len(c["selectors"]), c["id"]))
    return found
