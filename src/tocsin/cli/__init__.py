"""The ``tocsin`` command: a thin layer over the Python API.

Exit codes (one table for every command; see docs/cli.md):

====  =====================================================================
0     success
1     ``--fail-on``: a document reached the given risk level
2     usage error, or no input could be read at all
3     some records could not be read (the others were processed)
4     invalid configuration, indicator pack or model
5     not permitted (a role or organisation that may not do this)
6     ``tocsin audit verify``: the audit log is broken
7     ``tocsin sync pull``: the partner's instance could not be reached or refused us
130   interrupted
====  =====================================================================
"""

from __future__ import annotations

import sys

import click

from tocsin import __version__
from tocsin.cli.admin_cmd import admin, audit_group, db
from tocsin.cli.cases_cmd import cases_group
from tocsin.cli.graph_cmd import clusters_command, path_command
from tocsin.cli.query_cmd import search_command, show_command
from tocsin.cli.scan import scan_command
from tocsin.cli.serve_cmd import serve_command
from tocsin.cli.share_cmd import export_command, import_command, share_group, sync_group
from tocsin.cli.store_cmd import ingest_command
from tocsin.errors import TocsinError

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tocsin")
def cli() -> None:
    """Tocsin: screen job offers and messages for scam-centre recruitment and fraud scripts,
    extract the selectors that link operations, and explain every decision."""


cli.add_command(scan_command)
cli.add_command(clusters_command)
cli.add_command(path_command)
cli.add_command(ingest_command)
cli.add_command(search_command)
cli.add_command(show_command)
cli.add_command(export_command)
cli.add_command(import_command)
cli.add_command(share_group)
cli.add_command(sync_group)
cli.add_command(admin)
cli.add_command(audit_group)
cli.add_command(db)
cli.add_command(serve_command)
cli.add_command(cases_group)


def _add_optional_commands() -> None:
    try:
        from tocsin.cli.model_cmd import model
    except ImportError:  # the learned-model commands need scikit-learn (installed by default)
        return
    cli.add_command(model)


_add_optional_commands()


def main() -> None:
    """Entry point: runs the command group and maps Tocsin errors to exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if exc.exit_code == 2 else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except TocsinError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        sys.stderr.close()
        sys.exit(0)
