"""Views: HTML escapes hostile text and draws SVG; the clusters and path commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tocsin.cli import cli, graph_cmd
from tocsin.graph import DocumentSummary, MemoryLinkSource
from tocsin.graph.clusters import ClusterOptions, find_clusters
from tocsin.graph.render import clusters_html
from tocsin.graph.summary import cluster_edges, summarise

HOSTILE = "<script>alert(1)</script>"


def source() -> MemoryLinkSource:
    src = MemoryLinkSource()
    for i in range(6):
        summary = DocumentSummary(
            id=f"d{i}",
            language="th" if i % 2 else "en",
            risk=40 + i * 10,
            level="high",
            indicators=("recruit.no_experience",),
            places=(HOSTILE,),
            datasets=("ngo-hotline",),
        )
        src.add(f"d{i}", ["telegram:recruiter", f"phone:+8551{i}"], summary=summary)
    src.add("x", [f"url:{HOSTILE}"])
    return src


def test_summary_counts_languages_risk_and_places() -> None:
    src = source()
    cluster = next(find_clusters(src, ClusterOptions(near_duplicates=False)).clusters())
    summary = summarise(cluster, src)
    assert (summary.documents, summary.selectors) == (6, 7)
    assert summary.risk_max == 90 and summary.risk_mean == 65.0
    assert dict(summary.languages) == {"en": 3, "th": 3}
    assert dict(summary.datasets) == {"ngo-hotline": 6}


def test_html_escapes_hostile_text_and_draws_svg() -> None:
    src = source()
    result = find_clusters(src, ClusterOptions(near_duplicates=False))
    items = [(c, summarise(c, src), cluster_edges(c, src)) for c in result.clusters()]
    page = clusters_html(items, hubs=[(HOSTILE, 9)])
    assert "<svg" in page and "<script" not in page
    assert "&lt;script&gt;" in page
    assert clusters_html(items, hubs=[(HOSTILE, 9)]) == page  # fixed-seed layout


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryLinkSource:
    src = source()
    monkeypatch.setattr(graph_cmd, "open_source", lambda: src)
    return src


def test_clusters_command_jsonl_and_html(memory: MemoryLinkSource, tmp_path: object) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["clusters", "--min-size", "5", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["documents"] == 6
    html = runner.invoke(cli, ["clusters", "--min-size", "1", "--format", "html"])
    assert "<svg" in html.stdout and "<script" not in html.stdout


def test_path_command_explains(memory: MemoryLinkSource) -> None:
    out = CliRunner().invoke(cli, ["path", "phone:+85510", "phone:+85513"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == [
        "1. phone:+85510 appears in document d0, which also names telegram:recruiter",
        "2. telegram:recruiter appears in document d3, which also names phone:+85513",
    ]
    missing = CliRunner().invoke(cli, ["path", "phone:+85510", "telegram:nobody"])
    assert missing.exit_code == 1
