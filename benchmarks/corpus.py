"""Synthetic evaluation corpus for selector extraction, with known ground truth.

Writes JSONL, one document per line::

    {"id": "doc-00001", "language": "vi", "kind": "job_ad", "text": "...",
     "selectors": [{"type": "phone", "value": "+84912345678", "start": 10, "end": 22,
                    "raw": "0912 345 678", "chain": null, "network": null}, ...]}

Every document is built from pieces: filler sentences (job ads and chat lines in en, zh, vi,
th, id, fr), selectors written in one of many real-world forms (international, national,
obfuscated, link, keyed "WhatsApp: …", full-width digits, trailing punctuation, CJK text
glued to the value…) and distractors that look like selectors but are not (dates, prices,
order numbers, file names, versions, @mentions with no Telegram context, transaction
hashes, checksum-corrupted addresses and IBANs). The ground truth follows the conventions
of ``docs/selectors.md`` (one selector per span; a messaging link or a keyed messaging phone
is that messaging type, not a URL or a phone; values normalised as documented).

The only context rules the generator enforces are those a human reader needs to label the
text unambiguously: a national phone number appears only where its country is implied (the
document's language, or a country named in the same sentence), and an @mention distractor is
never placed within 80 characters of a Telegram keyword.

Run: ``python benchmarks/corpus.py --docs 20000 --seed 7 --out benchmarks/results/corpus.jsonl``

(Over 800 lines because most of it is data: filler sentences, written forms and distractors
per language, one per line as the formatter lays them out.)
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from collections.abc import Callable, Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any

import base58
import phonenumbers
from bech32 import CHARSET, bech32_hrp_expand, bech32_polymod, convertbits
from schwifty import IBAN

from tocsin.selectors.crypto import eip55

Part = tuple[str, dict[str, Any] | None]
LANGS = ("en", "zh", "vi", "th", "id", "fr")
LANG_REGION = {"vi": "VN", "th": "TH", "id": "ID", "zh": "CN", "fr": "FR"}
FOREIGN = {  # region: name of the country as written in each language
    "KH": {
        "en": "Cambodia",
        "vi": "Campuchia",
        "zh": "柬埔寨",
        "th": "กัมพูชา",
        "id": "Kamboja",
        "fr": "Cambodge",
    },
    "MM": {
        "en": "Myanmar",
        "vi": "Myanmar",
        "zh": "缅甸",
        "th": "เมียนมา",
        "id": "Myanmar",
        "fr": "Myanmar",
    },
    "TH": {
        "en": "Thailand",
        "vi": "Thái Lan",
        "zh": "泰国",
        "th": "ประเทศไทย",
        "id": "Thailand",
        "fr": "Thaïlande",
    },
    "VN": {
        "en": "Vietnam",
        "vi": "Việt Nam",
        "zh": "越南",
        "th": "เวียดนาม",
        "id": "Vietnam",
        "fr": "Vietnam",
    },
    "PH": {
        "en": "Philippines",
        "vi": "Philippines",
        "zh": "菲律宾",
        "th": "ฟิลิปปินส์",
        "id": "Filipina",
        "fr": "Philippines",
    },
    "MY": {
        "en": "Malaysia",
        "vi": "Malaysia",
        "zh": "马来西亚",
        "th": "มาเลเซีย",
        "id": "Malaysia",
        "fr": "Malaisie",
    },
}
INTL_REGIONS = (
    "KH",
    "MM",
    "TH",
    "VN",
    "PH",
    "MY",
    "ID",
    "CN",
    "IN",
    "LA",
    "NG",
    "KE",
    "PK",
    "BD",
    "LK",
    "NP",
    "TW",
    "HK",
    "GB",
    "US",
    "FR",
    "RU",
    "UA",
    "BR",
    "UG",
    "GH",
)
FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")

FILLER = {
    "en": [
        "We are hiring customer service staff for our office in Southeast Asia.",
        "Salary 1,200 USD per month, free food and accommodation, visa and flight paid.",
        "No experience needed, just basic English and typing skills.",
        "Working hours 12 hours, 1 day off per week.",
        "Hi dear, are you interested in a high paying job abroad?",
        "Send your CV and a photo, we reply within 24 hours.",
        "Our company is a leading e-commerce platform with 3000 employees.",
        "Age 18-35, good health, can start immediately.",
        "ok thanks, I will tell my friend about it",
        "Please reply soon, limited places!",
    ],
    "zh": [
        "高薪招聘客服人员，包吃包住，机票报销。",
        "月薪一万五起，无需经验，会打字即可。",
        "工作地点在东南亚，签证公司办理。",
        "年龄18到35岁，身体健康，能吃苦耐劳。",
        "有意者请尽快联系，名额有限。",
        "你好，在吗？这边有个好工作介绍给你。",
        "我们是正规公司，五险一金，每月休息四天。",
        "收到，谢谢老板。",
    ],
    "vi": [
        "Tuyển nhân viên chăm sóc khách hàng làm việc tại nước ngoài.",
        "Lương cao, bao ăn ở, hỗ trợ vé máy bay và visa.",
        "Không cần kinh nghiệm, chỉ cần biết đánh máy.",
        "Độ tuổi từ 18 đến 35, sức khỏe tốt.",
        "Chào em, em có muốn đi làm xa không?",
        "Công việc nhẹ nhàng, thu nhập ổn định.",
        "Gửi CV và ảnh chân dung để được phỏng vấn.",
        "ok anh, em cảm ơn ạ",
    ],
    "th": [
        "รับสมัครพนักงานบริการลูกค้า ทำงานต่างประเทศ",
        "เงินเดือนสูง มีที่พักและอาหารฟรี",
        "ไม่ต้องมีประสบการณ์ พิมพ์ดีดได้ก็พอ",
        "อายุ 18 ถึง 35 ปี สุขภาพแข็งแรง",
        "สวัสดีค่ะ สนใจงานรายได้ดีไหมคะ",
        "บริษัทออกค่าตั๋วเครื่องบินและวีซ่าให้",
        "ส่งประวัติและรูปถ่ายมาได้เลย",
        "โอเคค่ะ ขอบคุณมาก",
    ],
    "id": [
        "Dibutuhkan segera staf layanan pelanggan untuk bekerja di luar negeri.",
        "Gaji tinggi, makan dan mess gratis, tiket pesawat dan visa ditanggung.",
        "Tidak perlu pengalaman, cukup bisa mengetik.",
        "Usia 18 sampai 35 tahun, sehat.",
        "Halo kak, mau kerja di luar negeri gaji besar?",
        "Kirim CV dan foto terbaru ya.",
        "Perusahaan resmi, kontrak jelas.",
        "oke kak makasih",
    ],
    "fr": [
        "Nous recrutons des conseillers clientèle pour notre bureau en Asie.",
        "Salaire attractif, logement et repas offerts, billet d'avion payé.",
        "Aucune expérience requise, il suffit de savoir taper au clavier.",
        "Âge entre 18 et 35 ans, bonne santé.",
        "Bonjour, vous cherchez un travail bien payé ?",
        "Envoyez votre CV et une photo, réponse sous 24 heures.",
        "Entreprise sérieuse, contrat clair.",
        "d'accord merci beaucoup",
    ],
}
PHONE_WORDS = {
    "en": ["Tel: ", "Call ", "Hotline: ", "Phone ", ""],
    "zh": ["电话：", "联系电话 ", ""],
    "vi": ["ĐT: ", "SĐT ", "Hotline ", "gọi "],
    "th": ["โทร ", "เบอร์ ", ""],
    "id": ["Hubungi ", "Telp: ", "HP "],
    "fr": ["Tél : ", "Appelez le ", ""],
}
CROSS_WORD = {
    "en": "number in {c}: ",
    "zh": "{c}电话：",
    "vi": "số ở {c}: ",
    "th": "เบอร์{c} ",
    "id": "nomor {c}: ",
    "fr": "numéro au {c} : ",
}


def _name(rng: random.Random, lo: int = 5, hi: int = 16) -> str:
    syll = [
        "an",
        "li",
        "hr",
        "job",
        "nguyen",
        "tran",
        "kim",
        "mai",
        "lucky",
        "win",
        "top",
        "asia",
        "star",
        "team",
        "work",
        "vip",
        "linda",
        "tom",
        "zhang",
        "wang",
        "som",
        "chai",
    ]
    out = rng.choice(syll)
    while len(out) < lo or (len(out) < hi and rng.random() < 0.4):
        out += rng.choice(["_", "", "", "."]) if rng.random() < 0.3 else ""
        out += rng.choice([*syll, str(rng.randint(1, 999))])
    out = out.replace("..", ".").strip("._")[:hi].rstrip("._-")
    return out if len(out) >= lo and out[0].isalpha() else "hrteam" + str(rng.randint(10, 99))


def _truth(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "value": value, **extra}


# -- phones ---------------------------------------------------------------------------------


def valid_number(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    kind = rng.choice(
        [phonenumbers.PhoneNumberType.MOBILE] * 4 + [phonenumbers.PhoneNumberType.FIXED_LINE]
    )
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    nsn = str(example.national_number)
    keep = max(2, len(nsn) - 6)
    for _ in range(60):
        cand = nsn[:keep] + "".join(rng.choice(string.digits) for _ in range(len(nsn) - keep))
        number = phonenumbers.parse(f"+{example.country_code}{cand}")
        if phonenumbers.is_valid_number(number):
            return number
    return example


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def write_phone(rng: random.Random, number: phonenumbers.PhoneNumber, national: bool) -> str:
    fmt = phonenumbers.PhoneNumberFormat
    if national:
        text = phonenumbers.format_number(number, fmt.NATIONAL)
        style = rng.random()
        if style < 0.25:
            text = "".join(ch for ch in text if ch.isdigit())
        elif style < 0.4:
            text = text.replace(" ", ".")
        elif style < 0.5:
            text = text.replace(" ", "-")
        elif style < 0.55:
            text = text.translate(FULLWIDTH)
        return text
    style = rng.random()
    if style < 0.25:
        return e164(number)
    text = phonenumbers.format_number(number, fmt.INTERNATIONAL)
    if style < 0.55:
        return text
    if style < 0.65:
        return text.replace(" ", "-")
    if style < 0.72:
        return text.replace(" ", ".", 1).replace("-", " ")
    if style < 0.82:
        return "00" + text[1:]
    if style < 0.9:
        return text.translate(FULLWIDTH)
    code, rest = text.split(" ", 1)
    return f"({code}) {rest}"


def phone_parts(
    rng: random.Random, lang: str, as_kind: str = "phone", default_region: str | None = None
) -> tuple[list[Part], str]:
    """A phone number with the words that make it readable; returns parts and its E.164."""
    home = default_region or LANG_REGION.get(lang)
    roll = rng.random()
    parts: list[Part] = []
    if home is not None and roll < 0.45:
        number = valid_number(rng, home)
        raw = write_phone(rng, number, national=True)
    elif roll < 0.6 and lang in CROSS_WORD:
        region = rng.choice(list(FOREIGN))
        number = valid_number(rng, region)
        parts.append((CROSS_WORD[lang].format(c=FOREIGN[region][lang]), None))
        raw = write_phone(rng, number, national=True)
    else:
        number = valid_number(rng, rng.choice(INTL_REGIONS))
        raw = write_phone(rng, number, national=False)
    parts.append((raw, _truth(as_kind, e164(number))))
    return parts, e164(number)


def gen_phone(rng: random.Random, lang: str) -> list[Part]:
    parts, _ = phone_parts(rng, lang)
    return [(rng.choice(PHONE_WORDS[lang]), None), *parts]


# -- e-mail, URL, domain ---------------------------------------------------------------------

SUFFIXES = [
    "com",
    "net",
    "org",
    "vn",
    "com.vn",
    "co.th",
    "in.th",
    "co.id",
    "cn",
    "com.cn",
    "fr",
    "top",
    "vip",
    "xyz",
    "online",
    "shop",
    "club",
    "asia",
    "co.uk",
    "info",
    "io",
]
MAILHOSTS = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "qq.com",
    "163.com",
    "proton.me",
    "yandex.ru",
    "mail.ru",
]


def _host(rng: random.Random) -> str:
    label = _name(rng, 4, 12).replace("_", "-").replace(".", "").strip("-")
    host = label + "." + rng.choice(SUFFIXES)
    return ("jobs." if rng.random() < 0.15 else "") + host


def _registrable(host: str) -> str:
    labels = host.split(".")
    two_level = ".".join(labels[-2:]) in {"com.vn", "co.th", "in.th", "co.id", "com.cn", "co.uk"}
    return ".".join(labels[-3:] if two_level else labels[-2:])


def gen_email(rng: random.Random, lang: str) -> list[Part]:
    local = _name(rng, 3, 14).lower()
    host = rng.choice(MAILHOSTS) if rng.random() < 0.6 else _host(rng)
    value = f"{local}@{host}"
    shown_local = local.upper() if rng.random() < 0.1 else local
    roll = rng.random()
    dotted = host.split(".")
    if roll < 0.6:
        raw = f"{shown_local}@{host}"
    elif roll < 0.7:
        raw = f"{shown_local} [at] {host}"
    elif roll < 0.78:
        raw = f"{shown_local}(at){host}"
    elif roll < 0.86:
        raw = f"{shown_local} [at] {' [dot] '.join(dotted)}"
    elif roll < 0.92 and len(dotted) == 2:
        raw = f"{shown_local} at {dotted[0]} dot {dotted[1]}"
    elif roll < 0.96:
        raw = f"{shown_local} @ {' . '.join(dotted)}"
    else:
        raw = f"{shown_local}＠{host}"
    word = {
        "en": "Email: ",
        "zh": "邮箱：",
        "vi": "Email ",
        "th": "อีเมล ",
        "id": "Email: ",
        "fr": "Courriel : ",
    }[lang]
    return [(word, None), (raw, _truth("email", value, domain=_registrable(host)))]


def gen_url(rng: random.Random, lang: str) -> list[Part]:
    host = _host(rng)
    path = rng.choice(
        [
            "",
            "/",
            "/apply",
            "/jobs/cskh-2024",
            "/index.php?id=" + str(rng.randint(1, 999)),
            "/register?ref=" + _name(rng, 4, 8),
            "/vn/tuyen-dung.html",
            "/a_(b)",
        ]
    )
    roll = rng.random()
    if roll < 0.5:
        scheme = rng.choice(["https://", "http://", "HTTPS://"])
        shown_host = host.upper() if rng.random() < 0.1 else host
        raw = scheme + shown_host + path
        value = scheme.lower() + host + path
    elif roll < 0.75:
        raw = "www." + host + path
        value = "http://www." + host + path
    else:
        path = path if path not in ("", "/") else "/apply"
        raw = host + path
        value = "http://" + host + path
    parts: list[Part] = [(rng.choice(["Apply: ", "Link ", "xem tại ", "详情：", "ลิงก์ ", ""]), None)]
    if rng.random() < 0.15 and not path.endswith(")"):
        return [
            *parts,
            ("(", None),
            (raw, _truth("url", value, domain=_registrable(host))),
            (")", None),
        ]
    return [*parts, (raw, _truth("url", value, domain=_registrable(host)))]


def gen_domain(rng: random.Random, lang: str) -> list[Part]:
    host = _host(rng)
    word = rng.choice(["website ", "trang ", "网站 ", "เว็บ ", "situs ", "site "])
    return [(word, None), (host, _truth("domain", host, domain=_registrable(host)))]


# -- messaging -------------------------------------------------------------------------------


def gen_telegram(rng: random.Random, lang: str) -> list[Part]:
    name = _name(rng).replace(".", "_")
    shown = name if rng.random() < 0.8 else name.capitalize()
    roll = rng.random()
    if roll < 0.35:
        prefix = rng.choice(["t.me/", "https://t.me/", "telegram.me/", "http://telegram.dog/"])
        return [("", None), (prefix + shown, _truth("telegram", name))]
    if roll < 0.45:
        code = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(16))
        prefix = rng.choice(["https://t.me/+", "t.me/joinchat/"])
        return [("Group: ", None), (prefix + code, _truth("telegram", f"invite/{code}"))]
    words = [
        "Telegram: ",
        "Telegram ",
        "TG: ",
        "tg ",
        "电报：",
        "飞机：",
        "纸飞机 ",
        "liên hệ Telegram ",
        "เทเลแกรม ",
    ]
    word = rng.choice(words)
    if rng.random() < 0.25 and word.strip().endswith((":", "：")):
        return [(word, None), (shown, _truth("telegram", name))]
    if rng.random() < 0.15:
        return [("", None), ("@" + shown, _truth("telegram", name)), (" (Telegram)", None)]
    return [(word, None), ("@" + shown, _truth("telegram", name))]


def gen_whatsapp(rng: random.Random, lang: str) -> list[Part]:
    roll = rng.random()
    if roll < 0.35:
        number = valid_number(rng, rng.choice(INTL_REGIONS))
        digits = e164(number)[1:]
        form = rng.choice(
            [
                "wa.me/{d}",
                "https://wa.me/{d}",
                "https://wa.me/{d}?text=Hello",
                "https://api.whatsapp.com/send?phone={d}",
                "api.whatsapp.com/send?phone={d}&text=hi",
            ]
        )
        return [("", None), (form.format(d=digits), _truth("whatsapp", e164(number)))]
    if roll < 0.42:
        code = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
        return [
            ("Group: ", None),
            ("https://chat.whatsapp.com/" + code, _truth("whatsapp", f"invite/{code}")),
        ]
    word = rng.choice(
        [
            "WhatsApp: ",
            "Whatsapp ",
            "WA: ",
            "WA ",
            "WS：",
            "whatsapp号：",
            "WhatsApp number ",
            "วอทส์แอพ ",
        ]
    )
    parts, _ = phone_parts(rng, lang, "whatsapp")
    return [(word, None), *parts] if len(parts) == 1 else [*parts[:-1], (word, None), parts[-1]]


def gen_line(rng: random.Random, lang: str) -> list[Part]:
    ident = _name(rng, 4, 14).lower().replace("_", rng.choice(["_", ".", "-"]))
    roll = rng.random()
    if roll < 0.3:
        form = rng.choice(
            ["line.me/ti/p/~{i}", "https://line.me/R/ti/p/~{i}", "http://line.me/ti/p/~{i}"]
        )
        return [("", None), (form.format(i=ident), _truth("line", ident))]
    word = rng.choice(
        ["Line ID: ", "LINE ID ", "ID Line: ", "ไลน์ไอดี: ", "ไลน์: ", "Line: ", "LINE: @", "ไอดีไลน์ "]
    )
    if word.endswith("@"):
        return [(word[:-1], None), ("@" + ident, _truth("line", ident))]
    return [(word, None), (ident, _truth("line", ident))]


def gen_wechat(rng: random.Random, lang: str) -> list[Part]:
    word = rng.choice(
        [
            "微信：",
            "微信号：",
            "WeChat: ",
            "wechat ID: ",
            "VX：",
            "V信 ",
            "薇信：",
            "威信 ",
            "wx: ",
            "加微信 ",
        ]
    )
    if rng.random() < 0.2:
        number = valid_number(rng, "CN")
        raw = write_phone(rng, number, national=rng.random() < 0.6)
        return [(word, None), (raw, _truth("wechat", e164(number)))]
    ident = rng.choice(string.ascii_letters) + _name(rng, 5, 15).replace(".", "_")
    ident = ident[:20]
    return [(word, None), (ident, _truth("wechat", ident.lower()))]


def gen_qq(rng: random.Random, lang: str) -> list[Part]:
    num = str(rng.randint(10_000, 99_999_999_999))
    if rng.random() < 0.25:
        return [
            (rng.choice(["Q群：", "QQ群 ", "qq群："]), None),
            (num, _truth("qq", f"group:{num}")),
        ]
    return [(rng.choice(["QQ: ", "QQ号：", "qq ", "QQ："]), None), (num, _truth("qq", num))]


def gen_signal(rng: random.Random, lang: str) -> list[Part]:
    number = valid_number(rng, rng.choice(INTL_REGIONS))
    if rng.random() < 0.5:
        return [
            ("", None),
            ("https://signal.me/#p/" + e164(number), _truth("signal", e164(number))),
        ]
    return [
        (rng.choice(["Signal: ", "signal "]), None),
        (write_phone(rng, number, national=False), _truth("signal", e164(number))),
    ]


def gen_skype(rng: random.Random, lang: str) -> list[Part]:
    if rng.random() < 0.5:
        ident = "live:." + "cid." + "".join(rng.choice("0123456789abcdef") for _ in range(16))
    else:
        ident = _name(rng, 6, 20).replace("_", ".")
        if not ident[0].isalpha():
            ident = "hr" + ident
    return [
        (rng.choice(["Skype: ", "skype: ", "Skype ID: "]), None),
        (ident, _truth("skype", ident.lower())),
    ]


def gen_zalo(rng: random.Random, lang: str) -> list[Part]:
    number = valid_number(rng, "VN")
    if rng.random() < 0.3:
        nat = "0" + str(number.national_number)
        return [("", None), ("zalo.me/" + nat, _truth("zalo", e164(number)))]
    raw = write_phone(rng, number, national=rng.random() < 0.8)
    return [
        (rng.choice(["Zalo: ", "Zalo ", "zalo ", "add Zalo em nhé "]), None),
        (raw, _truth("zalo", e164(number))),
    ]


# -- crypto, IBAN, bank ----------------------------------------------------------------------


def _b58check(payload: bytes) -> str:
    return base58.b58encode_check(payload).decode()


def _segwit(rng: random.Random, version: int) -> str:
    program = rng.randbytes(20 if version == 0 and rng.random() < 0.7 else 32)
    data = [version, *(convertbits(list(program), 8, 5) or [])]
    const = 1 if version == 0 else 0x2BC830A3
    poly = bech32_polymod(bech32_hrp_expand("bc") + data + [0] * 6) ^ const
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(CHARSET[d] for d in data + checksum)


def crypto_address(rng: random.Random) -> tuple[str, str, bool]:
    """``(address as written, chain, validated)``."""
    roll = rng.random()
    if roll < 0.3:
        return _b58check(bytes([0x41]) + rng.randbytes(20)), "tron", True
    if roll < 0.55:
        addr = "0x" + rng.randbytes(20).hex()
        if rng.random() < 0.7:
            return eip55(addr), "eth", True
        return addr, "eth", False
    if roll < 0.7:
        return _b58check(bytes([rng.choice([0x00, 0x05])]) + rng.randbytes(20)), "btc", True
    return _segwit(rng, rng.choice([0, 0, 1])), "btc", True


def gen_crypto(rng: random.Random, lang: str) -> list[Part]:
    addr, chain, _validated = crypto_address(rng)
    usdt = chain != "btc" and rng.random() < 0.6
    if usdt:
        word = rng.choice(
            [
                "USDT (TRC20): " if chain == "tron" else "USDT ERC20: ",
                "泰达币地址：",
                "Ví USDT: ",
                "U币充值地址 ",
                "Deposit Tether to ",
            ]
        )
    else:
        word = {"tron": "TRX: ", "eth": "ETH wallet: ", "btc": "BTC: "}[chain]
    value = addr.lower() if chain == "btc" and addr.startswith("bc1") else addr
    if chain == "eth":
        value = eip55(addr)
    network = ("trc20" if chain == "tron" else "erc20") if usdt else None
    return [(word, None), (addr, _truth("crypto", value, chain=chain, network=network))]


def gen_iban(rng: random.Random, lang: str) -> list[Part]:
    iban = IBAN.random(
        country_code=rng.choice(["DE", "FR", "GB", "ES", "IT", "NL", "AE", "SA", "TR", "PL", "CH"]),
        random=rng,
    )
    raw = iban.formatted if rng.random() < 0.6 else str(iban.compact)
    return [
        (rng.choice(["IBAN: ", "IBAN ", "Bank transfer to ", ""]), None),
        (raw, _truth("iban", str(iban.compact), country=iban.country_code)),
    ]


BANKS = {
    "vi": ["Vietcombank", "Techcombank", "BIDV", "Agribank", "MB Bank"],
    "zh": ["工商银行", "中国银行", "建设银行", "招商银行"],
    "th": ["ธนาคารกสิกรไทย", "ธนาคารไทยพาณิชย์", "ธนาคารกรุงเทพ"],
    "id": ["BCA", "BRI", "Mandiri", "BNI"],
    "en": ["Maybank", "ABA Bank", "ACLEDA", "BDO"],
    "fr": ["ABA Bank", "HSBC"],
}
BANK_FORMS = {
    "vi": ["STK: {n} - Ngân hàng {b}", "Số tài khoản {b}: {n}", "{b} STK {n}"],
    "zh": ["{b}账号：{n}", "收款账号 {n}（{b}）", "银行卡号：{n} {b}"],
    "th": ["เลขบัญชี {n} {b}", "{b} เลขที่บัญชี {n}"],
    "id": ["No. Rek {b}: {n}", "rekening {b} {n}", "Nomor rekening: {n} ({b})"],
    "en": ["Account number: {n} ({b})", "Bank: {b}, A/C no. {n}", "{b} account no. {n}"],
    "fr": ["Numéro de compte : {n} ({b})", "{b} compte {n}"],
}


def gen_bank(rng: random.Random, lang: str) -> list[Part]:
    digits = str(rng.randint(1, 9)) + "".join(
        rng.choice(string.digits) for _ in range(rng.randint(8, 15))
    )
    style = rng.random()
    if style < 0.2:
        raw = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    elif style < 0.3:
        raw = f"{digits[:3]}-{digits[3]}-{digits[4:9]}-{digits[9:]}" if len(digits) > 10 else digits
    else:
        raw = digits
    form = rng.choice(BANK_FORMS[lang])
    before, after = form.split("{n}")
    bank = rng.choice(BANKS[lang])
    return [
        (before.format(b=bank), None),
        (raw, _truth("bank_account", digits)),
        (after.format(b=bank), None),
    ]


# -- distractors -----------------------------------------------------------------------------


def gen_distractor(rng: random.Random, lang: str) -> list[Part]:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)
    pick = rng.randrange(17)
    if pick == 0:
        return [
            (
                rng.choice(
                    [
                        f"Ngày {d:02d}/{m:02d}/{y}",
                        f"{y}-{m:02d}-{d:02d}",
                        f"{d:02d}.{m:02d}.{y}",
                        f"{y}年{m}月{d}日",
                        f"{d}/{m}/{y} 10:30",
                    ]
                ),
                None,
            )
        ]
    if pick == 1:
        amount = rng.randint(5, 80) * 500_000
        return [
            (
                rng.choice(
                    [
                        f"{amount:,} VND".replace(",", "."),
                        f"{amount:,} đ".replace(",", " "),
                        f"${amount // 1000:,}",
                        f"Rp {amount:,}".replace(",", "."),
                        f"{amount // 100} RMB",
                        f"฿{amount // 200:,}",
                        f"lương {rng.randint(8, 15)}-{rng.randint(16, 30)} triệu",
                    ]
                ),
                None,
            )
        ]
    if pick == 2:
        return [
            (
                rng.choice(
                    [
                        f"Order #{y}{m:02d}{d:02d}{rng.randint(100, 999)}",
                        f"Mã đơn hàng: DH{rng.randint(10**7, 10**8)}",
                        f"订单号：{y}{m:02d}{d:02d}{rng.randint(1000, 9999)}",
                        f"Ref: {rng.randint(10**7, 10**9)}",
                        f"No. pesanan {rng.randint(10**8, 10**10)}",
                    ]
                ),
                None,
            )
        ]
    if pick == 3:
        return [
            (
                rng.choice(
                    [
                        "CV_NguyenVanA.pdf",
                        "report.docx",
                        "hop_dong.pdf",
                        "photo.jpg",
                        "setup.exe",
                        "main.py",
                        "archive.zip",
                        "README.md",
                        "video.mov",
                        "run.sh",
                    ]
                ),
                None,
            )
        ]
    if pick == 4:
        return [
            (
                rng.choice(
                    [
                        f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
                        f"version {rng.randint(1, 12)}.{rng.randint(0, 9)}.2.1",
                        "iOS 17.4",
                        "e.g. this",
                        "i.e. that",
                        "U.S. office",
                    ]
                ),
                None,
            )
        ]
    if pick == 5:
        return [
            (
                "@@MENTION@@"
                + rng.choice(["everyone", "linh_nguyen", "admin_team", "HR_Dept", "channel"]),
                None,
            )
        ]
    if pick == 6:
        return [("tx 0x" + rng.randbytes(32).hex(), None)]
    if pick == 7:  # checksum-corrupted address
        addr, chain, _ = crypto_address(rng)
        if chain == "eth":
            body = eip55(addr)
            idx = next(i for i, ch in enumerate(body[2:], 2) if ch.isalpha())
            bad = body[:idx] + body[idx].swapcase() + body[idx + 1 :]
        else:
            pos = rng.randrange(5, len(addr) - 1)
            alphabet = (
                CHARSET
                if addr.startswith("bc1")
                else "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
            )
            bad = addr[:pos] + rng.choice([c for c in alphabet if c != addr[pos]]) + addr[pos + 1 :]
        return [("wallet " + bad, None)]
    if pick == 8:  # corrupted IBAN (check digits off by one)
        iban = str(IBAN.random(country_code="DE", random=rng).compact)
        check = (int(iban[2:4]) % 97) + 1
        return [(f"IBAN {iban[:2]}{check:02d}{iban[4:]}", None)]
    if pick == 9:
        return [
            (
                rng.choice(
                    [
                        f"{rng.randint(8, 11)}:{rng.randint(10, 59)}-{rng.randint(17, 22)}:00",
                        f"{rng.randint(50, 99)}%",
                        f"{rng.randint(2015, 2020)}-{rng.randint(2021, 2025)}",
                        f"mã OTP {rng.randint(100000, 999999)}",
                        f"Phòng {rng.randint(100, 2000)}",
                    ]
                ),
                None,
            )
        ]
    if pick == 10:
        return [
            (
                rng.choice(
                    [
                        "user@localhost",
                        "name@company",
                        "Mr.Smith",
                        "file.txt",
                        "a.m.",
                        "done.Now",
                        "wait...what",
                    ]
                ),
                None,
            )
        ]
    if pick == 11:
        return [(f"GPS {rng.uniform(10, 13):.6f}, {rng.uniform(102, 106):.6f}", None)]
    if pick == 12:
        return [(f"Tel: {rng.randint(100, 99999)}", None)]  # too short to be a number
    if pick == 13:
        return [(f"ID {rng.randint(10**11, 10**12)}", None)]  # an identity card number
    if pick == 14:
        return [(f"{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)} USD", None)]
    if pick == 15:
        return [
            (
                f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(100, 999)}-"
                f"{rng.randint(10000, 99999)}-{rng.randint(0, 9)}",
                None,
            )
        ]
    return [
        (
            f"Call me at {rng.randint(7, 11)} pm, room {rng.randint(1, 40)}.{rng.randint(10, 99)}",
            None,
        )
    ]


GENERATORS: dict[str, Callable[[random.Random, str], list[Part]]] = {
    "phone": gen_phone,
    "email": gen_email,
    "url": gen_url,
    "domain": gen_domain,
    "telegram": gen_telegram,
    "whatsapp": gen_whatsapp,
    "line": gen_line,
    "wechat": gen_wechat,
    "qq": gen_qq,
    "signal": gen_signal,
    "skype": gen_skype,
    "zalo": gen_zalo,
    "crypto": gen_crypto,
    "iban": gen_iban,
    "bank_account": gen_bank,
}
WEIGHTS = {
    "phone": 6,
    "email": 4,
    "url": 4,
    "domain": 2,
    "telegram": 4,
    "whatsapp": 4,
    "line": 2,
    "wechat": 2,
    "qq": 2,
    "signal": 1,
    "skype": 1,
    "zalo": 2,
    "crypto": 4,
    "iban": 2,
    "bank_account": 2,
}
TG_WORDS = ("telegram", "tg", "电报", "飞机", "電報", "飛機", "เทเลแกรม")


def _join(rng: random.Random, left: str, right: str, lang: str) -> str:
    if not left or not right:
        return ""

    def glue(ch: str) -> bool:  # CJK/Thai letters; never digits, full-width or not
        return not ch.isascii() and not ch.isdigit()

    if lang in ("zh", "th") and (glue(left[-1]) or glue(right[0])):
        return rng.choice(["", " ", "\n"])
    return rng.choice([" ", " ", "\n", ". ", ", ", " - ", "; "])


def make_doc(rng: random.Random, index: int) -> dict[str, Any]:
    lang = rng.choice(LANGS)
    target = int(rng.triangular(200, 1500, 900))
    blocks: list[list[Part]] = []
    kinds = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=rng.randint(1, 6))
    blocks += [GENERATORS[k](rng, lang) for k in kinds]
    blocks += [gen_distractor(rng, lang) for _ in range(rng.randint(1, 4))]
    rng.shuffle(blocks)
    fillers = FILLER[lang]
    out: list[str] = []
    truths: list[dict[str, Any]] = []
    size = 0

    def emit(parts: list[Part]) -> None:
        nonlocal size
        first = next((t for t, _ in parts if t), "")
        sep = _join(rng, "".join(out[-3:]), first, lang)
        out.append(sep)
        size += len(sep)
        for text, truth in parts:
            if not text:
                continue
            if truth is not None:
                truths.append({**truth, "start": size, "end": size + len(text), "raw": text})
            out.append(text)
            size += len(text)

    for block in blocks:
        if block[0][0].startswith("@@MENTION@@"):
            # A human could not tell whether a handle next to "Telegram" is a Telegram
            # account: keep @mention distractors 80 characters away from Telegram words.
            while _near_tg("".join(out)[-80:]):
                emit([(rng.choice(fillers), None)])
            emit([("@" + block[0][0][len("@@MENTION@@") :], None)])
            pad = size + 80
            while size < pad:
                emit([(rng.choice(fillers), None)])
            continue
        if rng.random() < 0.6:
            emit([(rng.choice(fillers), None)])
        emit(block)
    while size < target:
        emit([(rng.choice(fillers), None)])
    return {"id": f"doc-{index:05d}", "language": lang, "text": "".join(out), "selectors": truths}


def _near_tg(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in TG_WORDS)


def generate(docs: int, seed: int) -> Iterator[dict[str, Any]]:
    """``docs`` documents, identical for identical ``(docs, seed)``."""
    rng = random.Random(seed)
    for index in range(docs):
        doc = make_doc(rng, index)
        for truth in doc["selectors"]:
            assert doc["text"][truth["start"] : truth["end"]] == truth["raw"]
        yield doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/corpus.jsonl"))
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    digest = sha256()
    with args.out.open("w", encoding="utf-8") as fh:
        for doc in generate(args.docs, args.seed):
            line = json.dumps(doc, ensure_ascii=False)
            digest.update(line.encode())
            fh.write(line + "\n")
    print(f"wrote {args.docs} documents to {args.out} (sha256 {digest.hexdigest()[:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
