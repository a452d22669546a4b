"""Helpers to write small pack files for loader and matcher tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

PackWriter = Callable[[str, str], Path]


@pytest.fixture
def write_pack(tmp_path: Path) -> PackWriter:
    """Write ``body`` (YAML after the pack header) to ``<name>.yaml``; return its path."""

    def write(name: str, body: str) -> Path:
        path = tmp_path / f"{name}.yaml"
        header = f"id: {name}\nversion: 1.0.0\ndescription: Test pack.\n"
        path.write_text(header + dedent(body), encoding="utf-8")
        return path

    return write
