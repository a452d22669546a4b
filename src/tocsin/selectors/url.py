"""URLs and bare domains.

Forms recognised:

- URLs with a scheme (``http``, ``https``, ``ftp`` and the defanged ``hxxp(s)``), with
  ``www.`` and no scheme, or a bare host followed by a path or port (``site.top/apply``).
  The value is normalised: scheme and host lower-cased, a missing scheme written as
  ``http://`` (what a browser assumes when asked for a host), path/query/fragment kept
  as written, trailing sentence punctuation (``.,;:!?`` and a closing bracket or quote
  with no opening partner inside the URL) removed.
- Bare domains (``luckyjob.top``): only when the last label is a public suffix of the
  bundled Public Suffix List snapshot, which rules out "e.g", "i.e" and version numbers.
  File names are rejected too: a suffix that is also a common file extension (``.py``,
  ``.sh``, ``.zip``, ``.mov``, ``.md``…) after a single name is accepted only with a path
  or a scheme (so ``praca.pl`` alone is missed: a known limit), and a
  capitalised last label ("done.Now", "job.It") is read as a missing space after a full
  stop. The value is the lower-cased host.

``domain`` is the registrable domain (``jobs.luckyjob.co.uk`` → ``luckyjob.co.uk``) from
``tldextract`` with its bundled suffix snapshot; it is created with no suffix-list URLs and
no cache directory, so it never touches the network or the disk.

A URL stops at whitespace and at the first non-ASCII character (CJK and Thai text is
routinely written straight after a link); internationalised hosts are therefore not
recognised unless written in punycode.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context

__all__ = ["extract", "registrable_domain", "trim_url"]

_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{1,23}}"
_URL_CHARS = r"[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]"
_SCHEME_URL = re.compile(
    rf"(?<![A-Za-z0-9])(?P<scheme>https?|hxxps?|ftp)(?P<sep>://|\[://\])(?P<rest>{_URL_CHARS}+)",
    re.IGNORECASE,
)
_HOST_URL = re.compile(
    rf"(?<![A-Za-z0-9@._%+\-/])(?P<host>{_HOST})(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
    rf"(?P<tail>(?::\d{{2,5}})?/{_URL_CHARS}*|:\d{{2,5}}(?![0-9]))?"
)
_IPV4_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
#: Public suffixes that are far more often file extensions or abbreviations in prose.
_FILE_LIKE = frozenset(["py", "sh", "pl", "md", "rs", "cc", "so", "zip", "mov", "ps", "cs", "pm"])
_TRAIL = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}

#: Cheap prefilter: no dot followed by a letter means no host, hence no URL or domain.
_PREFILTER = re.compile(r"[A-Za-z0-9]\.[A-Za-z]")


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str | None:
    """``example.co.uk`` for ``jobs.example.co.uk``; ``None`` when there is no public suffix."""
    parts = _EXTRACTOR(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()


def trim_url(url: str) -> str:
    """Strip punctuation that ends the sentence rather than the URL."""
    while url:
        last = url[-1]
        if last in _TRAIL or (last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _split_host(rest: str) -> tuple[str, str]:
    """``(authority host, remainder)`` of a URL after its ``scheme://``."""
    cut = len(rest)
    for ch in "/?#":
        idx = rest.find(ch)
        if idx != -1 and idx < cut:
            cut = idx
    authority = rest[:cut]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host, rest[cut:]
    return host.split(":", 1)[0], rest[cut:]


def _scheme_urls(ctx: Context, out: list[Selector]) -> list[tuple[int, int]]:
    text = ctx.text
    spans: list[tuple[int, int]] = []
    for m in _SCHEME_URL.finditer(text):
        rest = trim_url(m.group("rest"))
        host, _ = _split_host(rest)
        if not host:
            continue
        end = m.start("rest") + len(rest)
        scheme = m.group("scheme").lower().replace("hxxp", "http")
        authority_end = rest.find(host) + len(host)
        value = f"{scheme}://{rest[:authority_end].lower()}{rest[authority_end:]}"
        domain = None if _IPV4_HOST.match(host) else registrable_domain(host.lower())
        if domain is None and not _IPV4_HOST.match(host) and host.lower() != "localhost":
            continue
        spans.append((m.start(), end))
        out.append(
            Selector(SelectorType.URL, value, m.start(), end, text[m.start() : end], domain=domain)
        )
    return spans


def extract(ctx: Context) -> list[Selector]:
    """URLs (any form) and bare domains with a known public suffix."""
    text = ctx.text
    if _PREFILTER.search(text) is None:
        return []
    out: list[Selector] = []
    taken = _scheme_urls(ctx, out) if "://" in text else []
    for m in _HOST_URL.finditer(text):
        start = m.start()
        if any(a <= start < b for a, b in taken):
            continue
        host = m.group("host")
        tld = host.rsplit(".", 1)[-1]
        lower = host.lower()
        tail = trim_url(m.group("tail") or "")
        is_www = lower.startswith("www.")
        if not (tld.islower() or tld.isupper()):
            continue
        if tld.lower() in _FILE_LIKE and lower.count(".") == 1 and not tail.startswith("/"):
            continue
        domain = registrable_domain(lower)
        if domain is None:
            continue
        end = m.start("host") + len(host) + len(tail)
        raw = text[start:end]
        if is_www or tail:
            value = f"http://{lower}{tail}"
            out.append(Selector(SelectorType.URL, value, start, end, raw, domain=domain))
        else:
            out.append(Selector(SelectorType.DOMAIN, lower, start, end, raw, domain=domain))
    return out
