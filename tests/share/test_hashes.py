"""Keyed hashes of canonical selectors: key files, hash-set files, matching."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from tocsin.errors import ConfigError, InputError
from tocsin.share.hashes import (
    hash_selector,
    load_keyring,
    match_hashset,
    new_keyring,
    read_hashset,
    save_keyring,
    write_hashset,
)

OURS = [
    "phone:+85512345678",
    "telegram:hr_a",
    "telegram:hr_b",
    "crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
]
THEIRS = ["phone:+85512345678", "telegram:hr_b", "telegram:hr_zz", "email:x@luckyjob.top"]


def _set(keys: list[str], ring: object, **kw: object) -> bytes:
    out = io.BytesIO()
    write_hashset(out, keys, ring, **kw)  # type: ignore[arg-type]
    return out.getvalue()


def test_match_reveals_only_our_selectors_they_also_hold() -> None:
    ring = new_keyring("mekong-2026")
    theirs = _set(THEIRS, ring, organisation="Police (synthetic)")
    result = match_hashset(io.BytesIO(theirs), OURS, ring)
    assert result.matched == ["phone:+85512345678", "telegram:hr_b"]
    assert (result.ours, result.theirs) == (4, 4)
    assert result.header.organisation == "Police (synthetic)"
    # the file holds no selector in clear, only digests
    assert b"hr_zz" not in theirs and b"+855" not in theirs


def test_hash_set_file_is_sorted_unique_and_says_what_it_is() -> None:
    ring = new_keyring("mekong-2026")
    data = _set(THEIRS + THEIRS, ring)
    lines = data.splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "tocsin-hashset" and header["algorithm"] == "HMAC-SHA256"
    assert header["count"] == 4 == len(lines) - 1
    assert header["key_version"] == 1 and header["key_fingerprint"] == ring.current.fingerprint
    assert lines[1:] == sorted(set(lines[1:]))


def test_an_unkeyed_hash_is_a_dictionary_away_the_keyed_one_is_not() -> None:
    """Why a key: SHA-256 of a phone number is reversed by hashing the numbering plan."""
    ring = new_keyring("mekong-2026")
    target = "phone:+85512345678"
    unkeyed = hashlib.sha256(target.encode()).digest()
    keyed = hash_selector(ring.current.secret, target)
    # an attacker enumerates a slice of Cambodia's mobile plan (+855 12 …)
    guesses = (f"phone:+85512{n:06d}" for n in range(340_000, 350_000))
    found_unkeyed = [g for g in guesses if hashlib.sha256(g.encode()).digest() == unkeyed]
    assert found_unkeyed == [target]
    wrong_key = new_keyring("mekong-2026").current.secret  # an outsider's guess of the key
    guesses = (f"phone:+85512{n:06d}" for n in range(340_000, 350_000))
    assert not [g for g in guesses if hash_selector(wrong_key, g) == keyed]


def test_rotation_keeps_old_hash_sets_matchable_until_retired(tmp_path: Path) -> None:
    ring = new_keyring("mekong-2026")
    old_set = _set(THEIRS, ring)
    ring = ring.rotated()
    new_set = _set(THEIRS, ring)
    assert json.loads(new_set.splitlines()[0])["key_version"] == 2
    assert old_set.splitlines()[1:] != new_set.splitlines()[1:]  # a new key, new digests
    for data in (old_set, new_set):
        assert match_hashset(io.BytesIO(data), OURS, ring).matched == [
            "phone:+85512345678",
            "telegram:hr_b",
        ]
    retired = ring.without(1)
    with pytest.raises(ConfigError, match="no key version 1"):
        match_hashset(io.BytesIO(old_set), OURS, retired)
    with pytest.raises(InputError, match="newest key version"):
        retired.without(2)
    path = tmp_path / "keys" / "mekong-2026.key"
    save_keyring(ring, path)
    loaded = load_keyring(path)
    assert [k.version for k in loaded.keys] == [1, 2]
    assert loaded.current.secret == ring.current.secret


def test_key_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "c.key"
    save_keyring(new_keyring("c"), path)
    assert path.stat().st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_keyring(path)
    with pytest.raises(ConfigError, match="no community key file"):
        load_keyring(tmp_path / "missing.key")
    (tmp_path / "bad.key").write_text("{}")
    os.chmod(tmp_path / "bad.key", 0o600)
    with pytest.raises(ConfigError, match="not a valid community key file"):
        load_keyring(tmp_path / "bad.key")


def test_different_secrets_under_one_version_are_told_apart() -> None:
    mine, theirs = new_keyring("mekong-2026"), new_keyring("mekong-2026")
    with pytest.raises(ConfigError, match="fingerprints"):
        match_hashset(io.BytesIO(_set(THEIRS, theirs)), OURS, mine)


def test_wrong_community_is_refused() -> None:
    ring = new_keyring("mekong-2026")
    with pytest.raises(InputError, match="for community 'mekong-2026', not 'other'"):
        match_hashset(io.BytesIO(_set(THEIRS, ring)), OURS, new_keyring("other"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda lines: [lines[0], lines[2], lines[1], *lines[3:]], "not sorted"),
        (lambda lines: [lines[0], lines[1], lines[1], *lines[2:]], "not sorted"),
        (lambda lines: [*lines[:2], b"zz" * 32, *lines[3:]], "hexadecimal"),
        (lambda lines: lines[:-1], "announces 4 digests but the file holds 3"),
        (lambda lines: [b'{"format": "other"}', *lines[1:]], "not a hash-set file"),
        (lambda lines: [b"not json", *lines[1:]], "not a hash-set file"),
    ],
)
def test_altered_files_are_refused_with_the_line(mutate: object, message: str) -> None:
    ring = new_keyring("mekong-2026")
    lines = _set(THEIRS, ring).splitlines()
    data = b"\n".join(mutate(lines)) + b"\n"  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as err:
        _header, digests = read_hashset(io.BytesIO(data), "their.hashes")
        list(digests)
    assert "their.hashes" in str(err.value)


def test_community_names_are_checked() -> None:
    with pytest.raises(InputError, match="not a community name"):
        new_keyring("../etc")
