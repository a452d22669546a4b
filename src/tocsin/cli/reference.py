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
| 3 | some records could not be read (the others were processed; each is named with file, line) |
| 4 | invalid configuration, indicator pack or model |
| 5 | not permitted (a role or organisation that may not do this) |
| 6 | `tocsin audit verify`: the audit log is broken |
| 7 | `tocsin sync pull`: the partner's instance failed or refused us (run it again: it resumes) |
| 130 | interrupted |
"""


def _walk(ctx: click.Context, path: list[str]) -> list[tuple[list[str], str]]:
    """Help texts of a command and its subcommands, each rendered in its parent's context so
    that settings such as ``-h`` for help are inherited exactly as at the terminal."""
    command = ctx.command
    found = [(path, command.get_help(ctx))]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            sub = command.commands[name]
            with sub.make_context(name, [], parent=ctx, resilient_parsing=True) as sub_ctx:
                found += _walk(sub_ctx, [*path, name])
    return found


def render() -> str:
    parts = [_HEADER]
    with cli.make_context("tocsin", [], resilient_parsing=True, terminal_width=100) as ctx:
        for path, help_text in _walk(ctx, ["tocsin"]):
            level = "#" * min(len(path) + 1, 4)
            parts.append(f"\n{level} `{' '.join(path)}`\n\n```text\n{help_text}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
