"""Views of scan results for people and programs: terminal table, JSON Lines, CSV, HTML."""

from tocsin.report.writers import (
    OUTPUT_FORMATS,
    Summary,
    render_html,
    write_csv,
    write_jsonl,
    write_table,
)

__all__ = ["OUTPUT_FORMATS", "Summary", "render_html", "write_csv", "write_jsonl", "write_table"]
