"""``tocsin clusters`` and ``tocsin path``: the networks behind the stored documents."""

from __future__ import annotations

import csv
import importlib
import io
import sys
from collections.abc import Callable
from typing import cast

import click
from rich.console import Console
from rich.table import Table

from tocsin.errors import ConfigError, InputError
from tocsin.graph.source import LinkSource
from tocsin.settings import get_settings

__all__ = ["clusters_command", "open_source", "path_command"]

FORMATS = ("table", "jsonl", "csv", "html")


def open_source() -> LinkSource:
    """The store's `LinkSource` (imported on first use: the graph core never imports the store)."""
    try:
        module = importlib.import_module("tocsin.store")
    except ImportError as exc:
        raise ConfigError(
            f"the store cannot be opened: {exc}", hint="ingest documents first (tocsin ingest)"
        ) from exc
    factory = getattr(module, "open_link_source", None)
    if factory is None:
        raise ConfigError("this version of tocsin.store has no open_link_source()")
    return cast(LinkSource, cast(Callable[[], object], factory)())


def _write(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)


def _table(rows: list[dict[str, str]], fmt: str, output: str) -> None:
    if fmt == "csv":
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        _write(buffer.getvalue(), output)
        return
    table = Table(expand=True)
    for name in rows[0] if rows else ["(none)"]:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row.values())
    if output == "-":
        Console().print(table)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            Console(file=handle, width=160).print(table)


@click.command("clusters")
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Show clusters with at least this many documents.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Show at most this many clusters, largest first.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: table on a terminal, jsonl otherwise].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Write to this file.",
)
@click.option(
    "--hub-threshold",
    type=click.IntRange(min=1),
    default=None,
    help="Selectors linked to more documents are hubs and do not merge clusters "
    "[default: TOCSIN_GRAPH_HUB_THRESHOLD].",
)
@click.option(
    "--near-duplicates/--no-near-duplicates",
    default=True,
    show_default=True,
    help="Link documents that reuse a template or script.",
)
def clusters_command(
    min_size: int,
    limit: int,
    fmt: str | None,
    output: str,
    hub_threshold: int | None,
    near_duplicates: bool,
) -> None:
    """Networks: documents joined by shared selectors and reused templates.

    Hub selectors (linked to very many documents, such as a job board's support address) are
    listed but never merge clusters; rejected links stay out and confirmed merges are applied.
    """
    # Imported here: scipy and networkx are not needed for the other commands.
    from tocsin.graph.clusters import ClusterOptions, find_clusters
    from tocsin.graph.render import cluster_rows, clusters_html, jsonl
    from tocsin.graph.summary import cluster_edges, summarise

    fmt = fmt or ("table" if sys.stdout.isatty() and output == "-" else "jsonl")
    source = open_source()
    options = ClusterOptions.from_settings(
        hub_threshold=hub_threshold, near_duplicates=near_duplicates
    )
    result = find_clusters(source, options)
    chosen = list(result.clusters(min_size=min_size, limit=limit))
    summaries = [summarise(c, source) for c in chosen]
    for conflict in result.conflicts:
        click.echo(f"warning: {conflict}", err=True)
    if fmt == "jsonl":
        items: list[dict[str, object]] = []
        for cluster, summary in zip(chosen, summaries, strict=True):
            item: dict[str, object] = dict(summary.to_dict())
            item["document_ids"] = list(cluster.documents)
            item["selector_keys"] = list(cluster.selectors)
            item["near_duplicates"] = [list(p) for p in cluster.near_duplicates]
            items.append(item)
        _write(jsonl(items), output)
    elif fmt == "html":
        drawn = [(c, s, cluster_edges(c, source)) for c, s in zip(chosen, summaries, strict=True)]
        hubs = [(h.key, h.degree) for h in result.hubs[:50]]
        _write(clusters_html(drawn, hubs=hubs), output)
    else:
        _table(cluster_rows(summaries), fmt, output)
    click.echo(
        f"{result.count} clusters over {len(result.documents)} documents; "
        f"{len(chosen)} shown (≥ {min_size} documents); {len(result.hubs)} hub selectors "
        f"(threshold {result.threshold}); {len(result.near_duplicates)} near-duplicate links",
        err=True,
    )


@click.command("path")
@click.argument("selector_a")
@click.argument("selector_b")
@click.option(
    "--max-hops",
    type=click.IntRange(min=1),
    default=6,
    show_default=True,
    help="Most documents on the path.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", "jsonl", "html")),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Write to this file.",
)
def path_command(selector_a: str, selector_b: str, max_hops: int, fmt: str, output: str) -> None:
    """How two selectors are connected: the shortest chain selector → document → selector.

    Selectors are given as keys, ``type:value`` (e.g. ``telegram:hr_desk``,
    ``phone:+85512345678``). Hub selectors are not walked through.
    """
    from tocsin.graph.queries import shortest_path
    from tocsin.graph.render import jsonl, path_html

    for key in (selector_a, selector_b):
        if ":" not in key:
            raise InputError(f"{key!r} is not a selector key", hint="write it as type:value")
    settings = get_settings()
    source = open_source()
    found = shortest_path(
        source,
        selector_a,
        selector_b,
        max_hops=max_hops,
        hub_threshold=settings.graph_hub_threshold,
    )
    if found is None:
        click.echo(
            f"no path between {selector_a} and {selector_b} within {max_hops} hops", err=True
        )
        sys.exit(1)
    if fmt == "jsonl":
        _write(jsonl([found.to_dict()]), output)
    elif fmt == "html":
        _write(path_html(found), output)
    else:
        _write("".join(f"{i}. {line}\n" for i, line in enumerate(found.explain(), 1)), output)
