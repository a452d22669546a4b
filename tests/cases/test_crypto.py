"""Personal fields sealed with AES-256-GCM, bound to their place, with key rotation."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.cases.crypto import FieldCipher, generate_key
from tocsin.errors import ConfigError
from tocsin.settings import Settings

K1, K2 = generate_key("k1"), generate_key("k2")
PLACE = "persons.name:P-AAAAA-BBBBB"


@given(st.text(max_size=300))
def test_round_trip_and_ciphertext_hides_the_value(value: str) -> None:
    cipher = FieldCipher.from_setting(K1)
    sealed = cipher.seal(value, place=PLACE)
    assert sealed is not None and sealed.startswith("e1:k1:")
    if len(value) >= 4:
        assert value not in sealed
    assert cipher.open(sealed, place=PLACE) == value


def test_same_value_seals_differently_each_time() -> None:
    cipher = FieldCipher.from_setting(K1)
    assert cipher.seal("Somchai", place=PLACE) != cipher.seal("Somchai", place=PLACE)


def test_a_ciphertext_moved_to_another_row_does_not_open() -> None:
    cipher = FieldCipher.from_setting(K1)
    sealed = cipher.seal("Somchai", place=PLACE)
    with pytest.raises(ConfigError, match=r"persons\.name:P-OTHER does not decrypt"):
        cipher.open(sealed, place="persons.name:P-OTHER")


def test_altered_ciphertext_is_refused_without_showing_anything() -> None:
    cipher = FieldCipher.from_setting(K1)
    sealed = cipher.seal("Somchai Example", place=PLACE)
    assert sealed is not None
    body = bytearray(base64.urlsafe_b64decode(sealed.split(":", 2)[2]))
    body[-1] ^= 1
    altered = "e1:k1:" + base64.urlsafe_b64encode(bytes(body)).decode()
    with pytest.raises(ConfigError) as err:
        cipher.open(altered, place=PLACE)
    assert "altered" in str(err.value) and "Somchai" not in str(err.value)


def test_rotation_new_key_first_old_key_still_opens() -> None:
    old = FieldCipher.from_setting(K1).seal("Somchai", place=PLACE)
    rotated = FieldCipher.from_setting(f"{K2},{K1}")
    assert rotated.open(old, place=PLACE) == "Somchai"
    assert rotated.stale(old)
    fresh = rotated.seal("Somchai", place=PLACE)
    assert rotated.key_id(fresh) == "k2" and not rotated.stale(fresh)
    with pytest.raises(ConfigError, match="key 'k1', which TOCSIN_FIELD_KEY does not hold"):
        FieldCipher.from_setting(K2).open(old, place=PLACE)


def test_without_a_key_values_are_marked_plaintext_and_become_stale_once_a_key_is_set() -> None:
    plain = FieldCipher.from_setting(None)
    assert not plain.encrypting
    stored = plain.seal("Somchai", place=PLACE)
    assert stored == "p:Somchai"
    assert FieldCipher.from_setting(K1).open(stored, place=PLACE) == "Somchai"
    assert FieldCipher.from_setting(K1).stale(stored)
    photo = plain.seal_bytes(b"\x89PNG...", place=PLACE)
    assert plain.open_bytes(photo, place=PLACE) == b"\x89PNG..."


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("nokey", "not kid:base64key"),
        ("k1:not-base64!", "not base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "has 5 bytes, not 32"),
        (f"{K1},{K1}", "given twice"),
    ],
)
def test_bad_settings_are_named(setting: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FieldCipher.from_setting(setting)


def test_keys_never_print() -> None:
    settings = Settings(field_key=K1)
    secret = K1.split(":", 1)[1]
    assert secret not in repr(settings) and secret not in str(settings)
