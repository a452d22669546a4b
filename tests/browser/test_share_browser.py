"""The share page in a real browser: an analyst exports a STIX bundle (a download that passes
the OASIS validator) and matches a partner's hash set, seeing which of our selectors they hold,
each linked to its selector page. Synthetic data only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from browser.conftest import Server, Watch, _require, login_at, new_page, serve_world, shot
from pages.world import build_world
from share.test_stix import validate
from tocsin.share.hashes import keyring_path, load_keyring, new_keyring, save_keyring, write_hashset
from tocsin.store.schema import datasets, document_datasets, links, selectors

COMMUNITY = "mekong-synthetic"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The conftest's server, with a community key installed and its own data directory."""
    _require()
    folder = tmp_path_factory.mktemp("share-browser")
    world = build_world(folder, share_keys_dir=str(folder / "keys"))
    save_keyring(new_keyring(COMMUNITY), folder / "keys" / f"{COMMUNITY}.key")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder / "data"))  # sync cursors
        with serve_world(world) as running:
            yield running
    world.store.close()


def _keys_of(server: Server, dataset: str) -> list[str]:
    query = (
        select(selectors.c.key)
        .join(links, links.c.selector_pk == selectors.c.pk)
        .join(document_datasets, document_datasets.c.document_pk == links.c.document_pk)
        .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
        .where(datasets.c.name == dataset)
        .distinct()
        .order_by(selectors.c.key)
    )
    with server.world.store.engine.connect() as conn:
        return list(conn.scalars(query))


def test_export_stix_and_match_a_hash_set(
    browser: Any, server: Server, watch: Watch, tmp_path: Path
) -> None:
    page = new_page(browser, watch, accept_downloads=True)
    login_at(page, server, "demo-analyst", "/app/share")
    assert page.locator("nav.app-nav a.current").inner_text() == "Share"

    # export: STIX, up to AMBER, to ourselves
    page.select_option("#x-format", "stix")
    page.select_option("#x-tlp", "amber")
    with page.expect_download() as info:
        page.click("#export-submit")
    download = info.value
    assert download.suggested_filename == "tocsin-export.stix.json"
    bundle = Path(download.path()).read_bytes()
    validate(bundle)
    objects = json.loads(bundle)["objects"]
    assert any(o["type"] == "report" for o in objects)
    assert not any(
        "amber+strict" in json.dumps(o).lower() for o in objects if o["type"] == "report"
    )

    # their hash set: three of our selectors and one we do not hold
    ours = _keys_of(server, "demo-job-ads")
    assert len(ours) >= 3
    shared = ours[:3]
    ring = load_keyring(keyring_path(Path(server.world.settings.share_keys_dir or ""), COMMUNITY))
    theirs = tmp_path / "police-synthetic.hashes"
    with theirs.open("wb") as out:
        write_hashset(out, [*shared, "telegram:zq_nobody_synthetic"], ring, organisation="police")
    page.select_option("#mt-community", COMMUNITY)
    page.set_input_files("#mt-file", str(theirs))
    page.click("#match-submit")
    page.wait_for_selector("#match-result")
    summary = page.inner_text("#match-result p.form-ok")
    assert summary.startswith("3 of our ")
    assert "among the 4 in police-synthetic.hashes from police" in summary
    assert page.locator("#match-keys a").all_inner_texts() == sorted(shared)
    page.locator("#hashes").scroll_into_view_if_needed()
    path = shot(page, "share")
    assert path.exists()

    page.click(f"#match-keys a:text-is('{sorted(shared)[0]}')")
    page.wait_for_url("**/app/selectors/**")
    assert sorted(shared)[0].split(":", 1)[1] in page.inner_text("main")
    # a form post that answers with a download is reported as an aborted navigation
    download_abort = f"request failed: {server.url}/app/share/export net::ERR_ABORTED"
    assert [p for p in watch.problems if p != download_abort] == []
