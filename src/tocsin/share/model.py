"""What Tocsin shares, independent of the format: the `Package`.

Every export format (STIX 2.1, MISP, FtM) is written from a package, and every import reads
into one; the store is read into packages by `tocsin.share.collect` (markings enforced there)
and packages are written into the store by `tocsin.share.ingest`. So the mapping of each
format is two pure functions, tested without a database, and round trips compare packages.

- `SharedDocument`: a stored document — its text, kind, title, language, marking, first and
  last seen, the producer's risk assessment, and the keys of the selectors linked to it.
- `SharedSelector`: a canonical selector (``type:value``) with its attributes.
- `SharedCluster`: a network found by link analysis over the shared documents.
- `SharedCompound`: a scam compound (a place: name, country, address).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tocsin.model import Selector, SelectorType
from tocsin.store.schema import MARKINGS

__all__ = [
    "MARKING_RANK",
    "Package",
    "SharedCluster",
    "SharedCompound",
    "SharedDocument",
    "SharedSelector",
    "most_restrictive",
    "utc",
]

MARKING_RANK = {m: i for i, m in enumerate(MARKINGS)}
"""clear 0 < green 1 < amber 2 < amber+strict 3 < red 4."""


def most_restrictive(markings: Iterable[str], default: str = "clear") -> str:
    chosen = default
    for m in markings:
        if MARKING_RANK[m] > MARKING_RANK[chosen]:
            chosen = m
    return chosen


def utc(value: datetime) -> datetime:
    """Aware UTC, whole seconds (SQLite returns naive datetimes; every format keeps seconds)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class SharedSelector:
    key: str
    type: SelectorType
    value: str
    chain: str | None = None
    token: str | None = None
    country: str | None = None
    validated: bool = False

    @classmethod
    def of(cls, sel: Selector) -> SharedSelector:
        return cls(
            key=sel.key,
            type=sel.type,
            value=sel.value,
            chain=sel.chain,
            token=sel.token,
            country=sel.country,
            validated=sel.validated,
        )


@dataclass(frozen=True, slots=True)
class SharedDocument:
    id: str
    """SHA-256 of the NFC text (the store's document id)."""
    text: str
    kind: str
    marking: str
    first_seen: datetime
    last_seen: datetime
    selectors: tuple[str, ...] = ()
    """Keys of the selectors linked to the document, sorted."""
    title: str | None = None
    language: str | None = None
    source_url: str | None = None
    risk: int | None = None
    level: str | None = None
    categories: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SharedCluster:
    id: str
    documents: tuple[str, ...]
    selectors: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    marking: str


@dataclass(frozen=True, slots=True)
class SharedCompound:
    id: str
    name: str
    marking: str
    first_seen: datetime
    last_seen: datetime
    country: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    precision: str | None = None
    """``site`` or ``town`` when coordinates are given (tocsin.cases)."""
    description: str | None = None


@dataclass
class Package:
    """A set of documents, selectors, clusters and compounds, ready to write in any format."""

    organisation: str
    documents: list[SharedDocument] = field(default_factory=list)
    selectors: dict[str, SharedSelector] = field(default_factory=dict)
    clusters: list[SharedCluster] = field(default_factory=list)
    compounds: list[SharedCompound] = field(default_factory=list)

    def add_selector(self, sel: SharedSelector) -> None:
        self.selectors.setdefault(sel.key, sel)

    @property
    def markings(self) -> list[str]:
        """Markings used in the package, least restrictive first."""
        used = {d.marking for d in self.documents} | {c.marking for c in self.compounds}
        return sorted(used, key=MARKING_RANK.__getitem__)

    def selector_marking(self) -> dict[str, str]:
        """Each selector's marking: the least restrictive of the documents it is linked to
        (the selector was found in each of them; any one of them is a lawful source)."""
        out: dict[str, str] = {}
        for doc in self.documents:
            for key in doc.selectors:
                current = out.get(key)
                if current is None or MARKING_RANK[doc.marking] < MARKING_RANK[current]:
                    out[key] = doc.marking
        return out
