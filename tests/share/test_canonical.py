"""A partner's spelling of a selector becomes the store's canonical key, or is refused."""

from __future__ import annotations

import pytest

from tocsin.model import SelectorType
from tocsin.share.canonical import canonical_selector, selector_from_key

T = SelectorType


@pytest.mark.parametrize(
    ("sel_type", "raw", "key"),
    [
        (T.PHONE, "+855 12 345 678", "phone:+85512345678"),
        (T.PHONE, "0085512345678", "phone:+85512345678"),
        (T.PHONE, "85512345678", "phone:+85512345678"),  # MISP often drops the plus
        (T.PHONE, "tel:+855-12-345-678", "phone:+85512345678"),
        (T.TELEGRAM, "@HR_Desk", "telegram:hr_desk"),
        (T.TELEGRAM, "HR_Desk", "telegram:hr_desk"),
        (T.TELEGRAM, "https://t.me/HR_desk", "telegram:hr_desk"),
        (T.URL, "https://t.me/hr_desk", "telegram:hr_desk"),  # a messaging link is the account
        (T.WHATSAPP, "+855 12 345 678", "whatsapp:+85512345678"),
        (T.WHATSAPP, "invite/AbCdEf12", "whatsapp:invite/AbCdEf12"),
        (T.ZALO, "0912345678", "zalo:+84912345678"),  # national Zalo numbers are Vietnamese
        (T.WECHAT, "Abc_123", "wechat:abc_123"),
        (T.QQ, "12345678", "qq:12345678"),
        (T.SKYPE, "live:abc", "skype:live:abc"),
        (T.EMAIL, "mailto:HR@Example.COM", "email:hr@example.com"),
        (T.DOMAIN, "LuckyJob.TOP", "domain:luckyjob.top"),
        (T.URL, "https://LuckyJob.top/apply?x=1", "url:https://luckyjob.top/apply?x=1"),
        (
            T.CRYPTO,
            "0x52908400098527886e0f7030069857d2e4169ee7",  # all lower case: no checksum
            "crypto:0x52908400098527886E0F7030069857D2E4169EE7",
        ),
        (
            T.CRYPTO,
            "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
            "crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
        ),
        (T.IBAN, "gb82 west 1234 5698 7654 32", "iban:GB82WEST12345698765432"),
        (T.BANK_ACCOUNT, "0012-3456-78", "bank_account:0012345678"),
    ],
)
def test_partner_spellings_become_store_keys(sel_type: SelectorType, raw: str, key: str) -> None:
    found = canonical_selector(sel_type, raw)
    assert found is not None and found.key == key


@pytest.mark.parametrize(
    ("sel_type", "raw"),
    [
        (T.PHONE, "12"),
        (T.PHONE, "012345678"),  # national number, no country given: ambiguous
        (T.TELEGRAM, "x"),
        (T.TELEGRAM, "two words"),
        (T.EMAIL, "x@y"),
        (T.DOMAIN, "not a domain"),
        (T.CRYPTO, "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMX"),  # checksum fails
        (T.IBAN, "GB00 WEST 1234 5698 7654 32"),  # mod-97 fails
        (T.URL, "javascript:alert(1)"),
        (T.TELEGRAM, "a" * 1000),
        (T.EMAIL, "a@b.com\nBcc: x@y.com"),
    ],
)
def test_values_the_extractors_reject_are_refused(sel_type: SelectorType, raw: str) -> None:
    assert canonical_selector(sel_type, raw) is None


def test_token_named_by_the_partner_is_kept() -> None:
    sel = canonical_selector(T.CRYPTO, "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", token="USDT")
    assert sel is not None and (sel.chain, sel.token, sel.network) == ("tron", "usdt", "trc20")


def test_national_number_with_country() -> None:
    sel = canonical_selector(T.PHONE, "012 345 678", country="KH")
    assert sel is not None and sel.key == "phone:+85512345678" and sel.country == "KH"


def test_selector_from_key() -> None:
    sel = selector_from_key("skype:live:abc")
    assert sel is not None and (sel.type, sel.value) == (T.SKYPE, "live:abc")
    assert selector_from_key("nope:x") is None and selector_from_key("plain") is None
