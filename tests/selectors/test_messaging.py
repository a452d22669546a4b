"""Messaging accounts: links, keyed mentions and Telegram handles in context."""

from __future__ import annotations

import pytest
from selector_helpers import found

from tocsin.model.selector import SelectorType
from tocsin.selectors import extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Telegram: t.me/HR_Linda88", ("telegram", "hr_linda88", "t.me/HR_Linda88")),
        (
            "https://telegram.me/s/jobchannel",
            ("telegram", "jobchannel", "https://telegram.me/s/jobchannel"),
        ),
        (
            "join https://t.me/+AbCdEf12345",
            ("telegram", "invite/AbCdEf12345", "https://t.me/+AbCdEf12345"),
        ),
        (
            "t.me/joinchat/AbCdEf12345.",
            ("telegram", "invite/AbCdEf12345", "t.me/joinchat/AbCdEf12345"),
        ),
        ("Telegram @hr_manager88", ("telegram", "hr_manager88", "@hr_manager88")),
        ("电报：@Job_CSKH", ("telegram", "job_cskh", "@Job_CSKH")),
        ("纸飞机 @asia_job_vip 联系", ("telegram", "asia_job_vip", "@asia_job_vip")),
        ("TG: job_cskh", ("telegram", "job_cskh", "job_cskh")),
        ("@recruit_team (Telegram)", ("telegram", "recruit_team", "@recruit_team")),
        ("wa.me/84912345678?text=hi", ("whatsapp", "+84912345678", "wa.me/84912345678?text=hi")),
        (
            "https://api.whatsapp.com/send?phone=855969123456",
            ("whatsapp", "+855969123456", "https://api.whatsapp.com/send?phone=855969123456"),
        ),
        (
            "chat.whatsapp.com/AbCdEfGhIj123",
            ("whatsapp", "invite/AbCdEfGhIj123", "chat.whatsapp.com/AbCdEfGhIj123"),
        ),
        ("WhatsApp: +855 12 345 678", ("whatsapp", "+85512345678", "+855 12 345 678")),
        ("WS：+86 138 1234 5678", ("whatsapp", "+8613812345678", "+86 138 1234 5678")),
        ("whatsapp号：+66 81 234 5678", ("whatsapp", "+66812345678", "+66 81 234 5678")),
        ("WhatsApp me at +84 912 345 678", ("whatsapp", "+84912345678", "+84 912 345 678")),
        ("line.me/R/ti/p/~okjob", ("line", "okjob", "line.me/R/ti/p/~okjob")),
        ("Line ID: thai.job", ("line", "thai.job", "thai.job")),
        ("ไลน์ไอดี: abc123", ("line", "abc123", "abc123")),
        ("LINE: @JobTH", ("line", "jobth", "@JobTH")),
        ("微信号：abc_12345", ("wechat", "abc_12345", "abc_12345")),
        ("VX: Kefu_888", ("wechat", "kefu_888", "Kefu_888")),
        ("加薇信 hr_asia01 详聊", ("wechat", "hr_asia01", "hr_asia01")),
        ("QQ: 12345678", ("qq", "12345678", "12345678")),
        ("Q群：987654321", ("qq", "group:987654321", "987654321")),
        ("signal.me/#p/+66812345678", ("signal", "+66812345678", "signal.me/#p/+66812345678")),
        ("Signal: +44 7911 123456", ("signal", "+447911123456", "+44 7911 123456")),
        (
            "Skype: live:.cid.123abc456def",
            ("skype", "live:.cid.123abc456def", "live:.cid.123abc456def"),
        ),
        ("skype: hr.manager.", ("skype", "hr.manager", "hr.manager")),
        ("Zalo: 0912 345 678", ("zalo", "+84912345678", "0912 345 678")),
        ("add Zalo em nhé 0912345678", ("zalo", "+84912345678", "0912345678")),
        ("zalo.me/0987654321", ("zalo", "+84987654321", "zalo.me/0987654321")),
    ],
)
def test_forms(text: str, expected: tuple[str, str, str]) -> None:
    assert found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "thanks @linh_nguyen for the photos",
        "cc @admin_team please",
        "on Telegram today we post jobs",
        "Line 2: pick up the box",
        "we want people who can type",
    ],
)
def test_no_account(text: str) -> None:
    assert [s for s in extract(text) if s.type.value != "domain"] == []


def test_zalo_number_stays_vietnamese_in_thai_text() -> None:
    assert found("Zalo 0912345678", language="th") == [("zalo", "+84912345678", "0912345678")]


def test_link_is_one_messaging_selector_not_a_url() -> None:
    sels = extract("Nhắn https://wa.me/84912345678 ngay")
    assert [s.type for s in sels] == [SelectorType.WHATSAPP]


def test_nearest_keyword_wins() -> None:
    assert found("Telegram/WhatsApp: +84 912 345 678") == [
        ("whatsapp", "+84912345678", "+84 912 345 678")
    ]
