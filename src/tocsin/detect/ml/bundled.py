"""The public training data behind the shipped models, read from ``../shared/data``.

The data are never copied into the repository (SOURCES.md there gives their terms); a model
records each file by name, row counts and SHA-256 instead. The directory is the repository's
sibling ``../shared/data`` or the one named by the ``TOCSIN_TRAINING_DATA`` environment
variable.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Final

from tocsin.detect.ml.data import (
    DataSource,
    LabelledData,
    RecordProblem,
    read_labelled,
    sha256_file,
)
from tocsin.errors import InputError
from tocsin.model import DocumentKind

__all__ = ["CITATIONS", "FILES", "load_bundled", "training_data_dir"]

_ENV: Final = "TOCSIN_TRAINING_DATA"
# src/tocsin/detect/ml/bundled.py -> repository root is parents[4]; the data sit beside it.
_DEFAULT: Final = Path(__file__).resolve().parents[4].parent / "shared" / "data"

#: Files used per model kind.
FILES: Final[dict[DocumentKind, tuple[str, ...]]] = {
    DocumentKind.JOB_AD: ("emscad_balanced_train.csv", "emscad_raw_fraud_train.csv"),
    DocumentKind.MESSAGE: ("sms_spam_train.tsv", "smishing_train.csv"),
}

#: Citations, from shared/data/SOURCES.md.
CITATIONS: Final[dict[str, str]] = {
    "emscad_balanced_train.csv": (
        "EMSCAD (Employment Scam Aegean Dataset), balanced preprocessed subset: Vidros, Kolias, "
        'Kambourakis, Akoglu, "Automatic Detection of Online Recruitment Frauds: '
        'Characteristics, Methods, and a Public Dataset", Future Internet 9(1):6, 2017, '
        "doi:10.3390/fi9010006. Split from the public repository "
        'Eric-Miao/INFO251-Job_Scam_Detection. Published as a "publicly available dataset"; '
        "no licence stated."
    ),
    "emscad_raw_fraud_train.csv": (
        "Raw text of the EMSCAD fraudulent ads (same ads as the fraudulent rows above), from "
        "the public repository grv7-deve/fakejobpost; Vidros et al. 2017 as above."
    ),
    "sms_spam_train.tsv": (
        'SMS Spam Collection v.1: Almeida, Gómez Hidalgo, Yamakami, "Contributions to the '
        'Study of SMS Spam Filtering: New Collection and Results", DocEng 2011. Free for all '
        "purposes."
    ),
    "smishing_train.csv": (
        "SMS Phishing Dataset for Machine Learning and Pattern Recognition: Mishra & Soni, "
        "Mendeley Data, 2022, doi:10.17632/f45bkkt8pr.1."
    ),
}


def training_data_dir() -> Path:
    """Where the public training data are; raises InputError when they are absent."""
    configured = os.environ.get(_ENV)
    directory = Path(configured) if configured else _DEFAULT
    if not directory.is_dir():
        raise InputError(
            f"the shared training data directory {directory} does not exist",
            hint=f"set {_ENV} to the directory holding emscad_balanced_train.csv and the SMS "
            "sets (see docs/models.md), or train with --base none",
        )
    return directory


def _path(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise InputError(
            f"training file {name} is missing from {directory}",
            source=str(path),
            hint=f"set {_ENV} to the shared data directory",
        )
    return path


def _read_sms_tsv(path: Path) -> LabelledData:
    """``label<TAB>text`` without a header (the SMS Spam Collection's own format)."""
    data = LabelledData()
    rows = 0
    with path.open(encoding="utf-8", errors="strict", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            rows += 1
            label, sep, text = line.rstrip("\r\n").partition("\t")
            if not sep or label not in ("ham", "spam") or not text.strip():
                data.add_problem(RecordProblem(str(path), number, "not 'ham|spam<TAB>text'"))
                continue
            data.texts.append(text)
            data.labels.append(int(label == "spam"))
            data.languages.append("en")
            data.origins.append(f"{path.name}:{number}")
    data.sources.append(DataSource(path.name, sha256_file(path), rows, len(data.texts)))
    return data


def load_bundled(kind: DocumentKind) -> LabelledData:
    """The bundled training examples for ``kind``, before de-duplication.

    Job ads: the balanced EMSCAD set only. The raw fraudulent ads are the *same* ads as its
    fraudulent rows, so they are not added as training examples (that would count each ad
    twice, and put copies on both sides of a split); they are recorded as a source used to
    check the normaliser. Messages: both SMS sets, spam and smishing both labelled 1.
    """
    directory = training_data_dir()
    if kind is DocumentKind.JOB_AD:
        path = _path(directory, "emscad_balanced_train.csv")
        data = read_labelled(
            [path],
            text_column="text",
            label_column="fraudulent",
            positive_labels=("1",),
            negative_labels=("0",),
        )
        data.languages = ["en"] * len(data.texts)
        data.sources = [
            DataSource(path.name, s.sha256, s.rows_read, s.rows_used) for s in data.sources
        ]
        raw = _path(directory, "emscad_raw_fraud_train.csv")
        with raw.open(encoding="utf-8", newline="") as handle:
            raw_rows = sum(1 for _ in csv.DictReader(handle))
        data.sources.append(
            DataSource(
                raw.name,
                sha256_file(raw),
                raw_rows,
                0,
                role="normaliser check (same ads as the fraudulent rows)",
            )
        )
        return data
    if kind is DocumentKind.MESSAGE:
        data = _read_sms_tsv(_path(directory, "sms_spam_train.tsv"))
        path = _path(directory, "smishing_train.csv")
        smishing = read_labelled(
            [path],
            text_column="TEXT",
            label_column="label",
            positive_labels=("spam", "smishing"),
            negative_labels=("ham",),
        )
        smishing.languages = ["en"] * len(smishing.texts)
        smishing.sources = [
            DataSource(path.name, s.sha256, s.rows_read, s.rows_used) for s in smishing.sources
        ]
        data.extend(smishing)
        return data
    raise InputError(
        f"no bundled training data for document kind {kind.value!r}",
        hint="train job_ad or message models, or give --base none with your data",
    )
