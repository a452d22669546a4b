"""Selector identity: what links two documents."""

from __future__ import annotations

from tocsin.model import Selector, SelectorType


def test_a_whatsapp_number_links_as_that_phone_too() -> None:
    wa = Selector(SelectorType.WHATSAPP, "+66817429936", 0, 10, "wa.me/66817429936")
    assert wa.link_keys == ("whatsapp:+66817429936", "phone:+66817429936")
    handle = Selector(SelectorType.TELEGRAM, "hr_desk", 0, 8, "@hr_desk")
    assert handle.link_keys == ("telegram:hr_desk",)
    phone = Selector(SelectorType.PHONE, "+66817429936", 0, 12, "081 742 9936")
    assert phone.link_keys == ("phone:+66817429936",)
