"""Evaluation reports as terminal text (Rich), JSON, and a self-contained HTML page."""

from __future__ import annotations

import base64
import html
import io
import json

from rich.console import Console
from rich.table import Table

from tocsin.detect.ml.metrics import EvaluationReport

__all__ = ["render_html", "render_json", "render_text"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_json(report: EvaluationReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_text(report: EvaluationReport, *, width: int = 100, color: bool = False) -> str:
    """The report as terminal text (Rich tables)."""
    console = Console(
        record=True, width=width, force_terminal=color, no_color=not color, file=io.StringIO()
    )
    m = report.at_threshold
    console.print(
        f"[bold]Model[/] {report.model} ({report.kind}) on {report.n} documents, "
        f"{report.positives} positive; threshold {report.threshold:.2f}"
    )
    summary = Table(title="Positive class (fraud / spam)", show_header=True)
    for column in ("precision", "recall", "F1", "PR-AUC", "ROC-AUC", "Brier", "ECE"):
        summary.add_column(column, justify="right")
    summary.add_row(
        _fmt(m.precision),
        _fmt(m.recall),
        _fmt(m.f1),
        _fmt(report.pr_auc),
        _fmt(report.roc_auc),
        _fmt(report.brier),
        _fmt(report.ece),
    )
    console.print(summary)
    confusion = Table(title="Confusion matrix at the threshold")
    confusion.add_column("")
    confusion.add_column("predicted fraud", justify="right")
    confusion.add_column("predicted legitimate", justify="right")
    confusion.add_row("actual fraud", str(m.tp), str(m.fn))
    confusion.add_row("actual legitimate", str(m.fp), str(m.tn))
    console.print(confusion)
    thresholds = Table(title="Threshold table")
    for column in ("threshold", "flagged", "precision", "recall", "F1"):
        thresholds.add_column(column, justify="right")
    for t in report.thresholds:
        thresholds.add_row(
            f"{t.threshold:.1f}", str(t.flagged), _fmt(t.precision), _fmt(t.recall), _fmt(t.f1)
        )
    console.print(thresholds)
    bins = Table(title="Calibration (reliability bins)")
    for column in ("bin", "documents", "mean probability", "fraction fraud"):
        bins.add_column(column, justify="right")
    for b in report.bins:
        bins.add_row(
            f"{b.low:.1f}-{b.high:.1f}",
            str(b.count),
            _fmt(b.mean_predicted),
            _fmt(b.fraction_positive),
        )
    console.print(bins)
    if report.per_language:
        languages = Table(title="Per language")
        for column in ("language", "documents", "positives", "precision", "recall", "F1"):
            languages.add_column(column, justify="right")
        for code, c in sorted(report.per_language.items()):
            languages.add_row(
                code, str(c.n), str(c.positives), _fmt(c.precision), _fmt(c.recall), _fmt(c.f1)
            )
        console.print(languages)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if report.problem_count:
        console.print(f"[red]{report.problem_count} bad records skipped[/]:")
        for problem in report.problems[:20]:
            console.print(f"  {problem}", markup=False)
        if report.problem_count > 20:
            console.print(f"  … and {report.problem_count - 20} more (see --format json)")
    return console.export_text()


def _png(figure: object) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # type: ignore[attr-defined]
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plots(report: EvaluationReport) -> dict[str, str]:
    """PR curve and reliability diagram as base64 PNGs (matplotlib, Agg backend, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    images: dict[str, str] = {}
    figure = Figure(figsize=(5, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    recall, precision = report.pr_curve
    if recall:
        axes.step(recall, precision, where="post")
        axes.axhline(report.positives / report.n, linestyle=":", color="grey", label="base rate")
        axes.legend(loc="lower left")
    else:
        axes.text(0.5, 0.5, "undefined: one class only", ha="center")
    axes.set(
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1),
        ylim=(0, 1.02),
        title=f"Precision-recall (PR-AUC {_fmt(report.pr_auc)})",
    )
    images["pr_curve"] = _png(figure)

    figure = Figure(figsize=(5, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect calibration")
    filled = [
        b for b in report.bins if b.mean_predicted is not None and b.fraction_positive is not None
    ]
    axes.plot(
        [float(b.mean_predicted or 0.0) for b in filled],
        [float(b.fraction_positive or 0.0) for b in filled],
        marker="o",
        label="model",
    )
    axes.set(
        xlabel="mean predicted probability",
        ylabel="fraction fraudulent",
        xlim=(0, 1),
        ylim=(0, 1),
        title=f"Reliability (ECE {_fmt(report.ece)})",
    )
    axes.legend(loc="upper left")
    images["reliability"] = _png(figure)
    return images


def render_html(report: EvaluationReport) -> str:
    """A self-contained page: the text report and the two plots as embedded PNGs."""
    images = plots(report)
    body = html.escape(render_text(report, width=110))
    title = html.escape(f"Evaluation of {report.model} ({report.kind})")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}
pre{{background:#f6f6f6;padding:1rem;overflow-x:auto}} img{{margin:0 1rem 1rem 0}}</style>
</head><body>
<h1>{title}</h1>
<img alt="Precision-recall curve" src="data:image/png;base64,{images["pr_curve"]}">
<img alt="Reliability diagram" src="data:image/png;base64,{images["reliability"]}">
<pre>{body}</pre>
<script type="application/json" id="report">{html.escape(render_json(report))}</script>
</body></html>
"""
