"""The sharing commands end to end: export, import, share key|hashes|match."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.access import audit
from tocsin.cli import cli
from tocsin.errors import InputError
from tocsin.settings import get_settings
from tocsin.store import Store, open_store

from .world import fill, store_texts, texts


@pytest.fixture
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "keys"
    monkeypatch.setenv("TOCSIN_SHARE_KEYS_DIR", str(directory))
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_export_then_import(store: Store, db_url: str, tmp_path: Path) -> None:
    fill(store)
    out = tmp_path / "police.stix.json"
    result = CliRunner().invoke(
        cli,
        ["export", "--format", "stix", "--to", "police", "-o", str(out), "--database", db_url],
    )
    assert result.exit_code == 0, result.output
    assert "6 documents" in result.output and "'police'" in result.output
    assert "withheld dataset 'ds-r': TLP:RED never leaves the organisation" in result.output
    assert json.loads(out.read_bytes())["type"] == "bundle"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = CliRunner().invoke(
        cli,
        ["import", str(out), "--dataset", "from-ngo", "--marking", "amber", "--database", other],
    )
    assert result.exit_code == 0, result.output
    assert "6 new and 0 known documents" in result.output
    with open_store(url=other) as imported:
        assert imported.counts()["documents"] == 6
        (entry,) = [e for e in audit.entries(imported.engine) if e.action == "import"]
        assert entry.detail["documents_new"] == 6 and entry.target_id == "from-ngo"


def test_import_reports_problems_with_exit_code_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ftm.json"
    good = {"id": "co-1", "schema": "Company", "properties": {"name": ["Synthetic Co"]}}
    doc = {"id": "d", "schema": "Document", "properties": {"bodyText": ["SYNTHETIC note."]}}
    bad.write_text(json.dumps(doc) + "\n{broken\n" + json.dumps(good) + "\n")
    database = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(cli, ["import", str(bad), "--dataset", "p", "--database", database])
    assert result.exit_code == 3, result.output
    assert "bad.ftm.json:2: invalid FtM entity" in result.output
    missing = CliRunner().invoke(
        cli, ["import", str(tmp_path / "nope"), "--dataset", "p", "--database", database]
    )
    assert isinstance(missing.exception, InputError) and "cannot read" in str(missing.exception)


def test_keys_hashes_and_match(store: Store, db_url: str, tmp_path: Path, keys_dir: Path) -> None:
    fill(store)
    _run("share", "key", "new", "mekong-2026")
    key_file = keys_dir / "mekong-2026.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    handed = tmp_path / "handed.key"
    _run("share", "key", "export", "mekong-2026", "-o", str(handed))
    ours = tmp_path / "ours.hashes"
    output = _run("share", "hashes", "--community", "mekong-2026", "-o", str(ours),
                  "--database", db_url)  # fmt: skip
    assert "withheld dataset 'ds-a'" in output  # AMBER needs --to: a hash set goes community-wide
    lines = ours.read_bytes().splitlines()
    header = json.loads(lines[0])
    assert header["count"] == len(lines) - 1 == 5  # ds-c and ds-g: 4 unique + 1 shared handle
    # the partner: its own store and the key file it was handed
    partner_db = f"sqlite:///{tmp_path / 'partner.db'}"
    with open_store(url=partner_db) as partner:
        store_texts(partner, "seen", "green", texts("g", 1) + texts("zz", 1), "police")
    partner_keys = tmp_path / "partner-keys"
    os.environ["TOCSIN_SHARE_KEYS_DIR"] = str(partner_keys)
    get_settings.cache_clear()
    _run("share", "key", "import", str(handed))
    match = _run("share", "match", str(ours), "--community", "mekong-2026", "-f", "jsonl",
                 "--database", partner_db)  # fmt: skip
    found = [json.loads(line)["selector"] for line in match.splitlines() if line.startswith("{")]
    assert found == ["telegram:hr_g0_desk", "telegram:hr_shared_desk"]
    with open_store(url=partner_db) as partner:
        (entry,) = [e for e in audit.entries(partner.engine) if e.action == "share.match"]
        assert entry.detail["matched"] == 2 and entry.detail["their_organisation"] == "local"
    os.environ["TOCSIN_SHARE_KEYS_DIR"] = str(keys_dir)
    get_settings.cache_clear()
    rotated = _run("share", "key", "rotate", "mekong-2026")
    assert "version 2" in rotated
    listing = _run("share", "key", "list")
    assert "mekong-2026" in listing
    result = CliRunner().invoke(
        cli, ["share", "hashes", "--community", "mekong-2026", "--tlp", "amber", "-o", "x",
              "--database", db_url],
    )  # fmt: skip
    assert isinstance(result.exception, InputError) and "give --to ORG" in str(result.exception)


def test_export_cli_errors(db_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--cluster", "c-000000000000", "--database", db_url]
    )
    assert isinstance(result.exception, InputError)
    assert "no cluster 'c-000000000000'" in str(result.exception)
    result = CliRunner().invoke(cli, ["export", "--tlp", "red", "--database", db_url])
    assert result.exit_code == 2
