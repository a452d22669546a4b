"""Crypto-currency addresses: Bitcoin, Ethereum (and EVM chains), TRON.

Every address is checked, because a 34-character base58 string is otherwise just noise:

- **BTC** base58check P2PKH (``1…``, version 0x00) and P2SH (``3…``, 0x05); bech32 segwit v0
  (``bc1q…``) and bech32m v1+ (``bc1p…``, BIP-350) with the right checksum constant for the
  witness version and a valid program length. Value: as written for base58 (it is
  case-sensitive), lower case for bech32.
- **ETH** ``0x`` + 40 hex digits. Mixed case must pass the EIP-55 checksum (``validated``);
  all-lower and all-upper carry no checksum and are reported with ``validated=False``.
  A mixed-case address that *fails* EIP-55 is a typo or a forgery and is not reported.
  Value: the EIP-55 checksummed form, so every spelling of one address links together.
- **TRON** base58check, 25 bytes with version 0x41 (``T…``).

Base58/bech32 strings whose checksum fails are not reported at all: they cannot be told apart
from random tokens, and a wrong address must never be linked to a real one.

Token context: when "USDT", "Tether", "泰达币", "U币" or "TRC20"/"ERC20" is written within
:data:`TOKEN_WINDOW` characters of a TRON or Ethereum address, ``token="usdt"`` and
``network`` is ``trc20`` (TRON) or ``erc20`` (Ethereum): that is how USDT is paid to
pig-butchering platforms. Other chains (Litecoin, Solana, Monero…) are not recognised yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import sha256

import base58
from bech32 import CHARSET, bech32_hrp_expand, bech32_polymod, convertbits
from Crypto.Hash import keccak

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context

__all__ = ["TOKEN_WINDOW", "eip55", "extract"]

TOKEN_WINDOW = 60

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9])(?:"
    rf"(?P<eth>0x[0-9a-fA-F]{{40}})"
    rf"|(?P<bech>(?:bc|BC)1[{CHARSET}{CHARSET.upper()}]{{11,71}})"
    rf"|(?P<b58>[13T][{_B58}]{{25,34}})"
    rf")(?![A-Za-z0-9])"
)
_LONG_RUN = re.compile(r"[A-Za-z0-9]{26,}")
_USDT = re.compile(r"usdt|tether|泰达币|泰達幣|u币|u幣|trc-?20|erc-?20", re.IGNORECASE)
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def eip55(address: str) -> str:
    """The EIP-55 mixed-case checksum form of a 0x-prefixed Ethereum address."""
    hex_addr = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=hex_addr.encode("ascii")).hexdigest()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch
        for i, ch in enumerate(hex_addr)
    )


def _base58check(candidate: str) -> bytes | None:
    try:
        raw = base58.b58decode(candidate)
    except ValueError:
        return None
    if len(raw) != 25:
        return None
    payload, check = raw[:-4], raw[-4:]
    if sha256(sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def _segwit_ok(candidate: str) -> bool:
    """BIP-173/BIP-350: checksum constant must match the witness version."""
    if candidate != candidate.lower() and candidate != candidate.upper():
        return False
    addr = candidate.lower()
    pos = addr.rfind("1")
    hrp, data_part = addr[:pos], addr[pos + 1 :]
    if hrp != "bc" or len(data_part) < 7:
        return False
    data = [CHARSET.find(ch) for ch in data_part]
    if -1 in data:
        return False
    const = bech32_polymod(bech32_hrp_expand(hrp) + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        return False
    witver = data[0]
    program = convertbits(data[1:-6], 5, 8, False)
    if program is None or witver > 16 or not 2 <= len(program) <= 40:
        return False
    if witver == 0:
        return const == _BECH32_CONST and len(program) in (20, 32)
    return const == _BECH32M_CONST


def _classify(m: re.Match[str]) -> tuple[str, str, bool] | None:
    """``(chain, value, validated)`` for a checked candidate, else ``None``."""
    eth = m.group("eth")
    if eth is not None:
        body = eth[2:]
        checked = eip55(eth)
        if body.islower() or body.isupper() or body.isdigit():
            return "eth", checked, False
        return ("eth", checked, True) if checked == "0x" + body or checked == eth else None
    bech = m.group("bech")
    if bech is not None:
        return ("btc", bech.lower(), True) if _segwit_ok(bech) else None
    b58 = m.group("b58")
    payload = _base58check(b58)
    if payload is None:
        return None
    version = payload[0]
    if b58[0] == "T" and version == 0x41:
        return "tron", b58, True
    if (b58[0] == "1" and version == 0x00) or (b58[0] == "3" and version == 0x05):
        return "btc", b58, True
    return None


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """Address-shaped runs, searched only inside whitespace-separated tokens of 26+ chars.

    ``str.split`` runs in C and most texts have no such token, so the address pattern (whose
    look-behind stops ``re`` from skipping ahead) only ever scans a few short windows.
    """
    pos = 0
    for token in text.split():
        if len(token) >= 26:
            pos = text.find(token, pos)
            if _LONG_RUN.search(token):
                yield from _CANDIDATE.finditer(text, pos, pos + len(token))
            pos += len(token)


def extract(ctx: Context) -> list[Selector]:
    """Every checked BTC, ETH and TRON address (see the module docstring)."""
    text = ctx.text
    out: list[Selector] = []
    usdt_at: list[int] | None = None
    for m in _candidates(text):
        found = _classify(m)
        if found is None:
            continue
        chain, value, validated = found
        token = network = None
        if chain in ("tron", "eth"):
            if usdt_at is None:
                usdt_at = [u.start() for u in _USDT.finditer(text)]
            start, end = m.span()
            if any(start - TOKEN_WINDOW <= pos <= end + TOKEN_WINDOW for pos in usdt_at):
                token, network = "usdt", ("trc20" if chain == "tron" else "erc20")
        out.append(
            Selector(
                SelectorType.CRYPTO,
                value,
                m.start(),
                m.end(),
                m.group(),
                chain=chain,
                token=token,
                network=network,
                validated=validated,
            )
        )
    return out
