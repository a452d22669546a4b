"""Readers for HTML pages and e-mail messages (.eml): text out, markup and scripts never run.

HTML is reduced to its visible text with the standard library's tokenizer (no DOM, no
recursion, so deeply nested or malformed markup costs linear time): ``script``, ``style``,
``template``, ``noscript``, ``svg`` and comments are dropped, block elements become line breaks,
the ``<title>`` becomes the document's title. E-mail is parsed with `email.parser`: the subject
and every ``text/plain`` part (or, when there is none, the ``text/html`` parts reduced as above)
make the text; attachments are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Final

from tocsin.errors import InputError, RecordError
from tocsin.model import Document, DocumentKind

__all__ = ["html_to_text", "read_eml", "read_html"]

_SKIP: Final = frozenset({"script", "style", "template", "noscript", "svg", "head", "iframe"})
_BLOCK: Final = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "hr",
        "dt",
        "dd",
        "td",
        "th",
    }
)
_CHARSET: Final = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES: Final = re.compile(r"\n\s*\n+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self._skip_depth += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif self._skip_depth == 0:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(visible text, title) of an HTML page; never executes or fetches anything."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    text = _LINES.sub("\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()
    title = _SPACES.sub(" ", "".join(parser.title)).strip() or None
    return text, title


def _decode_html(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        pass
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        return data.decode(match.group(1).decode("ascii"))
    except (UnicodeDecodeError, LookupError):
        return None


def read_html(
    stream: IO[bytes],
    max_bytes: int,
    encoding: str,
    kind: DocumentKind | None,
    source: str,
    language: str | None = None,
    country: str | None = None,
) -> Iterator[Document | InputError]:
    """One document per HTML file: its visible text, titled by ``<title>``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(
            f"file is over the limit of {max_bytes:,} bytes; skipped",
            source=source,
            hint="raise TOCSIN_MAX_DOCUMENT_BYTES if such pages are expected",
        )
        return
    markup = _decode_html(data, encoding)
    if markup is None:
        yield RecordError(
            f"not valid {encoding} and no usable <meta charset>",
            source=source,
            hint="pass --encoding with the page's encoding",
        )
        return
    text, title = html_to_text(markup)
    if not text:
        yield RecordError("no visible text in the page; skipped", source=source)
        return
    yield Document(
        text,
        kind or DocumentKind.WEB_PAGE,
        id=Path(source).name,
        language=language,
        country=country,
        source=source,
        metadata={"title": title} if title else {},
    )


def _body_text(message: EmailMessage) -> str:
    plain: list[str] = []
    html: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeDecodeError, ValueError):
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if not isinstance(content, str):
            continue
        (plain if ctype == "text/plain" else html).append(content)
    if plain:
        return "\n\n".join(p.strip() for p in plain)
    return "\n\n".join(html_to_text(h)[0] for h in html)


def read_eml(
    stream: IO[bytes],
    max_bytes: int,
    kind: DocumentKind | None,
    source: str,
    language: str | None = None,
    country: str | None = None,
) -> Iterator[Document | InputError]:
    """One document per e-mail: subject, blank line, body text."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(
            f"message is over the limit of {max_bytes:,} bytes; skipped", source=source
        )
        return
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees it
        yield RecordError("not an e-mail message", source=source)
        return
    if message.defects and not message.keys():
        yield RecordError("not an e-mail message (no headers)", source=source)
        return
    subject = str(message.get("subject", "") or "").strip()
    body = _body_text(message).strip()
    text = f"{subject}\n\n{body}".strip()
    if not text:
        yield RecordError("no subject and no text body; skipped", source=source)
        return
    metadata = {"subject": subject} if subject else {}
    sender = message.get("from")
    if sender:
        metadata["from"] = str(sender)
    yield Document(
        text,
        kind or DocumentKind.MESSAGE,
        id=str(message.get("message-id") or Path(source).name).strip(),
        language=language,
        country=country,
        source=source,
        metadata=metadata,
    )
