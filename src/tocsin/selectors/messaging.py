"""Messaging accounts: Telegram, WhatsApp, Line, WeChat, QQ, Signal, Skype, Zalo.

Recruiters move candidates off the job board to a chat app within one message, so these are
the selectors that link ads together best. Three forms are recognised:

1. **Links** (``t.me/name``, ``wa.me/8491…``, ``line.me/ti/p/~id``, ``zalo.me/09…``…): the
   selector spans the whole link, which is *not* also reported as a URL (see the overlap
   convention in :mod:`tocsin.selectors`).
2. **Keyed mentions**: an app keyword, a separator, the account — "WhatsApp: +84 912…",
   "Line ID: abc", "微信号：abc_123", "QQ 12345678", "Zalo 0912…". The selector spans the
   account only; the keyword is context. Latin keywords need an explicit separator (``:``,
   ``ID``, ``号``) before a bare handle, because "on Telegram today" is prose; a phone number,
   an ``@handle`` or an id written straight after a CJK/Thai keyword need none. When two
   keywords precede one account ("Telegram/WhatsApp: +84…") the nearest one wins.
3. **Telegram @handles** in prose, only when a Telegram word (Telegram, TG, 电报, 飞机,
   纸飞机, เทเลแกรม…) is written within :data:`TELEGRAM_WINDOW` characters before (or 25 after)
   and no other app keyword claimed the handle.

Values: lower-case handle without ``@`` (Telegram, Line, WeChat, Skype; WeChat ids are
matched case-insensitively by the app), E.164 when the account is a phone number (WhatsApp,
Signal, Zalo — Zalo numbers default to Vietnam, WeChat to China), digits for QQ
(``group:<digits>`` for a QQ group), and ``invite/<code>`` with the code's case kept for
group invite links (``t.me/+AbC``, ``t.me/joinchat/AbC``, ``chat.whatsapp.com/AbC``,
``zalo.me/g/abc``, ``signal.group/#…``), because invite codes are case-sensitive.
"""

from __future__ import annotations

import re

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import CaselessPattern, Context
from tocsin.selectors.phone import match_phone_at, parse_phone
from tocsin.selectors.url import trim_url

__all__ = ["TELEGRAM_WINDOW", "extract"]

TELEGRAM_WINDOW = 50

T = SelectorType
_URL_CHARS = r"[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]"
# The host comes first (no optional scheme or look-behind in front) so that ``re`` can skip
# ahead on its first characters; the scheme and "www." before it are taken in ``_links``.
_LINK = CaselessPattern(
    r"(?P<host>t\.me|telegram\.me|telegram\.dog|"
    r"wa\.me|api\.whatsapp\.com|web\.whatsapp\.com|chat\.whatsapp\.com|line\.me|"
    r"signal\.me|signal\.group|zalo\.me|join\.skype\.com)"
    rf"(?P<path>/{_URL_CHARS}*|(?=[^a-z0-9.\-]|$))"
)
_LINK_PREFIX = re.compile(r"(?:https?://)?(?:www\.)?\Z", re.IGNORECASE)
_TG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_INVITE = re.compile(r"[A-Za-z0-9_\-]{5,64}")
_LINE_PATH = re.compile(r"/(?:R/)?ti/(?P<kind>[pg])/(?P<id>(?:~|@|%40)?[A-Za-z0-9._\-]+)", re.I)

# Keywords, in lower case (see ``CaselessPattern``). Latin ones get word boundaries, and
# the short ones ("wa", "tg", "vx") are harmless on their own: an account must follow.
_KEYWORDS: dict[str, str] = {
    "tg": r"telegram|電報|电报|纸飞机|紙飛機|飞机|飛機|เทเลแกรม|телеграм|tg",
    "wa": r"whats\s?app|whatsap|วอทส์แอพ|واتساب|wa|ws",
    "line": r"line\s?id|id\s?line|ไลน์ไอดี|ไอดีไลน์|ไลน์|line(?=\s*[:：@])",
    "wechat": r"wechat|weixin|微信|薇信|威信|v信|vx|wx",
    "qqgroup": r"qq\s?群|q群|qq\s?group",
    "qq": r"qq|扣扣",
    "signal": r"signal",
    "skype": r"skype",
    "zalo": r"zalo",
}
_TYPES = {
    "tg": T.TELEGRAM,
    "wa": T.WHATSAPP,
    "line": T.LINE,
    "wechat": T.WECHAT,
    "qqgroup": T.QQ,
    "qq": T.QQ,
    "signal": T.SIGNAL,
    "skype": T.SKYPE,
    "zalo": T.ZALO,
}
_DEFAULT_REGION = {"zalo": "VN", "wechat": "CN"}


def _kw(pattern: str) -> str:
    # The look-behind boundary is checked in code (``_boundary_ok``): in front of the
    # alternation it would stop ``re`` from skipping ahead on first characters.
    return rf"(?:{pattern})(?![A-Za-z])"


def _boundary_ok(text: str, start: int) -> bool:
    """A Latin keyword must not continue a word ("Twa", "setg"); CJK ones need no space."""
    if start == 0 or not text[start].isascii():
        return True
    before = text[start - 1]
    return not (before.isascii() and (before.isalnum() or before == "_"))


# One flat alternation (named groups around each app would defeat the first-character skip
# and triple the cost); the app is recovered from the matched keyword by ``_app_of``.
_KEYED = CaselessPattern(_kw("|".join(_KEYWORDS.values())))
_APP_OF = [
    (name, re.compile(re.sub(r"\(\?=[^)]*\)", "", p), re.IGNORECASE))  # look-aheads dropped
    for name, p in _KEYWORDS.items()
]
#: Keywords that already say "this is the account id", as an explicit separator would.
_ID_KEYWORD = re.compile(r"id|ไอดี|号|號", re.IGNORECASE)


def _app_of(keyword: str) -> str | None:
    for name, pattern in _APP_OF:
        if pattern.fullmatch(keyword):
            return name
    return None


#: Separator between keyword and account; ``explicit`` is set when it is more than spaces.
#: Small words people put between an app and a number ("add Zalo em nhé 09…", "WhatsApp me
#: at +84…", "加微信"); they make no separator explicit, so a bare handle still needs ":".
_FILLER = r"em|anh|chị|mình|nhé|nha|ạ|với|qua|me|us|at|on|via"
_FILLER_RE = re.compile(rf"\b(?:{_FILLER})\b|\s", re.IGNORECASE)
_SEP = re.compile(
    r"(?P<sep>(?:\s*(?:号码|号|號|帳號|账号|账户|(?:id|ID|Id)(?=\s*[:：]|\s)|"
    rf"(?:number|num|no\.?)(?=\s*[:：]|\s)|(?:{_FILLER})(?=\s)|[:：=\-–>→👉➡]))*)\s*",
    re.IGNORECASE,
)
_HANDLE = {
    "tg": re.compile(r"@?[A-Za-z][A-Za-z0-9_]{4,31}"),
    "line": re.compile(r"@?~?[A-Za-z0-9][A-Za-z0-9._\-]{2,19}"),
    "wechat": re.compile(r"[A-Za-z][A-Za-z0-9_\-]{5,19}"),
    "skype": re.compile(r"live:[A-Za-z0-9._\-]{3,40}|[A-Za-z][A-Za-z0-9._\-]{5,31}"),
    "qq": re.compile(r"[1-9]\d{4,10}"),
    "qqgroup": re.compile(r"[1-9]\d{4,10}"),
}
_PHONE_APPS = frozenset({"tg", "wa", "line", "wechat", "signal", "zalo"})
_HANDLE_END = re.compile(r"(?![A-Za-z0-9_@]|\.[A-Za-z0-9])")
_AT_HANDLE = re.compile(
    r"(?<![A-Za-z0-9_.@/])@(?P<h>[A-Za-z][A-Za-z0-9_]{4,31})(?![A-Za-z0-9_@]|\.[A-Za-z])"
)
_TG_WORD = CaselessPattern(_kw(_KEYWORDS["tg"]))
_PREFILTER = CaselessPattern(
    r"t\.me|telegram|\.dog|whats|wa\.me|line|zalo|signal|skype|qq|q群|tg|wa|ws|vx|wx|v信|"
    r"微信|薇信|威信|weixin|wechat|电报|電報|飞机|飛機|ไลน์|เทเลแกรม|วอทส์แอพ|واتساب|扣扣|телеграм"
)

_Found = tuple[SelectorType, str, int, int, bool]
"""``(type, value, start, end, validated)``"""


def _phone_value(digits: str, region: str | None) -> tuple[str, bool] | None:
    parsed = parse_phone(digits if region else "+" + digits, region)
    if parsed is None and region and not digits.startswith("0"):
        parsed = parse_phone("+" + digits, None)
    return None if parsed is None else (parsed[0], True)


def _from_link(host: str, path: str) -> tuple[SelectorType, str, bool] | None:
    """Type and value of an app link, from its host and trimmed path."""
    host = host.lower()
    if host in ("t.me", "telegram.me", "telegram.dog"):
        parts = [p for p in path.split("/") if p]
        if not parts:
            return None
        if parts[0].startswith("+") and _INVITE.fullmatch(parts[0][1:]):
            return T.TELEGRAM, f"invite/{parts[0][1:]}", False
        if parts[0] == "joinchat" and len(parts) > 1 and _INVITE.fullmatch(parts[1]):
            return T.TELEGRAM, f"invite/{parts[1]}", False
        name = parts[1] if parts[0] == "s" and len(parts) > 1 else parts[0]
        name = name.split("?")[0]
        return (T.TELEGRAM, name.lower(), False) if _TG_NAME.fullmatch(name) else None
    if host == "wa.me":
        digits = path.strip("/").split("?")[0].lstrip("+")
        phone = _phone_value(digits, None) if digits.isdigit() else None
        return None if phone is None else (T.WHATSAPP, *phone)
    if host in ("api.whatsapp.com", "web.whatsapp.com"):
        m = re.search(r"[?&]phone=\+?(\d{7,15})", path)
        phone = None if m is None else _phone_value(m.group(1), None)
        return None if phone is None else (T.WHATSAPP, *phone)
    if host == "chat.whatsapp.com":
        code = path.strip("/").split("?")[0]
        return (T.WHATSAPP, f"invite/{code}", False) if _INVITE.fullmatch(code) else None
    if host == "line.me":
        m = _LINE_PATH.match(path)
        if m is None:
            return None
        ident = m.group("id").replace("%40", "@")
        if m.group("kind").lower() == "g":
            return T.LINE, f"invite/{ident}", False
        if ident[0] in "~@":
            return T.LINE, ident.lstrip("~").lower(), False
        return T.LINE, ident, False
    if host == "signal.me":
        m = re.match(r"/#p/\+?(\d{7,15})", path)
        phone = None if m is None else _phone_value(m.group(1), None)
        return None if phone is None else (T.SIGNAL, *phone)
    if host == "signal.group":
        frag = path.lstrip("/#")
        return (T.SIGNAL, f"invite/{frag}", False) if len(frag) >= 8 else None
    if host == "zalo.me":
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "g" and _INVITE.fullmatch(parts[1]):
            return T.ZALO, f"invite/{parts[1]}", False
        if len(parts) == 1 and parts[0].lstrip("+").isdigit():
            digits = parts[0].lstrip("+")
            phone = _phone_value(digits, None if parts[0][0] == "+" else "VN")
            return None if phone is None else (T.ZALO, *phone)
        return None
    if host == "join.skype.com":
        parts = [p for p in path.split("/") if p]
        if parts and _INVITE.fullmatch(parts[-1]):
            return T.SKYPE, f"invite/{parts[-1]}", False
    return None


def _links(ctx: Context, out: list[_Found]) -> None:
    text = ctx.text
    for m in _LINK.finditer(ctx):
        prefix = _LINK_PREFIX.search(text, max(0, m.start() - 12), m.start())
        start = m.start() if prefix is None else prefix.start()
        if start > 0 and (
            (text[start - 1].isascii() and text[start - 1].isalnum()) or text[start - 1] in ".-"
        ):
            continue
        path = trim_url(text[m.start("path") : m.end("path")])
        found = _from_link(m.group("host"), path)
        if found is None:
            continue
        end = m.start("path") + len(path)
        out.append((found[0], found[1], start, end, found[2]))


def _keyed_value(ctx: Context, app: str, pos: int, explicit: bool, cjk: bool) -> _Found | None:
    text = ctx.text
    if pos >= len(text):
        return None
    if app in _PHONE_APPS and (text[pos].isdigit() or text[pos] in "+＋(（"):
        phone = match_phone_at(ctx, pos, _DEFAULT_REGION.get(app))
        if phone is not None:
            return _TYPES[app], phone[2], phone[0], phone[1], True
    pattern = _HANDLE.get(app)
    if pattern is None:
        return None
    m = pattern.match(text, pos)
    if m is None:
        return None
    raw = m.group().rstrip(".-")  # a full stop ends the sentence, not the handle
    end = pos + len(raw)
    if len(raw) < 3 or _HANDLE_END.match(text, end) is None:
        return None
    if not (explicit or cjk or raw[0] == "@" or app in ("qq", "qqgroup")):
        return None
    if app == "qqgroup":
        return T.QQ, f"group:{raw}", pos, end, False
    value = raw.lower().lstrip("@~") if app != "qq" else raw
    if app == "tg" and not _TG_NAME.fullmatch(value):
        return None
    return _TYPES[app], value, pos, end, False


def _keyed(ctx: Context, out: list[_Found]) -> None:
    text = ctx.text
    for m in _KEYED.finditer(ctx):
        app = _app_of(m.group())
        if app is None or not _boundary_ok(text, m.start()):
            continue
        sep = _SEP.match(text, m.end())
        if sep is None:
            continue
        explicit = bool(_FILLER_RE.sub("", sep.group("sep"))) or bool(_ID_KEYWORD.search(m.group()))
        cjk = not m.group()[-1].isascii()
        found = _keyed_value(ctx, app, sep.end(), explicit, cjk)
        if found is not None:
            out.append(found)


def _telegram_mentions(ctx: Context, out: list[_Found]) -> None:
    text = ctx.text
    if "@" not in text:
        return
    words = [w.start() for w in _TG_WORD.finditer(ctx) if _boundary_ok(text, w.start())]
    if not words:
        return
    claimed = {(f[2], f[3]) for f in out}
    for m in _AT_HANDLE.finditer(text):
        start, end = m.span()
        if (start, end) in claimed or (start + 1, end) in claimed:
            continue
        if any(start - TELEGRAM_WINDOW <= w <= end + 25 for w in words):
            out.append((T.TELEGRAM, m.group("h").lower(), start, end, False))


def extract(ctx: Context) -> list[Selector]:
    """Every messaging account in the text (see the module docstring)."""
    text = ctx.text
    if _PREFILTER.search(ctx) is None:
        return []
    found: list[_Found] = []
    _links(ctx, found)
    _keyed(ctx, found)
    _telegram_mentions(ctx, found)
    return [
        Selector(kind, value, start, end, text[start:end], validated=validated)
        for kind, value, start, end, validated in found
    ]
