"""``tocsin scan``: screen documents and report verdicts."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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
from tocsin.detect.models import load_model_set
from tocsin.errors import InputError, RecordError, TocsinError
from tocsin.intake import INPUT_FORMATS, ReadOptions, read_inputs
from tocsin.intake.readers import input_size
from tocsin.model import Document, DocumentKind, RiskLevel, Verdict
from tocsin.report import OUTPUT_FORMATS, Summary, render_html, write_csv, write_jsonl, write_table
from tocsin.settings import Settings, get_settings

__all__ = ["scan_command"]

LEVEL_NAMES = [lvl.value for lvl in RiskLevel]


class StrictStop(Exception):
    """Raised inside the pipeline to stop at the first bad record under ``--strict``."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def _min_risk(value: str | None) -> int:
    if value is None:
        return 0
    if value.lower() in LEVEL_NAMES:
        return {"low": 0, "medium": 30, "high": 60, "critical": 85}[value.lower()]
    try:
        number = int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a number 0–100 nor a level ({', '.join(LEVEL_NAMES)})"
        ) from None
    if not 0 <= number <= 100:
        raise click.BadParameter("must be between 0 and 100")
    return number


@click.command("scan")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default=None,
    help="Output format [default: table on a terminal, jsonl otherwise].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    show_default=True,
    help="Write results to this file.",
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
    help="JSONL field / CSV column holding the document id.",
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
    help="Kind of every document (overrides a 'kind' field) [default: from the record, "
    "else unknown].",
)
@click.option(
    "--lang",
    "language",
    default=None,
    metavar="CODE",
    help="Language hint (ISO 639-1), used where the text is too short to tell.",
)
@click.option(
    "--country",
    default=None,
    metavar="CC",
    help="Country hint (ISO 3166 alpha-2) for national phone numbers.",
)
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the inputs.")
@click.option(
    "--min-risk",
    default=None,
    metavar="N|LEVEL",
    help="Only output documents with at least this risk (0–100 or a level name).",
)
@click.option(
    "--fail-on",
    type=click.Choice(LEVEL_NAMES),
    default=None,
    help="Exit with status 1 when any document reaches this level.",
)
@click.option("--strict", is_flag=True, help="Stop at the first unreadable record (exit 3).")
@click.option(
    "--model",
    "model_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="A model directory (from `tocsin model train`) to use for its document kind "
    "instead of the shipped one; repeatable.",
)
@click.option("--no-model", is_flag=True, help="Use the indicator packs only, not the models.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: when stderr is a terminal].",
)
@click.option("-q", "--quiet", is_flag=True, help="No closing summary.")
def scan_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    output: str,
    text_field: str,
    id_field: str,
    input_format: str | None,
    kind: str | None,
    language: str | None,
    country: str | None,
    encoding: str,
    min_risk: str | None,
    fail_on: str | None,
    strict: bool,
    model_dirs: tuple[str, ...],
    no_model: bool,
    progress: bool | None,
    quiet: bool,
) -> None:
    """Screen job offers and messages for recruitment lures and fraud scripts.

    INPUT is a .txt, .jsonl, .csv/.tsv, .html or .eml file, a directory (read recursively)
    or - for standard input (one document, or --input-format jsonl/csv). Every verdict
    explains itself: the warning signs found with their evidence, the selectors, and the
    models' opinion.

    \b
    Examples:
      tocsin scan ads.jsonl --format html -o report.html
      tocsin scan messages.csv --text-column body --format jsonl | jq .
      cat ad.txt | tocsin scan -
    """
    if not inputs:
        if sys.stdin.isatty():
            raise click.UsageError("no input given (name files or directories, or - for stdin)")
        inputs = ("-",)
    threshold = _min_risk(min_risk)
    settings = get_settings()
    if no_model:
        settings = Settings(**{**settings.model_dump(), "use_models": False})
    if no_model and model_dirs:
        raise click.UsageError("--model and --no-model exclude each other")
    models = load_model_set([Path(p) for p in model_dirs]) if model_dirs else None
    engine = Engine(models=models, settings=settings)
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
    out_is_tty = output == "-" and sys.stdout.isatty()
    fmt = fmt or ("table" if out_is_tty else "jsonl")
    show_progress = progress if progress is not None else err.is_terminal
    summary = Summary()
    fail_rank = RiskLevel(fail_on).rank if fail_on else None
    failed = False
    started = time.perf_counter()

    def report_error(error: InputError) -> None:
        summary.add_error(str(error))
        if strict:
            raise StrictStop(error)
        if not quiet:
            err.print(f"[yellow]skipped[/] {error}", markup=True, highlight=False)

    with contextlib.ExitStack() as stack:
        bar = _progress(err) if show_progress else None
        advance = None
        if bar is not None:
            stack.enter_context(bar)
            task = bar.add_task("scanning", total=input_size(inputs))
            advance = lambda n: bar.advance(task, n)  # noqa: E731 - tiny closure for the reader

        def documents() -> Iterator[Document]:
            for item in read_inputs(inputs, opts, advance):
                if isinstance(item, InputError):
                    report_error(item)
                else:
                    yield item

        def results() -> Iterator[tuple[Document, Verdict]]:
            nonlocal failed
            docs: list[Document] = []
            it = documents()
            for verdict in engine.scan_many(_remember(it, docs)):
                doc = docs.pop(0)
                summary.add(verdict)
                if fail_rank is not None and verdict.level.rank >= fail_rank:
                    failed = True
                if verdict.risk >= threshold:
                    summary.shown += 1
                    yield doc, verdict

        stream = _open_output(output, stack)
        try:
            _write(fmt, results(), summary, stream, out_is_tty)
        except StrictStop as stop:
            err.print(f"[red]error[/] {stop.error}", highlight=False)
            raise SystemExit(stop.error.exit_code) from None
        except TocsinError:
            raise
    elapsed = time.perf_counter() - started
    if not quiet:
        _print_summary(err, summary, elapsed)
    if summary.documents == 0 and summary.errors > 0:
        raise SystemExit(2)
    if summary.errors:
        raise SystemExit(RecordError.exit_code)
    if failed:
        raise SystemExit(1)


def _remember(it: Iterator[Document], docs: list[Document]) -> Iterator[Document]:
    """Pass documents through, keeping them until their verdict comes back (in order)."""
    for doc in it:
        docs.append(doc)
        yield doc


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


def _open_output(output: str, stack: contextlib.ExitStack) -> IO[str]:
    if output == "-":
        return sys.stdout
    try:
        return stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=output) from None


def _write(
    fmt: str,
    results: Iterator[tuple[Document, Verdict]],
    summary: Summary,
    stream: IO[str],
    tty: bool,
) -> None:
    if fmt == "jsonl":
        write_jsonl(results, stream)
    elif fmt == "csv":
        write_csv(results, stream)
    elif fmt == "html":
        render_html(list(results), summary, stream)
    else:
        console = Console(file=stream, force_terminal=tty, width=None if tty else 140)
        write_table(results, console)


def _print_summary(err: Console, summary: Summary, elapsed: float) -> None:
    levels = ", ".join(
        f"{summary.by_level.get(lvl.value, 0)} {lvl.value}" for lvl in reversed(RiskLevel)
    )
    rate = summary.documents / elapsed if elapsed > 0 else 0.0
    err.print(
        f"[bold]{summary.documents}[/] documents scanned in {elapsed:.1f} s "
        f"({rate:,.0f}/s): {levels}; "
        f"{summary.errors} unreadable record{'s' if summary.errors != 1 else ''}"
        + (f"; {summary.shown} shown" if summary.shown != summary.documents else ""),
        highlight=False,
    )
