"""Render docs/cli.md from the commands themselves, so the reference can never drift.

Run ``python -m tocsin.cli.reference > docs/cli.md``; a test fails when the file is stale.
"""

from __future__ import annotations

import click

from tocsin.cli import cli

__all__ = ["render"]

_HEADER = """# CLI reference

Generated from the commands by `python -m tocsin.cli.reference` (`make docs`); do not edit by hand.

Exit codes are the same for every command:

| code | meaning |
|---|---|
| 0 | success |
| 1 | `--fail-on`: a document reached the given risk level |
| 2 | usage error, or no input could be read at all |
| 3 | some records could not be read (the others were processed; each is reported with file and line) |
| 4 | invalid configuration, indicator pack or model |
| 130 | interrupted |
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += _walk(command.commands[name], [*path, name])
    return found


def render() -> str:
    parts = [_HEADER]
    for path, command in _walk(cli, ["tocsin"]):
        with click.Context(command, info_name=" ".join(path), terminal_width=100) as ctx:
            help_text = command.get_help(ctx)
        level = "#" * min(len(path) + 1, 4)
        parts.append(f"\n{level} `{' '.join(path)}`\n\n```text\n{help_text}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
