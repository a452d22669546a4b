"""A trained model on disk: ``model.skops`` (the estimator) + ``model.json`` (what it is).

Loading is where trust is decided, so it is strict. :func:`load_model` refuses, with a
:class:`~tocsin.errors.ModelError` saying what to do, a model

* whose feature-set version differs from this code's (its vocabulary would be read wrongly),
* built by another major.minor version of Tocsin,
* whose ``model.skops`` does not have the SHA-256 written in ``model.json``, or whose estimator
  disagrees with ``model.json`` about its kind or normaliser (either file was edited), or
* whose skops file contains any type outside :data:`TRUSTED_TYPES` — skops never runs code it
  was not told to trust, and we tell it exactly which types a Tocsin model is made of.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import skops.io as sio

from tocsin import __version__
from tocsin.detect.ml.estimator import FEATURE_SET_VERSION, TextClassifier
from tocsin.errors import ModelError

__all__ = ["TRUSTED_TYPES", "ModelMetadata", "TextModel", "load_model", "save_model"]

MODEL_FILE: Final = "model.skops"
META_FILE: Final = "model.json"
FORMAT: Final = "tocsin-text-model"

#: Every type a saved Tocsin model may contain. The estimator stores its vectoriser as plain
#: strings and numpy arrays (see TextClassifier.__getstate__), so one class of ours, numpy
#: arrays and JSON-like builtins. skops trusts scikit-learn and numpy types by default; we do
#: not rely on that default: a file holding any type outside this list is refused.
TRUSTED_TYPES: Final = frozenset(
    {
        "tocsin.detect.ml.estimator.TextClassifier",
        "numpy.ndarray",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.NoneType",
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
    }
)


@dataclass
class ModelMetadata:
    """What ``model.json`` says about a model. Written at save, checked at load."""

    name: str
    kind: str
    normaliser: str
    params: dict[str, object]
    train_prior: float
    threshold: float
    languages: dict[str, int]
    training: dict[str, object]
    metrics: dict[str, object] = field(default_factory=dict)
    created: str = ""
    description: str = ""
    feature_set_version: int = FEATURE_SET_VERSION
    tocsin_version: str = __version__
    format: str = FORMAT
    skops_sha256: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object], source: str) -> ModelMetadata:
        known = set(cls.__dataclass_fields__)
        try:
            return cls(**{k: v for k, v in data.items() if k in known})  # type: ignore[arg-type]
        except TypeError as exc:
            raise ModelError(
                f"{source}: model metadata is incomplete ({exc})",
                hint="rebuild the model with `tocsin model train`",
            ) from None


class TextModel:
    """A loaded model: the estimator, its metadata, and fast batch scoring."""

    def __init__(self, estimator: TextClassifier, metadata: ModelMetadata) -> None:
        self.estimator = estimator
        self.metadata = metadata

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def kind(self) -> str:
        return self.metadata.kind

    @property
    def train_prior(self) -> float:
        """Share of positives in the data the calibration map was fitted on.

        The model's probabilities are calibrated *at this base rate*; to use them at another
        prior π, combine as likelihood ratio: odds(p) / odds(train_prior) x odds(π).
        """
        return self.metadata.train_prior

    @property
    def languages(self) -> frozenset[str]:
        """ISO 639-1 codes the model was trained on (a handful of examples do not count)."""
        total = sum(self.metadata.languages.values()) or 1
        return frozenset(
            code for code, n in self.metadata.languages.items() if n >= 50 or n / total >= 0.05
        )

    @property
    def threshold(self) -> float:
        return self.metadata.threshold

    def knows_language(self, code: str | None) -> bool:
        return code is not None and code in self.languages

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated P(fraud) for each text, as a 1-d array."""
        if len(texts) == 0:
            return np.empty(0, dtype=np.float64)
        return self.estimator.predict_proba(texts)[:, 1]

    def __repr__(self) -> str:
        return f"TextModel(name={self.name!r}, kind={self.kind!r})"


def types_in(path: Path) -> set[str]:
    """Every ``module.class`` named in a skops file's schema, read without loading anything."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack: list[object] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                found.add(f"{node.get('__module__')}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def _metadata_digest(meta: ModelMetadata) -> str:
    """SHA-256 of the metadata without the skops hash; stored inside the estimator."""
    fields = meta.to_dict()
    fields.pop("skops_sha256", None)
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def save_model(model: TextModel, directory: Path | str) -> Path:
    """Write ``model.skops`` and ``model.json`` into ``directory`` (created if needed).

    The two files vouch for each other: ``model.json`` records the SHA-256 of ``model.skops``,
    and the estimator records the SHA-256 of the metadata. This detects edits of either file
    (e.g. a raised ``train_prior`` or an added language); it is not a signature against
    someone who rewrites both.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    skops_path = target / MODEL_FILE
    model.metadata.feature_set_version = FEATURE_SET_VERSION
    model.metadata.tocsin_version = __version__
    model.estimator.metadata_sha256_ = _metadata_digest(model.metadata)
    sio.dump(model.estimator, skops_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    model.metadata.skops_sha256 = _sha256(skops_path)
    text = json.dumps(model.metadata.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    (target / META_FILE).write_text(text + "\n", encoding="utf-8")
    return target


def read_metadata(directory: Path | str) -> ModelMetadata:
    """Read and check ``model.json`` only (no estimator)."""
    meta_path = Path(directory) / META_FILE
    if not meta_path.is_file():
        raise ModelError(
            f"{directory} is not a Tocsin model: {META_FILE} is missing",
            hint="give a directory written by `tocsin model train`",
        )
    try:
        raw = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path}: unreadable model metadata ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ModelError(f"{meta_path}: not a {FORMAT} metadata file")
    meta = ModelMetadata.from_dict(raw, str(meta_path))
    if meta.feature_set_version != FEATURE_SET_VERSION:
        raise ModelError(
            f"{directory}: built with feature-set version {meta.feature_set_version}, this "
            f"Tocsin uses version {FEATURE_SET_VERSION}",
            hint="retrain the model with this version (`tocsin model train`)",
        )
    if _major_minor(str(meta.tocsin_version)) != _major_minor(__version__):
        raise ModelError(
            f"{directory}: built by Tocsin {meta.tocsin_version}, this is {__version__}",
            hint="models are only loaded by the same major.minor version; retrain it",
        )
    return meta


def load_model(directory: Path | str) -> TextModel:
    """Load a model directory, refusing anything that does not match (see module doc)."""
    meta = read_metadata(directory)
    skops_path = Path(directory) / MODEL_FILE
    if not skops_path.is_file():
        raise ModelError(f"{directory}: {MODEL_FILE} is missing")
    if _sha256(skops_path) != meta.skops_sha256:
        raise ModelError(
            f"{skops_path} does not match the SHA-256 recorded in {META_FILE}",
            hint="one of the two files was changed; retrain or restore the model",
        )
    try:
        refused = sorted(types_in(skops_path) - TRUSTED_TYPES)
        refused += sorted(set(sio.get_untrusted_types(file=skops_path)) - TRUSTED_TYPES)
    except Exception as exc:  # zipfile / json / skops raise many types on a corrupt archive
        raise ModelError(f"{skops_path}: unreadable skops file ({exc})") from None
    if refused:
        raise ModelError(
            f"{skops_path} contains types Tocsin does not trust: {refused}",
            hint="only models written by `tocsin model train` can be loaded",
        )
    try:
        estimator = sio.load(skops_path, trusted=sorted(TRUSTED_TYPES))
    except Exception as exc:  # corrupt archive: report it as a model problem, not a crash
        raise ModelError(f"{skops_path}: cannot load ({type(exc).__name__}: {exc})") from None
    if not isinstance(estimator, TextClassifier):
        raise ModelError(f"{skops_path} does not hold a TextClassifier")
    if getattr(estimator, "metadata_sha256_", None) != _metadata_digest(meta):
        raise ModelError(
            f"{directory}: {META_FILE} was changed after the model was saved",
            hint="restore the original model.json or retrain the model",
        )
    if estimator.normaliser != meta.normaliser:
        raise ModelError(
            f"{directory}: {META_FILE} says normaliser {meta.normaliser!r}, the "
            f"estimator uses {estimator.normaliser!r}"
        )
    return TextModel(estimator, meta)
