"""Docs move with the code: a setting or a command that is not documented fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tocsin.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`TOCSIN_{name.upper()}`" in text, (
            f"TOCSIN_{name.upper()} missing in docs/settings.md"
        )


def test_cli_reference_is_up_to_date() -> None:
    # In a fresh interpreter: click caches each command's help option the first time a context
    # is made, so rendering inside the test process would depend on the tests run before.
    rendered = subprocess.run(
        [sys.executable, "-m", "tocsin.cli.reference"],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    ).stdout
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == rendered, (
        "docs/cli.md is stale: run `make docs`"
    )


def test_readme_gives_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith("make test")
