"""E-mail addresses, URLs and bare domains."""

from __future__ import annotations

import socket

import pytest
from selector_helpers import found, values

from tocsin.model.selector import SelectorType
from tocsin.selectors import extract

E, U, D = SelectorType.EMAIL, SelectorType.URL, SelectorType.DOMAIN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email: HR.Team@Mail.com, thanks", "hr.team@mail.com"),
        ("gửi CV về tuyen.dung [at] gmail dot com nhé", "tuyen.dung@gmail.com"),
        ("contact hr(at)job.vn.", "hr@job.vn"),
        ("mail: hr {at} company [dot] co [dot] th", "hr@company.co.th"),
        ("write to tuyen.dung @ yahoo . com today", "tuyen.dung@yahoo.com"),
        ("send it to john at gmail dot com please", "john@gmail.com"),
        ("联系邮箱：abc123@qq.com谢谢", "abc123@qq.com"),
        ("全角 a＠b.co.th 也可以", "a@b.co.th"),
    ],
)
def test_email_forms(text: str, expected: str) -> None:
    assert values(text, E) == [expected]


def test_email_domain_is_registrable() -> None:
    (sel,) = [s for s in extract("hr@jobs.example.co.uk") if s.type == E]
    assert sel.domain == "example.co.uk"


@pytest.mark.parametrize(
    "text",
    ["meet at home today", "I am @ home. It is late", "user@localhost", "name@company", "@@"],
)
def test_not_emails(text: str) -> None:
    assert values(text, E) == []


@pytest.mark.parametrize(
    ("text", "value", "raw"),
    [
        (
            "Apply: https://Jobs.Example.COM/apply?id=3).",
            "https://jobs.example.com/apply?id=3",
            "https://Jobs.Example.COM/apply?id=3",
        ),
        ("xem tại www.luckyjob.top, nhanh", "http://www.luckyjob.top", "www.luckyjob.top"),
        ("(see http://x.com/a_(b))", "http://x.com/a_(b)", "http://x.com/a_(b)"),
        ("详情：https://abc.xyz/job职位介绍", "https://abc.xyz/job", "https://abc.xyz/job"),
        (
            "site tokopedia.co.id/lowongan; ok",
            "http://tokopedia.co.id/lowongan",
            "tokopedia.co.id/lowongan",
        ),
        ("defanged hxxps://evil.top/x", "https://evil.top/x", "hxxps://evil.top/x"),
    ],
)
def test_url_forms(text: str, value: str, raw: str) -> None:
    assert found(text, U) == [("url", value, raw)]


def test_url_domain_attribute() -> None:
    (sel,) = extract("https://a.b.luckyjob.co.uk/x")
    assert sel.domain == "luckyjob.co.uk"


def test_bare_domains() -> None:
    assert values("website luckyjob.vip or LuckyJob.TOP.", D) == ["luckyjob.vip", "luckyjob.top"]


@pytest.mark.parametrize(
    "text",
    [
        "report.pdf",
        "main.py and run.sh",
        "archive.zip",
        "e.g. this",
        "i.e. that",
        "v1.2.3",
        "done.Now we go",
        "wait...what",
        "Mr.Smith",
        "README.md",
        "3.14",
    ],
)
def test_not_domains(text: str) -> None:
    assert [s for s in extract(text) if s.type in (U, D)] == []


def test_suffix_list_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    from tocsin.selectors import url

    url.registrable_domain.cache_clear()
    assert url.registrable_domain("never-seen-before.example.com.vn") == "example.com.vn"
