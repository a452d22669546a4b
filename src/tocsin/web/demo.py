"""``tocsin serve --demo``: the bundled synthetic examples, the synthetic case demo and three
demo users.

Everything here is synthetic and says so. Running it again ingests nothing twice (documents are
identified by the hash of their text; the case demo is loaded once, found again by its title)
and gives the demo users fresh random passwords, printed once: they are never written to disk.

The case demo (`tocsin.cases.demo`) is one case team: demo-analyst leads it, demo-admin is a
member, demo-viewer is not on it — so the viewer sees how need-to-know looks from outside (no
case, statistics over no case), and the others see the dashboard, charts, map and compounds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tocsin
from tocsin.access import users
from tocsin.cases import Casebook
from tocsin.cases.demo import DEMO_TITLE, load_demo
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.intake import ReadOptions, read_inputs
from tocsin.model import Document
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.deps import deployment_settings, save_deployment_settings

__all__ = ["DEMO_CASE_TEAM", "DEMO_USERS", "DemoResult", "find_examples", "prepare_demo"]

DEMO_USERS = (("demo-admin", "admin"), ("demo-analyst", "analyst"), ("demo-viewer", "viewer"))
"""Usernames and roles of the demo users."""

DEMO_CASE_TEAM = (("demo-analyst", "lead"), ("demo-admin", "member"))
"""The team of the demo case (username, team role); demo-viewer is deliberately off it."""

# (file, dataset, marking, text column): markings differ so that access control shows.
DEMO_INPUTS = (
    ("job_ads.jsonl", "demo-job-ads", "green", "text"),
    ("messages.csv", "demo-messages", "amber", "body"),
    ("ad.txt", "demo-hotline-reports", "amber+strict", "text"),
)

DEMO_SETTINGS = {
    "organisation_name": "Tocsin demo (synthetic data)",
    "hotlines": [
        {
            "name": "Demo hotline — synthetic placeholder, set real ones in Admin → Settings",
            "country": "KH",
            "phone": "+1 555 0100",
            "url": "https://hotline.example.org",
            "languages": ["en", "km", "vi"],
        }
    ],
}


@dataclass
class DemoResult:
    documents_read: int
    documents_new: int
    passwords: dict[str, str]
    case: str | None = None  # the demo case's id (None: cases=False)
    case_loaded: bool = False  # loaded now (False: found from an earlier start)


def find_examples(explicit: Path | None = None) -> Path:
    """The examples directory: ``explicit``, ./examples, or the source tree's examples/."""
    candidates = (
        [explicit]
        if explicit is not None
        else [Path.cwd() / "examples", Path(tocsin.__file__).resolve().parents[2] / "examples"]
    )
    for path in candidates:
        if path is not None and (path / "job_ads.jsonl").is_file():
            return path
    raise InputError(
        "no examples directory with job_ads.jsonl found",
        source=str(explicit) if explicit is not None else None,
        hint="run from the source tree or pass --examples DIR",
    )


def prepare_demo(
    store: Store,
    settings: Settings,
    examples: Path | None = None,
    *,
    echo: Callable[[str], None] = print,
    cases: bool = True,
    case_rows: int | None = None,
) -> DemoResult:
    """Load the synthetic examples into datasets of the deployment's organisation and give the
    demo users (made when missing) new random passwords, shown through ``echo`` once.

    ``cases``: also load the synthetic case demo (once) with `DEMO_CASE_TEAM` as its team;
    ``case_rows``: a smaller case demo (tests)."""
    folder = find_examples(examples)
    secret = store.settings.secret_key
    org = settings.organisation
    if org not in {str(o["name"]) for o in users.list_organisations(store.engine)}:
        users.create_organisation(store.engine, org, secret=secret)
    scanner = ScanEngine(settings=settings)
    read = new = 0
    for name, dataset, marking, text_field in DEMO_INPUTS:
        path = folder / name
        if not path.is_file():
            continue
        store.dataset(dataset, marking, org=org)
        opts = ReadOptions(text_field=text_field, max_bytes=settings.max_document_bytes)
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        docs = [d for d in read_inputs([str(shown)], opts) if isinstance(d, Document)]
        result = store.store_batch(docs, scanner, dataset=dataset, marking=marking)
        read += len(docs)
        new += result.new
    existing = {u.username for u in users.list_users(store.engine)}
    passwords: dict[str, str] = {}
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        if username in existing:
            users.set_password(store.engine, username, password, secret=secret)
            users.set_role(store.engine, username, role, secret=secret)
            users.set_active(store.engine, username, True, secret=secret)
        else:
            users.create_user(
                store.engine,
                username,
                password,
                org=org,
                role=role,
                display_name=f"{username} (demo)",
                secret=secret,
            )
        passwords[username] = password
    case_id: str | None = None
    loaded = False
    if cases:
        case_id, loaded = _cases_demo(store, case_rows)
    current = deployment_settings(store)
    missing = {k: v for k, v in DEMO_SETTINGS.items() if not current.get(k)}
    if missing:
        save_deployment_settings(store, missing)
    echo(
        f"Demo data (synthetic): {read} example documents, {new} new, in datasets "
        + ", ".join(f"{d} ({m})" for _, d, m, _ in DEMO_INPUTS)
        + f", organisation {org!r}."
    )
    echo("Demo users — passwords shown once, new ones at every start (synthetic demo only):")
    for username, role in DEMO_USERS:
        echo(f"  {username:<14} {role:<8} {passwords[username]}")
    if case_id is not None:
        team = ", ".join(f"{u} ({r})" for u, r in DEMO_CASE_TEAM)
        echo(
            f"Case demo (synthetic): case {case_id} {'loaded' if loaded else 'already loaded'}"
            f" — team {team}; demo-viewer is not on it. /app/cases"
        )
    return DemoResult(read, new, passwords, case_id, loaded)


def _cases_demo(store: Store, rows: int | None) -> tuple[str, bool]:
    """The demo case's id, loading the case demo unless an earlier start did; (id, loaded)."""
    book = Casebook(store)  # the store's principal: the system, which sees every case
    found = [c for c in book.cases.all() if c.title == DEMO_TITLE]
    if not found:
        return load_demo(store, members=list(DEMO_CASE_TEAM), rows=rows).case, True
    case = found[0]
    team = dict(case.members)
    for username, role in DEMO_CASE_TEAM:  # the users may have been made again since
        if team.get(username) != role:
            book.cases.add_member(case.id, username, role)
    return case.id, False
