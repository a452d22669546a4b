"""``tocsin cases``: missing-person reports, persons and their status, case teams.

A thin layer over `tocsin.cases.Casebook`. The CLI runs as the system principal (the local
operator), who sees every case; every read and change is still written to the audit log.
Compounds and operations are in `tocsin.cli.cases_places_cmd`, statistics, spreadsheets and
keys in `tocsin.cli.cases_data_cmd`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import click

from tocsin.cases import Casebook, PersonInput, ReportInput
from tocsin.cases.fields import MAX_PHOTO_BYTES, photo_type
from tocsin.cases.workflow import Status
from tocsin.cli.query_cmd import emit
from tocsin.settings import get_settings
from tocsin.store import open_store

__all__ = ["book_for", "cases_group", "database_option", "format_option", "member_pairs", "show"]

F = TypeVar("F", bound=Callable[..., Any])
STATUSES = [s.value for s in Status]


def database_option(fn: F) -> F:
    return click.option(
        "--database",
        default=None,
        metavar="URL",
        help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
    )(fn)


def format_option(fn: F) -> F:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["table", "jsonl", "json"]),
        default=None,
        help="Output format [default: table on a terminal, jsonl otherwise].",
    )(fn)


def book_for(database: str | None) -> Casebook:
    return Casebook(open_store(get_settings(), url=database))


def show(data: dict[str, Any], fmt: str | None, title: str) -> None:
    """One record: JSON, or ``field  value`` lines on a terminal."""
    if fmt in ("json", "jsonl") or (fmt is None and not sys.stdout.isatty()):
        click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=None if fmt else 2))
        return
    click.secho(title, bold=True)
    for key, value in data.items():
        if (
            isinstance(value, list | dict)
            and value
            and isinstance((value[0] if isinstance(value, list) else None), dict)
        ):
            click.echo(f"{key}:")
            for item in value:
                click.echo("  - " + ", ".join(f"{k}={v}" for k, v in item.items() if v))
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list) else value
            click.echo(f"{key:>22}  {'' if text is None else text}")


def member_pairs(values: Sequence[str]) -> list[tuple[str, str]]:
    """``user`` or ``user:lead`` → (user, role)."""
    pairs = []
    for value in values:
        user, _, role = value.partition(":")
        pairs.append((user, role or "member"))
    return pairs


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: str | None, name: str) -> date | None:
    parsed = _date(value, name)
    return parsed.date() if parsed is not None else None


def person_options(fn: F) -> F:
    """The options describing a person (all optional: a person may stay unnamed)."""
    for option in reversed(
        [
            click.option("--name", default=None, help="Name (personal: encrypted at rest)."),
            click.option("--passport", default=None, help="Passport number (personal)."),
            click.option("--sex", type=click.Choice(["female", "male", "other", "unknown"])),
            click.option("--birth-year", type=int, default=None, help="Year of birth."),
            click.option("--nationality", default=None, help="Country code or name, e.g. VN."),
            click.option("--language", "languages", multiple=True, help="Language (repeatable)."),
            click.option("--compound", default=None, help="Compound id where held or last known."),
            click.option("--ref", default=None, help="Your own reference (e.g. hotline number)."),
            click.option("--notes", default=None, help="Notes (personal: encrypted at rest)."),
            click.option(
                "--photo",
                type=click.Path(exists=True, dir_okay=False),
                default=None,
                help="Photo, JPEG/PNG/WebP (personal: encrypted at rest).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def person_input(opts: dict[str, Any]) -> PersonInput:
    photo = media = None
    if opts.get("photo"):
        with open(opts["photo"], "rb") as handle:
            photo = handle.read(MAX_PHOTO_BYTES + 1)
        media = photo_type(photo)
    return PersonInput(
        name=opts.get("name"),
        passport=opts.get("passport"),
        photo=photo,
        photo_type=media,
        notes=opts.get("notes"),
        sex=opts.get("sex"),
        birth_year=opts.get("birth_year"),
        nationality=opts.get("nationality"),
        languages=list(opts.get("languages") or ()),
        compound=opts.get("compound"),
        ref=opts.get("ref"),
    )


@click.group("cases")
def cases_group() -> None:
    """Missing persons, survivors, compounds and rescue operations (need-to-know).

    \b
    A case is visible to the members of its team only (admins too only if added); the CLI is
    the local operator and sees every case. Every read and change is audited; names, passport
    numbers, photos, notes and families' contacts are encrypted at rest when TOCSIN_FIELD_KEY
    is set. Person statuses: reported -> located -> rescued -> in_shelter -> repatriated, or
    declined_assistance, lost_contact, deceased, withdrawn.
    """


@cases_group.command("open")
@click.argument("title")
@click.option(
    "--member",
    "members",
    multiple=True,
    metavar="USER[:lead]",
    help="A team member (repeatable); ':lead' makes them a lead.",
)
@database_option
def open_command(title: str, members: tuple[str, ...], database: str | None) -> None:
    """Open a case. The title is not personal: name the lure or the network, not a person."""
    info = book_for(database).cases.create(title, members=member_pairs(members))
    click.echo(info.id)


@cases_group.command("list")
@format_option
@database_option
def list_command(fmt: str | None, database: str | None) -> None:
    """Cases (with their numbers of persons, reports and operations)."""
    rows = [c.to_dict() for c in book_for(database).cases.all()]
    emit(
        rows,
        ["id", "title", "state", "persons", "reports", "operations", "created_at"],
        "jsonl" if fmt == "json" else fmt,
        title="cases",
    )


@cases_group.command("show")
@click.argument("case")
@format_option
@database_option
def show_command(case: str, fmt: str | None, database: str | None) -> None:
    """A case: its team, persons, reports and operations."""
    book = book_for(database)
    data = book.cases.get(case).to_dict()
    data["reports"] = [r.to_dict() for r in book.reports.in_case(case)]
    data["persons"] = [p.to_dict() for p in book.persons.in_case(case)]
    data["operations"] = [
        {
            "id": o.id,
            "kind": o.kind,
            "date": o.date.isoformat(),
            "compound": o.compound,
            "freed": o.freed_total,
        }
        for o in book.operations.in_case(case)
    ]
    show(data, fmt, f"case {case}")


@cases_group.command("team")
@click.argument("case")
@click.argument("username")
@click.option("--lead", is_flag=True, help="As a lead (may manage the team and correct).")
@click.option("--remove", is_flag=True, help="Take the user off the team.")
@database_option
def team_command(case: str, username: str, lead: bool, remove: bool, database: str | None) -> None:
    """Add a user to a case team (or change their role, or --remove them)."""
    book = book_for(database)
    if remove:
        book.cases.remove_member(case, username)
        click.echo(f"{username} is no longer on case {case}", err=True)
    else:
        book.cases.add_member(case, username, "lead" if lead else "member")
        click.echo(f"{username} is a {'lead' if lead else 'member'} of case {case}", err=True)


@cases_group.command("state")
@click.argument("case")
@click.argument("state", type=click.Choice(["open", "closed"]))
@database_option
def state_command(case: str, state: str, database: str | None) -> None:
    """Close a case (read-only from then on) or reopen it."""
    book_for(database).cases.set_state(case, state)
    click.echo(f"case {case} is {state}", err=True)


@cases_group.command("report")
@click.argument("case")
@person_options
@click.option("--reported-at", default=None, help="Date of the report [default: now].")
@click.option("--reporter-name", default=None, help="Who reports (personal).")
@click.option("--reporter-contact", default=None, help="How to reach the family (personal).")
@click.option("--reporter-relation", default=None, help="e.g. mother, brother, friend.")
@click.option("--last-contact", default=None, help="Date of the last contact (YYYY-MM-DD).")
@click.option("--last-contact-via", default=None, help="e.g. WhatsApp, Telegram.")
@click.option("--place", default=None, help="Last known place.")
@click.option("--country", default=None, help="Country of the last known place.")
@click.option("--job-title", default=None, help="The job that was offered.")
@click.option("--promised-place", default=None, help="Where the job was said to be.")
@click.option(
    "--offer",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="The job offer as received (a file, or - for stdin); stored and scanned.",
)
@click.option(
    "--contact",
    "contacts",
    multiple=True,
    help="A recruiter's contact, e.g. 'Telegram @hr_desk' (repeatable).",
)
@format_option
@database_option
def report_command(case: str, fmt: str | None, database: str | None, **opts: Any) -> None:
    """Record a missing-person report, and show at once what its selectors match.

    \b
    Example:
      tocsin cases report C-7K3QX-9XD2M --nationality VN --language vi --sex female \\
        --last-contact 2025-03-02 --place Sihanoukville --country KH \\
        --offer offer.txt --contact "Telegram @hr_desk" --contact "+855 12 345 678"
    """
    book = book_for(database)
    item = ReportInput(
        person=person_input(opts),
        reported_at=_date(opts["reported_at"], "--reported-at"),
        reporter_name=opts["reporter_name"],
        reporter_contact=opts["reporter_contact"],
        reporter_relation=opts["reporter_relation"],
        last_contact_at=_day(opts["last_contact"], "--last-contact"),
        last_contact_channel=opts["last_contact_via"],
        last_known_place=opts["place"],
        last_known_country=opts["country"],
        compound=opts["compound"],
        job_title=opts["job_title"],
        promised_place=opts["promised_place"],
        offer_text=opts["offer"].read() if opts["offer"] is not None else None,
        recruiter_contacts=list(opts["contacts"]),
    )
    report = book.reports.create(case, item)
    matches = book.matches(report.id)
    data = {
        "report": report.id,
        "person": report.person,
        "selectors": [s["key"] for s in report.selectors],
        "unrecognised_contacts": report.unrecognised_contacts,
        **_match_lines(matches),
    }
    show(data, fmt, f"report {report.id}")


def _match_lines(matches: Any) -> dict[str, Any]:
    net = matches.network
    return {
        "documents_sharing": {
            s["key"]: s["documents"] for s in matches.selectors if s["documents"]
        },
        "other_reports": [f"{r['id']} ({r['case']}, {r['via']})" for r in matches.reports],
        "compounds": [c["id"] for c in matches.compounds],
        "network": None
        if net is None
        else f"{net['documents']} other documents, {net['selectors']} selectors"
        + ("" if net["complete"] else " (walk stopped early)"),
    }


@cases_group.command("matches")
@click.argument("report")
@format_option
@database_option
def matches_command(report: str, fmt: str | None, database: str | None) -> None:
    """What a report's selectors share: documents, network, other reports, compounds."""
    matches = book_for(database).matches(report)
    if fmt in ("json", "jsonl") or (fmt is None and not sys.stdout.isatty()):
        click.echo(json.dumps(matches.to_dict(), ensure_ascii=False, default=str))
        return
    show(_match_lines(matches), fmt, f"matches of {report}")


@cases_group.group("person")
def person_group() -> None:
    """Persons: add a survivor, show one with their timeline, list a case's."""


@person_group.command("add")
@click.argument("case")
@person_options
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default="located",
    show_default=True,
    help="First status (reported, located, rescued or in_shelter).",
)
@click.option("--at", default=None, help="When (YYYY-MM-DD) [default: now].")
@database_option
def person_add(case: str, status: str, at: str | None, database: str | None, **opts: Any) -> None:
    """Record a person met without a report (no name needed: Tocsin gives a pseudonymous id)."""
    view = book_for(database).persons.add(case, person_input(opts), status, at=_date(at, "--at"))
    click.echo(view.id)


@person_group.command("show")
@click.argument("person")
@format_option
@database_option
def person_show(person: str, fmt: str | None, database: str | None) -> None:
    """A person, with the timeline of every change and who made it."""
    data = book_for(database).persons.get(person).to_dict()
    show(data, fmt, f"person {person}")


@person_group.command("list")
@click.argument("case")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@format_option
@database_option
def person_list(case: str, status: str | None, fmt: str | None, database: str | None) -> None:
    """The persons of a case."""
    rows = [p.to_dict() for p in book_for(database).persons.in_case(case, status)]
    emit(
        rows,
        ["id", "name", "nationality", "status", "status_at", "compound"],
        "jsonl" if fmt == "json" else fmt,
        title=f"persons of {case}",
    )


@cases_group.command("find")
@click.argument("text")
@format_option
@database_option
def find_command(text: str, fmt: str | None, database: str | None) -> None:
    """Persons whose name, passport number, id or reference contains TEXT (your cases only)."""
    rows = [p.to_dict() for p in book_for(database).persons.find(text)]
    emit(
        rows,
        ["id", "case", "name", "nationality", "status"],
        "jsonl" if fmt == "json" else fmt,
        title="persons found",
    )


@cases_group.command("status")
@click.argument("person")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--at", default=None, help="When it happened (YYYY-MM-DD) [default: now].")
@click.option("--note", default=None, help="A note for the timeline (personal: encrypted).")
@click.option("--operation", default=None, help="The operation it happened in.")
@click.option(
    "--correction",
    is_flag=True,
    help="A lead's correction of an earlier mistake (any status; --note required).",
)
@database_option
def status_command(
    person: str,
    status: str,
    at: str | None,
    note: str | None,
    operation: str | None,
    correction: bool,
    database: str | None,
) -> None:
    """Record a person's new status (the workflow says which changes are allowed)."""
    view = book_for(database).persons.set_status(
        person,
        status,
        at=_date(at, "--at"),
        note=note,
        operation=operation,
        correction=correction,
    )
    click.echo(f"{view.id}: {view.status} (next: {', '.join(view.allowed_next) or 'none'})")


@cases_group.command("link")
@click.argument("report")
@click.argument("person")
@click.option("--note", default=None, help="Why they are the same person.")
@database_option
def link_command(report: str, person: str, note: str | None, database: str | None) -> None:
    """PERSON (met in an operation or at a shelter) is the person REPORT is about."""
    view = book_for(database).reports.link(report, person, note=note)
    click.echo(f"{view.id} located: {view.located_person}")


def _add_more() -> None:
    from tocsin.cli.cases_data_cmd import register as register_data
    from tocsin.cli.cases_places_cmd import register as register_places

    register_places(cases_group)
    register_data(cases_group)


_add_more()
