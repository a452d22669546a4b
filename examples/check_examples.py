"""Check the bundled synthetic examples (run: .venv/bin/python examples/check_examples.py).

Verifies that every file parses, every id is unique, every record says it is synthetic, and that
every selector written into the texts is well formed *and* invented in the way examples/README.md
promises: phone numbers valid for their country (`phonenumbers`), crypto addresses with valid
checksums (TRON/BTC base58check, BTC bech32, Ethereum EIP-55), IBANs mod-97 valid (`schwifty`),
and web addresses and e-mails only on reserved example domains. It also checks that the files in
bad/ are broken in exactly the documented ways. Exits 1 and lists the problems if anything fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

import base58
import bech32
import phonenumbers
from Crypto.Hash import keccak
from schwifty import IBAN

HERE = Path(__file__).resolve().parent
problems: list[str] = []


def problem(where: str, msg: str) -> None:
    problems.append(f"{where}: {msg}")


# ------------------------------------------------------------------ selector checks
# Region used to read numbers written without a country code.
REGION_OF_LANGUAGE = {
    "en": "US",
    "fr": "FR",
    "zh-Hans": "CN",
    "zh-Hant": "TW",
    "vi": "VN",
    "th": "TH",
    "id": "ID",
    "ms": "MY",
    "tl": "PH",
    "km": "KH",
    "my": "MM",
}
INTL_PHONE = re.compile(r"(?<![\w/.])\+\d[\d \-().]{6,18}\d")
NATIONAL = re.compile(r"(?<![\w+.,/-])0\d(?:[ -]?\d){6,10}(?![\w.,]?\d)")
WA_ME = re.compile(r"wa\.me/(\d{6,15})")
B58 = "1-9A-HJ-NP-Za-km-z"
TRON = re.compile(rf"(?<![{B58}])T[{B58}]{{33}}(?![{B58}])")
BTC_B58 = re.compile(rf"(?<![{B58}])[13][{B58}]{{25,34}}(?![{B58}])")
BTC_BECH32 = re.compile(r"\b(?:bc|tb)1[02-9ac-hj-np-z]{8,87}\b", re.IGNORECASE)
ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
TLDS = "com|net|org|io|co|me|app|vip|top|xyz|cc|info|biz|asia|kh|vn|th|id|ph|my|sg|cn|tw|hk|fr|uk"
HOST = re.compile(rf"(?<![\w.@-])(?:[a-z0-9-]+\.)+(?:{TLDS})\b(?![\w-])", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,})", re.IGNORECASE)
RESERVED = ("example.com", "example.net", "example.org")
MESSENGER_HOSTS = {"t.me", "wa.me", "line.me"}


def reserved_host(host: str) -> bool:
    host = host.lower()
    return host in MESSENGER_HOSTS or any(host == d or host.endswith("." + d) for d in RESERVED)


def eip55(addr: str) -> str:
    digits = addr[2:].lower()
    h = keccak.new(digest_bits=256)
    h.update(digits.encode())
    digest = h.hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(digits)
    )


def check_selectors(where: str, text: str, region: str | None, tally: Counter[str]) -> None:
    # crypto addresses
    for m in TRON.finditer(text):
        try:
            raw = base58.b58decode_check(m.group())
            if len(raw) != 21 or raw[0] != 0x41:
                problem(where, f"TRON address {m.group()} has the wrong version or length")
        except ValueError:
            problem(where, f"TRON address {m.group()} fails its checksum")
        tally["tron"] += 1
    for m in BTC_B58.finditer(text):
        try:
            raw = base58.b58decode_check(m.group())
            if len(raw) != 21 or raw[0] not in (0x00, 0x05):
                problem(where, f"BTC address {m.group()} has the wrong version or length")
        except ValueError:
            problem(where, f"BTC address {m.group()} fails its checksum")
        tally["btc base58"] += 1
    for m in BTC_BECH32.finditer(text):
        addr = m.group()
        ver, prog = bech32.decode(addr[:2].lower(), addr)
        if ver is None or prog is None:
            problem(where, f"bech32 address {addr} is not valid")
        tally["btc bech32"] += 1
    for m in ETH.finditer(text):
        if m.group() != eip55(m.group()):
            problem(where, f"Ethereum address {m.group()} fails its EIP-55 checksum")
        tally["eth"] += 1
    for m in IBAN_RE.finditer(text):
        try:
            IBAN(m.group())
        except ValueError as exc:
            problem(where, f"IBAN {m.group()!r} is not valid: {exc}")
        tally["iban"] += 1
    # phones are looked for only outside the addresses and IBANs found above
    masked = text
    for rx in (TRON, BTC_B58, BTC_BECH32, ETH, IBAN_RE):
        masked = rx.sub(lambda m: "X" * len(m.group()), masked)
    # phones: international numbers and wa.me links must be valid wherever they appear
    for m in INTL_PHONE.finditer(masked):
        try:
            num = phonenumbers.parse(m.group(), None)
        except phonenumbers.NumberParseException as exc:
            problem(where, f"phone {m.group()!r} does not parse: {exc}")
            continue
        if not phonenumbers.is_valid_number(num):
            problem(where, f"phone {m.group()!r} is not a valid number")
        tally["phone"] += 1
    for m in WA_ME.finditer(text):
        if not phonenumbers.is_valid_number(phonenumbers.parse("+" + m.group(1), None)):
            problem(where, f"wa.me number {m.group(1)} is not valid")
        tally["phone (wa.me)"] += 1
    # numbers in national format (leading 0), read with the region of the text's language
    if region:
        for m in NATIONAL.finditer(masked):
            digits = re.sub(r"\D", "", m.group())
            if not 8 <= len(digits) <= 12:
                continue
            try:
                num = phonenumbers.parse(m.group(), region)
            except phonenumbers.NumberParseException as exc:
                problem(where, f"phone {m.group()!r} ({region}) does not parse: {exc}")
                continue
            if not phonenumbers.is_valid_number(num):
                problem(where, f"national-format phone {m.group()!r} ({region}) is not valid")
            tally["phone (national)"] += 1
    # only reserved domains (plus messenger link hosts) may appear
    for m in EMAIL.finditer(text):
        if not reserved_host(m.group(1)):
            problem(where, f"e-mail {m.group()!r} is not on a reserved example domain")
        tally["email"] += 1
    for m in HOST.finditer(text):
        if not reserved_host(m.group()):
            problem(where, f"host {m.group()!r} is not a reserved example domain")


# ------------------------------------------------------------------ the example files
def main() -> int:
    ids: dict[str, str] = {}
    tally: Counter[str] = Counter()
    counts: Counter[tuple[str, str, str]] = Counter()

    def new_id(where: str, doc_id: object) -> None:
        if not isinstance(doc_id, str) or not doc_id:
            problem(where, f"bad id {doc_id!r}")
        elif doc_id in ids:
            problem(where, f"duplicate id {doc_id!r} (first in {ids[doc_id]})")
        else:
            ids[doc_id] = where

    # job_ads.jsonl
    path = HERE / "job_ads.jsonl"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problem(where, f"malformed JSON: {exc}")
            continue
        new_id(where, rec.get("id"))
        required = {"id", "kind", "language", "text", "label", "synthetic", "note"}
        if missing := required - rec.keys():
            problem(where, f"missing fields {sorted(missing)}")
            continue
        if extra := rec.keys() - required - {"country"}:
            problem(where, f"unexpected fields {sorted(extra)}")
        if rec["kind"] != "job_ad" or rec["label"] not in {"scam", "legitimate"}:
            problem(where, f"bad kind/label {rec['kind']!r}/{rec['label']!r}")
        if rec["synthetic"] is not True:
            problem(where, "synthetic must be true")
        if not isinstance(rec["text"], str) or not 200 <= len(rec["text"]) <= 1200:
            problem(where, f"text must have 200-1,200 characters (has {len(rec['text'])})")
        if not isinstance(rec["note"], str) or "\n" in rec["note"]:
            problem(where, "note must be one line")
        region = REGION_OF_LANGUAGE.get(rec["language"]) or rec.get("country")
        check_selectors(f"{where} ({rec['id']})", rec["text"], region, tally)
        counts[("job_ad", rec["language"], rec["label"])] += 1

    # messages.csv
    path = HERE / "messages.csv"
    header = ["id", "kind", "language", "label", "synthetic", "body"]
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, strict=True)
        if next(reader) != header:
            problem(path.name, f"header must be {header}")
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            if len(row) != len(header):
                problem(where, f"{len(row)} fields instead of {len(header)}")
                continue
            rec = dict(zip(header, row, strict=True))
            new_id(where, rec["id"])
            if rec["kind"] not in {"message", "conversation"}:
                problem(where, f"bad kind {rec['kind']!r}")
            if rec["label"] not in {"scam", "legitimate", "trafficking"}:
                problem(where, f"bad label {rec['label']!r}")
            if rec["synthetic"] != "true":
                problem(where, "synthetic must be 'true'")
            if not rec["body"].strip():
                problem(where, "empty body")
            if any(v[:1] in ("=", "+", "-", "@") for v in row):
                problem(where, "a field starts with = + - or @ (read as a formula by spreadsheets)")
            check_selectors(
                f"{where} ({rec['id']})",
                rec["body"],
                REGION_OF_LANGUAGE.get(rec["language"]),
                tally,
            )
            counts[(rec["kind"], rec["language"], rec["label"])] += 1

    # ad.txt
    path = HERE / "ad.txt"
    text = path.read_text(encoding="utf-8")
    if not text.startswith("# SYNTHETIC EXAMPLE"):
        problem(path.name, "must start with the '# SYNTHETIC EXAMPLE' header line")
    check_selectors(path.name, text, "TH", tally)
    counts[("job_ad (ad.txt)", "en", "scam")] += 1

    # bad/: broken in exactly the documented ways
    bad = HERE / "bad"
    lines = (bad / "bad.jsonl").read_text(encoding="utf-8").splitlines()
    outcome = []
    for n, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            outcome.append("malformed")
            continue
        new_id(f"bad/bad.jsonl:{n}", rec.get("id"))
        if rec.get("synthetic") is not True:
            problem(f"bad/bad.jsonl:{n}", "synthetic must be true")
        if "text" not in rec:
            outcome.append("no-text")
        elif not isinstance(rec["text"], str):
            outcome.append("text-not-string")
        else:
            outcome.append("ok")
            check_selectors(f"bad/bad.jsonl:{n}", rec["text"], None, tally)
    expected = ["ok", "malformed", "ok", "no-text", "text-not-string", "text-not-string", "ok"]
    if outcome != expected:
        problem("bad/bad.jsonl", f"lines are {outcome}, expected {expected}")

    with (bad / "missing_column.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if "text" in rows[0] or "body" in rows[0]:
        problem("bad/missing_column.csv", "must have neither a 'text' nor a 'body' column")
    for row in rows[1:]:
        new_id("bad/missing_column.csv", row[0])

    raw = (bad / "latin1.txt").read_bytes()
    try:
        raw.decode("utf-8")
        problem("bad/latin1.txt", "must NOT be valid UTF-8")
    except UnicodeDecodeError:
        pass
    if "é" not in raw.decode("cp1252") or raw.decode("cp1252") != raw.decode("latin-1"):
        problem("bad/latin1.txt", "must decode identically as cp1252 and latin-1, with accents")

    raw = (bad / "bom.csv").read_bytes()
    if not raw.startswith(b"\xef\xbb\xbf"):
        problem("bad/bom.csv", "must start with a UTF-8 BOM")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    if rows[0][0] != "id" or "text" not in rows[0]:
        problem("bad/bom.csv", "header (after the BOM) must be id,...,text")
    for row in rows[1:]:
        new_id("bad/bom.csv", row[0])
        check_selectors("bad/bom.csv", row[-1], "KH", tally)

    # report
    print("documents by kind / language / label:")
    for (kind, lang, label), n in sorted(counts.items()):
        print(f"  {kind:16} {lang:8} {label:12} {n}")
    print(f"  total: {sum(counts.values())} documents, {len(ids)} unique ids (incl. bad/)")
    print("selectors checked:", ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
