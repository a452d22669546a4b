"""What a user enters about persons, reports, operations and compounds, and how it is checked.

The checks are shared by the CLI, the API, the web forms and the spreadsheet import, so a bad
value gets the same message everywhere. Messages name the field and, for personal fields, never
repeat the value (it could be a name or a passport number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

from followthemoney import registry

from tocsin.errors import InputError

__all__ = [
    "MAX_PHOTO_BYTES",
    "PERSONAL_FIELDS",
    "SEXES",
    "CompoundInput",
    "OperationInput",
    "PersonInput",
    "ReportInput",
    "clean_country",
    "clean_languages",
    "clean_text",
    "parse_date",
    "parse_datetime",
    "photo_type",
]

PERSONAL_FIELDS: Final = frozenset(
    {"name", "passport", "photo", "notes", "reporter_name", "reporter_contact"}
)
"""Fields that identify a person: encrypted at rest, never logged or exported unless named."""

SEXES: Final = ("female", "male", "other", "unknown")
OPERATION_KINDS: Final = ("raid", "rescue", "escape", "other")
COMPOUND_KINDS: Final = ("compound", "hub", "resort", "transit")
PRECISIONS: Final = ("site", "town", "none")
MAX_PHOTO_BYTES: Final = 2_000_000
_LIMITS: Final = {
    "name": 300,
    "passport": 60,
    "notes": 20_000,
    "reporter_name": 300,
    "reporter_contact": 500,
    "reporter_relation": 40,
    "last_contact_channel": 60,
    "last_known_place": 200,
    "job_title": 200,
    "promised_place": 200,
    "ref": 120,
    "place": 200,
}


def photo_type(data: bytes) -> str:
    """The media type of a photo from its first bytes (the upload's own claim is not trusted)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise InputError("a photo is a JPEG, PNG or WebP image", field="photo")


def _text(value: str | None, name: str) -> str | None:
    """Stripped text, None when empty; too long is an error that never shows the value."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    limit = _LIMITS.get(name)
    if limit is not None and len(text) > limit:
        raise InputError(f"too long ({len(text)} characters, at most {limit})", field=name)
    return text


def clean_text(value: str | None, name: str) -> str | None:
    """`_text` for callers outside this module: stripped, None when empty, length-checked."""
    return _text(value, name)


def clean_country(value: str | None, name: str = "nationality") -> str | None:
    """An ISO 3166-1 alpha-2 code (lower case) from a code or an English country name."""
    if value is None or not value.strip():
        return None
    code = registry.country.clean(value.strip())
    if code is None or len(code) != 2:
        raise InputError(
            f"{value.strip()[:60]!r} is not a country (an ISO code such as TH, or a name)",
            field=name,
        )
    return code


def clean_languages(values: Iterable[str] | str | None) -> list[str]:
    """ISO 639-3 codes from codes or English names, e.g. ``th, English`` → ``tha, eng``."""
    if values is None:
        return []
    items = values.replace(";", ",").split(",") if isinstance(values, str) else list(values)
    found: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        code = registry.language.clean(item)
        if code is None:
            raise InputError(
                f"{item[:40]!r} is not a language (an ISO code such as th or tha, or a name)",
                field="languages",
            )
        if code not in found:
            found.append(code)
    return found


def parse_date(value: str | date | datetime | None, name: str) -> date | None:
    """A date from ``YYYY-MM-DD`` (or a datetime / date object, as spreadsheets give)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise InputError(f"{text[:40]!r} is not a date (YYYY-MM-DD)", field=name) from None


def parse_datetime(value: str | date | datetime | None, name: str) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{value[:40]!r} is not a date and time", field=name) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    day = parse_date(value, name)
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(slots=True)
class PersonInput:
    """A victim or survivor. Every field is optional: a survivor may be recorded without a name
    and is known by the pseudonymous id Tocsin gives them."""

    name: str | None = None
    passport: str | None = None
    photo: bytes | None = None
    photo_type: str | None = None
    notes: str | None = None
    sex: str | None = None
    birth_year: int | None = None
    nationality: str | None = None
    languages: list[str] = field(default_factory=list)
    compound: str | None = None  # compound id
    ref: str | None = None

    def cleaned(self) -> PersonInput:
        sex = (self.sex or "").strip().lower() or None
        if sex is not None and sex not in SEXES:
            raise InputError(f"sex is one of {', '.join(SEXES)}, not {sex[:20]!r}", field="sex")
        year = self.birth_year
        if year is not None and not 1900 <= year <= date.today().year:
            raise InputError(f"{year} is not a plausible birth year", field="birth_year")
        if self.photo is not None and len(self.photo) > MAX_PHOTO_BYTES:
            raise InputError(
                f"the photo has {len(self.photo)} bytes, at most {MAX_PHOTO_BYTES}", field="photo"
            )
        photo_type = self.photo_type
        if self.photo is not None and photo_type not in ("image/jpeg", "image/png", "image/webp"):
            raise InputError("a photo is a JPEG, PNG or WebP image", field="photo")
        return PersonInput(
            name=_text(self.name, "name"),
            passport=_text(self.passport, "passport"),
            photo=self.photo,
            photo_type=photo_type if self.photo is not None else None,
            notes=_text(self.notes, "notes"),
            sex=sex,
            birth_year=year,
            nationality=clean_country(self.nationality),
            languages=clean_languages(self.languages),
            compound=_text(self.compound, "compound"),
            ref=_text(self.ref, "ref"),
        )


@dataclass(slots=True)
class ReportInput:
    """A missing-person report: who is missing, who reports, the last contact and the lure."""

    person: PersonInput = field(default_factory=PersonInput)
    reported_at: datetime | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    reporter_relation: str | None = None
    last_contact_at: date | None = None
    last_contact_channel: str | None = None
    last_known_place: str | None = None
    last_known_country: str | None = None
    compound: str | None = None
    job_title: str | None = None
    promised_place: str | None = None
    offer_text: str | None = None
    recruiter_contacts: list[str] = field(default_factory=list)

    def cleaned(self) -> ReportInput:
        contacts = [c.strip() for c in self.recruiter_contacts if c and c.strip()]
        if any(len(c) > 300 for c in contacts):
            raise InputError("a recruiter contact has more than 300 characters", field="contacts")
        offer = self.offer_text.strip() if self.offer_text and self.offer_text.strip() else None
        if offer is not None and len(offer) > 200_000:
            raise InputError("the job offer has more than 200,000 characters", field="offer")
        if self.last_contact_at is not None and self.last_contact_at > date.today():
            raise InputError("the last contact is in the future", field="last_contact_at")
        return ReportInput(
            person=self.person.cleaned(),
            reported_at=self.reported_at,
            reporter_name=_text(self.reporter_name, "reporter_name"),
            reporter_contact=_text(self.reporter_contact, "reporter_contact"),
            reporter_relation=_text(self.reporter_relation, "reporter_relation"),
            last_contact_at=self.last_contact_at,
            last_contact_channel=_text(self.last_contact_channel, "last_contact_channel"),
            last_known_place=_text(self.last_known_place, "last_known_place"),
            last_known_country=clean_country(self.last_known_country, "last_known_country"),
            compound=_text(self.compound, "compound"),
            job_title=_text(self.job_title, "job_title"),
            promised_place=_text(self.promised_place, "promised_place"),
            offer_text=offer,
            recruiter_contacts=contacts,
        )


@dataclass(slots=True)
class OperationInput:
    """A raid, rescue or escape: when, where, who acted, how many people of which nationality
    were freed, the persons of the case it concerned, and what follows."""

    kind: str
    date: date
    compound: str | None = None
    place: str | None = None
    country: str | None = None
    agencies: list[str] = field(default_factory=list)
    freed_total: int | None = None
    nationalities: dict[str, int] = field(default_factory=dict)
    follow_up: str = ""
    source: str = ""
    persons: list[str] = field(default_factory=list)  # ids of persons of the case, now rescued
    survivors: list[PersonInput] = field(default_factory=list)  # first met in this operation

    def cleaned(self) -> OperationInput:
        kind = self.kind.strip().lower()
        if kind not in OPERATION_KINDS:
            raise InputError(f"kind is one of {', '.join(OPERATION_KINDS)}", field="kind")
        if self.date > date.today():
            raise InputError("the operation date is in the future", field="date")
        counts: dict[str, int] = {}
        for nat, count in self.nationalities.items():
            code = clean_country(nat, "nationalities")
            assert code is not None
            if count < 0:
                raise InputError(f"a negative count for {code.upper()}", field="nationalities")
            counts[code] = counts.get(code, 0) + count
        total = self.freed_total
        if total is not None and total < 0:
            raise InputError("freed_total is negative", field="freed_total")
        if total is None and (counts or self.survivors):
            total = max(sum(counts.values()), len(self.survivors) + len(self.persons))
        if total is not None and sum(counts.values()) > total:
            raise InputError(
                f"the nationality counts add up to {sum(counts.values())}, more than the "
                f"{total} people freed",
                field="nationalities",
            )
        agencies = [a.strip()[:200] for a in self.agencies if a.strip()]
        return OperationInput(
            kind=kind,
            date=self.date,
            compound=_text(self.compound, "compound"),
            place=_text(self.place, "place"),
            country=clean_country(self.country, "country"),
            agencies=agencies,
            freed_total=total,
            nationalities=counts,
            follow_up=self.follow_up.strip(),
            source=self.source.strip(),
            persons=list(dict.fromkeys(p.strip() for p in self.persons if p.strip())),
            survivors=[s.cleaned() for s in self.survivors],
        )


@dataclass(slots=True)
class CompoundInput:
    """A compound or hub: a place, with names in several languages and scripts."""

    id: str
    name: str
    kind: str = "compound"
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    precision: str | None = None
    location_note: str = ""
    description: str = ""
    names: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    companies: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, note
    sources: list[str] = field(default_factory=list)

    def cleaned(self) -> CompoundInput:
        slug = self.id.strip().lower()
        if not slug or len(slug) > 80 or not all(c.isalnum() or c == "-" for c in slug):
            raise InputError("a compound id is 1-80 letters, digits and '-'", field="id")
        name = self.name.strip()
        if not name or len(name) > 200:
            raise InputError("a compound name has 1 to 200 characters", field="name")
        kind = self.kind.strip().lower()
        if kind not in COMPOUND_KINDS:
            raise InputError(f"kind is one of {', '.join(COMPOUND_KINDS)}", field="kind")
        if (self.latitude is None) != (self.longitude is None):
            raise InputError("give both latitude and longitude, or neither", field="latitude")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InputError("latitude is between -90 and 90", field="latitude")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InputError("longitude is between -180 and 180", field="longitude")
        precision = self.precision or ("site" if self.latitude is not None else "none")
        if precision not in PRECISIONS:
            raise InputError(f"precision is one of {', '.join(PRECISIONS)}", field="precision")
        if self.latitude is None and precision != "none":
            raise InputError("a precision needs a location", field="precision")
        return CompoundInput(
            id=slug,
            name=name,
            kind=kind,
            country=clean_country(self.country, "country"),
            latitude=self.latitude,
            longitude=self.longitude,
            precision=precision,
            location_note=self.location_note.strip(),
            description=self.description.strip(),
            names=[(n.strip(), lang, script) for n, lang, script in self.names if n.strip()],
            companies=[(n.strip(), r.strip() or "operator", note) for n, r, note in self.companies],
            sources=[s.strip() for s in self.sources if s.strip()],
        )
