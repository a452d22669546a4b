"""Page text in the languages of the public check page: catalogs, choice of language.

Each language has one JSON catalog beside this module (``en.json``, ``fr.json``, ...) with the
same keys; a test fails when a key is missing in one of them. Messages are ``str.format``
templates (``"Risk {risk} out of 100"``). ``indicators.json`` holds the titles of the bundled
indicators in the languages other than English (English titles come from the packs).

The language of a request is, in order: ``?lang=``, the ``tocsin_lang`` cookie set by the
language switcher, the ``Accept-Language`` header, English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Catalog",
    "catalog",
    "indicator_title",
    "negotiate",
]

#: Page languages, in the order the switcher lists them.
LANGUAGES: Final = ("en", "fr", "zh", "vi", "th", "id")
DEFAULT_LANGUAGE: Final = "en"

#: Language tags browsers send that mean one of ours (Malay readers read Indonesian well).
_ALIASES: Final = {"in": "id", "ms": "id", "zh-hans": "zh", "zh-hant": "zh"}


def _load(name: str) -> dict[str, object]:
    data = json.loads(files("tocsin.web.i18n").joinpath(name).read_text("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{name} is not a JSON object")
    return data


@dataclass(frozen=True, slots=True)
class Catalog:
    """The messages of one language; calling it formats a message."""

    lang: str
    messages: dict[str, str]
    fallback: dict[str, str]

    def __call__(self, key: str, /, **values: object) -> str:
        template = self.messages.get(key)
        if template is None:
            template = self.fallback.get(key, key)
        return template.format(**values) if values else template

    @property
    def name(self) -> str:
        return self.messages.get("lang_name", self.lang)


@cache
def catalog(lang: str) -> Catalog:
    """The catalog of ``lang`` (English for an unknown language)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    english = {k: str(v) for k, v in _load(f"{DEFAULT_LANGUAGE}.json").items()}
    messages = english if lang == DEFAULT_LANGUAGE else _strings(_load(f"{lang}.json"))
    return Catalog(lang, messages, english)


def _strings(data: dict[str, object]) -> dict[str, str]:
    return {k: str(v) for k, v in data.items()}


@cache
def _indicator_titles() -> dict[str, dict[str, str]]:
    return {
        key: {lang: str(title) for lang, title in value.items()}
        for key, value in _load("indicators.json").items()
        if isinstance(value, dict)
    }


def indicator_title(indicator: str, lang: str, english: str) -> str:
    """The title of an indicator in ``lang``; ``english`` (the pack's title) otherwise."""
    if lang == DEFAULT_LANGUAGE:
        return english
    return _indicator_titles().get(indicator, {}).get(lang, english)


def _match(tag: str) -> str | None:
    tag = tag.strip().lower().replace("_", "-")
    if not tag:
        return None
    if tag in _ALIASES:
        return _ALIASES[tag]
    if tag in LANGUAGES:
        return tag
    primary = tag.split("-", 1)[0]
    if primary in LANGUAGES:
        return primary
    return _ALIASES.get(primary)


def negotiate(
    query: str | None = None, cookie: str | None = None, accept_language: str | None = None
) -> str:
    """The page language for a request (see the module docstring)."""
    for explicit in (query, cookie):
        if explicit:
            found = _match(explicit)
            if found is not None:
                return found
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, params = part.partition(";")
            quality = 1.0
            params = params.strip()
            if params.startswith("q="):
                try:
                    quality = float(params[2:])
                except ValueError:
                    quality = 0.0
            found = _match(tag)
            if found is not None and quality > 0:
                ranked.append((-quality, position, found))
        if ranked:
            return min(ranked)[2]
    return DEFAULT_LANGUAGE
