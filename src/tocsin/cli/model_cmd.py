"""``tocsin model``: train, evaluate and describe learned screening models.

A thin layer over :mod:`tocsin.detect.ml`. Bad records are reported with file and line and
the exit code is 3 when some were skipped; user mistakes give a message, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from tocsin.detect.ml import evaluate as evaluate_model
from tocsin.detect.ml import (
    load_model,
    model_card,
    render_html,
    render_json,
    render_text,
    save_model,
    shipped_model,
)
from tocsin.detect.ml import train as train_model
from tocsin.detect.ml.data import DEFAULT_NEGATIVE, DEFAULT_POSITIVE
from tocsin.detect.ml.model import TextModel
from tocsin.detect.ml.scoring import SHIPPED_DIR
from tocsin.errors import ModelError, TocsinError
from tocsin.model import DocumentKind

__all__ = ["model"]

P = ParamSpec("P")
R = TypeVar("R")

_KINDS = ("job_ad", "message")


def _errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn Tocsin errors into a one-line message and the error's exit code."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except TocsinError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _resolve(model_ref: str) -> tuple[TextModel, Path]:
    """A model directory, or the name of a shipped model (job_ad, message)."""
    if model_ref in _KINDS and not Path(model_ref).is_dir():
        shipped = shipped_model(DocumentKind(model_ref))
        if shipped is None:
            raise ModelError(
                f"no shipped {model_ref} model in this installation",
                hint="build it with `python -m tocsin.detect.ml.build`",
            )
        return shipped, SHIPPED_DIR / model_ref
    return load_model(model_ref), Path(model_ref)


def _report_problems(count: int, problems: list[str]) -> None:
    if not count:
        return
    click.echo(f"{count} bad records skipped:", err=True)
    for problem in problems[:20]:
        click.echo(f"  {problem}", err=True)
    if count > 20:
        click.echo(f"  ... and {count - 20} more", err=True)


@click.group()
def model() -> None:
    """Train, evaluate and describe the learned screening models."""


@model.command()
@click.option("--kind", type=click.Choice(_KINDS), required=True, help="Document kind.")
@click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Labelled CSV, TSV or JSONL file (repeatable).",
)
@click.option(
    "--text-column",
    multiple=True,
    default=("text",),
    show_default=True,
    help="Column with the text (repeat to join several columns).",
)
@click.option("--label-column", default="label", show_default=True)
@click.option("--language-column", default=None, help="Optional ISO 639-1 language column.")
@click.option(
    "--positive",
    multiple=True,
    help=f"Label value meaning fraud (repeatable). Default: {', '.join(DEFAULT_POSITIVE)}",
)
@click.option(
    "--negative",
    multiple=True,
    help=f"Label value meaning legitimate (repeatable). Default: {', '.join(DEFAULT_NEGATIVE)}",
)
@click.option(
    "--base",
    type=click.Choice(["shipped", "none"]),
    default="none",
    show_default=True,
    help="'shipped' adds your examples to the shipped model's public training data.",
)
@click.option("--tune", is_flag=True, help="Choose C and calibration by cross-validation.")
@click.option("--name", default=None, help="Model name shown in verdicts.")
@click.option("--seed", default=0, show_default=True, help="Random seed of split and folds.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Directory to write the model to.",
)
@_errors
def train(
    kind: str,
    data: tuple[Path, ...],
    text_column: tuple[str, ...],
    label_column: str,
    language_column: str | None,
    positive: tuple[str, ...],
    negative: tuple[str, ...],
    base: str,
    tune: bool,
    name: str | None,
    seed: int,
    output: Path,
) -> None:
    """Train a model from labelled files and write it to OUTPUT."""
    result = train_model(
        kind,
        list(data),
        text_column=list(text_column),
        label_column=label_column,
        positive_labels=positive or DEFAULT_POSITIVE,
        negative_labels=negative or DEFAULT_NEGATIVE,
        language_column=language_column,
        base="shipped" if base == "shipped" else "none",
        select=tune,
        random_state=seed,
        name=name or output.name,
    )
    save_model(result.model, output)
    training = result.model.metadata.training
    click.echo(
        f"trained {result.model.name} ({kind}) on {training['train_size']} examples, "
        f"{training['test_size']} held out; written to {output}"
    )
    if result.heldout is not None:
        click.echo(render_text(result.heldout))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    _report_problems(result.data.problem_count, [str(p) for p in result.data.problems])
    if result.data.problem_count:
        sys.exit(3)


@model.command()
@click.option(
    "--model",
    "model_ref",
    required=True,
    help="Model directory, or a shipped model: job_ad, message.",
)
@click.option("--data", "data", type=click.Path(path_type=Path), multiple=True, required=True)
@click.option("--text-column", multiple=True, default=("text",), show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--language-column", default=None)
@click.option("--positive", multiple=True)
@click.option("--negative", multiple=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@_errors
def evaluate(
    model_ref: str,
    data: tuple[Path, ...],
    text_column: tuple[str, ...],
    label_column: str,
    language_column: str | None,
    positive: tuple[str, ...],
    negative: tuple[str, ...],
    fmt: str,
    output: Path | None,
) -> None:
    """Measure a model on labelled files: precision, recall, F1, PR-AUC, calibration."""
    loaded, _ = _resolve(model_ref)
    report = evaluate_model(
        loaded,
        list(data),
        text_column=list(text_column),
        label_column=label_column,
        positive_labels=positive or DEFAULT_POSITIVE,
        negative_labels=negative or DEFAULT_NEGATIVE,
        language_column=language_column,
    )
    rendered = {"text": render_text, "json": render_json, "html": render_html}[fmt](report)
    if output is None:
        click.echo(rendered, nl=False)
    else:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"report written to {output}", err=True)
    if fmt != "text":
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        _report_problems(report.problem_count, report.problems)
    if report.problem_count:
        sys.exit(3)


@model.command()
@click.argument("model_ref")
@_errors
def card(model_ref: str) -> None:
    """Print the model card (Markdown) of MODEL: a directory, or job_ad / message."""
    if model_ref in _KINDS and not Path(model_ref).is_dir():
        directory = SHIPPED_DIR / model_ref
    else:
        directory = Path(model_ref)
    click.echo(model_card(directory), nl=False)
