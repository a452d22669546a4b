"""Metrics on hand-checked examples; reports in all three formats."""

from __future__ import annotations

import base64
import json
import re

import pytest

from tocsin.detect.ml import render_html, render_json, render_text
from tocsin.detect.ml.metrics import (
    brier_score,
    expected_calibration_error,
    reliability_bins,
    summarise,
)

Y = [0, 0, 1, 1]
P = [0.1, 0.6, 0.4, 0.9]


def test_calibration_by_hand() -> None:
    # Brier: (0.1² + 0.6² + 0.6² + 0.1²) / 4
    assert brier_score(Y, P) == pytest.approx(0.185)
    # One document per occupied bin: |0.1-0|, |0.6-0|, |0.4-1|, |0.9-1| averaged.
    assert expected_calibration_error(Y, P) == pytest.approx(0.35)
    bins = reliability_bins(Y, P)
    assert [b.count for b in bins] == [0, 1, 0, 0, 1, 0, 1, 0, 0, 1]
    assert bins[6].mean_predicted == pytest.approx(0.6) and bins[6].fraction_positive == 0.0
    assert reliability_bins([1], [1.0])[-1].count == 1  # 1.0 falls in the last bin


def test_perfectly_calibrated_has_zero_ece() -> None:
    assert expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.0)


def test_summary_figures() -> None:
    report = summarise(Y, P, threshold=0.5, languages=["en", "en", "vi", None])
    m = report.at_threshold
    assert (m.tp, m.fp, m.tn, m.fn) == (1, 1, 1, 1)
    assert report.precision == report.recall == report.f1 == 0.5
    assert report.roc_auc == pytest.approx(0.75)
    assert report.pr_auc == pytest.approx(0.8333, abs=1e-4)
    assert report.thresholds[0].threshold == 0.1
    assert set(report.per_language) == {"en", "vi", "und"}


def test_one_class_is_reported_not_crashed() -> None:
    report = summarise([0, 0], [0.2, 0.4])
    assert report.pr_auc is None and report.roc_auc is None and report.warnings


def test_renderings() -> None:
    report = summarise(Y, P, model="m", kind="job_ad")
    assert "PR-AUC" in render_text(report)
    assert json.loads(render_json(report))["brier"] == pytest.approx(0.185)
    page = render_html(report)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
