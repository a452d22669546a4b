"""Fixtures for the ML tests: a small synthetic data set and a model trained on it."""

from __future__ import annotations

import pytest
from _ml_synthetic import synthetic, write_csv


@pytest.fixture(scope="session")
def synthetic_rows() -> list[tuple[str, int]]:
    return synthetic(80)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, synthetic_rows: list[tuple[str, int]]):
    from tocsin.detect.ml import save_model, train

    directory = tmp_path_factory.mktemp("data")
    path = directory / "labelled.csv"
    write_csv(path, synthetic_rows)
    result = train("job_ad", [path], text_column="text", label_column="label", name="synthetic")
    model_dir = save_model(result.model, directory / "model")
    return result, model_dir, path
