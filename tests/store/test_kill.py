"""A killed ingest keeps every batch it reported and a re-run completes it without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tocsin.store import open_store

from .helpers import synthetic_texts, write_jsonl

COUNT = 3000


def _ingest(path: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TOCSIN_DATABASE_URL": url}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tocsin",
            "ingest",
            str(path),
            "--dataset",
            "kill",
            "--batch-size",
            "100",
            "--no-progress",
            *extra,
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_sigkill_mid_ingest_then_rerun(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", synthetic_texts(COUNT, seed=11))
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    proc = _ingest(path, url, "-v")
    assert proc.stderr is not None
    reported = 0
    for line in proc.stderr:
        if line.startswith("committed:"):
            reported = int(line.split()[1])
            if reported >= 500:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    with open_store(url=url) as store:
        stored = store.counts()["documents"]
    assert reported <= stored < COUNT  # nothing reported is lost; the kill was mid-way

    rerun = _ingest(path, url)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert f"{COUNT - stored} new, {stored} already known" in err

    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = _ingest(path, clean_url, "-q")
    clean.communicate(timeout=120)
    with open_store(url=url) as killed, open_store(url=clean_url) as reference:
        got, want = killed.counts(), reference.counts()
        assert got == want and got["documents"] == COUNT
        with killed.engine.connect() as conn:
            dupes = conn.exec_driver_sql(
                "SELECT count(*) FROM (SELECT entity_id, prop, value, document_id "
                "FROM statements GROUP BY 1, 2, 3, 4 HAVING count(*) > 1)"
            ).scalar()
            fts = conn.exec_driver_sql("SELECT count(*) FROM documents_fts").scalar()
        assert dupes == 0 and fts == COUNT
