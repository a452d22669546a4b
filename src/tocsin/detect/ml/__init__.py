"""Learned screening models: calibrated, explained, shipped, and retrainable.

The public API (see docs/models.md)::

    shipped_model(kind) -> TextModel | None     # the model shipped for a document kind
    score(model, texts, top_k=5) -> list[ModelScore]
    train(kind, data_paths, ...) -> TrainingResult
    evaluate(model, data_paths, ...) -> EvaluationReport
    save_model(model, dir) / load_model(dir)
    model_card(dir) -> str
"""

from tocsin.detect.ml.card import model_card
from tocsin.detect.ml.data import LabelledData, RecordProblem, read_labelled
from tocsin.detect.ml.estimator import FEATURE_SET_VERSION, TextClassifier
from tocsin.detect.ml.metrics import EvaluationReport
from tocsin.detect.ml.model import TRUSTED_TYPES, ModelMetadata, TextModel, load_model, save_model
from tocsin.detect.ml.normalise import emscad_normalise, message_normalise
from tocsin.detect.ml.render import render_html, render_json, render_text
from tocsin.detect.ml.scoring import SHIPPED_DIR, score, score_with_terms, shipped_model
from tocsin.detect.ml.training import TrainingResult, evaluate, evaluate_data, train

__all__ = [
    "FEATURE_SET_VERSION",
    "SHIPPED_DIR",
    "TRUSTED_TYPES",
    "EvaluationReport",
    "LabelledData",
    "ModelMetadata",
    "RecordProblem",
    "TextClassifier",
    "TextModel",
    "TrainingResult",
    "emscad_normalise",
    "evaluate",
    "evaluate_data",
    "load_model",
    "message_normalise",
    "model_card",
    "read_labelled",
    "render_html",
    "render_json",
    "render_text",
    "save_model",
    "score",
    "score_with_terms",
    "shipped_model",
    "train",
]
