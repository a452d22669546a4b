"""``tocsin cases stats | import | export | keygen | rekey | demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tocsin.cases.crypto import generate_key
from tocsin.cases.demo import NOTICE, load_demo
from tocsin.cases.publish import render_html, render_pdf
from tocsin.cases.rekey import rekey
from tocsin.cases.stats import statistics
from tocsin.cases.transfer import (
    EXPORTABLE_PERSONAL,
    FIELDS,
    export_persons,
    import_file,
    parse_mapping,
    read_mapping_file,
)
from tocsin.cli.cases_cmd import book_for, database_option, member_pairs
from tocsin.cli.query_cmd import emit

__all__ = ["register"]

PARTIAL_EXIT = 3


@click.command("stats")
@click.option("--case", "cases", multiple=True, help="Only these cases (repeatable).")
@click.option(
    "--k",
    type=click.IntRange(2, 1000),
    default=None,
    help="Withhold counts below k [default: TOCSIN_STATS_MIN_COUNT].",
)
@click.option(
    "--round",
    "round_base",
    type=click.IntRange(0, 100),
    default=None,
    help="Round every figure at random to this base, e.g. 5 [default: TOCSIN_STATS_ROUND_BASE].",
)
@click.option("--since", default=None, help="From this date (YYYY-MM-DD).")
@click.option("--until", default=None, help="Before this date (YYYY-MM-DD).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html", "pdf"]),
    default="table",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write here (needed for pdf) [default: stdout].",
)
@click.option("--title", default="Scam-compound trafficking: persons assisted")
@click.option("--notice", default=None, help="A line printed under the title.")
@database_option
def stats_command(
    cases: tuple[str, ...],
    k: int | None,
    round_base: int | None,
    since: str | None,
    until: str | None,
    fmt: str,
    output: str | None,
    title: str,
    notice: str | None,
    database: str | None,
) -> None:
    """Counts by nationality × status, month, place and compound, small counts withheld.

    \b
    Examples:
      tocsin cases stats
      tocsin cases stats -f html -o report.html     # printable, with charts and a map
      tocsin cases stats -f pdf -o report.pdf --k 10
      tocsin cases stats -f json --round 5          # a release to be published again later
    """
    from datetime import date

    def day(value: str | None, name: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise click.BadParameter(f"{value!r} is not YYYY-MM-DD", param_hint=name) from None

    book = book_for(database)
    release = statistics(
        book.context,
        k=k,
        case_ids=list(cases) or None,
        since=day(since, "--since"),
        until=day(until, "--until"),
        round_base=round_base,
    )
    if fmt == "pdf":
        if output is None:
            raise click.UsageError("-f pdf needs -o FILE")
        Path(output).write_bytes(render_pdf(release, title=title, notice=notice))
    elif fmt in ("html", "json"):
        text = (
            render_html(release, title=title, notice=notice)
            if fmt == "html"
            else json.dumps(release.to_dict(), ensure_ascii=False, indent=2)
        )
        if output is None:
            click.echo(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(
            f"{release.scope}: {release.cases} cases, persons: "
            f"{release.total if release.total is not None else 'x (withheld)'} "
            f"(x: withheld — counts below {release.k}, and others protecting them: "
            f"{release.withheld()})"
        )
        for name, table in release.tables().items():
            rows = [
                {"value": lbl, "count": "x" if c is None else c}
                for lbl, c in zip(table.labels, table.counts, strict=True)
            ]
            emit(rows, ["value", "count"], "table", title=name.replace("_", " "))
        cross = release.by_nationality_status
        if cross.rows:
            grid = [
                {"nationality": r, **{c: "x" if v is None else v
                                      for c, v in zip(cross.columns, cells, strict=True)}}
                for r, cells in zip(cross.rows, cross.cells, strict=True)
            ]  # fmt: skip
            emit(grid, ["nationality", *cross.columns], "table", title="nationality × status")
        if release.round_base:
            click.echo(f"(every figure rounded at random to a multiple of {release.round_base})")
    if output is not None:
        click.echo(f"wrote {output}", err=True)


@click.command("import")
@click.argument("case")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="'Column=field'",
    help="Map a column of the sheet to a field (repeatable); field 'ignore' skips it.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A mapping file: JSON {column: field} or CSV column,field.",
)
@click.option("--sheet", default=None, help="XLSX sheet [default: the first].")
@database_option
def import_command(
    case: str,
    path: Path,
    maps: tuple[str, ...],
    mapping: Path | None,
    sheet: str | None,
    database: str | None,
) -> None:
    """Import persons and missing-person reports from a CSV or XLSX sheet.

    \b
    Columns named like a field map by themselves; map the others:
      tocsin cases import C-7K3QX-9XD2M hotline.xlsx --map "Full name=name" --map "Nat.=nationality"
    Bad rows are listed with row and column and skipped (exit code 3); good rows are kept.
    """
    given = read_mapping_file(mapping) if mapping is not None else {}
    given.update(parse_mapping(maps))
    result = import_file(book_for(database).context, case, path, given, sheet=sheet)
    click.echo(
        f"{path.name}: {result.rows} rows, {result.reports} reports, {result.persons} "
        f"persons, {result.blank} blank, {len(result.errors)} bad",
        err=True,
    )
    if result.ignored_columns:
        click.echo(
            f"columns not imported: {', '.join(result.ignored_columns)} "
            f"(map them with --map 'Column=field'; fields: {', '.join(FIELDS)})",
            err=True,
        )
    for error in result.errors:
        click.echo(f"  {error}", err=True)
    if result.errors:
        sys.exit(PARTIAL_EXIT)


@click.command("export")
@click.option("--case", "cases", multiple=True, help="Only these cases [default: all yours].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default=None,
    help="[default: from the file name]",
)
@click.option(
    "--include",
    multiple=True,
    type=click.Choice(list(EXPORTABLE_PERSONAL)),
    help="A personal field to include, named on purpose (repeatable; audited).",
)
@database_option
def export_command(
    cases: tuple[str, ...],
    output: Path,
    fmt: str | None,
    include: tuple[str, ...],
    database: str | None,
) -> None:
    """Export persons as CSV or XLSX, without personal fields unless named with --include."""
    chosen = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    with output.open("wb") as out:
        count = export_persons(
            book_for(database).context,
            out,
            fmt=chosen,
            case_ids=list(cases) or None,
            include=include,
        )
    click.echo(
        f"wrote {count} persons to {output}"
        + (f" with {', '.join(include)}" if include else " (no personal fields)"),
        err=True,
    )


@click.command("keygen")
@click.argument("kid", default="k1")
def keygen_command(kid: str) -> None:
    """Print a new field key for TOCSIN_FIELD_KEY (put it first to rotate, then `rekey`)."""
    click.echo(generate_key(kid))


@click.command("rekey")
@database_option
def rekey_command(database: str | None) -> None:
    """Re-encrypt personal fields with the first key of TOCSIN_FIELD_KEY."""
    result = rekey(book_for(database).context)
    click.echo(
        f"{result.checked} personal values checked, {result.rewritten} re-encrypted", err=True
    )


@click.command("demo")
@click.option(
    "--member",
    "members",
    multiple=True,
    metavar="USER[:lead]",
    help="Put a user on the demo case's team (repeatable).",
)
@database_option
def demo_command(members: tuple[str, ...], database: str | None) -> None:
    """Load the SYNTHETIC demo: reference compounds, ads, reports, raids and follow-up."""
    result = load_demo(book_for(database).store, members=member_pairs(members))
    click.echo(NOTICE, err=True)
    click.echo(
        f"case {result.case}: {result.imported.reports} reports, "
        f"{result.imported.persons} persons, {len(result.operations)} operations, "
        f"{result.compounds} reference compounds",
        err=True,
    )
    click.echo(result.case)


def register(group: click.Group) -> None:
    for command in (
        stats_command,
        import_command,
        export_command,
        keygen_command,
        rekey_command,
        demo_command,
    ):
        group.add_command(command)
