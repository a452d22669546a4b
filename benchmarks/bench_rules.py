"""Throughput of indicator matching (``RuleSet.match``) on realistic 1 KB texts.

Budget (docs: DESIGN.md section 6): the full scan must do >= 1,500 docs/s per core, so rule
matching alone should stay above 7,000 docs/s (< 0.15 ms per 1 KB document).

The corpus is synthetic and built here: ordinary job ads and chats in English, Chinese,
Vietnamese, Thai, Indonesian and French, some with lure, forced-labour and pig-butchering
phrases mixed in, cut or padded to about 1 KB. If the shared EMSCAD file is present, a second
run uses its legitimate ads (read in place, never copied).

    python benchmarks/bench_rules.py [--docs 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

from tocsin.detect.rules import load_packs
from tocsin.model.document import DocumentKind

EMSCAD = Path("/work/shared/data/emscad_balanced_train.csv")

PLAIN = [
    "We are a growing software company in Lyon looking for a backend developer with three "
    "years of Python experience. You will work with a friendly team on our logistics platform, "
    "review code, write tests and talk to customers. Hybrid work, 25 days of holiday, "
    "a training budget and a yearly bonus. Send your CV and a short letter to our HR team. ",
    "Hey, are we still on for dinner tomorrow? I booked the Thai place near the station at "
    "eight. Tell Anna to bring the charger she borrowed last week, and don't forget the "
    "tickets for Saturday. The weather should be fine so maybe we can walk back. ",
    "我们公司是一家位于上海的互联网企业，现招聘前端开发工程师，要求三年以上工作经验，熟悉React，"
    "有良好的沟通能力。公司提供五险一金、带薪年假和定期体检。欢迎投递简历。",
    "Công ty chúng tôi cần tuyển nhân viên kế toán làm việc tại Hà Nội, yêu cầu tốt nghiệp đại "
    "học chuyên ngành kế toán, có ít nhất hai năm kinh nghiệm. Hồ sơ gửi qua email trước ngày 30.",
    "บริษัทของเรากำลังมองหาพนักงานขายประจำสาขากรุงเทพ มีประสบการณ์อย่างน้อยหนึ่งปี "
    "มีใจรักงานบริการ สวัสดิการประกันสังคม โบนัสประจำปี สนใจส่งประวัติมาที่ฝ่ายบุคคล",
    "Kami membuka lowongan untuk posisi staf gudang di Surabaya. Syarat minimal SMA, jujur, "
    "disiplin dan bersedia bekerja shift. Kirim lamaran ke bagian HRD paling lambat akhir bulan.",
]

LURES = [
    "Tuyển người sang Campuchia làm CSKH, việc nhẹ lương cao, bao ăn ở, bao vé máy bay. ",
    "西港招聘客服，月薪3万包机票，包吃包住，无需经验，只要你会用电脑。加飞机详聊。",
    "Hiring customer service in Sihanoukville, salary 1500 USD, no experience needed, "
    "free air ticket. Send a photo of your passport on Telegram. ",
    "They took our passports and phones. We are not allowed to leave. If we don't meet the "
    "daily target we are beaten. The company wants 5000 USD ransom. ",
    "Good morning my love. I made 20% on the crypto platform today. To withdraw your profit "
    "you must first pay 20% tax. Send the USDT-TRC20 to this address. ",
    "Lowongan kerja di Poipet, gaji 1000 USD, tanpa pengalaman, tiket pesawat gratis. ",
]


def _one_kb(rng: random.Random, pieces: list[str]) -> str:
    text = ""
    while len(text) < 1024:
        text += rng.choice(pieces)
    return text[:1024]


def synthetic(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        pieces = PLAIN + LURES if i % 4 == 0 else PLAIN  # a quarter carry lure phrases
        docs.append(_one_kb(rng, pieces))
    return docs


def emscad(n: int) -> list[str]:
    if not EMSCAD.exists():
        return []
    csv.field_size_limit(sys.maxsize)
    with EMSCAD.open(encoding="utf-8", newline="") as fh:
        texts = [row["text"][:1024] for row in csv.DictReader(fh) if row["fraudulent"] == "0"]
    texts = [t for t in texts if len(t) >= 900]
    return (texts * (n // max(len(texts), 1) + 1))[:n]


def bench(name: str, docs: list[str], runs: int) -> float:
    rules = load_packs()
    for doc in docs[:200]:  # warm up
        rules.match(doc, kind=DocumentKind.JOB_AD)
    rates = []
    hits = 0
    for _ in range(runs):
        start = time.perf_counter()
        for doc in docs:
            hits += len(rules.match(doc, kind=DocumentKind.JOB_AD))
        rates.append(len(docs) / (time.perf_counter() - start))
    median = statistics.median(rates)
    size = statistics.mean(len(d) for d in docs)
    print(
        f"{name:28s} {len(docs):6d} docs of {size:5.0f} chars: median {median:8.0f} docs/s "
        f"({1000 / median:.3f} ms/doc; runs {', '.join(f'{r:.0f}' for r in rates)}); "
        f"{hits / runs / len(docs):.2f} hits/doc"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    rules = load_packs()
    print(
        f"loaded {len(rules.indicators)} indicators from {len(rules.packs)} packs "
        f"in {time.perf_counter() - start:.2f} s"
    )
    bench("synthetic multilingual", synthetic(args.docs), args.runs)
    legit = emscad(args.docs)
    if legit:
        bench("EMSCAD legitimate ads", legit, args.runs)


if __name__ == "__main__":
    main()
