"""Benchmark ``tocsin.selectors.extract`` against its ground truth and against peer tools.

Measures, on the synthetic corpus of ``benchmarks/corpus.py`` (generated on the fly, or read
with ``--corpus``):

- throughput of ``extract`` alone on one core: docs/s and MB/s (UTF-8), median of ``--runs``
  runs, and the peak memory of one run (``tracemalloc`` peak of Python allocations, and the
  process's maximum resident set size);
- precision/recall per selector type, *strict* (type, value and exact span must match) and
  *by value* (type and normalised value per document, the only comparison peers allow);
- the same corpus through iocsearcher, ioc-finder, iocextract and phonenumbers'
  ``PhoneNumberMatcher`` when they are importable (``uv sync --group peers``), by value.

Peer type mapping (peer → ours): URL-like → ``url``; bare host/FQDN → ``domain``; e-mail →
``email``; phone → ``phone``; bitcoin/ethereum/tron → ``crypto``; iban → ``iban``;
iocsearcher's telegram/whatsapp/skype handles → ``telegram``/``whatsapp``/``skype``.
Peers do not share Tocsin's one-selector-per-span convention, so a peer output that restates
part of a true selector in another type is *neutral* (neither right nor wrong): the host of a
true URL or e-mail reported as a domain, a messaging link reported as a URL or domain, the
phone number of a true WhatsApp/Signal/Zalo/… account reported as a phone. It does not count
towards the messaging type's recall either: that needs the peer to say which app it is.

Run: ``python benchmarks/bench_extract.py`` (20,000 docs) or ``--docs 2000`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import phonenumbers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

from tocsin.selectors import extract
from tocsin.selectors.context import LANGUAGE_REGIONS
from tocsin.selectors.phone import parse_phone
from tocsin.selectors.url import registrable_domain

Key = tuple[str, str]
TYPES = [
    "phone",
    "email",
    "url",
    "domain",
    "telegram",
    "whatsapp",
    "line",
    "wechat",
    "qq",
    "signal",
    "skype",
    "zalo",
    "crypto",
    "iban",
    "bank_account",
]
MESSAGING_LINK_HOSTS = (
    "t.me",
    "telegram.me",
    "telegram.dog",
    "wa.me",
    "api.whatsapp.com",
    "chat.whatsapp.com",
    "line.me",
    "signal.me",
    "zalo.me",
)


def region_of(doc: dict[str, Any]) -> str | None:
    return LANGUAGE_REGIONS.get(doc["language"])


def norm(kind: str, value: str, region: str | None = None) -> str:
    """Normalised value for by-value comparison, lenient on cosmetic differences."""
    value = value.strip()
    if kind in ("phone", "whatsapp", "signal", "zalo") and not value.startswith("invite/"):
        try:
            number = phonenumbers.parse(value, region)
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            return "".join(ch for ch in value if ch.isdigit())
    if kind in ("url", "domain"):
        value = value.lower().rstrip(".,;:)/")
        for prefix in ("https://", "http://", "hxxps://", "hxxp://", "ftp://"):
            value = value.removeprefix(prefix)
        return value.removeprefix("www.")
    if kind == "iban":
        return value.replace(" ", "").upper()
    if kind == "telegram":
        return value.lower().lstrip("@")
    if kind == "email" and value.split():
        return value.split()[-1].lower()  # iocextract keeps the word before the address
    return value.lower()


def truth_keys(doc: dict[str, Any]) -> tuple[set[Key], set[Key]]:
    """``(keys, neutral keys)`` of a document's ground truth, by value."""
    keys: set[Key] = set()
    neutral: set[Key] = set()
    for t in doc["selectors"]:
        kind, value, raw = t["type"], t["value"], t["raw"]
        keys.add((kind, norm(kind, value)))
        if kind == "url":
            host = norm("url", value).split("/")[0].split(":")[0]
            neutral |= {("domain", host), ("domain", "www." + host)}
        elif kind == "email":
            neutral |= {("domain", value.split("@")[1]), ("url", value.split("@")[1])}
        elif kind in ("telegram", "whatsapp", "line", "signal", "skype", "zalo", "wechat"):
            lowered = raw.lower()
            for host in MESSAGING_LINK_HOSTS:
                if host in lowered:
                    neutral |= {("url", norm("url", raw)), ("domain", host)}
            if value.startswith("+"):
                neutral.add(("phone", value))
    return keys, neutral


# -- peers -----------------------------------------------------------------------------------

PeerFn = Callable[[dict[str, Any]], set[Key]]


def _iocsearcher() -> PeerFn | None:
    try:
        from iocsearcher.searcher import Searcher
    except Exception:
        return None
    searcher = Searcher()
    mapping = {
        "url": "url",
        "fqdn": "domain",
        "email": "email",
        "phoneNumber": "phone",
        "bitcoin": "crypto",
        "ethereum": "crypto",
        "tron": "crypto",
        "iban": "iban",
        "telegramHandle": "telegram",
        "whatsappHandle": "whatsapp",
        "skypeHandle": "skype",
    }

    def run(doc: dict[str, Any]) -> set[Key]:
        out: set[Key] = set()
        for ioc in searcher.search_data(doc["text"]):
            kind = mapping.get(ioc.name)
            if kind is not None:
                value = ioc.value
                if kind == "whatsapp" and value.isdigit():
                    value = "+" + value
                out.add((kind, norm(kind, value, region_of(doc))))
        return out

    return run


def _ioc_finder() -> PeerFn | None:
    try:
        from ioc_finder import find_iocs
    except Exception:
        return None
    mapping = {
        "urls": "url",
        "domains": "domain",
        "email_addresses": "email",
        "email_addresses_complete": "email",
        "phone_numbers": "phone",
        "bitcoin_addresses": "crypto",
        "ethereum_addresses": "crypto",
        "tron_addresses": "crypto",
        "ibans": "iban",
    }

    def run(doc: dict[str, Any]) -> set[Key]:
        found = find_iocs(doc["text"])
        return {
            (kind, norm(kind, v, region_of(doc)))
            for name, kind in mapping.items()
            for v in found.get(name, [])
            if isinstance(v, str)
        }

    return run


def _iocextract() -> PeerFn | None:
    try:
        import iocextract
    except Exception:
        return None

    def run(doc: dict[str, Any]) -> set[Key]:
        text = doc["text"]
        out = {("url", norm("url", u)) for u in iocextract.extract_urls(text, refang=True)}
        out |= {("email", norm("email", e)) for e in iocextract.extract_emails(text, refang=True)}
        region = region_of(doc)
        out |= {
            ("phone", norm("phone", p, region)) for p in iocextract.extract_telephone_nums(text)
        }
        return out

    return run


def _phonenumbers_matcher() -> PeerFn:
    def run(doc: dict[str, Any]) -> set[Key]:
        region = region_of(doc) or "US"
        return {
            ("phone", phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164))
            for m in phonenumbers.PhoneNumberMatcher(doc["text"], region)
        }

    return run


# -- scoring ---------------------------------------------------------------------------------


class Score:
    """True/false positives and false negatives per type."""

    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()
        self.examples: dict[str, list[Any]] = defaultdict(list)

    def add(self, found: set[Any], truth: set[Any], neutral: Iterable[Any] = ()) -> None:
        neutral = set(neutral)
        for key in found:
            if key in truth:
                self.tp[key[0]] += 1
            elif key not in neutral:
                self.fp[key[0]] += 1
                if len(self.examples["fp:" + key[0]]) < 8:
                    self.examples["fp:" + key[0]].append(key)
        for key in truth - found:
            self.fn[key[0]] += 1
            if len(self.examples["fn:" + key[0]]) < 8:
                self.examples["fn:" + key[0]].append(key)

    def table(self) -> dict[str, dict[str, float | int | None]]:
        out: dict[str, dict[str, float | int | None]] = {}
        for kind in TYPES:
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
            out[kind] = {
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(tp / (tp + fp), 4) if tp + fp else None,
                "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            }
        return out


def ours(doc: dict[str, Any]) -> list[Any]:
    return extract(doc["text"], language=doc["language"])


def time_runs(
    fn: Callable[[dict[str, Any]], Any], docs: list[dict[str, Any]], runs: int
) -> list[float]:
    times = []
    for _ in range(runs):
        # Every run starts cold: the caches (parsed phone numbers, registrable domains) must
        # earn their keep within one pass over the corpus, not from the previous run.
        parse_phone.cache_clear()
        registrable_domain.cache_clear()
        start = time.perf_counter()
        for doc in docs:
            fn(doc)
        times.append(time.perf_counter() - start)
    return times


def evaluate_ours(docs: list[dict[str, Any]]) -> dict[str, Any]:
    strict, by_value = Score(), Score()
    attrs = Counter()
    for doc in docs:
        found = ours(doc)
        for s in found:
            assert doc["text"][s.start : s.end] == s.raw
        strict.add(
            {(s.type.value, s.value, s.start, s.end) for s in found},
            {(t["type"], t["value"], t["start"], t["end"]) for t in doc["selectors"]},
        )
        keys, _ = truth_keys(doc)
        by_value.add({(s.type.value, norm(s.type.value, s.value)) for s in found}, keys)
        spans = {(s.start, s.end): s for s in found}
        for t in doc["selectors"]:
            if t["type"] == "crypto" and (t["start"], t["end"]) in spans:
                s = spans[(t["start"], t["end"])]
                attrs["crypto"] += 1
                attrs["chain_ok"] += s.chain == t["chain"]
                attrs["network_ok"] += s.network == t["network"]
    return {"strict": strict, "by_value": by_value, "crypto_attributes": dict(attrs)}


def machine() -> dict[str, str]:
    """CPU model, cores seen and the load average when the run started (other jobs on the
    machine slow every tool down alike, but the absolute numbers depend on it)."""
    cpu = "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"cpu": cpu, "nproc": nproc, "python": platform.python_version(), "load": load}


def fmt(value: float | int | None) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path, help="read this JSONL instead of generating")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--peer-docs", type=int, default=None, help="documents given to peers (default: all)"
    )
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bench_extract.json"))
    args = parser.parse_args(argv)

    if args.corpus is not None:
        with args.corpus.open(encoding="utf-8") as fh:
            docs = [json.loads(line) for line in fh][: args.docs]
    else:
        docs = list(generate(args.docs, args.seed))
    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    ours(docs[0])  # warm caches and imports outside the timed runs

    times = time_runs(ours, docs, args.runs)
    tracemalloc.start()
    for doc in docs[:2000]:
        ours(doc)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(times)
    evaluation = evaluate_ours(docs)
    result: dict[str, Any] = {
        "command": " ".join(["python", *sys.argv]),
        "machine": machine(),
        "docs": len(docs),
        "mb": round(mb, 3),
        "avg_chars": round(sum(len(d["text"]) for d in docs) / len(docs)),
        "tocsin": {
            "runs_s": [round(t, 3) for t in times],
            "docs_per_s": round(len(docs) / median),
            "mb_per_s": round(mb / median, 2),
            "tracemalloc_peak_mb": round(peak / 1e6, 2),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
            "strict": evaluation["strict"].table(),
            "by_value": evaluation["by_value"].table(),
            "crypto_attributes": evaluation["crypto_attributes"],
            "examples": dict(evaluation["strict"].examples),
        },
        "peers": {},
    }
    if not args.no_peers:
        peer_docs = docs[: args.peer_docs] if args.peer_docs else docs
        for name, factory in (
            ("iocsearcher", _iocsearcher),
            ("ioc-finder", _ioc_finder),
            ("iocextract", _iocextract),
            ("phonenumbers.PhoneNumberMatcher", _phonenumbers_matcher),
        ):
            fn = factory()
            if fn is None:
                print(f"{name}: not importable, skipped", file=sys.stderr)
                continue
            score = Score()
            start = time.perf_counter()
            outputs = [fn(doc) for doc in peer_docs]
            elapsed = time.perf_counter() - start
            for doc, found in zip(peer_docs, outputs, strict=True):
                keys, neutral = truth_keys(doc)
                score.add(found, keys, neutral)
            table = score.table()
            result["peers"][name] = {
                "docs": len(peer_docs),
                "docs_per_s": round(len(peer_docs) / elapsed),
                "by_value": {k: v for k, v in table.items() if v["tp"] or v["fp"]},
                "examples": dict(score.examples),
            }
            print(f"{name}: {len(peer_docs) / elapsed:.0f} docs/s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    print(markdown(result))
    return 0


def markdown(result: dict[str, Any]) -> str:
    t = result["tocsin"]
    lines = [
        f"{result['docs']} docs, {result['mb']} MB (avg {result['avg_chars']} chars); "
        f"{result['machine']['cpu']}, nproc {result['machine']['nproc']}, "
        f"Python {result['machine']['python']}, load average at start "
        f"{result['machine']['load']}",
        "",
        "| tool | docs/s | MB/s |",
        "|---|---:|---:|",
        f"| tocsin.selectors.extract (median of {len(t['runs_s'])}) | {t['docs_per_s']} "
        f"| {t['mb_per_s']} |",
    ]
    lines += [f"| {name} | {p['docs_per_s']} | – |" for name, p in result["peers"].items()]
    lines += [
        "",
        f"Peak memory: tracemalloc {t['tracemalloc_peak_mb']} MB over 2,000 docs, "
        f"max RSS {t['max_rss_mb']} MB.",
        "",
    ]
    peers = list(result["peers"])
    head = (
        "| type | tocsin P / R (strict span) | tocsin P / R (value) | "
        + " | ".join(f"{p} P / R" for p in peers)
        + " |"
    )
    lines += [head, "|---" * (3 + len(peers)) + "|"]
    for kind in TYPES:
        s, v = t["strict"][kind], t["by_value"][kind]
        row = [
            kind,
            f"{fmt(s['precision'])} / {fmt(s['recall'])} (n={s['tp'] + s['fn']})",
            f"{fmt(v['precision'])} / {fmt(v['recall'])}",
        ]
        for p in peers:
            cell = result["peers"][p]["by_value"].get(kind)
            row.append("–" if cell is None else f"{fmt(cell['precision'])} / {fmt(cell['recall'])}")
        lines.append("| " + " | ".join(row) + " |")
    attrs = t["crypto_attributes"]
    if attrs.get("crypto"):
        lines += [
            "",
            f"Crypto attributes on found addresses: chain {attrs['chain_ok']}/"
            f"{attrs['crypto']}, token network {attrs['network_ok']}/{attrs['crypto']}.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
