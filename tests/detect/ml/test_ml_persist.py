"""Saving and loading: identical probabilities, and refusals that say why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from tocsin.detect.ml import load_model, save_model
from tocsin.errors import ModelError


def test_round_trip_gives_identical_probabilities(trained, synthetic_rows) -> None:
    result, model_dir, _ = trained
    texts = [t for t, _ in synthetic_rows]
    loaded = load_model(model_dir)
    assert np.array_equal(loaded.predict_proba(texts), result.model.predict_proba(texts))
    assert loaded.metadata.kind == "job_ad"
    assert (model_dir / "model.skops").stat().st_size < 1_000_000


def _copy(model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(model_dir, target)
    return target


def _edit(directory: Path, **changes: object) -> None:
    path = directory / "model.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


def test_refuses_other_feature_set_version(trained, tmp_path) -> None:
    directory = _copy(trained[1], tmp_path)
    _edit(directory, feature_set_version=999)
    with pytest.raises(ModelError, match="feature-set version 999"):
        load_model(directory)


def test_refuses_other_minor_version(trained, tmp_path) -> None:
    directory = _copy(trained[1], tmp_path)
    _edit(directory, tocsin_version="0.99.0")
    with pytest.raises(ModelError, match=r"Tocsin 0\.99\.0"):
        load_model(directory)


def test_refuses_tampered_metadata(trained, tmp_path) -> None:
    directory = _copy(trained[1], tmp_path)
    _edit(directory, languages={"en": 100, "vi": 100})
    with pytest.raises(ModelError, match="changed after the model was saved"):
        load_model(directory)


def test_refuses_tampered_skops_file(trained, tmp_path) -> None:
    directory = _copy(trained[1], tmp_path)
    with (directory / "model.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(directory)


def test_refuses_untrusted_types(trained, tmp_path) -> None:
    result = trained[0]
    result.model.estimator.smuggled_ = LogisticRegression()
    try:
        directory = save_model(result.model, tmp_path / "untrusted")
    finally:
        del result.model.estimator.smuggled_
    with pytest.raises(ModelError, match=r"does not trust.*LogisticRegression"):
        load_model(directory)


def test_refuses_a_directory_that_is_not_a_model(tmp_path) -> None:
    with pytest.raises(ModelError, match=r"model\.json is missing"):
        load_model(tmp_path)
