"""Output formats for scan results: JSON Lines, CSV, a terminal table and an HTML report."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import IO, Final

from jinja2 import Environment, select_autoescape
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tocsin import __version__
from tocsin.model import Document, RiskLevel, Verdict
from tocsin.report.highlight import marks_of, segments

__all__ = ["OUTPUT_FORMATS", "Summary", "render_html", "write_csv", "write_jsonl", "write_table"]

OUTPUT_FORMATS: Final = ("table", "jsonl", "csv", "html")

#: Longest text shown in full in the HTML report; the rest is cut with a note.
HTML_TEXT_LIMIT: Final = 20_000

LEVEL_STYLE: Final = {
    RiskLevel.LOW: "green",
    RiskLevel.MEDIUM: "yellow",
    RiskLevel.HIGH: "red",
    RiskLevel.CRITICAL: "bold white on red",
}

Result = tuple[Document, Verdict]


@dataclass
class Summary:
    """What a scan did: counted as it goes, printed at the end."""

    documents: int = 0
    shown: int = 0
    errors: int = 0
    by_level: Counter[str] = field(default_factory=Counter)
    error_messages: list[str] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.documents += 1
        self.by_level[verdict.level.value] += 1

    def add_error(self, message: str, keep: int = 20) -> None:
        self.errors += 1
        if len(self.error_messages) < keep:
            self.error_messages.append(message)


def write_jsonl(results: Iterable[Result], out: IO[str]) -> None:
    for _, verdict in results:
        out.write(json.dumps(verdict.to_dict(), ensure_ascii=False, sort_keys=False))
        out.write("\n")


CSV_COLUMNS: Final = (
    "id",
    "risk",
    "level",
    "language",
    "categories",
    "signals",
    "selectors",
    "model_probability",
)


def write_csv(results: Iterable[Result], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for _, v in results:
        writer.writerow(
            [
                v.document_id or "",
                v.risk,
                v.level.value,
                v.language.code,
                ";".join(c.value for c in v.categories),
                ";".join(s.indicator for s in v.signals),
                ";".join(s.key for s in v.selectors),
                f"{v.model_scores[0].probability:.4f}" if v.model_scores else "",
            ]
        )


def write_table(results: Iterable[Result], console: Console) -> None:
    """A table for people at a terminal; rows are printed as they come, in blocks."""
    block: list[Result] = []
    for result in results:
        block.append(result)
        if len(block) == 50:
            console.print(_table(block))
            block = []
    if block:
        console.print(_table(block))


def _table(block: list[Result]) -> Table:
    table = Table(show_lines=False, expand=True)
    table.add_column("document", overflow="fold", max_width=28)
    table.add_column("risk", justify="right")
    table.add_column("level")
    table.add_column("lang")
    table.add_column("why", overflow="fold", ratio=3)
    table.add_column("selectors", overflow="fold", ratio=2)
    for _, v in block:
        why = "; ".join(s.title for s in v.signals[:4]) or "-"
        if len(v.signals) > 4:
            why += f" (+{len(v.signals) - 4})"
        distinct = list(dict.fromkeys(f"{s.type.value} {s.value}" for s in v.selectors))
        sels = ", ".join(distinct[:4]) or "-"
        if len(distinct) > 4:
            sels += f" (+{len(distinct) - 4})"
        table.add_row(
            v.document_id or "-",
            str(v.risk),
            Text(v.level.value, style=LEVEL_STYLE[v.level]),
            v.language.code,
            why,
            sels,
        )
    return table


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["version"] = __version__
    return env


def render_html(results: Iterable[Result], summary: Summary, out: IO[str]) -> None:
    """A self-contained HTML report (no scripts, no external assets), written to ``out``.

    Documents are listed most dangerous first, with their position in the input. All document
    text is escaped by Jinja's autoescaping: hostile HTML in an input is shown as text, never
    executed.
    """
    source = files("tocsin.report").joinpath("templates/report.html.j2").read_text("utf-8")
    template = _environment().from_string(source)
    items = [
        {
            "n": number,
            "doc": doc,
            "v": v,
            "segments": segments(doc.text, marks_of(v), HTML_TEXT_LIMIT),
            "cut": max(0, len(doc.text) - HTML_TEXT_LIMIT),
        }
        for number, (doc, v) in enumerate(results, start=1)
    ]
    items.sort(key=lambda i: (-i["v"].risk, i["n"]))  # type: ignore[attr-defined]
    for chunk in template.generate(items=items, summary=summary, levels=list(RiskLevel)):
        out.write(chunk)
