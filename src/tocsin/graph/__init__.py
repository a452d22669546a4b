"""Link analysis: the document ↔ selector graph, its clusters, pivots and paths.

The graph reads storage only through the `LinkSource` protocol (tocsin.graph.source), so it runs
the same over the SQL store and over `MemoryLinkSource`.
"""

from tocsin.graph.memory import MemoryLinkSource, summary_from_verdict
from tocsin.graph.source import (
    DocumentSummary,
    Judgements,
    LinkArrays,
    LinkSource,
    MergeJudgement,
    NodeKind,
    NodeRef,
)

__all__ = [
    "DocumentSummary",
    "Judgements",
    "LinkArrays",
    "LinkSource",
    "MemoryLinkSource",
    "MergeJudgement",
    "NodeKind",
    "NodeRef",
    "summary_from_verdict",
]
