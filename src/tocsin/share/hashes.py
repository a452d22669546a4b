"""Privacy-preserving selector matching: keyed hashes of canonical selectors, hash-set files.

Two organisations want to know which phones, handles and wallets they both hold without handing
each other their lists. Each computes ``HMAC-SHA256(community secret, selector key)`` over its
canonical selector keys (``phone:+85512345678``; see `tocsin.share.canonical`), writes the sorted
hashes to a file and gives it to the other; ``share match`` hashes its own selectors with the
same key version and reports the intersection — to the party that runs it, on its own machine.

Why keyed: the space of phone numbers is small (a country's mobile numbers are ~10⁸–10⁹
values), so an unkeyed SHA-256 of a phone number is reversed by hashing every number — minutes
on a laptop. With the community secret nobody outside the community can run that dictionary
attack. Inside the community everyone holds the secret and *can*: the threat model in
docs/sharing.md says so plainly and what limits it (small communities, key rotation, sharing
only what markings allow).

Files:

- **Community key file** (JSON, mode 0600): ``{"format": "tocsin-community-key", "version": 1,
  "community": NAME, "keys": [{"version": 1, "created": ISO, "secret": base64url}, …]}``.
  Several key versions live in one file: `rotate` adds one, hashing uses the newest, matching
  uses the version the other side's file names. Removing an old version retires it.
- **Hash-set file**: line 1 is a JSON header (format, community, key version, the key's
  fingerprint, algorithm, canonicalisation, count, organisation, created); then one lower-case
  hex digest per line, sorted and unique (order reveals nothing; a reader checks both).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from platformdirs import user_data_path

from tocsin.errors import ConfigError, InputError
from tocsin.settings import Settings

__all__ = [
    "ALGORITHM",
    "CANONICALISATION",
    "CommunityKey",
    "HashSetHeader",
    "KeyRing",
    "MatchResult",
    "digest_of_file",
    "hash_selector",
    "keyring_path",
    "keys_directory",
    "load_keyring",
    "match_hashset",
    "new_keyring",
    "read_hashset",
    "save_keyring",
    "write_hashset",
]

KEY_FORMAT: Final = "tocsin-community-key"
HASHSET_FORMAT: Final = "tocsin-hashset"
ALGORITHM: Final = "HMAC-SHA256"
CANONICALISATION: Final = "tocsin-selector-key/1"
"""``type:value`` with the value as Tocsin's extractors normalise it (docs/selectors.md)."""
SECRET_BYTES: Final = 32
MAX_HEADER_BYTES: Final = 64 * 1024
_COMMUNITY = re.compile(r"[a-z0-9][a-z0-9._\-]{0,63}")
_HEX = re.compile(rb"[0-9a-f]{64}")


def _check_community(name: str) -> str:
    if not _COMMUNITY.fullmatch(name):
        raise InputError(
            f"{name!r} is not a community name",
            field="community",
            hint="1-64 characters: lower-case letters, digits, '.', '_' or '-', e.g. mekong-2026",
        )
    return name


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class CommunityKey:
    """One version of a community's secret."""

    version: int
    created: datetime
    secret: bytes = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """A public tag of the secret (16 hex digits): tells two members whether they hold the
        same key version without revealing it."""
        return hmac.digest(self.secret, b"tocsin community key fingerprint", "sha256").hex()[:16]


@dataclass(frozen=True, slots=True)
class KeyRing:
    """Every key version of one community, oldest first."""

    community: str
    keys: tuple[CommunityKey, ...]

    @property
    def current(self) -> CommunityKey:
        return self.keys[-1]

    def get(self, version: int) -> CommunityKey:
        for key in self.keys:
            if key.version == version:
                return key
        have = ", ".join(str(k.version) for k in self.keys)
        raise ConfigError(
            f"community {self.community!r} has no key version {version} here (have: {have})",
            hint="ask the community's coordinator for the current key file",
        )

    def rotated(self, now: datetime | None = None) -> KeyRing:
        """A new key ring with one more, newer key version (the old ones stay until removed)."""
        key = CommunityKey(
            self.current.version + 1, now or datetime.now(UTC), secrets.token_bytes(SECRET_BYTES)
        )
        return KeyRing(self.community, (*self.keys, key))

    def without(self, version: int) -> KeyRing:
        """The key ring with ``version`` retired; the newest version cannot be removed."""
        self.get(version)
        if version == self.current.version:
            raise InputError("the newest key version cannot be retired; rotate first")
        return KeyRing(self.community, tuple(k for k in self.keys if k.version != version))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": KEY_FORMAT,
            "version": 1,
            "community": self.community,
            "keys": [
                {
                    "version": k.version,
                    "created": k.created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    "secret": _b64(k.secret),
                }
                for k in self.keys
            ],
        }


def new_keyring(community: str, now: datetime | None = None) -> KeyRing:
    """A fresh community key ring with key version 1 (32 random bytes)."""
    key = CommunityKey(1, now or datetime.now(UTC), secrets.token_bytes(SECRET_BYTES))
    return KeyRing(_check_community(community), (key,))


def keys_directory(settings: Settings) -> Path:
    """Where community key files live: ``TOCSIN_SHARE_KEYS_DIR``, else ``community-keys`` under
    the user's data directory."""
    if settings.share_keys_dir:
        return Path(settings.share_keys_dir)
    return user_data_path("tocsin", appauthor=False) / "community-keys"


def keyring_path(directory: Path, community: str) -> Path:
    return directory / f"{_check_community(community)}.key"


def load_keyring(path: Path) -> KeyRing:
    """Read a community key file; refuses one that others on this machine can read."""
    where = str(path)
    try:
        mode = path.stat().st_mode
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no community key file at {where}",
            hint="import the key file you were given: tocsin share key import FILE",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {where}: {exc.strerror}") from None
    if os.name == "posix" and mode & 0o077:
        raise ConfigError(
            f"{where} can be read by other users of this machine (mode {mode & 0o777:o})",
            hint=f"chmod 600 {where}",
        )
    try:
        data = json.loads(raw)
        if data.get("format") != KEY_FORMAT or data.get("version") != 1:
            raise ValueError("not a Tocsin community key file (format/version)")
        keys = tuple(
            sorted(
                (
                    CommunityKey(
                        int(k["version"]),
                        datetime.fromisoformat(str(k["created"]).replace("Z", "+00:00")),
                        _unb64(str(k["secret"])),
                    )
                    for k in data["keys"]
                ),
                key=lambda k: k.version,
            )
        )
        community = _check_community(str(data["community"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{where} is not a valid community key file: {exc}") from None
    if not keys:
        raise ConfigError(f"{where} holds no key")
    if len({k.version for k in keys}) != len(keys):
        raise ConfigError(f"{where} holds one key version twice")
    for key in keys:
        if len(key.secret) < 16:
            raise ConfigError(f"{where}: key version {key.version} is shorter than 128 bits")
    return KeyRing(community, keys)


def save_keyring(ring: KeyRing, path: Path) -> None:
    """Write the key file atomically with mode 0600 (the directory is created 0700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(ring.to_json(), out, indent=2)
            out.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def hash_selector(secret: bytes, key: str) -> bytes:
    """``HMAC-SHA256(secret, "type:value")`` of one canonical selector key."""
    return hmac.digest(secret, key.encode("utf-8"), "sha256")


@dataclass(frozen=True, slots=True)
class HashSetHeader:
    """The first line of a hash-set file."""

    community: str
    key_version: int
    key_fingerprint: str
    count: int
    created: str
    organisation: str | None = None
    algorithm: str = ALGORITHM
    canonicalisation: str = CANONICALISATION

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": HASHSET_FORMAT,
            "version": 1,
            "community": self.community,
            "key_version": self.key_version,
            "key_fingerprint": self.key_fingerprint,
            "algorithm": self.algorithm,
            "canonicalisation": self.canonicalisation,
            "count": self.count,
            "created": self.created,
        }
        if self.organisation is not None:
            data["organisation"] = self.organisation
        return data


def write_hashset(
    out: IO[bytes],
    selector_keys: Iterable[str],
    ring: KeyRing,
    *,
    key_version: int | None = None,
    organisation: str | None = None,
    now: datetime | None = None,
) -> HashSetHeader:
    """Hash every selector key and write the sorted, unique digests after a JSON header."""
    key = ring.current if key_version is None else ring.get(key_version)
    digests = sorted({hash_selector(key.secret, k) for k in selector_keys})
    header = HashSetHeader(
        community=ring.community,
        key_version=key.version,
        key_fingerprint=key.fingerprint,
        count=len(digests),
        created=(now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        organisation=organisation,
    )
    out.write(json.dumps(header.to_json(), sort_keys=True).encode("utf-8") + b"\n")
    out.write(b"".join(d.hex().encode("ascii") + b"\n" for d in digests))
    return header


def _header(line: bytes, source: str) -> HashSetHeader:
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("format") != HASHSET_FORMAT:
            raise ValueError("the first line is not a Tocsin hash-set header")
        if data.get("version") != 1:
            raise ValueError(f"hash-set format version {data.get('version')!r} is not supported")
        if data.get("algorithm") != ALGORITHM:
            raise ValueError(f"algorithm {data.get('algorithm')!r} is not {ALGORITHM}")
        if data.get("canonicalisation") != CANONICALISATION:
            raise ValueError(
                f"canonicalisation {data.get('canonicalisation')!r} is not {CANONICALISATION}"
            )
        organisation = data.get("organisation")
        return HashSetHeader(
            community=_check_community(str(data["community"])),
            key_version=int(data["key_version"]),
            key_fingerprint=str(data["key_fingerprint"]),
            count=int(data["count"]),
            created=str(data["created"]),
            organisation=str(organisation) if organisation is not None else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not a hash-set file: {exc}", source=source, line=1) from None


def read_hashset(
    stream: IO[bytes], source: str = "<hash set>"
) -> tuple[HashSetHeader, Iterator[bytes]]:
    """The header, and an iterator over the digests that checks each line as it goes: 64
    lower-case hex digits, strictly ascending, as many as the header says."""
    first = stream.readline(MAX_HEADER_BYTES + 1)
    if len(first) > MAX_HEADER_BYTES:
        raise InputError("the header line is too long", source=source, line=1)
    header = _header(first, source)

    def digests() -> Iterator[bytes]:
        previous = b""
        count = 0
        for number, line in enumerate(stream, start=2):
            digest = line.rstrip(b"\r\n")
            if not _HEX.fullmatch(digest):
                raise InputError(
                    "expected 64 lower-case hexadecimal digits", source=source, line=number
                )
            if digest <= previous:
                raise InputError(
                    "digests are not sorted and unique (the file was altered)",
                    source=source,
                    line=number,
                )
            previous = digest
            count += 1
            yield bytes.fromhex(digest.decode("ascii"))
        if count != header.count:
            raise InputError(
                f"the header announces {header.count} digests but the file holds {count}",
                source=source,
            )

    return header, digests()


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What a match tells the party that runs it: which of *its own* selectors the other side
    holds too, and the sizes of both sets. Nothing else about the other side's set."""

    header: HashSetHeader
    matched: list[str]
    ours: int
    theirs: int


def match_hashset(
    stream: IO[bytes], our_keys: Iterable[str], ring: KeyRing, source: str = "<hash set>"
) -> MatchResult:
    """Our selector keys whose keyed hash is in the other side's hash-set file."""
    header, digests = read_hashset(stream, source)
    if header.community != ring.community:
        raise InputError(
            f"the hash set is for community {header.community!r}, not {ring.community!r}",
            source=source,
            hint=f"match with --community {header.community}",
        )
    key = ring.get(header.key_version)
    if key.fingerprint != header.key_fingerprint:
        raise ConfigError(
            f"key version {key.version} of {ring.community!r} differs from the one that made "
            f"{source} (fingerprints {key.fingerprint} ≠ {header.key_fingerprint})",
            hint="both sides must import the same community key file",
        )
    ours: dict[bytes, str] = {}
    for k in our_keys:
        ours.setdefault(hash_selector(key.secret, k), k)
    matched = sorted(ours[d] for d in digests if d in ours)
    return MatchResult(header=header, matched=matched, ours=len(ours), theirs=header.count)


def digest_of_file(path: Path) -> str:
    """SHA-256 of a file, for the audit log (which file was matched or written)."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
