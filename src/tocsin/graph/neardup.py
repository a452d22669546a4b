"""Near-duplicate documents: reused ad templates and chat scripts, found by MinHash + LSH.

Networks change their contacts between ads more often than their wording. Two documents whose
character shingles overlap by at least ``threshold`` (estimated Jaccard similarity) are linked
by a *near-duplicate edge*, a separate, visible edge type in clusters and paths.

Shingles are characters, not words, so the method needs no tokeniser and works the same on
Chinese, Thai or Burmese (no spaces between words) as on English. Before shingling, text is
NFKC-normalised and case-folded, contact-like tokens (URLs, e-mail addresses, @handles, phone-like
digit runs) are masked, runs of whitespace become one space and every remaining digit becomes
``0`` — so a network that changes its phone, Telegram account or salary between two copies of
an ad changes almost no shingles.

Signature format (stored by the store at ingest): ``NUM_PERM`` little-endian ``uint32`` values,
datasketch's `MinHash` hash values with seed ``SEED`` and scheme ``SCHEME``. Change any
parameter here and stored signatures must be recomputed; `signature` embeds nothing to detect
that, so the parameters are constants, not settings.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = [
    "MIN_CHARS",
    "NUM_PERM",
    "SCHEME",
    "SEED",
    "SHINGLE",
    "near_duplicate_pairs",
    "normalise",
    "signature",
]

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE = 5
MIN_CHARS = 40
"""Texts shorter than this after normalisation get no signature: "hi, call me" is no template."""

# ASCII character classes on purpose: Chinese or Thai text runs straight on after a contact.
_CONTACT = re.compile(
    r"(?:(?:https?://|www\.|t\.me/)[A-Za-z0-9_./?=&%~+#-]+"  # links, including Telegram links
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"  # e-mail addresses
    r"|@[A-Za-z0-9_.]+"  # handles
    r"|\+?\d[\d\s().-]{5,}\d"  # phone-like digit runs
    r")"
)
_MASKS = re.compile(r"#(?:\s*#)+")
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def normalise(text: str) -> str:
    """The text that is shingled: NFKC, case-folded, contacts masked, one space per whitespace
    run, digits as 0."""
    text = _CONTACT.sub(" # ", unicodedata.normalize("NFKC", text).casefold())
    text = _MASKS.sub("#", text)
    return _DIGIT.sub("0", _SPACE.sub(" ", text)).strip()


# datasketch's affine32 scheme, computed here with the permutations drawn once (datasketch draws
# them again for every MinHash) and the shingles hashed in one pass: the same values as
# ``MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).update_batch(shingles)`` (a test checks
# it), several times faster, which matters because ingest computes one signature per document.
_PERM_A, _PERM_B = (
    np.asarray(p, dtype=np.uint32)
    for p in MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
)
_FMIX: Final = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))
_sha1 = hashlib.sha1


def _hash32(shingles: Iterable[bytes]) -> np.ndarray:
    """datasketch's ``sha1_hash32`` of each shingle, premixed by the MurmurHash3 finalizer."""
    digests = b"".join([_sha1(s).digest()[:4] for s in shingles])
    hv = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
    s1, m1, s2, m2 = _FMIX
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s1
    return hv


def signature(text: str) -> bytes | None:
    """The MinHash signature of a text's character shingles, or None for a too-short text."""
    norm = normalise(text)
    if len(norm) < MIN_CHARS:
        return None
    if norm.isascii():  # one byte per character: shingle the bytes directly
        raw = norm.encode("ascii")
        hv = _hash32({raw[i : i + SHINGLE] for i in range(len(raw) - SHINGLE + 1)})
    else:
        shingles = {norm[i : i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}
        hv = _hash32([s.encode("utf-8") for s in shingles])
    values = (hv[:, None] * _PERM_A + _PERM_B).min(axis=0)
    return bytes(values.astype("<u4").tobytes())


def _minhash(sig: bytes) -> MinHash:
    values = np.frombuffer(sig, dtype="<u4").astype(np.uint32)
    if values.shape[0] != NUM_PERM:
        raise ValueError(f"a signature has {values.shape[0]} values, expected {NUM_PERM}")
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, scheme=SCHEME)


def near_duplicate_pairs(
    signatures: Iterable[tuple[str, bytes]], threshold: float
) -> list[tuple[str, str, float]]:
    """Pairs of documents whose estimated Jaccard similarity is at least ``threshold``.

    LSH proposes candidates (banding tuned by datasketch for ``threshold``); each candidate is
    then checked on the full signature, so the result holds only pairs at or above the
    threshold. Returns sorted ``(a, b, similarity)`` with ``a < b``.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    pairs: set[tuple[str, str]] = set()
    for doc_id, sig in signatures:
        if doc_id in hashes:
            continue
        minhash = _minhash(sig)
        for other in lsh.query(minhash):
            pairs.add((other, doc_id) if other < doc_id else (doc_id, other))
        lsh.insert(doc_id, minhash)
        hashes[doc_id] = minhash
    result = []
    for a, b in sorted(pairs):
        similarity = float(hashes[a].jaccard(hashes[b]))
        if similarity >= threshold:
            result.append((a, b, round(similarity, 4)))
    return result
