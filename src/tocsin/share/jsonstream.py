"""Reading one array of a huge JSON document object by object (a STIX bundle's ``objects``).

A bundle of a million selectors is over a gigabyte of JSON; ``json.load`` would hold all of it
as Python objects (ten times that in memory). `iter_array` walks the top-level object with
``json.JSONDecoder.raw_decode`` (C speed) and yields the members of one array one at a time, so
memory holds one object and a read buffer. An object larger than the limit is skipped (its end
found by a string-aware scan) and reported by position; a syntax error stops the reading with
the position named — the objects before it have been yielded and are kept.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from tocsin.errors import InputError

__all__ = ["ArrayItem", "Oversized", "iter_array"]

CHUNK: Final = 1 << 20
_DECODER: Final = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*")
_TOKEN = re.compile(r'["{}\[\]]')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass(frozen=True, slots=True)
class ArrayItem:
    index: int
    value: Any


@dataclass(frozen=True, slots=True)
class Oversized:
    index: int
    size: int


class _Reader:
    def __init__(self, stream: IO[bytes], source: str, chunk: int = CHUNK) -> None:
        self.stream = stream
        self.chunk = chunk
        self.source = source
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf
        self.eof = False

    def error(self, message: str) -> InputError:
        return InputError(f"{message} (character {self.consumed + self.pos})", source=self.source)

    def fill(self) -> bool:
        """Read one more chunk; False at the end of the stream."""
        if self.eof:
            return False
        raw = self.stream.read(self.chunk)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise self.error(f"not UTF-8: {exc.reason}") from None
        if not raw:
            self.eof = True
        if self.pos > self.chunk:
            self.consumed += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return bool(raw) or bool(text)

    def skip_ws(self) -> None:
        while True:
            match = _WS.match(self.buf, self.pos)
            assert match is not None  # the pattern matches the empty string
            self.pos = match.end()
            if self.pos < len(self.buf) or not self.fill():
                return

    def peek(self) -> str:
        self.skip_ws()
        if self.pos >= len(self.buf):
            raise self.error("the file ends too early (truncated JSON)")
        return self.buf[self.pos]

    def expect(self, chars: str) -> str:
        char = self.peek()
        if char not in chars:
            wanted = " or ".join(repr(c) for c in chars)
            raise self.error(f"expected {wanted}, found {char!r}")
        self.pos += 1
        return char

    def value(self, limit: int) -> Any:
        """Decode the next JSON value; `Oversized` (after skipping it) when it is too big."""
        self.skip_ws()
        start = self.pos
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except json.JSONDecodeError as exc:
                if len(self.buf) - start > limit:
                    return self._skip(start)
                if not self.fill():
                    if exc.msg.startswith("Unterminated") or exc.pos >= len(self.buf.rstrip()):
                        raise self.error("the file ends too early (truncated JSON)") from None
                    raise self.error(f"invalid JSON: {exc.msg}") from None
                start = self.pos  # fill() may have moved the buffer
                continue
            if (
                not self.eof
                and isinstance(value, int | float)
                and _NUMBER_TAIL.fullmatch(self.buf, end)
            ):
                self.fill()  # the number may go on in the next chunk ("1" of "1.5e3")
                start = self.pos
                continue
            if end - start > limit:
                self.pos = end
                return Oversized(-1, end - start)
            self.pos = end
            return value

    def _skip(self, start: int) -> Oversized:
        """Skip one value too large to decode, finding its end string-aware."""
        depth = 0
        pos = start
        started_at = self.consumed + start
        while True:
            match = _TOKEN.search(self.buf, pos)
            if match is None:
                self._more(len(self.buf))
                pos = self.pos
                continue
            token = match.group()
            if token == '"':
                string = _STRING.match(self.buf, match.start())
                if string is None or string.end() == len(self.buf):
                    self._more(match.start())  # the string may go on in the next chunk
                    pos = self.pos
                else:
                    pos = string.end()
                continue
            pos = match.end()
            depth += 1 if token in "{[" else -1
            if depth == 0:
                self.pos = pos
                return Oversized(-1, self.consumed + pos - started_at)

    def _more(self, keep: int) -> None:
        """Read on, keeping the buffer from ``keep``; an error at the end of the stream."""
        self.pos = keep
        if not self.fill():
            raise self.error("the file ends inside an oversized object")


def iter_array(
    stream: IO[bytes],
    key: str,
    *,
    source: str,
    max_item_bytes: int,
    header: dict[str, Any] | None = None,
    chunk: int = CHUNK,
) -> Iterator[ArrayItem | Oversized]:
    """Yield the members of the array ``key`` of the top-level JSON object, one by one.

    Other top-level members are decoded into ``header`` (when given), whatever their order.
    Raises `InputError` naming the position for malformed JSON or when the top level is not an
    object.
    """
    reader = _Reader(stream, source, chunk)
    reader.fill()
    reader.expect("{")
    if reader.peek() == "}":
        return
    while True:
        name = reader.value(max_item_bytes)
        if not isinstance(name, str):
            raise reader.error("expected a member name")
        reader.expect(":")
        if name == key and reader.peek() == "[":
            reader.expect("[")
            index = 0
            if reader.peek() == "]":
                reader.pos += 1
            else:
                while True:
                    item = reader.value(max_item_bytes)
                    if isinstance(item, Oversized):
                        yield Oversized(index, item.size)
                    else:
                        yield ArrayItem(index, item)
                    index += 1
                    if reader.expect(",]") == "]":
                        break
        else:
            value = reader.value(max_item_bytes)
            if header is not None and not isinstance(value, Oversized):
                header[name] = value
        if reader.expect(",}") == "}":
            return
