"""The sharing page /app/share over the synthetic deployment: export downloads identical to the
API's (policy and audit included), an import with a per-object error summary, our hash set and
a match against theirs linked to our selector pages, pulls from a partner instance, roles and
CSRF. Synthetic data only."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tocsin.access import audit, tokens
from tocsin.share.hashes import (
    keyring_path,
    load_keyring,
    new_keyring,
    save_keyring,
    write_hashset,
)
from tocsin.store.schema import datasets, document_datasets, links, selectors
from tocsin.web.app import create_app
from tocsin.web.pages import share as share_pages

from .client import TestClient
from .test_pages import assert_no_inline_code, login
from .world import World, build_world

COMMUNITY = "mekong-synthetic"
T0 = "2026-10-01T00:00:00.000Z"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("share-pages")
    w = build_world(folder, share_keys_dir=str(folder / "keys"))
    save_keyring(new_keyring(COMMUNITY), folder / "keys" / f"{COMMUNITY}.key")
    yield w
    w.store.close()


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sync cursors go under $XDG_DATA_HOME/tocsin/sync: one per test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, world.store), base_url="https://testserver") as c:
        yield c


def csrf(client: TestClient) -> str:
    page = client.get("/app/share")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field on the share page"
    return found.group(1)


def audits(world: World, action: str) -> list[Any]:
    """The audit entries of ``action``, newest first."""
    return audit.entries(world.store.engine, limit=1000, action=action)


def test_the_page_for_an_analyst(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    page = client.get("/app/share")
    assert page.status_code == 200
    html = page.text
    assert_no_inline_code(html)
    assert 'href="/app/share" class="current"' in html
    for form in ("export-form", "import-form", "hashes-form", "match-form", "sync-form"):
        assert f'id="{form}"' in html, form
    assert f'<option value="{COMMUNITY}"' in html
    for name in ("demo-job-ads", "demo-messages"):
        assert f'<option value="{name}"' in html
    assert "No pull yet" in html
    # a cluster link prefills the export's scope
    assert 'value="c-0123456789ab"' in client.get("/app/share?cluster=c-0123456789ab").text


def test_a_viewer_sees_why_and_cannot_post(client: TestClient, world: World) -> None:
    login(client, world, "demo-viewer")
    html = client.get("/app/share").text
    assert "need the analyst role (you are viewer)" in html
    assert 'id="export-form"' not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None  # the sign-out form
    for path, data in (
        ("/app/share/export", {"format": "stix"}),
        ("/app/share/hashes", {"community": COMMUNITY}),
        ("/app/share/sync", {"url": "https://x.example/api/v1", "token": "t", "dataset": "d"}),
    ):
        answer = client.post(path, data={"csrf_token": token.group(1), **data})
        assert answer.status_code == 403, path


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    before = len(audits(world, "export"))
    answer = client.post("/app/share/export", data={"format": "stix"})
    assert answer.status_code == 403
    assert len(audits(world, "export")) == before  # nothing left


def test_export_is_the_api_export_and_is_audited(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    before = len(audits(world, "export"))
    page = client.post(
        "/app/share/export", data={"csrf_token": token, "format": "stix", "tlp": "amber"}
    )
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("application/stix+json")
    assert 'filename="tocsin-export.stix.json"' in page.headers["content-disposition"]
    api = client.get("/api/v1/share/export", params={"format": "stix", "tlp": "amber"})
    assert api.status_code == 200
    assert page.content == api.content  # the same function, the same policy, the same bytes
    bundle = json.loads(page.content)
    assert bundle["type"] == "bundle"
    texts = " ".join(o.get("description", "") for o in bundle["objects"])
    assert texts  # documents left
    entries = audits(world, "export")
    assert len(entries) == before + 2
    kpi = rf'kpi-value">{before + 2}</div><div class="kpi-label">exports by ngo-synthetic'
    assert re.search(kpi, client.get("/app/share").text)
    mine = next(e for e in entries if e.target_id == "workspace:stix")
    # AMBER+STRICT never leaves, even to ourselves
    assert "demo-hotline-reports" in mine.detail["withheld_datasets"]
    assert "demo-hotline-reports" not in mine.detail["datasets"]
    assert mine.detail["to"] == world.settings.organisation


def test_export_scoped_to_a_dataset_as_misp_and_ftm(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    for fmt, media in (("misp", "application/json"), ("ftm", "application/x-ndjson")):
        answer = client.post(
            "/app/share/export",
            data={"csrf_token": token, "format": fmt, "tlp": "green", "dataset": "demo-job-ads"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media)
    last = audits(world, "export")[0]
    assert last.detail["scope"]["datasets"] == ["demo-job-ads"]
    assert last.detail["datasets"] == ["demo-job-ads"]


def test_export_refused_with_the_reason(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    answer = client.post(
        "/app/share/export",
        data={"csrf_token": token, "format": "stix", "cluster": "c-000000000000", "to": "police"},
    )
    assert answer.status_code == 400
    assert re.search(r'id="export-error">no cluster &#39;c-000000000000&#39;', answer.text)
    assert 'value="police"' in answer.text  # the form keeps what was typed
    red = client.post("/app/share/export", data={"csrf_token": token, "tlp": "red"})
    assert red.status_code == 400
    assert "TLP:RED never leaves" in red.text
    bad_day = client.post("/app/share/export", data={"csrf_token": token, "since": "01/11/2026"})
    assert "is not a date (YYYY-MM-DD)" in bad_day.text


def _bundle(*objects: Any) -> bytes:
    return json.dumps(
        {"type": "bundle", "id": "bundle--22222222-2222-4222-8222-222222222222",
         "objects": list(objects)}
    ).encode()  # fmt: skip


def _sdo(kind: str, digit: str, **props: Any) -> dict[str, Any]:
    uid = f"{digit * 8}-{digit * 4}-4{digit * 3}-8{digit * 3}-{digit * 12}"
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uid}", "created": T0,
            "modified": T0, **props}  # fmt: skip


def test_import_shows_each_skipped_object(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    identity = _sdo("identity", "1", name="Partner CERT (synthetic)", identity_class="organization")
    good = _sdo(
        "report", "2", published=T0, name="Partner report", object_refs=[identity["id"]],
        description="SYNTHETIC partner report: recruiter on Telegram @zq_pages_partner_desk",
    )  # fmt: skip
    broken = _sdo("report", "3", name="no date, no refs")
    answer = client.post(
        "/app/share/import",
        data={"csrf_token": token, "dataset": "partner-pages", "marking": "amber"},
        files={"file": ("partner.stix.json", _bundle(identity, good, broken, "not an object"))},
    )
    assert answer.status_code == 200, answer.text
    assert_no_inline_code(answer.text)
    result = re.search(r'id="import-result">(.*?)</div>\s*\{?', answer.text, re.S)
    assert result is not None
    summary = re.sub(r"\s+", " ", result.group(1))
    assert "STIX file partner.stix.json into partner-pages: 1 new" in summary
    assert "2 objects skipped" in summary
    problems = re.findall(r'<td class="small">(.*?)</td>', answer.text)
    assert len(problems) == 2
    assert any("report--33333333" in p for p in problems), problems  # names the object
    assert all("partner.stix.json" in p for p in problems)
    with world.store.engine.connect() as conn:
        marking = conn.scalar(select(datasets.c.marking).where(datasets.c.name == "partner-pages"))
    assert marking == "amber"
    # the new dataset is offered everywhere now
    assert '<option value="partner-pages"' in client.get("/app/share").text


def test_import_of_an_unknown_format_says_what_to_do(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    answer = client.post(
        "/app/share/import",
        data={"csrf_token": csrf(client), "dataset": "partner-pages"},
        files={"file": ("notes.txt", b"just some notes")},
    )
    assert answer.status_code == 400
    assert "cannot tell the format" in answer.text
    assert 'id="import-error"' in answer.text


def _our_keys(world: World, dataset: str) -> list[str]:
    query = (
        select(selectors.c.key)
        .join(links, links.c.selector_pk == selectors.c.pk)
        .join(document_datasets, document_datasets.c.document_pk == links.c.document_pk)
        .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
        .where(datasets.c.name == dataset)
        .distinct()
        .order_by(selectors.c.key)
    )
    with world.store.engine.connect() as conn:
        return list(conn.scalars(query))


def test_hash_set_download_and_match(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    ours = client.post("/app/share/hashes", data={"csrf_token": token, "community": COMMUNITY})
    assert ours.status_code == 200, ours.text
    assert f'filename="{COMMUNITY}.hashes"' in ours.headers["content-disposition"]
    header = json.loads(ours.content.split(b"\n", 1)[0])
    assert header["community"] == COMMUNITY
    assert header["count"] == len(_our_keys(world, "demo-job-ads"))  # GREEN only by default

    # their file: two of our selectors and one we do not hold
    shared = _our_keys(world, "demo-job-ads")[:2]
    ring = load_keyring(keyring_path(Path(world.settings.share_keys_dir or ""), COMMUNITY))
    theirs = io.BytesIO()
    write_hashset(theirs, [*shared, "telegram:zq_nobody_synthetic"], ring, organisation="police")
    answer = client.post(
        "/app/share/match",
        data={"csrf_token": token, "community": COMMUNITY},
        files={"file": ("police.hashes", theirs.getvalue())},
    )
    assert answer.status_code == 200, answer.text
    assert_no_inline_code(answer.text)
    assert re.search(r"2 of our [\d\u202f]+ selectors are among the 3 in police.hashes from police",
                     answer.text)  # fmt: skip
    links_ = re.findall(
        r'<li><a class="mono" href="(/app/selectors/[^"]+)">([^<]+)</a>', answer.text
    )
    assert [k for _h, k in links_] == sorted(shared)
    for href, _key in links_:
        assert client.get(href).status_code == 200  # linked to our selector pages
    entry = audits(world, "share.match")[0]
    assert entry.target_kind == "workspace"
    assert entry.detail["matched"] == 2


def test_hash_set_refusals(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    token = csrf(client)
    amber = client.post(
        "/app/share/hashes", data={"csrf_token": token, "community": COMMUNITY, "tlp": "amber"}
    )
    assert amber.status_code == 400
    assert "AMBER selectors go only to partners a dataset names" in amber.text
    unknown = client.post("/app/share/hashes", data={"csrf_token": token, "community": "other"})
    assert "no key of community &#39;other&#39; on this server" in unknown.text
    stranger = io.BytesIO()
    write_hashset(stranger, ["phone:+85512345678"], new_keyring(COMMUNITY), organisation="x")
    answer = client.post(
        "/app/share/match",
        data={"csrf_token": token, "community": COMMUNITY},
        files={"file": ("x.hashes", stranger.getvalue())},
    )
    assert answer.status_code == 400
    assert "both sides must import the same community key file" in answer.text


def test_a_pull_from_a_partner_instance(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partner is this same deployment seen through another TestClient (the demo data
    under the demo-admin's token): the page pulls it into a new dataset, twice."""
    partner = TestClient(create_app(world.settings, world.store), base_url="https://partner")
    monkeypatch.setattr(share_pages, "http_client", lambda: partner)
    secret, _info = tokens.create_token(world.store.engine, "demo-admin", "pages sync test")
    login(client, world, "demo-admin")  # a new partner address is an admin's call
    token = csrf(client)
    form = {"csrf_token": token, "url": "https://partner/api/v1/", "token": secret,
            "dataset": "pulled-from-partner", "marking": "amber"}  # fmt: skip
    first = client.post("/app/share/sync", data=form)
    assert first.status_code == 200, first.text
    assert secret not in first.text  # the token is not echoed back
    result = re.search(r'id="sync-result">\s*<p class="form-ok">([^<]+)</p>', first.text)
    assert result is not None, first.text
    found = re.match(r"1 page from ngo-synthetic: 0 new and (\d+) known documents", result.group(1))
    assert found is not None, result.group(1)  # the same instance: every text is known here
    assert int(found.group(1)) > 0
    pulls = first.text.split('id="sync-pulls"')[1].split("</table>")[0]
    assert "https://partner/api/v1" in pulls
    assert "pulled-from-partner" in pulls
    with world.store.engine.connect() as conn:
        linked = conn.scalar(
            select(func.count())
            .select_from(document_datasets)
            .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
            .where(datasets.c.name == "pulled-from-partner")
        )
    assert linked == int(found.group(1))
    login(client, world, "demo-analyst")  # an analyst re-runs a saved pull
    form["csrf_token"] = csrf(client)
    again = client.post("/app/share/sync", data=form)  # resumes after the saved cursor
    assert re.search(r"1 page from ngo-synthetic: 0 new and 0 known documents", again.text)
    assert audits(world, "import")[0].detail["from"] == "https://partner/api/v1"
    partner.close()


def test_a_pull_refused_by_the_partner(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner = TestClient(create_app(world.settings, world.store), base_url="https://partner")
    monkeypatch.setattr(share_pages, "http_client", lambda: partner)
    login(client, world, "demo-admin")
    answer = client.post(
        "/app/share/sync",
        data={
            "csrf_token": csrf(client),
            "url": "https://partner/api/v1",
            "token": "wrong",
            "dataset": "pulled-from-partner",
        },
    )
    assert answer.status_code == 400
    assert "the partner refused the token (401)" in answer.text
    assert 'id="sync-error"' in answer.text
    partner.close()


def test_a_pull_shows_no_foreign_page(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The URL is the user's choice: what a non-Tocsin answer says is not shown (no reading an
    internal service's pages through the server), only its status."""
    partner = TestClient(create_app(world.settings, world.store), base_url="https://partner")
    monkeypatch.setattr(share_pages, "http_client", lambda: partner)
    login(client, world, "demo-admin")
    answer = client.post(
        "/app/share/sync",
        data={
            "csrf_token": csrf(client),
            "url": "https://partner/internal",
            "token": "anything",
            "dataset": "pulled-from-partner",
        },
    )
    assert answer.status_code == 400
    error = re.search(r'id="sync-error">([^<]*)</p>', answer.text)
    assert error is not None
    assert error.group(1).startswith("the partner answered 404")
    assert "DOCTYPE" not in error.group(1) and "&lt;" not in error.group(1)
    partner.close()


def test_an_analyst_cannot_point_the_server_at_a_new_address(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server fetches the address typed into the form; an analyst may re-run saved pulls,
    but only an admin adds a partner address (no probing internal services through us)."""
    fetched: list[str] = []

    class Recorder:
        def get(self, url: str, **_kwargs: object) -> None:
            fetched.append(url)
            raise AssertionError("the server fetched an address an analyst typed")

    monkeypatch.setattr(share_pages, "http_client", lambda: Recorder())
    login(client, world, "demo-analyst")
    answer = client.post(
        "/app/share/sync",
        data={
            "csrf_token": csrf(client),
            "url": "http://127.0.0.1:6379/",
            "token": "anything",
            "dataset": "pulled-from-partner",
        },
    )
    assert answer.status_code == 403
    assert "may not manage" in answer.text
    assert fetched == []
