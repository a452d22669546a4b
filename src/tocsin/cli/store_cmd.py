"""``tocsin ingest``: read, scan and store documents, batch by batch, idempotently."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from tocsin.detect.engine import Engine
from tocsin.errors import InputError, RecordError
from tocsin.intake import INPUT_FORMATS, ReadOptions, read_inputs
from tocsin.intake.readers import input_size
from tocsin.model import Document, DocumentKind
from tocsin.settings import get_settings
from tocsin.store import open_store
from tocsin.store.schema import MARKINGS

__all__ = ["ingest_command"]


@dataclass
class IngestSummary:
    read: int = 0
    new: int = 0
    known: int = 0
    selectors: int = 0
    errors: int = 0


@click.command("ingest")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--dataset", required=True, help="Dataset (an organisation's collection) to store in."
)
@click.option(
    "--marking",
    type=click.Choice(MARKINGS, case_sensitive=False),
    default=None,
    help="TLP 2.0 marking of a new dataset [default: TOCSIN_DEFAULT_MARKING, amber].",
)
@click.option(
    "--text-column",
    "--text-field",
    "text_field",
    default="text",
    show_default=True,
    help="JSONL field / CSV column holding the text.",
)
@click.option(
    "--id-column",
    "--id-field",
    "id_field",
    default="id",
    show_default=True,
    help="JSONL field / CSV column holding the record id.",
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Read every input as this format [default: by file extension; stdin: txt].",
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DocumentKind]),
    default=None,
    help="Kind of every document (overrides a 'kind' field).",
)
@click.option("--lang", "language", default=None, metavar="CODE", help="Language hint.")
@click.option("--country", default=None, metavar="CC", help="Country hint for phone numbers.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the inputs.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Documents per transaction [default: TOCSIN_INGEST_BATCH_SIZE, 500].",
)
@click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: when stderr is a terminal].",
)
@click.option("-v", "--verbose", is_flag=True, help="Report every committed batch on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No closing summary, no skipped-record lines.")
def ingest_command(
    inputs: tuple[str, ...],
    dataset: str,
    marking: str | None,
    text_field: str,
    id_field: str,
    input_format: str | None,
    kind: str | None,
    language: str | None,
    country: str | None,
    encoding: str,
    batch_size: int | None,
    database: str | None,
    progress: bool | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Store documents in the intelligence store: scanned, their selectors linked.

    INPUT is a .txt, .jsonl, .csv/.tsv, .html or .eml file, a directory (read recursively) or -
    for standard input. Documents are identified by the hash of their text, so ingesting the
    same input again adds nothing (it records that the documents were seen again). Each batch
    is one transaction: a killed ingest keeps every batch it reported, and a re-run completes
    the rest without duplicates. Bad records are reported with file and line and skipped.

    \b
    Examples:
      tocsin ingest reports/ ads.jsonl chats.csv --dataset ngo-hotline
      tocsin ingest pages/ --dataset crawl-2025 --marking green
    """
    if not inputs:
        if sys.stdin.isatty():
            raise click.UsageError("no input given (name files or directories, or - for stdin)")
        inputs = ("-",)
    settings = get_settings()
    size = batch_size or settings.ingest_batch_size
    opts = ReadOptions(
        text_field=text_field,
        id_field=id_field,
        kind=DocumentKind(kind) if kind else None,
        language=language,
        country=country,
        encoding=encoding,
        input_format=input_format,
        max_bytes=settings.max_document_bytes,
    )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    store = open_store(settings, url=database)
    store.dataset(dataset, marking)  # validate and create before the first batch
    scanner = Engine(settings=settings)
    summary = IngestSummary()
    started = time.perf_counter()
    show_progress = progress if progress is not None else err.is_terminal
    with contextlib.ExitStack() as stack:
        stack.callback(store.close)
        advance: Callable[[int], None] | None = None
        if show_progress:
            bar = stack.enter_context(_progress(err))
            task = bar.add_task("ingesting", total=input_size(inputs))
            advance = lambda n: bar.advance(task, n)  # noqa: E731 - tiny closure for the reader
        batch: list[Document] = []

        def flush() -> None:
            result = store.store_batch(batch, scanner, dataset=dataset, marking=marking)
            summary.new += result.new
            summary.known += result.known + result.duplicates_in_batch
            summary.selectors += result.selectors
            batch.clear()
            if verbose:
                err.print(f"committed: {summary.new + summary.known} documents stored so far")

        for item in read_inputs(inputs, opts, advance):
            if isinstance(item, InputError):
                summary.errors += 1
                if not quiet:
                    err.print(f"[yellow]skipped[/] {item}", markup=True, highlight=False)
                continue
            summary.read += 1
            batch.append(item)
            if len(batch) >= size:
                flush()
        if batch:
            flush()
    elapsed = time.perf_counter() - started
    if not quiet:
        rate = summary.read / elapsed if elapsed > 0 else 0.0
        err.print(
            f"[bold]{summary.read}[/] documents read in {elapsed:.1f} s ({rate:,.0f}/s) into "
            f"dataset {dataset!r}: {summary.new} new, {summary.known} already known; "
            f"{summary.selectors} selector links; {summary.errors} unreadable "
            f"record{'s' if summary.errors != 1 else ''}",
            highlight=False,
        )
    if summary.read == 0 and summary.errors > 0:
        raise SystemExit(2)
    if summary.errors:
        raise SystemExit(RecordError.exit_code)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
