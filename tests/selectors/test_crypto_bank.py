"""Crypto addresses (with the OFAC vectors), IBANs and bank accounts."""

from __future__ import annotations

import random
from pathlib import Path

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN
from selector_helpers import found

from tocsin.model.selector import SelectorType
from tocsin.selectors import extract
from tocsin.selectors.crypto import eip55

C = SelectorType.CRYPTO
OFAC = Path(__file__).resolve().parents[3] / "shared" / "data" / "ofac_crypto_addresses"


def _crypto(text: str) -> list[tuple[str, str | None, str | None, bool]]:
    return [(s.value, s.chain, s.network, s.validated) for s in extract(text) if s.type == C]


def test_eth_checksummed_and_lower_case() -> None:
    checked = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 test vector
    assert _crypto(f"ETH {checked}") == [(checked, "eth", None, True)]
    assert _crypto(f"ETH {checked.lower()}") == [(checked, "eth", None, False)]
    broken = checked[:3] + checked[3].swapcase() + checked[4:]
    assert _crypto(f"ETH {broken}") == []


def test_usdt_context_sets_token_and_network() -> None:
    tron = "TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre"
    (sel,) = [s for s in extract(f"USDT (TRC20) 充值地址：{tron}") if s.type == C]
    assert (sel.chain, sel.token, sel.network) == ("tron", "usdt", "trc20")
    (sel,) = [s for s in extract("泰达币 0x52908400098527886E0F7030069857D2E4169EE7")]
    assert (sel.chain, sel.token, sel.network) == ("eth", "usdt", "erc20")
    (sel,) = [s for s in extract(f"TRX only: {tron}")]
    assert (sel.token, sel.network) == (None, None)


def test_bech32_and_bech32m() -> None:
    v0 = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"
    v1 = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
    assert _crypto(f"{v0} {v1}") == [(v0.lower(), "btc", None, True), (v1, "btc", None, True)]
    assert _crypto("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5") == []  # bad checksum
    # BIP-350: a v1 program with a bech32 (not bech32m) checksum is invalid
    assert _crypto("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd") == []


def _b58(payload: bytes) -> str:
    return base58.b58encode_check(payload).decode()


@settings(max_examples=100, deadline=None)
@given(
    body=st.binary(min_size=20, max_size=20),
    kind=st.sampled_from(["p2pkh", "p2sh", "tron", "eth"]),
    flip=st.integers(min_value=2, max_value=30),
)
def test_generated_addresses_and_corruptions(body: bytes, kind: str, flip: int) -> None:
    if kind == "eth":
        address, chain = eip55("0x" + body.hex()), "eth"
    else:
        version = {"p2pkh": 0x00, "p2sh": 0x05, "tron": 0x41}[kind]
        address, chain = _b58(bytes([version]) + body), ("tron" if kind == "tron" else "btc")
    assert _crypto(f"wallet {address}.") == [(address, chain, None, True)]
    # one character changed: never reported as validated
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    pos = flip % (len(address) - 2) + 2
    old = address[pos]
    new = alphabet[(alphabet.find(old) + 1) % len(alphabet)] if old in alphabet else "1"
    if kind == "eth":
        new = old.swapcase() if old.isalpha() else ("a" if old != "a" else "b")
        if not old.isalpha():
            new = "0" if old != "0" else "1"
    corrupted = address[:pos] + new + address[pos + 1 :]
    assert all(not v for _, _, _, v in _crypto(f"wallet {corrupted}.")) or corrupted == address


def _ofac_files() -> list[Path]:
    return sorted(OFAC.glob("sanctioned_addresses_*.txt")) if OFAC.is_dir() else []


@pytest.mark.skipif(not _ofac_files(), reason="OFAC vectors not present in ../shared")
def test_ofac_vectors_all_found_with_the_right_chain() -> None:
    count = 0
    for path in _ofac_files():
        for line in path.read_text().split():
            address = line.strip()
            chain = "eth" if address.startswith("0x") else "tron" if address[0] == "T" else "btc"
            got = [s for s in extract(f"Send USDT to {address}, thanks") if s.type == C]
            assert len(got) == 1, address
            assert got[0].raw == address and got[0].chain == chain, address
            count += 1
    assert count > 250


# -- banks -----------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**9),
    country=st.sampled_from(["DE", "FR", "GB", "ES", "IT", "NL", "AE", "SA", "TR", "PL", "CH"]),
    grouped=st.booleans(),
    tail=st.sampled_from(["", ".", " BANK", "，谢谢", "\n"]),
)
def test_generated_ibans(seed: int, country: str, grouped: bool, tail: str) -> None:
    iban = IBAN.random(country_code=country, random=random.Random(seed))
    written = iban.formatted if grouped else str(iban.compact)
    got = [s for s in extract(f"IBAN: {written}{tail}") if s.type == SelectorType.IBAN]
    assert [(s.value, s.raw, s.country, s.validated) for s in got] == [
        (str(iban.compact), written, country, True)
    ]


def test_bad_iban_checksum_is_not_an_iban_nor_a_phone() -> None:
    assert extract("IBAN DE89 3704 0044 0532 0130 01", language="vi") == []


@pytest.mark.parametrize(
    ("text", "value", "country"),
    [
        ("STK: 0011004123456 - Ngân hàng Vietcombank", "0011004123456", "VN"),
        ("Số tài khoản Techcombank: 1903 5678 9012 34", "19035678901234", "VN"),
        ("工商银行账号：6222021234567890123", "6222021234567890123", "CN"),
        ("เลขบัญชี 123-4-56789-0 ธนาคารกสิกรไทย", "1234567890", "TH"),
        ("No. Rek BCA: 1234567890", "1234567890", "ID"),
        ("Account number: 123456789 (Maybank)", "123456789", "MY"),
    ],
)
def test_bank_accounts(text: str, value: str, country: str) -> None:
    got = [s for s in extract(text) if s.type == SelectorType.BANK_ACCOUNT]
    assert [(s.value, s.country) for s in got] == [(value, country)]


def test_account_number_without_a_bank_is_not_reported() -> None:
    assert [s for s in found("account number: 123456789") if s[0] == "bank_account"] == []
