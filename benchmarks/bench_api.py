"""Web API latency under 20 concurrent clients: POST /api/v1/scan and GET /api/v1/search.

For each backend (SQLite file, PostgreSQL on 127.0.0.1:5432) a fresh store gets ``--docs``
synthetic ~1 KB job ads (the ingest benchmark's generator; no real data) in an AMBER dataset of
an organisation with an analyst and an API token. Then ``tocsin serve``'s app runs under uvicorn
in a subprocess on loopback (one process, as `tocsin serve` runs it), and ``--clients`` async
httpx clients (one connection each) in this process send requests back to back for
``--seconds`` per endpoint: scans of the synthetic ads (public, no login) and searches as the
analyst (bearer token: each search is scoped to the analyst's datasets and, showing AMBER
documents, audited). Reports p50, p95, p99, throughput and the CPU time the server and the
clients spent per request, median of ``--runs`` runs, as markdown (stdout) and JSON
(benchmarks/results/api-CLIENT.json). Client and server share the machine's two cores.

    python benchmarks/bench_api.py [--clients 20] [--seconds 8] [--runs 3] [--docs 2000]
                                   [--endpoints scan,search] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tocsin.access import tokens, users
from tocsin.detect.engine import Engine
from tocsin.settings import Settings
from tocsin.store import open_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import corpus  # noqa: E402 - the benchmarks folder is not a package

SECRET = "benchmark-secret-" + "b" * 32
REDIS_URL = "redis://127.0.0.1:6379/14"
QUERIES = (
    "Sihanoukville",
    "customer service",
    "crypto investment",
    "visa paid",
    "hr_team_7",
    "USDT",
    "typing job",
    "",
)
BUDGET_SCAN_P95_MS = 150.0


@dataclass
class Sample:
    latencies_ms: list[float]
    errors: int
    seconds: float
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies_ms)
        n = len(lat)
        return {
            "requests": n,
            "errors": self.errors,
            "p50_ms": lat[n // 2] if n else float("nan"),
            "p95_ms": lat[min(n - 1, int(n * 0.95))] if n else float("nan"),
            "p99_ms": lat[min(n - 1, int(n * 0.99))] if n else float("nan"),
            "throughput_rps": n / self.seconds,
            "server_cpu_ms_per_request": 1000 * self.server_cpu_s / n if n else float("nan"),
            "client_cpu_ms_per_request": 1000 * self.client_cpu_s / n if n else float("nan"),
        }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children so far (Linux /proc); the
    children are uvicorn's worker processes with ``--workers``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        total += sum(cpu_seconds(int(child)) for child in children.read_text().split())
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A URL of a fresh database, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tocsin-bench-api-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import psycopg

    name = f"tocsin_bench_{uuid.uuid4().hex[:10]}"
    for user in ("postgres", "root"):
        try:
            admin = psycopg.connect(
                host="127.0.0.1", port=5432, user=user, dbname="postgres", autocommit=True
            )
            break
        except psycopg.Error:
            continue
    else:
        raise SystemExit("PostgreSQL on 127.0.0.1:5432 is not reachable")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, docs: int) -> tuple[str, list[str]]:
    """Fill the store; return an analyst's API token and the scan payloads."""
    settings = Settings(database_url=url, secret_key=SECRET)
    store = open_store(settings)
    users.create_organisation(store.engine, "bench-ngo", secret=SECRET)
    users.create_user(
        store.engine, "bench-analyst", "benchmark-password", org="bench-ngo",
        role="analyst", secret=SECRET,
    )  # fmt: skip
    token, _ = tokens.create_token(store.engine, "bench-analyst", "bench", secret=SECRET)
    documents = corpus(docs)
    engine = Engine(settings=settings)
    store.dataset("bench-ads", "amber", org="bench-ngo")
    for start in range(0, len(documents), 500):
        store.store_batch(documents[start : start + 500], engine, dataset="bench-ads")
    store.close()
    return token, [d.text for d in documents[:200]]


@contextmanager
def server(url: str, workers: int = 1) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "TOCSIN_DATABASE_URL": url,
        "TOCSIN_SECRET_KEY": SECRET,
        "TOCSIN_PUBLIC_RATE_LIMIT": "1000000/minute",
    }
    if workers > 1:  # as `tocsin serve --workers` requires: limits shared in Redis
        env["TOCSIN_RATE_LIMIT_STORAGE"] = REDIS_URL
    command = [
        sys.executable, "-m", "uvicorn", "tocsin.web.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--no-access-log", "--workers", str(workers), "--timeout-worker-healthcheck", "60",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


Spec = tuple[str, str, bytes, dict[str, str]]
"""A request: method, path with query, body, headers."""


Record = Callable[[bool, float], None]
_TLS = ssl.create_default_context()


async def _httpx_worker(
    base: str, make: Callable[[int], Spec], record: Record, index: int, clients: int, stop: float
) -> None:
    i = index
    # plain http: no TLS, but httpx builds an SSL context per client unless given one
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False, verify=_TLS) as http:
        while time.perf_counter() < stop:
            method, path, body, headers = make(i)
            t = time.perf_counter()
            try:
                response = await http.request(method, path, content=body, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            record(ok, t)
            i += clients


async def _raw_worker(
    base: str, make: Callable[[int], Spec], record: Record, index: int, clients: int, stop: float
) -> None:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator costs next
    to nothing, so the server has the CPU the clients would otherwise take."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    i = index
    try:
        while time.perf_counter() < stop:
            method, path, body, headers = make(i)
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            head += f"Content-Length: {len(body)}\r\n\r\n"
            t = time.perf_counter()
            writer.write(head.encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            length = next(
                int(line.split(":", 1)[1])
                for line in lines
                if line.lower().startswith("content-length:")
            )
            await reader.readexactly(length)
            record(lines[0].split(" ")[1] == "200", t)
            i += clients
    finally:
        writer.close()


async def load(
    base: str, clients: int, seconds: float, make: Callable[[int], Spec], client: str = "httpx"
) -> Sample:
    """``clients`` clients, each with its own connection (an httpx client of its own: one
    shared pool of 20 connections cost the client ~60 % more CPU per request), sending
    requests back to back for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    def record(ok: bool, started: float) -> None:
        nonlocal errors
        if ok:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1

    worker = _raw_worker if client == "raw" else _httpx_worker
    started = time.perf_counter()
    await asyncio.gather(*(worker(base, make, record, n, clients, stop) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return Sample(latencies, errors, elapsed)


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with database(backend) as url:
        t = time.perf_counter()
        token, texts = prepare(url, args.docs)
        prepared = time.perf_counter() - t
        json_type = {"Content-Type": "application/json"}
        auth = {"Authorization": f"Bearer {token}"}
        bodies = [json.dumps({"text": text, "kind": "job_ad"}).encode() for text in texts]
        paths = ["/api/v1/search?" + urlencode({"q": q, "limit": 20}) for q in QUERIES]

        def scan(i: int) -> Spec:
            return "POST", "/api/v1/scan", bodies[i % len(bodies)], json_type

        def search(i: int) -> Spec:
            return "GET", paths[i % len(paths)], b"", auth

        results: dict[str, Any] = {"backend": backend, "prepare_s": round(prepared, 1)}
        with server(url, args.workers) as (base, pid):
            asyncio.run(load(base, 4, 2.0, scan))  # warm: models loaded, connections open
            asyncio.run(load(base, 4, 2.0, search))
            chosen = [
                (n, m) for n, m in (("scan", scan), ("search", search)) if n in args.endpoints
            ]
            for name, make in chosen:
                runs = []
                for _ in range(args.runs):
                    before, mine = cpu_seconds(pid), cpu_seconds(os.getpid())
                    sample = asyncio.run(load(base, args.clients, args.seconds, make, args.client))
                    sample.server_cpu_s = cpu_seconds(pid) - before
                    sample.client_cpu_s = cpu_seconds(os.getpid()) - mine
                    runs.append(sample.summary())
                results[name] = {
                    "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]},
                    "runs": runs,
                }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--endpoints", default="scan,search", help="scan, search or both.")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (above 1: rate limits in the local Redis, db 14).",
    )
    parser.add_argument(
        "--out", help="JSON results file (default benchmarks/results/api-CLIENT.json)."
    )
    parser.add_argument(
        "--client",
        choices=("httpx", "raw"),
        default="httpx",
        help="httpx.AsyncClient per client, or a minimal asyncio HTTP/1.1 client (cheaper).",
    )
    args = parser.parse_args()
    args.endpoints = args.endpoints.split(",")
    load_before = os.getloadavg()[0]
    results = [bench_backend(b, args) for b in args.backends.split(",")]
    out = Path(args.out or ROOT / "benchmarks" / "results" / f"api-{args.client}.json")
    out.parent.mkdir(exist_ok=True)
    meta = {
        "client": args.client,
        "clients": args.clients,
        "seconds": args.seconds,
        "runs": args.runs,
        "docs": args.docs,
        "workers": args.workers,
        "load_before": load_before,
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "results": results,
    }
    out.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.clients} {args.client} clients, {args.seconds:g} s per run, median of "
        f"{args.runs} runs, {args.docs:,} documents stored\n"
    )
    print(
        "| backend | endpoint | requests | errors | p50 ms | p95 ms | p99 ms | req/s "
        "| server CPU ms/request | client CPU ms/request |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for r in results:
        for name in args.endpoints:
            m = r[name]["median"]
            print(
                f"| {r['backend']} | {name} | {m['requests']:,.0f} | {m['errors']:.0f} | "
                f"{m['p50_ms']:.1f} | {m['p95_ms']:.1f} | {m['p99_ms']:.1f} | "
                f"{m['throughput_rps']:,.0f} | {m['server_cpu_ms_per_request']:.2f} | "
                f"{m['client_cpu_ms_per_request']:.2f} |"
            )
            failed |= m["errors"] > 0 or any(run["errors"] for run in r[name]["runs"])
        if "scan" in r:
            failed |= r["scan"]["median"]["p95_ms"] >= BUDGET_SCAN_P95_MS
    verdict = "within" if not failed else "OUTSIDE"
    print(f"\nbudget (scan p95 < {BUDGET_SCAN_P95_MS:.0f} ms, no errors): {verdict}")
    load1, load5, _ = os.getloadavg()
    print(
        f"load average before: {load_before:.2f}; at the end: {load1:.2f} (1 min), "
        f"{load5:.2f} (5 min)"
    )


if __name__ == "__main__":
    main()
