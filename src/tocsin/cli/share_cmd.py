"""``tocsin export``, ``tocsin import``, ``tocsin share`` and ``tocsin sync``: sharing with
partner organisations (docs/sharing.md).

The CLI runs as the system principal (the operator of the deployment); markings are enforced on
the way out all the same — RED and AMBER+STRICT never leave, AMBER only to the organisations a
dataset names — and every export, import, hash set and match is written to the audit log.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click
from platformdirs import user_data_path
from rich.console import Console

from tocsin.access import Principal, audit
from tocsin.cli.query_cmd import emit
from tocsin.errors import InputError, RecordError
from tocsin.settings import get_settings
from tocsin.share.exchange import FORMATS, SNIFF_BYTES, export, import_file
from tocsin.share.hashes import (
    digest_of_file,
    keyring_path,
    keys_directory,
    load_keyring,
    match_hashset,
    new_keyring,
    save_keyring,
    write_hashset,
)
from tocsin.share.keys import exportable_selector_keys, selector_keys
from tocsin.share.policy import ExportPolicy, exportable_datasets
from tocsin.store import open_store
from tocsin.store.schema import MARKINGS

__all__ = ["export_command", "import_command", "share_group", "sync_group"]

_OUT_MARKINGS = [m for m in MARKINGS if m not in ("amber+strict", "red")]


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint=name
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@contextlib.contextmanager
def _output(output: str) -> Iterator[IO[bytes]]:
    """A binary file to write; a partly written file is removed when writing fails."""
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    path = Path(output)
    tmp = path.with_name(f".{path.name}.part")
    try:
        handle = tmp.open("wb")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=output) from None
    try:
        with handle:
            yield handle
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


_DATABASE = click.option(
    "--database",
    default=None,
    metavar="URL",
    help="Database URL [default: TOCSIN_DATABASE_URL, else the SQLite file].",
)


# -- export --------------------------------------------------------------------------------


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="ftm",
    show_default=True,
    help="stix: a STIX 2.1 bundle; misp: one MISP event; ftm: FollowTheMoney entities, one "
    "JSON object a line.",
)
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    help="Only these datasets (repeatable) [default: every dataset that may leave].",
)
@click.option("--since", default=None, metavar="DATE", help="Documents seen on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="Documents first seen by DATE.")
@click.option("--cluster", default=None, metavar="ID", help="Only the documents of this cluster.")
@click.option(
    "--tlp",
    type=click.Choice(_OUT_MARKINGS),
    default="amber",
    show_default=True,
    help="Most restrictive marking that may leave (RED and AMBER+STRICT never do).",
)
@click.option(
    "--to",
    "recipient",
    default=None,
    metavar="ORG",
    help="Organisation receiving the export: AMBER datasets go only to their owner and the "
    "partners they name [default: our own organisation].",
)
@click.option(
    "--include-person",
    "persons",
    multiple=True,
    metavar="NAME_OR_ID",
    help="Include this person (FtM Person entity, by id or name); persons are left out "
    "otherwise (repeatable).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Write to this file.",
)
@_DATABASE
def export_command(
    fmt: str,
    datasets: tuple[str, ...],
    since: str | None,
    until: str | None,
    cluster: str | None,
    tlp: str,
    recipient: str | None,
    persons: tuple[str, ...],
    output: str,
    database: str | None,
) -> None:
    """Export what may leave, as STIX 2.1, MISP or FollowTheMoney; audited.

    Markings are enforced: RED and AMBER+STRICT datasets never leave; AMBER datasets go only to
    the organisation that owns them or to partners they name (tocsin admin dataset share);
    persons are left out unless named. What was withheld is listed (by dataset name only), and
    the export — what left, to whom — is written to the audit log.

    \b
    Examples:
      tocsin export --format stix --cluster c-1a2b3c4d5e6f --tlp amber -o network.stix.json
      tocsin export --format misp --since 2026-11-01 --to "Mekong Police" -o event.misp.json
      tocsin export --format ftm --dataset ngo-hotline -o hotline.ftm.json
    """
    settings = get_settings()
    policy = ExportPolicy(
        recipient=recipient or settings.organisation, ceiling=tlp, datasets=datasets
    )
    with open_store(settings, url=database) as store, _output(output) as out:
        result = export(
            store,
            out,
            fmt,
            principal=Principal.system(),
            policy=policy,
            since=_date(since, "--since"),
            until=_date(until, "--until"),
            cluster=cluster,
            include_persons=persons,
            target=output,
            settings=settings,
        )
    err = _err()
    marking = f"TLP:{result.marking.upper()}" if result.marking else "nothing marked"
    if fmt == "ftm":
        what = f"{sum(result.objects.values())} entities"
    else:
        what = (
            f"{result.documents} documents, {result.selectors} selectors, "
            f"{result.clusters} networks"
        )
    err.print(f"{what} exported as {fmt.upper()} for {result.recipient!r} ({marking})")
    for name, why in sorted(result.withheld_datasets.items()):
        err.print(f"[yellow]withheld[/] dataset {name!r}: {why}", markup=True)
    for kind, count in sorted(result.withheld.items()):
        err.print(f"[yellow]withheld[/] {count} {kind}", markup=True)


# -- import --------------------------------------------------------------------------------


@click.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--dataset", required=True, help="Dataset to import into (created when new).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Format of the files [default: recognised from their first bytes].",
)
@click.option(
    "--marking",
    type=click.Choice(MARKINGS, case_sensitive=False),
    default=None,
    help="TLP marking of a new dataset [default: TOCSIN_DEFAULT_MARKING]; material marked "
    "more restrictively than the dataset is refused.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only the closing summary.")
@_DATABASE
def import_command(
    files: tuple[str, ...],
    dataset: str,
    fmt: str | None,
    marking: str | None,
    quiet: bool,
    database: str | None,
) -> None:
    """Import a partner's STIX 2.x bundle, MISP event(s) or FtM entity stream.

    FILE may be - for standard input. Documents are scanned and linked like ingested ones,
    and also linked to the selectors the partner declared for them; importing the same file
    twice adds nothing. Bad objects are reported by position (object, line) and skipped; the
    good ones are kept (exit code 3 when some were skipped).

    \b
    Examples:
      tocsin import partner.stix.json --dataset partner-police
      tocsin import events.misp.json --dataset fiu-feed --marking amber
    """
    settings = get_settings()
    err = _err()
    problems = 0
    stored = 0
    with open_store(settings, url=database) as store:
        for name in files:
            with _input(name) as stream:
                report = import_file(
                    store,
                    stream,
                    dataset=dataset,
                    source=name,
                    fmt=fmt,
                    marking=marking,
                    principal=Principal.system(),
                    settings=settings,
                )
            problems += len(report.problems)
            stored += report.documents_new + report.documents_known
            if not quiet:
                for problem in report.problems[:200]:
                    err.print(f"[yellow]skipped[/] {problem}", markup=True, highlight=False)
                if len(report.problems) > 200:
                    err.print(f"… and {len(report.problems) - 200} more problems")
            skipped = ", ".join(f"{n} {k}" for k, n in sorted(report.not_imported.items()))
            err.print(
                f"{name} ({report.format}): {report.documents_new} new and "
                f"{report.documents_known} known documents, {report.selectors} selectors, "
                f"{report.statements} statements, {report.compounds} compounds into "
                f"{dataset!r}; {len(report.problems)} problems"
                + (f"; not imported: {skipped}" if skipped else "")
            )
    if problems:
        raise SystemExit(RecordError.exit_code if stored else InputError.exit_code)


@contextlib.contextmanager
def _input(name: str) -> Iterator[IO[bytes]]:
    if name == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(name, "rb", buffering=SNIFF_BYTES)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=name) from None
    with handle:
        yield handle


# -- share ---------------------------------------------------------------------------------


@click.group("share")
def share_group() -> None:
    """Privacy-preserving matching of selectors with partner organisations.

    Members of a community share a secret key; each hashes its canonical selectors with it
    (HMAC-SHA256) and hands over only the hashes; `share match` tells you which of YOUR
    selectors the other side also holds — nothing else. docs/sharing.md has the threat model.
    """


@share_group.group("key")
def key_group() -> None:
    """Community keys: create, rotate, retire, import, export, list."""


@key_group.command("new")
@click.argument("community")
@click.option("--force", is_flag=True, help="Replace an existing key file for this community.")
def key_new(community: str, force: bool) -> None:
    """Create a community's key (version 1) in the key directory.

    Then give the key file (tocsin share key export) to each member over a secure channel.
    """
    path = keyring_path(keys_directory(get_settings()), community)
    if path.exists() and not force:
        raise InputError(f"{path} exists", hint="rotate it, or --force to replace it")
    save_keyring(new_keyring(community), path)
    click.echo(f"community key {community!r} version 1 written to {path}")


@key_group.command("rotate")
@click.argument("community")
def key_rotate(community: str) -> None:
    """Add a new key version; new hash sets use it, old ones still match until retired."""
    path = keyring_path(keys_directory(get_settings()), community)
    ring = load_keyring(path).rotated()
    save_keyring(ring, path)
    click.echo(f"community key {community!r} now at version {ring.current.version}")


@key_group.command("retire")
@click.argument("community")
@click.argument("version", type=int)
def key_retire(community: str, version: int) -> None:
    """Remove an old key version: hash sets made with it no longer match."""
    path = keyring_path(keys_directory(get_settings()), community)
    save_keyring(load_keyring(path).without(version), path)
    click.echo(f"key version {version} of {community!r} retired")


@key_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def key_import(file: str) -> None:
    """Install a community key file received from the community's coordinator."""
    ring = load_keyring(Path(file))
    path = keyring_path(keys_directory(get_settings()), ring.community)
    save_keyring(ring, path)
    versions = ", ".join(str(k.version) for k in ring.keys)
    click.echo(f"community key {ring.community!r} (versions {versions}) installed at {path}")


@key_group.command("export")
@click.argument("community")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def key_export(community: str, output: str) -> None:
    """Write the community's key file (mode 0600) to hand to a member."""
    ring = load_keyring(keyring_path(keys_directory(get_settings()), community))
    save_keyring(ring, Path(output))
    click.echo(f"key file for {community!r} written to {output} (keep it secret)")


@key_group.command("list")
def key_list() -> None:
    """The communities whose keys are installed, with their versions and fingerprints."""
    directory = keys_directory(get_settings())
    rows: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.key")) if directory.is_dir() else []:
        ring = load_keyring(path)
        for key in ring.keys:
            rows.append(
                {
                    "community": ring.community,
                    "version": key.version,
                    "current": key is ring.current,
                    "created": key.created.isoformat(),
                    "fingerprint": key.fingerprint,
                }
            )
    emit(rows, ["community", "version", "current", "created", "fingerprint"], None)


@share_group.command("hashes")
@click.option("--community", required=True, help="Community whose key hashes the selectors.")
@click.option("--key-version", type=int, default=None, help="Key version [default: newest].")
@click.option("--dataset", "datasets", multiple=True, help="Only these datasets (repeatable).")
@click.option(
    "--tlp",
    type=click.Choice(_OUT_MARKINGS),
    default="green",
    show_default=True,
    help="Most restrictive marking whose selectors are hashed (a hash set goes to a whole "
    "community; RED and AMBER+STRICT never do).",
)
@click.option(
    "--to",
    "recipient",
    default=None,
    metavar="ORG",
    help="The one organisation this hash set is for (needed for AMBER selectors).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True))
@_DATABASE
def share_hashes(
    community: str,
    key_version: int | None,
    datasets: tuple[str, ...],
    tlp: str,
    recipient: str | None,
    output: str,
    database: str | None,
) -> None:
    """Write the keyed hashes of our selectors that may leave (a hash-set file; audited)."""
    settings = get_settings()
    ring = load_keyring(keyring_path(keys_directory(settings), community))
    if tlp == "amber" and recipient is None:
        raise InputError(
            "AMBER selectors go only to partners a dataset names",
            hint="give --to ORG (the one organisation the hash set is for), or --tlp green",
        )
    policy = ExportPolicy(
        recipient=recipient or settings.organisation, ceiling=tlp, datasets=datasets
    )
    principal = Principal.system()
    with open_store(settings, url=database) as store:
        with store.engine.connect() as conn:
            eligible = exportable_datasets(conn, principal, policy)
        keys = exportable_selector_keys(store.engine, eligible)
        with _output(output) as out:
            header = write_hashset(
                out, keys, ring, key_version=key_version, organisation=settings.organisation
            )
        audit.append(
            store.engine,
            principal,
            "share.hashes",
            "file",
            output,
            tlp,
            {
                "community": community,
                "key_version": header.key_version,
                "selectors": header.count,
                "to": recipient or community,
                "datasets": eligible.names,
                "withheld_datasets": eligible.withheld,
            },
        )
    err = _err()
    err.print(
        f"{header.count} selector hashes of {len(eligible.datasets)} datasets written for "
        f"community {community!r} (key version {header.key_version})"
    )
    for name, why in sorted(eligible.withheld.items()):
        err.print(f"[yellow]withheld[/] dataset {name!r}: {why}", markup=True)


@share_group.command("match")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--community", required=True, help="Community whose key made the hash set.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv"]),
    default=None,
    help="Output format [default: table on a terminal, jsonl otherwise].",
)
@_DATABASE
def share_match(file: str, community: str, fmt: str | None, database: str | None) -> None:
    """Which of OUR selectors are in another party's hash-set file.

    Runs here, on our data only: the other side learns nothing, and we learn only which of
    our own selectors they hold (and how many selectors their set has). Audited.
    """
    settings = get_settings()
    ring = load_keyring(keyring_path(keys_directory(settings), community))
    with open_store(settings, url=database) as store:
        with open(file, "rb") as stream:
            result = match_hashset(stream, selector_keys(store.engine), ring, source=file)
        audit.append(
            store.engine,
            Principal.system(),
            "share.match",
            "file",
            file,
            None,
            {
                "community": community,
                "key_version": result.header.key_version,
                "their_organisation": result.header.organisation,
                "file_sha256": digest_of_file(Path(file)),
                "ours": result.ours,
                "theirs": result.theirs,
                "matched": len(result.matched),
            },
        )
    rows = [
        {"selector": key, "type": key.partition(":")[0], "value": key.partition(":")[2]}
        for key in result.matched
    ]
    emit(rows, ["selector", "type", "value"], fmt, title=f"in common with {file}")
    _err().print(
        f"{len(result.matched)} of our {result.ours} selectors are in {file} "
        f"({result.theirs} hashes from {result.header.organisation or 'an unnamed party'})"
    )


# -- sync ----------------------------------------------------------------------------------


@click.group("sync")
def sync_group() -> None:
    """Pull what a partner's Tocsin shares with us, incrementally (docs/sharing.md)."""


@sync_group.command("pull")
@click.argument("url")
@click.option(
    "--token",
    required=True,
    envvar="TOCSIN_SYNC_TOKEN",
    show_envvar=True,
    help="API token of our user at the partner's instance (analyst role).",
)
@click.option("--dataset", required=True, help="Local dataset the pulled documents go into.")
@click.option(
    "--marking",
    type=click.Choice(MARKINGS, case_sensitive=False),
    default="amber",
    show_default=True,
    help="Marking of the local dataset when new; more restrictive material is refused.",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=500, show_default=True, help="Per page."
)
@click.option("--from-start", is_flag=True, help="Ignore the saved cursor and read everything.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File keeping the cursor [default: one per URL and dataset in the data directory].",
)
@_DATABASE
def sync_pull(
    url: str,
    token: str,
    dataset: str,
    marking: str,
    limit: int,
    from_start: bool,
    state_file: str | None,
    database: str | None,
) -> None:
    """Pull the documents the partner at URL (…/api/v1) shares with us since the last pull.

    Each page is stored in one transaction, then its cursor saved: an interrupted pull resumes
    where it stopped, and pulling twice stores nothing twice. The partner decides what we may
    receive (its markings); our dataset's marking is never lowered.

    \b
    Example:
      tocsin sync pull https://partner.example/api/v1 --token "$TOKEN" --dataset partner-police
    """
    from tocsin.share.sync import pull, state_path

    settings = get_settings()
    state = (
        Path(state_file)
        if state_file
        else state_path(
            user_data_path("tocsin", appauthor=False) / "sync", url.rstrip("/"), dataset
        )
    )
    err = _err()
    with open_store(settings, url=database) as store:
        result = pull(
            store,
            url,
            token,
            dataset=dataset,
            state_file=state,
            marking=marking,
            limit=limit,
            from_start=from_start,
            progress=lambda r: (
                err.print(f"page {r.pages}: {r.documents_new} new, {r.documents_known} known")
                if r.pages % 10 == 0
                else None
            ),
        )
    for problem in result.problems[:200]:
        err.print(f"[yellow]skipped[/] {problem}", markup=True, highlight=False)
    err.print(
        f"{result.pages} pages from {result.remote or url}: {result.documents_new} new and "
        f"{result.documents_known} known documents into {dataset!r}; cursor {result.cursor}"
    )
    if result.problems:
        raise SystemExit(RecordError.exit_code)
