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
from collections.abc import Iterator
from functools import lru_cache

import tldextract

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context, is_ascii_alnum

__all__ = ["extract", "registrable_domain", "trim_url"]

_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{1,23}}"
_URL_CHARS = r"[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]"
# Both patterns are *matched* at positions found by cheap anchors ("://", a dot followed by a
# letter) rather than searched: a look-behind or an optional prefix at the start of a searched
# pattern stops ``re`` from skipping ahead, and these run on every document.
_SCHEME_BEFORE = re.compile(r"(?:https?|hxxps?|ftp)\Z", re.IGNORECASE)
_REST = re.compile(rf"{_URL_CHARS}+")
_HOST_URL = re.compile(
    rf"(?P<host>{_HOST})(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
    rf"(?P<tail>(?::\d{{2,5}})?/{_URL_CHARS}*|:\d{{2,5}}(?![0-9]))?"
)
_DOT_ANCHOR = re.compile(r"\.(?=[A-Za-z])")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_IPV4_HOST = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}\Z")
#: Public suffixes that are far more often file extensions or abbreviations in prose.
_FILE_LIKE = frozenset(["py", "sh", "pl", "md", "rs", "cc", "so", "zip", "mov", "ps", "cs", "pm"])
_TRAIL = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}


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
    sep = text.find("://")
    while sep != -1:
        here, sep = sep, text.find("://", sep + 3)
        scheme_m = _SCHEME_BEFORE.search(text, max(0, here - 5), here)
        rest_m = _REST.match(text, here + 3)
        if scheme_m is None or rest_m is None:
            continue
        start = scheme_m.start()
        if start > 0 and is_ascii_alnum(text[start - 1]):
            continue
        rest = trim_url(rest_m.group())
        host, _ = _split_host(rest)
        if not host:
            continue
        end = here + 3 + len(rest)
        scheme = scheme_m.group().lower().replace("hxxp", "http")
        authority_end = rest.find(host) + len(host)
        value = f"{scheme}://{rest[:authority_end].lower()}{rest[authority_end:]}"
        is_ip = _IPV4_HOST.match(host) is not None
        domain = None if is_ip else registrable_domain(host.lower())
        if domain is None and not is_ip and host.lower() != "localhost":
            continue
        spans.append((start, end))
        out.append(Selector(SelectorType.URL, value, start, end, text[start:end], domain=domain))
    return spans


def _host_starts(text: str) -> Iterator[int]:
    """Start of each host-like word holding a dot followed by a letter, once per word."""
    last = -1
    for dot in _DOT_ANCHOR.finditer(text):
        pos = dot.start()
        if pos <= last:
            continue
        start = pos
        while start > 0 and text[start - 1] in _HOST_CHARS:
            start -= 1
        while start < pos and not is_ascii_alnum(text[start]):
            start += 1
        last = pos
        end = pos + 1
        while end < len(text) and text[end] in _HOST_CHARS:
            end += 1
        last = end
        if start < pos and (start == 0 or text[start - 1] not in "@_%+/"):
            yield start


def extract(ctx: Context) -> list[Selector]:
    """URLs (any form) and bare domains with a known public suffix."""
    text = ctx.text
    out: list[Selector] = []
    taken = _scheme_urls(ctx, out) if "://" in text else []
    covered = 0
    for start in _host_starts(text):
        if start < covered or any(a <= start < b for a, b in taken):
            continue
        m = _HOST_URL.match(text, start)
        if m is None:
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
        end = start + len(host) + len(tail)
        covered = end
        raw = text[start:end]
        if is_www or tail:
            value = f"http://{lower}{tail}"
            out.append(Selector(SelectorType.URL, value, start, end, raw, domain=domain))
        else:
            out.append(Selector(SelectorType.DOMAIN, lower, start, end, raw, domain=domain))
    return out
