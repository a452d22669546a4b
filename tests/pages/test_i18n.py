"""The page catalogs: complete in every language, formatting, language negotiation."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from tocsin.detect.derived import DERIVED
from tocsin.detect.rules import load_packs
from tocsin.web.i18n import LANGUAGES, catalog, indicator_title, negotiate

_FIELD = re.compile(r"\{(\w+)\}")


def _raw(lang: str) -> dict[str, str]:
    data = json.loads(files("tocsin.web.i18n").joinpath(f"{lang}.json").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_has_the_english_keys_and_placeholders(lang: str) -> None:
    english, other = _raw("en"), _raw(lang)
    assert set(other) == set(english), set(other) ^ set(english)
    for key, text in english.items():
        assert set(_FIELD.findall(other[key])) == set(_FIELD.findall(text)), (lang, key)
        assert other[key].strip(), (lang, key)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_catalogs_are_translated_not_copied(lang: str) -> None:
    english, other = _raw("en"), _raw(lang)
    same = [k for k in english if english[k] == other[k] and k != "site_name"]
    assert len(same) <= 3, same


def test_format_and_fallback() -> None:
    assert catalog("en")("risk_score", risk=72) == "Risk 72 out of 100"
    assert catalog("vi")("risk_score", risk=72) == "Mức rủi ro 72/100"
    assert catalog("xx").lang == "en"
    assert catalog("fr")("no such key") == "no such key"


def test_every_bundled_indicator_has_a_title_in_every_language() -> None:
    ids = [i.id for i in load_packs().indicators] + [d.id for d in DERIVED]
    for lang in LANGUAGES:
        for indicator in ids:
            title = indicator_title(indicator, lang, "ENGLISH")
            assert title != "ENGLISH" or lang == "en", (lang, indicator)


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("vi", None, "fr-FR,fr;q=0.9", "vi"),
        (None, "th", "fr", "th"),
        ("xx", None, "zh-TW,zh;q=0.8,en;q=0.5", "zh"),
        (None, None, "de-DE,de;q=0.9,id;q=0.5,en;q=0.4", "id"),
        (None, None, "ms-MY", "id"),
        (None, None, "de;q=1, en;q=0", "en"),
        (None, None, "fr;q=0.2, vi;q=0.9", "vi"),
        (None, None, None, "en"),
        (None, None, "en;q=bad, fr", "fr"),
    ],
)
def test_negotiate(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, header) == expected
