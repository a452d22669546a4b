"""Request bodies of the cases API (`tocsin.web.api.cases`), and their conversion to the core's
inputs. Answers are the core's own ``to_dict()`` forms (docs/cases.md describes them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from tocsin.cases import CompoundInput, OperationInput, PersonInput, ReportInput
from tocsin.web.api.models import Model

__all__ = [
    "CaseIn",
    "CompanyIn",
    "CompoundIn",
    "FamilyIn",
    "FindIn",
    "LinkIn",
    "MemberIn",
    "NameIn",
    "OperationIn",
    "PersonCreate",
    "PersonIn",
    "ReportIn",
    "SelectorLinkIn",
    "StateIn",
    "StatusIn",
]

Status = Literal[
    "reported", "located", "rescued", "in_shelter", "repatriated", "declined_assistance",
    "lost_contact", "deceased", "withdrawn",
]  # fmt: skip
Text200 = Field(default=None, max_length=200)
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class MemberIn(Model):
    username: str = Field(min_length=1, max_length=200)
    role: Literal["lead", "member"] = "member"


class CaseIn(Model):
    title: str = Field(min_length=1, max_length=200, description="Never personal.")
    members: list[MemberIn] = Field(default_factory=list, max_length=100)


class StateIn(Model):
    state: Literal["open", "closed"]


class PersonIn(Model):
    """A victim or survivor; every field is optional (a pseudonymous id is always given).
    ``name``, ``passport`` and ``notes`` are personal: encrypted at rest."""

    name: str | None = Field(default=None, max_length=300)
    passport: str | None = Field(default=None, max_length=60)
    notes: str | None = Field(default=None, max_length=20_000)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    nationality: str | None = Field(default=None, max_length=60)
    languages: list[str] = Field(default_factory=list, max_length=20)
    compound: str | None = Field(default=None, max_length=80)
    ref: str | None = Field(default=None, max_length=120)

    def to_input(self) -> PersonInput:
        return PersonInput(
            name=self.name, passport=self.passport, notes=self.notes, sex=self.sex,
            birth_year=self.birth_year, nationality=self.nationality,
            languages=[x[:40] for x in self.languages], compound=self.compound, ref=self.ref,
        )  # fmt: skip


class PersonCreate(Model):
    person: PersonIn = Field(default_factory=PersonIn)
    status: Literal["reported", "located", "rescued", "in_shelter"] = "located"
    at: datetime | None = None


class StatusIn(Model):
    status: Status
    at: datetime | None = None
    note: str | None = Field(default=None, max_length=20_000)
    operation: str | None = Field(default=None, max_length=40)
    correction: bool = Field(default=False, description="A lead's fix of an earlier mistake.")


class ReportIn(Model):
    person: PersonIn = Field(default_factory=PersonIn)
    reported_at: datetime | None = None
    reporter_name: str | None = Field(default=None, max_length=300)
    reporter_contact: str | None = Field(default=None, max_length=500)
    reporter_relation: str | None = Field(default=None, max_length=40)
    last_contact_at: date | None = None
    last_contact_channel: str | None = Field(default=None, max_length=60)
    last_known_place: str | None = Text200
    last_known_country: str | None = Field(default=None, max_length=60)
    compound: str | None = Field(default=None, max_length=80)
    job_title: str | None = Text200
    promised_place: str | None = Text200
    offer_text: str | None = Field(default=None, max_length=200_000)
    recruiter_contacts: list[str] = Field(default_factory=list, max_length=50)

    def to_input(self) -> ReportInput:
        return ReportInput(
            person=self.person.to_input(), reported_at=self.reported_at,
            reporter_name=self.reporter_name, reporter_contact=self.reporter_contact,
            reporter_relation=self.reporter_relation, last_contact_at=self.last_contact_at,
            last_contact_channel=self.last_contact_channel,
            last_known_place=self.last_known_place, last_known_country=self.last_known_country,
            compound=self.compound, job_title=self.job_title, promised_place=self.promised_place,
            offer_text=self.offer_text,
            recruiter_contacts=[c[:300] for c in self.recruiter_contacts],
        )  # fmt: skip


class FamilyIn(Model):
    """Who reported the person and how to reach the family; only the fields sent change
    (``null`` clears one)."""

    reporter_name: str | None = Field(default=None, max_length=300)
    reporter_contact: str | None = Field(default=None, max_length=500)
    reporter_relation: str | None = Field(default=None, max_length=40)


class FindIn(Model):
    q: str = Field(min_length=2, max_length=200, description="A name, passport no., id or ref.")


class LinkIn(Model):
    person: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=2000)


class OperationIn(Model):
    kind: Literal["raid", "rescue", "escape", "other"]
    date: date
    compound: str | None = Field(default=None, max_length=80)
    place: str | None = Text200
    country: str | None = Field(default=None, max_length=60)
    agencies: list[str] = Field(default_factory=list, max_length=50)
    freed_total: int | None = Field(default=None, ge=0, le=1_000_000)
    nationalities: dict[str, Count] = Field(default_factory=dict, max_length=250)
    follow_up: str = Field(default="", max_length=20_000)
    source: str = Field(default="", max_length=2_000)
    persons: list[str] = Field(default_factory=list, max_length=5_000)
    survivors: list[PersonIn] = Field(default_factory=list, max_length=5_000)

    def to_input(self) -> OperationInput:
        return OperationInput(
            kind=self.kind, date=self.date, compound=self.compound, place=self.place,
            country=self.country, agencies=[a[:200] for a in self.agencies],
            freed_total=self.freed_total,
            nationalities={k[:60]: v for k, v in self.nationalities.items()},
            follow_up=self.follow_up, source=self.source, persons=[p[:40] for p in self.persons],
            survivors=[s.to_input() for s in self.survivors],
        )  # fmt: skip


class NameIn(Model):
    name: str = Field(min_length=1, max_length=200)
    language: str | None = Field(default=None, max_length=16)
    script: str | None = Field(default=None, max_length=4)


class CompanyIn(Model):
    name: str = Field(min_length=1, max_length=300)
    role: str = Field(default="operator", max_length=60)
    note: str = Field(default="", max_length=2_000)


class SelectorLinkIn(Model):
    selector: str = Field(
        min_length=1, max_length=600, description="type:value, or text naming one"
    )
    remove: bool = False


class CompoundIn(Model):
    id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["compound", "hub", "resort", "transit"] = "compound"
    country: str | None = Field(default=None, max_length=60)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    precision: Literal["site", "town", "none"] | None = None
    location_note: str = Field(default="", max_length=2_000)
    description: str = Field(default="", max_length=20_000)
    names: list[NameIn] = Field(default_factory=list, max_length=50)
    companies: list[CompanyIn] = Field(default_factory=list, max_length=50)
    sources: list[str] = Field(default_factory=list, max_length=50)
    dataset: str | None = Field(default=None, min_length=1, max_length=200)
    marking: Literal["clear", "green", "amber", "amber+strict", "red"] | None = None

    def to_input(self) -> CompoundInput:
        return CompoundInput(
            id=self.id, name=self.name, kind=self.kind, country=self.country,
            latitude=self.latitude, longitude=self.longitude, precision=self.precision,
            location_note=self.location_note, description=self.description,
            names=[(n.name, n.language, n.script) for n in self.names],
            companies=[(c.name, c.role, c.note) for c in self.companies],
            sources=[s[:2000] for s in self.sources],
        )  # fmt: skip
