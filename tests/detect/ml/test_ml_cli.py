"""`tocsin model` end to end on tiny synthetic files, bad rows included."""

from __future__ import annotations

import json
from pathlib import Path

from _ml_synthetic import synthetic, write_csv
from click.testing import CliRunner

from tocsin.cli.model_cmd import model


def _data(tmp_path: Path) -> Path:
    path = tmp_path / "judgements.csv"
    write_csv(path, synthetic(60, seed=1), extra='"",1\n"a text with an odd label",maybe\n')
    with path.open("ab") as handle:
        handle.write(b'"caf\xe9 undecodable",0\n')
    return path


def test_train_evaluate_card(tmp_path: Path) -> None:
    data = _data(tmp_path)
    runner = CliRunner()
    out = tmp_path / "my-model"
    result = runner.invoke(
        model,
        [
            "train",
            "--kind",
            "job_ad",
            "--data",
            str(data),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 3, result.output  # trained, but some records were bad
    assert (out / "model.skops").is_file() and (out / "model.json").is_file()
    assert "3 bad records skipped" in result.output
    assert f"{data}:62: empty or missing text" in result.output
    assert f"{data}:63: unknown label 'maybe'" in result.output
    assert f"{data}:64: not UTF-8" in result.output
    assert "Traceback" not in result.output

    result = runner.invoke(
        model, ["evaluate", "--model", str(out), "--data", str(data), "--format", "json"]
    )
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["n"] == 60 and report["problem_count"] == 3
    assert {"precision", "recall", "f1", "pr_auc", "roc_auc", "brier", "ece"} <= set(report)

    page = tmp_path / "report.html"
    result = runner.invoke(
        model,
        ["evaluate", "--model", str(out), "--data", str(data), "--format", "html", "-o", str(page)],
    )
    assert page.read_text().count("data:image/png;base64,") == 2

    result = runner.invoke(model, ["card", str(out)])
    assert result.exit_code == 0 and "# Model card" in result.output


def test_user_mistakes_give_messages_not_tracebacks(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    one_class = tmp_path / "one.csv"
    write_csv(one_class, [(f"text {i}", 0) for i in range(20)])
    cases = [
        (
            ["train", "--kind", "job_ad", "--data", str(empty), "-o", str(tmp_path / "m")],
            "the file is empty",
        ),
        (
            ["train", "--kind", "job_ad", "--data", str(one_class), "-o", str(tmp_path / "m")],
            "no fraudulent (positive) examples",
        ),
        (
            [
                "train",
                "--kind",
                "job_ad",
                "--data",
                str(one_class),
                "--label-column",
                "nope",
                "-o",
                str(tmp_path / "m"),
            ],
            "no column 'nope'",
        ),
        (
            [
                "train",
                "--kind",
                "job_ad",
                "--data",
                str(tmp_path / "missing.csv"),
                "-o",
                str(tmp_path / "m"),
            ],
            "no such file",
        ),
        (["evaluate", "--model", str(tmp_path), "--data", str(one_class)], "is not a Tocsin model"),
    ]
    for args, message in cases:
        result = runner.invoke(model, args)
        assert result.exit_code in (2, 4), result.output
        assert message in result.output and "Traceback" not in result.output


def test_evaluate_shipped_model_on_jsonl_with_languages(tmp_path: Path) -> None:
    path = tmp_path / "sms.jsonl"
    rows = [
        {
            "text": "WINNER! Claim your £900 prize now, call 09061701461",
            "label": "spam",
            "lang": "en",
        },
        {"text": "see you at the station at 6", "label": "ham", "lang": "en"},
        {
            "text": "Chúc mừng! Bạn đã trúng thưởng 10 triệu, bấm vào link",
            "label": "spam",
            "lang": "vi",
        },
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n")
    result = CliRunner().invoke(
        model, ["evaluate", "--model", "message", "--data", str(path), "--language-column", "lang"]
    )
    assert result.exit_code == 3
    assert "Per language" in result.output and "invalid JSON" in result.output
    assert "not trained on" in result.output
