"""Reading labelled examples from CSV, TSV and JSONL, keeping good records and naming bad ones.

A labelled file is what an organisation has: its analysts' confirmed and rejected cases, an
export from a trust & safety queue, a public data set. We read it strictly — each record must
have a non-empty text and a label we recognise — but a bad record never stops the run: it is
counted and reported with its file and line, and the good records around it are kept.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from tocsin.errors import InputError

__all__ = [
    "DEFAULT_NEGATIVE",
    "DEFAULT_POSITIVE",
    "DataSource",
    "LabelledData",
    "RecordProblem",
    "dedupe",
    "read_labelled",
    "sha256_file",
]

#: Labels read as "fraud" (1) and "legitimate" (0) unless the caller gives its own; compared
#: after stripping and case-folding.
DEFAULT_POSITIVE: Final = (
    "1",
    "true",
    "yes",
    "fraud",
    "fraudulent",
    "scam",
    "spam",
    "smishing",
    "confirmed",
)
DEFAULT_NEGATIVE: Final = ("0", "false", "no", "legit", "legitimate", "ham", "genuine", "rejected")

_MAX_PROBLEMS_KEPT: Final = 1000
csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One bad record: where it is and what is wrong with it."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class DataSource:
    """A file that went into a model, identified by content hash (never copied)."""

    path: str
    sha256: str
    rows_read: int
    rows_used: int
    role: str = "training"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "role": self.role,
        }


@dataclass
class LabelledData:
    """Texts with 0/1 labels, optional language codes, and the problems met while reading."""

    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # "file:line" of each kept record
    problems: list[RecordProblem] = field(default_factory=list)
    problem_count: int = 0
    sources: list[DataSource] = field(default_factory=list)
    duplicates_removed: int = 0
    conflicts_removed: int = 0

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def y(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.labels, dtype=np.int64)

    @property
    def positives(self) -> int:
        return int(sum(self.labels))

    def add_problem(self, problem: RecordProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < _MAX_PROBLEMS_KEPT:
            self.problems.append(problem)

    def extend(self, other: LabelledData) -> None:
        self.texts += other.texts
        self.labels += other.labels
        self.languages += other.languages
        self.origins += other.origins
        self.problems += other.problems
        self.problem_count += other.problem_count
        self.sources += other.sources
        self.duplicates_removed += other.duplicates_removed
        self.conflicts_removed += other.conflicts_removed

    def subset(self, index: Iterable[int]) -> LabelledData:
        idx = list(index)
        return LabelledData(
            texts=[self.texts[i] for i in idx],
            labels=[self.labels[i] for i in idx],
            languages=[self.languages[i] for i in idx],
            origins=[self.origins[i] for i in idx],
            sources=list(self.sources),
        )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _decoded_lines(path: Path, data: LabelledData) -> Iterator[tuple[int, str]]:
    """Physical lines decoded one by one, so one undecodable line costs only itself."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                data.add_problem(RecordProblem(str(path), number, f"not UTF-8 ({exc.reason})"))
                continue
            yield number, line


def _records(
    path: Path, data: LabelledData, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, object]]]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        for number, line in _decoded_lines(path, data):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                data.add_problem(RecordProblem(str(path), number, f"invalid JSON ({exc.msg})"))
                continue
            if not isinstance(value, dict):
                data.add_problem(RecordProblem(str(path), number, "not a JSON object"))
                continue
            yield number, value
        return
    delimiter = "\t" if suffix == ".tsv" else ","
    lines = _decoded_lines(path, data)
    numbers: list[int] = []

    def feed() -> Iterator[str]:
        for number, line in lines:
            numbers.append(number)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty", source=str(path)) from None
    except csv.Error as exc:
        raise InputError(f"cannot read the header ({exc})", source=str(path), line=1) from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"no column {missing[0]!r}; columns are {header}",
            source=str(path),
            line=1,
            field=missing[0],
            hint="choose the columns with --text-column / --label-column",
        )
    while True:
        start = (numbers[-1] + 1) if numbers else 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            data.add_problem(RecordProblem(str(path), start, f"malformed CSV ({exc})"))
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            data.add_problem(
                RecordProblem(
                    str(path), start, f"{len(row)} fields where the header has {len(header)}"
                )
            )
            continue
        yield start, dict(zip(header, row, strict=True))


def read_labelled(
    paths: Sequence[Path | str],
    *,
    text_column: str | Sequence[str] = "text",
    label_column: str = "label",
    positive_labels: Sequence[str] = DEFAULT_POSITIVE,
    negative_labels: Sequence[str] = DEFAULT_NEGATIVE,
    language_column: str | None = None,
) -> LabelledData:
    """Read labelled records from CSV / TSV (with a header row) or JSONL files.

    ``text_column`` may name several columns; their values are joined with a space (e.g. the
    title, description and requirements of a job ad). Labels are compared case-insensitively.
    Raises :class:`~tocsin.errors.InputError` when a file is missing, empty, lacks a named
    column or yields no usable record; bad records are collected in ``problems``.
    """
    columns = [text_column] if isinstance(text_column, str) else list(text_column)
    positive = {label.strip().casefold() for label in positive_labels}
    negative = {label.strip().casefold() for label in negative_labels}
    if positive & negative:
        raise InputError(f"labels {sorted(positive & negative)} are both positive and negative")
    if not paths:
        raise InputError("no data files given", hint="pass at least one --data FILE")
    result = LabelledData()
    for given in paths:
        path = Path(given)
        if not path.is_file():
            raise InputError("no such file", source=str(path))
        part = LabelledData()
        read = 0
        for line, record in _records(path, part, [*columns, label_column]):
            read += 1
            values = [record.get(c) for c in columns]
            text = " ".join(str(v) for v in values if v is not None and str(v).strip())
            if not text.strip():
                part.add_problem(RecordProblem(str(path), line, "empty or missing text"))
                continue
            raw_label = record.get(label_column)
            label = "" if raw_label is None else str(raw_label).strip().casefold()
            if label in positive:
                value = 1
            elif label in negative:
                value = 0
            else:
                part.add_problem(
                    RecordProblem(
                        str(path), line, f"unknown label {raw_label!r} in {label_column!r}"
                    )
                )
                continue
            language = record.get(language_column) if language_column else None
            part.texts.append(text)
            part.labels.append(value)
            part.languages.append(str(language).strip().lower() if language else None)
            part.origins.append(f"{path}:{line}")
        if read == 0 and part.problem_count == 0:
            raise InputError("the file has no records", source=str(path))
        part.sources.append(DataSource(str(path), sha256_file(path), read, len(part.texts)))
        result.extend(part)
    if not result.texts:
        first = result.problems[0] if result.problems else None
        raise InputError(
            "no usable record in the data" + (f"; first problem: {first}" if first else ""),
            hint=f"labels read as fraud: {sorted(positive)}; as legitimate: {sorted(negative)}",
        )
    return result


_SPACE: Final = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def dedupe(data: LabelledData, *, prefer_last: bool = False) -> LabelledData:
    """Drop repeated texts (same text after case-folding and collapsing white space).

    Copies with one label keep the first copy (the last with ``prefer_last``: an analyst's
    later judgement overrides bundled data). Copies with conflicting labels are all dropped
    unless ``prefer_last`` decides. Counts go to ``duplicates_removed`` / ``conflicts_removed``.
    """
    order = range(len(data.texts) - 1, -1, -1) if prefer_last else range(len(data.texts))
    labels_by_key: dict[str, set[int]] = {}
    for i in range(len(data.texts)):
        labels_by_key.setdefault(_key(data.texts[i]), set()).add(data.labels[i])
    seen: set[str] = set()
    keep: list[int] = []
    conflicts = 0
    for i in order:
        key = _key(data.texts[i])
        if key in seen:
            continue
        seen.add(key)
        if len(labels_by_key[key]) > 1 and not prefer_last:
            conflicts += 1
            continue
        keep.append(i)
    keep.sort()
    result = data.subset(keep)
    result.problems = list(data.problems)
    result.problem_count = data.problem_count
    result.duplicates_removed = data.duplicates_removed + len(data.texts) - len(keep) - conflicts
    result.conflicts_removed = data.conflicts_removed + conflicts
    return result
