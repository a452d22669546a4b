"""The bundled examples are synthetic, well formed, and tell the story they claim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_examples_pass_their_own_checks() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "check_examples.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all checks passed" in proc.stdout


def test_every_scam_example_yields_selectors_with_exact_spans() -> None:
    """Every scam ad gives the recruiter's contact somewhere, and the examples are the first
    thing a new user scans: a scam ad without any selector found is a visible bug."""
    import json

    from tocsin import extract

    for line in (ROOT / "examples" / "job_ads.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        selectors = extract(
            record["text"], country=record.get("country"), language=record["language"].split("-")[0]
        )
        for s in selectors:
            assert record["text"][s.start : s.end] == s.raw
        assert selectors or record["label"] == "legitimate", record["id"]
