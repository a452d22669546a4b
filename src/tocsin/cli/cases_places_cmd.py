"""``tocsin cases compound …`` and ``tocsin cases operation …``: places and rescue operations."""

from __future__ import annotations

from typing import Any

import click

from tocsin.cases import CompoundInput, OperationInput, PersonInput
from tocsin.cases.reference import load_reference
from tocsin.cli.cases_cmd import book_for, database_option, format_option, show
from tocsin.cli.query_cmd import emit
from tocsin.errors import InputError

__all__ = ["register"]


@click.group("compound")
def compound_group() -> None:
    """Compounds: names in several scripts, location, companies, selectors, reports."""


@compound_group.command("list")
@format_option
@database_option
def compound_list(fmt: str | None, database: str | None) -> None:
    """Every compound you can see."""
    rows = [c.to_dict() for c in book_for(database).compounds.all()]
    for row in rows:
        row["names"] = [n["name"] for n in row["names"]]
    emit(
        rows,
        ["id", "name", "kind", "country", "latitude", "longitude", "precision", "names"],
        "jsonl" if fmt == "json" else fmt,
        title="compounds",
    )


@compound_group.command("show")
@click.argument("compound")
@format_option
@database_option
def compound_show(compound: str, fmt: str | None, database: str | None) -> None:
    """A compound with its names, companies, sources, selectors, reports and operations."""
    show(book_for(database).compounds.get(compound).to_dict(), fmt, f"compound {compound}")


@compound_group.command("add")
@click.argument("compound_id")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["compound", "hub", "resort", "transit"]),
    default="compound",
    show_default=True,
)
@click.option("--country", default=None, help="Country code or name.")
@click.option("--lat", type=float, default=None, help="Latitude (WGS84).")
@click.option("--lon", type=float, default=None, help="Longitude (WGS84).")
@click.option(
    "--precision",
    type=click.Choice(["site", "town", "none"]),
    default=None,
    help="site: the compound itself; town: a town centroid.",
)
@click.option("--location-note", default="", help="Where the location comes from.")
@click.option("--description", default="", help="What is documented about it.")
@click.option("--source", "sources", multiple=True, help="A source (repeatable).")
@click.option("--dataset", default=None, help="Dataset [default: TOCSIN_COMPOUNDS_DATASET].")
@click.option("--marking", default=None, help="Marking of a new dataset.")
@database_option
def compound_add(compound_id: str, name: str, database: str | None, **o: Any) -> None:
    """Add a compound (its dataset's marking decides who sees it)."""
    item = CompoundInput(
        id=compound_id,
        name=name,
        kind=o["kind"],
        country=o["country"],
        latitude=o["lat"],
        longitude=o["lon"],
        precision=o["precision"],
        location_note=o["location_note"],
        description=o["description"],
        sources=list(o["sources"]),
    )
    view = book_for(database).compounds.add(item, dataset=o["dataset"], marking=o["marking"])
    click.echo(view.id)


@compound_group.command("name")
@click.argument("compound")
@click.argument("name")
@click.option("--language", default=None, help="BCP 47 tag, e.g. zh-Hans, th, km, my.")
@click.option("--script", default=None, help="ISO 15924 code, e.g. Hans, Thai, Khmr, Mymr.")
@database_option
def compound_name(
    compound: str, name: str, language: str | None, script: str | None, database: str | None
) -> None:
    """Add a name of a compound (in any language and script)."""
    book_for(database).compounds.add_name(compound, name, language, script)
    click.echo(f"{compound}: name {name!r} added", err=True)


@compound_group.command("company")
@click.argument("compound")
@click.argument("company")
@click.option("--role", default="operator", show_default=True, help="operator, owner, lessor…")
@click.option("--note", default="", help="What is known, with its source.")
@database_option
def compound_company(
    compound: str, company: str, role: str, note: str, database: str | None
) -> None:
    """Name a company that runs, owns or leases a compound."""
    book_for(database).compounds.add_company(compound, company, role, note)
    click.echo(f"{compound}: {company!r} ({role}) added", err=True)


@compound_group.command("link")
@click.argument("compound")
@click.argument("selector")
@click.option("--remove", is_flag=True, help="Untie the selector.")
@database_option
def compound_link(compound: str, selector: str, remove: bool, database: str | None) -> None:
    """Tie a selector (type:value, or text naming one) to a compound."""
    view = book_for(database).compounds.link_selector(compound, selector, remove=remove)
    click.echo(f"{compound}: {len(view.selectors)} selectors", err=True)


@compound_group.command("load-reference")
@database_option
def compound_reference(database: str | None) -> None:
    """Load (or refresh) the reference compounds built from published facts (CLEAR)."""
    added, updated = load_reference(book_for(database).context)
    click.echo(f"reference compounds: {added} added, {updated} updated", err=True)


@click.group("operation")
def operation_group() -> None:
    """Raids, rescues and escapes: who was freed, where, by whom, and what follows."""


def _counts(values: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        code, sep, number = value.partition("=")
        if not sep or not number.strip().isdigit():
            raise InputError(
                f"a nationality count is CODE=N, e.g. TH=109, not {value!r}", field="nationality"
            )
        counts[code.strip()] = counts.get(code.strip(), 0) + int(number)
    return counts


@operation_group.command("add")
@click.argument("case")
@click.option("--kind", type=click.Choice(["raid", "rescue", "escape", "other"]), required=True)
@click.option("--date", "day", required=True, help="YYYY-MM-DD.")
@click.option("--compound", default=None, help="Compound id.")
@click.option("--place", default=None, help="Place, when not a known compound.")
@click.option("--country", default=None)
@click.option("--agency", "agencies", multiple=True, help="Agency (repeatable).")
@click.option("--freed", type=int, default=None, help="How many people were freed in all.")
@click.option(
    "--nationality",
    "nationalities",
    multiple=True,
    metavar="CODE=N",
    help="People freed of one nationality, e.g. TH=109 (repeatable).",
)
@click.option("--person", "persons", multiple=True, help="A person of the case freed (repeatable).")
@click.option(
    "--survivor",
    "survivors",
    multiple=True,
    metavar="NATIONALITY",
    help="A survivor first met here, recorded pseudonymously (repeatable).",
)
@click.option("--follow-up", default="", help="What happens next.")
@click.option("--source", default="", help="Where the figures come from.")
@database_option
def operation_add(case: str, day: str, database: str | None, **o: Any) -> None:
    """Record an operation; its persons become rescued, its survivors are added."""
    from datetime import date

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter(f"{day!r} is not YYYY-MM-DD", param_hint="--date") from None
    item = OperationInput(
        kind=o["kind"],
        date=when,
        compound=o["compound"],
        place=o["place"],
        country=o["country"],
        agencies=list(o["agencies"]),
        freed_total=o["freed"],
        nationalities=_counts(o["nationalities"]),
        follow_up=o["follow_up"],
        source=o["source"],
        persons=list(o["persons"]),
        survivors=[PersonInput(nationality=n) for n in o["survivors"]],
    )
    click.echo(book_for(database).operations.record(case, item).id)


@operation_group.command("show")
@click.argument("operation")
@format_option
@database_option
def operation_show(operation: str, fmt: str | None, database: str | None) -> None:
    """An operation with its nationality counts and persons."""
    show(book_for(database).operations.get(operation).to_dict(), fmt, f"operation {operation}")


def register(group: click.Group) -> None:
    group.add_command(compound_group)
    group.add_command(operation_group)
