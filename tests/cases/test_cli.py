"""`tocsin cases` as an operator meets it: a report with its matches, a status change, a bad
spreadsheet (exit code 3, rows named), an export, the statistics, and errors without tracebacks."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.world import KEY, OFFER
from tocsin.cli import cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOCSIN_DATABASE_URL", url)
    monkeypatch.setenv("TOCSIN_FIELD_KEY", KEY)
    from tocsin.settings import get_settings

    get_settings.cache_clear()
    yield {"TOCSIN_DATABASE_URL": url, "TOCSIN_FIELD_KEY": KEY}
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_report_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = run("cases", "open", "Synthetic CLI case")
    assert code == 0
    case = out.strip()
    offer = tmp_path / "offer.txt"
    offer.write_text(OFFER, encoding="utf-8")
    code, out, _ = run(
        "cases",
        "report",
        case,
        "--nationality",
        "VN",
        "--name",
        "Zq Cli Person",
        "--offer",
        str(offer),
        "--contact",
        "Telegram @hr_zq_desk",
        "-f",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    assert "telegram:hr_zq_desk" in report["selectors"]
    code, out, _ = run("cases", "status", report["person"], "located", "--note", "seen")
    assert code == 0 and "located (next: rescued" in out
    code, out, _ = run("cases", "person", "show", report["person"], "-f", "json")
    assert json.loads(out)["name"] == "Zq Cli Person"
    code, out, _ = run("cases", "stats", "-f", "json")
    assert json.loads(out)["total"] is None  # one person: fewer than k


def test_import_reports_bad_rows_with_exit_code_3(env: dict[str, str], tmp_path: Path) -> None:
    _, out, _ = run("cases", "open", "Synthetic import case")
    case = out.strip()
    sheet = tmp_path / "sheet.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Full name", "Nationality", "Memo"])
        writer.writerow(["Zq Good", "VN", "x"])
        writer.writerow(["Zq Bad", "Atlantis", "y"])
    code, _, err = run("cases", "import", case, str(sheet), "--map", "Full name=name")
    assert code == 3
    assert f"{sheet}:3 field 'Nationality'" in err
    assert "columns not imported: Memo" in err
    out_file = tmp_path / "out.csv"
    code, _, err = run("cases", "export", "-o", str(out_file))
    assert code == 0 and "no personal fields" in err
    assert "Zq Good" not in out_file.read_text(encoding="utf-8")


def test_errors_are_one_line_without_traceback(env: dict[str, str]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tocsin.cli import main; main()",
            "cases",
            "show",
            "C-00000-00000",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert result.returncode == 2
    assert "no case 'C-00000-00000'" in result.stderr and "Traceback" not in result.stderr


def test_keygen_prints_a_usable_key() -> None:
    code, out, _ = run("cases", "keygen", "k7")
    assert code == 0 and out.startswith("k7:")
    from tocsin.cases import FieldCipher

    assert FieldCipher.from_setting(out.strip()).current == "k7"
