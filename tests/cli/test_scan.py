"""`tocsin scan` as a user meets it: formats, filters, bad input and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

LURE = (
    "URGENT hiring customer service staff in Sihanoukville, Cambodia. No experience needed, "
    "salary 2000 USD per month, free flight ticket, visa and accommodation provided. "
    "Send your passport photo to our HR on Telegram: t.me/hr_sihanouk_jobs"
)
BENIGN = "Hi Anna, dinner is at 7 tonight at the usual place. See you there!"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_stdin_single_document_as_jsonl() -> None:
    code, out, _ = run("scan", "-", "--format", "jsonl", "--kind", "job_ad", input=LURE)
    assert code == 0
    (verdict,) = [json.loads(line) for line in out.splitlines()]
    assert verdict["level"] in {"high", "critical"}
    assert "recruitment_lure" in verdict["categories"]
    assert {"type": "telegram", "value": "hr_sihanouk_jobs"}.items() <= next(
        s for s in verdict["selectors"] if s["type"] == "telegram"
    ).items()
    for signal in verdict["signals"]:
        for e in signal["evidence"]:
            assert LURE[e["start"] : e["end"]] == e["text"]


def test_benign_message_is_low() -> None:
    code, out, _ = run("scan", "-", "--format", "jsonl", "--kind", "message", input=BENIGN)
    assert code == 0
    assert json.loads(out)["level"] == "low"


def test_csv_output_and_min_risk_filter(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "body"])
        w.writerow(["lure", LURE])
        w.writerow(["benign", BENIGN])
    code, out, err = run(
        "scan", str(path), "--text-column", "body", "--format", "csv", "--min-risk", "medium"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["lure"]
    assert "2 documents scanned" in err and "1 shown" in err


def test_bad_records_are_reported_good_ones_scanned(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text(
        json.dumps({"id": "ok1", "text": LURE})
        + "\n{broken\n"
        + json.dumps({"id": "ok2", "text": BENIGN})
        + "\n",
        encoding="utf-8",
    )
    code, out, err = run("scan", str(path), "--format", "jsonl")
    assert code == 3
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok1", "ok2"]
    assert f"{path}:2" in err and "malformed JSON" in err
    assert "1 unreadable record" in err


def test_strict_stops_at_the_first_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text("{broken\n" + json.dumps({"text": LURE}) + "\n", encoding="utf-8")
    code, out, err = run("scan", str(path), "--format", "jsonl", "--strict")
    assert code == 3
    assert out == ""
    assert f"{path}:1" in err


def test_missing_column_and_missing_file_give_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,body\n1,hello\n", encoding="utf-8")
    code, _, err = run("scan", str(path), str(tmp_path / "nope.jsonl"), "--format", "jsonl")
    assert code == 2  # nothing at all could be read
    assert "no column 'text' (columns: id, body)" in err
    assert "no such file or directory" in err
    assert "Traceback" not in err


def test_fail_on_level_sets_exit_code_1() -> None:
    code, _, _ = run(
        "scan", "-", "--format", "jsonl", "--kind", "job_ad", "--fail-on", "high", input=LURE
    )
    assert code == 1


def test_html_report_escapes_hostile_input_and_highlights_evidence(tmp_path: Path) -> None:
    hostile = LURE + ' <script>alert("x")</script><img src=x onerror=alert(1)>'
    path = tmp_path / "hostile.txt"
    path.write_text(hostile, encoding="utf-8")
    out_file = tmp_path / "report.html"
    code, _, _ = run("scan", str(path), "--kind", "job_ad", "--format", "html", "-o", str(out_file))
    assert code == 0
    html = out_file.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert '<mark class="' in html and "Why it was flagged" in html
    assert "hr_sihanouk_jobs" in html


def test_table_output_lists_documents(tmp_path: Path) -> None:
    code, out, _ = run("scan", "-", "--format", "table", "--kind", "job_ad", input=LURE)
    assert code == 0
    assert "Telegram" in out or "telegram" in out


@pytest.mark.skipif(not (EXAMPLES / "job_ads.jsonl").exists(), reason="examples not present")
def test_examples_scan_and_scams_outrank_legitimate_ads() -> None:
    code, out, _ = run("scan", str(EXAMPLES / "job_ads.jsonl"), "--format", "jsonl")
    assert code == 0
    labels = {
        json.loads(line)["id"]: json.loads(line)["label"]
        for line in (EXAMPLES / "job_ads.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    verdicts = [json.loads(line) for line in out.splitlines()]
    scam = [v["risk"] for v in verdicts if labels[v["id"]] == "scam"]
    legit = [v["risk"] for v in verdicts if labels[v["id"]] == "legitimate"]
    assert scam and legit
    # Most scam ads reach medium or above; legitimate ads stay low.
    assert sum(r >= 30 for r in scam) / len(scam) >= 0.9
    assert sum(r < 30 for r in legit) / len(legit) >= 0.9


def test_console_script_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Offre d'emploi: salaire élevé".encode("cp1252"))
    proc = subprocess.run(
        [sys.executable, "-m", "tocsin", "scan", str(bad), "--format", "jsonl"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "not valid utf-8" in proc.stderr and "--encoding" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tocsin",
            "scan",
            str(bad),
            "--format",
            "jsonl",
            "--encoding",
            "cp1252",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["language"]["code"] == "fr"
