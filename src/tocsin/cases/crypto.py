"""Encryption at rest of personal fields (names, passport numbers, photos, families' contacts).

``TOCSIN_FIELD_KEY`` holds one or more keys, ``kid:base64key`` separated by commas; the first
encrypts, all decrypt, so a key is rotated by putting a new one first and running
``tocsin cases rekey`` before the old one is dropped. Each key is 32 random bytes (AES-256-GCM;
``tocsin cases keygen`` makes one).

Every personal value is stored as an *envelope*:

- ``e1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>`` — AES-256-GCM with a fresh 96-bit nonce and,
  as associated data, the place of the value (``persons.name:P-7K3Q-9XD2``), so a ciphertext
  copied into another row or column does not decrypt;
- ``p:<text>`` — plaintext, only when no key is configured (a laptop), rewritten encrypted by
  ``rekey`` once a key is set.

Envelopes never reach logs, audit entries or error messages: errors name the place, not the value.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tocsin.errors import ConfigError

__all__ = ["FieldCipher", "FieldKey", "generate_key", "require_field_key"]

_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_NONCE: Final = 12
ENCRYPTED: Final = "e1:"
PLAIN: Final = "p:"


@dataclass(frozen=True, slots=True)
class FieldKey:
    kid: str
    key: bytes

    def __repr__(self) -> str:  # never print the key
        return f"FieldKey(kid={self.kid!r})"


def generate_key(kid: str) -> str:
    """A new key as the setting wants it: ``kid:base64``."""
    if not _KID.match(kid):
        raise ConfigError(f"a key id is 1 to 32 letters, digits, '.', '_' or '-', not {kid!r}")
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def _parse(setting: str) -> list[FieldKey]:
    keys: list[FieldKey] = []
    for number, part in enumerate(p.strip() for p in setting.split(",")):
        if not part:
            continue
        kid, sep, encoded = part.partition(":")
        where = f"TOCSIN_FIELD_KEY entry {number + 1}"
        if not sep or not _KID.match(kid):
            raise ConfigError(
                f"{where} is not kid:base64key",
                hint="make one with `tocsin cases keygen`",
            )
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"{where} ({kid}): the key is not base64") from None
        if len(raw) != 32:
            raise ConfigError(f"{where} ({kid}): the key has {len(raw)} bytes, not 32")
        if any(k.kid == kid for k in keys):
            raise ConfigError(f"{where}: the key id {kid!r} is given twice")
        keys.append(FieldKey(kid, raw))
    return keys


def require_field_key(deployment_mode: str, setting: str | None) -> None:
    """Refuse a team deployment without a usable ``TOCSIN_FIELD_KEY`` (ConfigError).

    On a laptop (``local``) personal fields may stay plain text; on a shared server they are
    what a thief of the database or of a backup would come for, so the key is required there,
    and checked now (a malformed key fails at start, not at the first report)."""
    if deployment_mode != "team":
        return
    if not _parse(setting or ""):
        raise ConfigError(
            "TOCSIN_DEPLOYMENT_MODE=team needs TOCSIN_FIELD_KEY: victims' names, passport "
            "numbers, photos and families' contacts are encrypted at rest with it",
            hint="generate a key with `tocsin cases keygen` and set TOCSIN_FIELD_KEY to its "
            "output (kid:base64key); keep a copy outside the server, without it the fields "
            "cannot be read",
        )


class FieldCipher:
    """Seals and opens personal values; without keys it stores them as marked plaintext."""

    def __init__(self, keys: Sequence[FieldKey] = ()) -> None:
        self._keys = {k.kid: AESGCM(k.key) for k in keys}
        self.current: str | None = keys[0].kid if keys else None

    @classmethod
    def from_setting(cls, setting: str | None) -> FieldCipher:
        """From ``TOCSIN_FIELD_KEY`` (None or empty: no encryption)."""
        return cls(_parse(setting) if setting else ())

    @property
    def encrypting(self) -> bool:
        return self.current is not None

    def seal(self, value: str | None, *, place: str) -> str | None:
        """The envelope of ``value`` stored at ``place`` (None stays None)."""
        if value is None:
            return None
        return self.seal_bytes(value.encode("utf-8"), place=place, text=value)

    def seal_bytes(self, value: bytes, *, place: str, text: str | None = None) -> str:
        if self.current is None:
            if text is not None:
                return PLAIN + text
            return PLAIN + base64.urlsafe_b64encode(value).decode()
        nonce = os.urandom(_NONCE)
        sealed = self._keys[self.current].encrypt(nonce, value, place.encode("utf-8"))
        return f"{ENCRYPTED}{self.current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, envelope: str | None, *, place: str) -> str | None:
        """The value in ``envelope`` (None stays None)."""
        if envelope is None:
            return None
        if envelope.startswith(PLAIN):
            return envelope[len(PLAIN) :]
        return self._decrypt(envelope, place).decode("utf-8")

    def open_bytes(self, envelope: str | None, *, place: str) -> bytes | None:
        if envelope is None:
            return None
        if envelope.startswith(PLAIN):
            return base64.urlsafe_b64decode(envelope[len(PLAIN) :])
        return self._decrypt(envelope, place)

    def key_id(self, envelope: str | None) -> str | None:
        """The key id an envelope was sealed with (None: plaintext or empty)."""
        if envelope is None or not envelope.startswith(ENCRYPTED):
            return None
        return envelope[len(ENCRYPTED) :].split(":", 1)[0]

    def stale(self, envelope: str | None) -> bool:
        """Whether ``rekey`` should rewrite the envelope: plaintext while a key is configured,
        or sealed with a key other than the current one."""
        if envelope is None or self.current is None:
            return False
        return self.key_id(envelope) != self.current

    def _decrypt(self, envelope: str, place: str) -> bytes:
        if not envelope.startswith(ENCRYPTED):
            raise ConfigError(f"{place}: the stored value is not an envelope Tocsin wrote")
        kid, _, body = envelope[len(ENCRYPTED) :].partition(":")
        aead = self._keys.get(kid)
        if aead is None:
            raise ConfigError(
                f"{place} is encrypted with the key {kid!r}, which TOCSIN_FIELD_KEY does not hold",
                hint="add that key back (after the current one) until `tocsin cases rekey` ran",
            )
        try:
            raw = base64.urlsafe_b64decode(body)
            return aead.decrypt(raw[:_NONCE], raw[_NONCE:], place.encode("utf-8"))
        except (InvalidTag, binascii.Error, ValueError):
            raise ConfigError(
                f"{place} does not decrypt with the key {kid!r}: the key is wrong or the stored "
                "value was altered"
            ) from None
