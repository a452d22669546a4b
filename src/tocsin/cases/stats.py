"""Statistics for donors and ministries: counts by nationality × status, nationality, status,
month, place and compound, with small counts withheld (`tocsin.cases.suppress`, k =
``TOCSIN_STATS_MIN_COUNT``).

One release is protected as a whole: the cross table of nationality × status has the tables by
nationality and by status as its margins, and the tables by month, place and compound are
other partitions of the same persons, sharing the grand total. All of them go through one
suppression (`joint_release`), so no withheld count can be worked out from margins, from the
total, or by combining tables. The people freed in operations are another population: their
tables by nationality and by month (with "not recorded" for freed people of no stated
nationality, so both add up to the same total) are protected together, on their own.

Repeated releases: with ``TOCSIN_STATS_ROUND_BASE`` (or ``round_base``) every released figure is
randomly rounded to that base, keyed by the secret key and the true count (`round_count`), which
blurs the difference between two releases; see docs/cases.md for what it does not do.

Scope: the system principal counts every case; an admin every case of their organisation (only
aggregated and suppressed — opening a case still needs a place on its team); anyone else the
cases they are on the team of.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from followthemoney import registry
from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.engine import Connection

from tocsin.cases.context import CaseContext, NotFound
from tocsin.cases.suppress import (
    Released1D,
    Released2D,
    joint_release,
    rounded,
    rounded_2d,
)
from tocsin.cases.workflow import Status
from tocsin.store.schema import CASE_TABLES
from tocsin.store.scope import visible_dataset_pks

__all__ = ["StatsRelease", "country_name", "statistics"]

T = CASE_TABLES
UNKNOWN = "unknown"


def country_name(code: str) -> str:
    if code == UNKNOWN:
        return "not recorded"
    return str(registry.country.names.get(code.lower(), code))


@dataclass(slots=True)
class StatsRelease:
    """Everything one statistics release publishes (``None`` in a table: withheld)."""

    k: int
    scope: str
    cases: int
    generated_at: datetime
    by_nationality: Released1D
    by_status: Released1D
    by_month: Released1D
    by_place: Released1D
    by_compound: Released1D
    freed_by_nationality: Released1D
    freed_by_month: Released1D
    operations_by_kind: dict[str, int]
    by_nationality_status: Released2D
    round_base: int = 0  # figures rounded to this base (0: exact)
    compounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int | None:
        return self.by_status.total

    def tables(self) -> dict[str, Released1D]:
        return {
            "by_nationality": self.by_nationality,
            "by_status": self.by_status,
            "by_month": self.by_month,
            "by_place": self.by_place,
            "by_compound": self.by_compound,
            "freed_by_nationality": self.freed_by_nationality,
            "freed_by_month": self.freed_by_month,
        }

    def withheld(self) -> int:
        """Figures withheld, counting the shared totals and the cross table's margins (the
        tables by nationality and status) once."""
        persons = (self.by_nationality, self.by_status, self.by_month, self.by_place,
                   self.by_compound)  # fmt: skip
        cells = sum(c is None for t in persons for c in t.counts) + (self.total is None)
        cells += sum(c is None for row in self.by_nationality_status.cells for c in row)
        freed = (self.freed_by_nationality, self.freed_by_month)
        freed_cells = sum(c is None for t in freed for c in t.counts)
        return cells + freed_cells + (self.freed_by_month.total is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "scope": self.scope,
            "cases": self.cases,
            "generated_at": self.generated_at.isoformat(),
            "total": self.total,
            "withheld": self.withheld(),
            "round_base": self.round_base,
            **{name: table.to_dict() for name, table in self.tables().items()},
            "by_nationality_status": self.by_nationality_status.to_dict(),
            "operations_by_kind": self.operations_by_kind,
            "compounds": self.compounds,
        }


def _month(conn: Connection, column: Any) -> ColumnElement[str]:
    if conn.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return cast(func.strftime("%Y-%m", column), String)


def _scope(
    ctx: CaseContext, conn: Connection, case_ids: list[str] | None
) -> tuple[list[int] | None, str]:
    p = ctx.principal
    if p.system:
        pks, label = None, "every case"
    else:
        members = ctx.member_case_pks(conn) or []
        rule: ColumnElement[bool] = T.cases.c.pk.in_(members)
        label = "the cases you are on the team of"
        if p.role == "admin" and p.org_pk is not None and members is not None:
            rule = or_(rule, T.cases.c.org_pk == p.org_pk)
            label = f"every case of {p.org}"
        pks = [int(x) for x in conn.scalars(select(T.cases.c.pk).where(rule))]
    if case_ids:
        wanted = dict(conn.execute(select(T.cases.c.id, T.cases.c.pk).where(
            T.cases.c.id.in_(case_ids))).all())  # fmt: skip
        for case_id in case_ids:
            if case_id not in wanted or (pks is not None and wanted[case_id] not in pks):
                raise NotFound(f"no case {case_id!r} (or you are not on its team)", field="case")
        pks = [int(wanted[c]) for c in case_ids]
        label = ", ".join(case_ids)
    return pks, label


def statistics(
    ctx: CaseContext,
    *,
    k: int | None = None,
    case_ids: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    round_base: int | None = None,
) -> StatsRelease:
    """Count the persons (and operations) in scope and release the tables, suppressed (and
    rounded to ``round_base``, default ``TOCSIN_STATS_ROUND_BASE``; 0: exact)."""
    floor_k, floor_base = ctx.settings.stats_min_count, ctx.settings.stats_round_base
    k = k if k is not None else floor_k
    base = round_base if round_base is not None else floor_base
    if not ctx.principal.system:  # users may ask for more protection, never for less
        k, base = max(k, floor_k), max(base, floor_base)
    if k < 2:
        k = 2  # a count of 1 is never published
    detail = {"k": k, "cases": case_ids or "scope"}
    with ctx.transaction("cases.stats", "statistics", "*", detail) as conn:
        pks, label = _scope(ctx, conn, case_ids)
        reports = (
            select(
                T.missing_reports.c.person_pk,
                func.min(T.missing_reports.c.reported_at).label("reported_at"),
                func.max(T.missing_reports.c.last_known_country).label("country"),
            )
            .group_by(T.missing_reports.c.person_pk)
            .subquery()
        )
        when = func.coalesce(reports.c.reported_at, T.persons.c.created_at)
        month = _month(conn, when)
        place = func.coalesce(T.compounds.c.country, reports.c.country)
        query = (
            select(
                T.persons.c.nationality, T.persons.c.status, T.compounds.c.id.label("compound"),
                place.label("place"), month.label("month"), func.count().label("n"),
            )
            .select_from(T.persons)
            .outerjoin(reports, reports.c.person_pk == T.persons.c.pk)
            .outerjoin(T.compounds, T.compounds.c.pk == T.persons.c.compound_pk)
            .group_by(T.persons.c.nationality, T.persons.c.status, T.compounds.c.id, place, month)
        )  # fmt: skip
        if pks is not None:
            query = query.where(T.persons.c.case_pk.in_(pks))
        if since is not None:
            query = query.where(when >= datetime(since.year, since.month, since.day, tzinfo=UTC))
        if until is not None:
            query = query.where(when < datetime(until.year, until.month, until.day, tzinfo=UTC))
        cross: Counter[tuple[str, str]] = Counter()
        months: Counter[str] = Counter()
        places: Counter[str] = Counter()
        compounds: Counter[str] = Counter()
        compound_places: Counter[tuple[str, str]] = Counter()  # ties the two tables together
        for nat, status, compound, where, mon, n in conn.execute(query):
            cross[((nat or "").upper() or UNKNOWN, status)] += n
            months[mon or UNKNOWN] += n
            places[(where or "").upper() or UNKNOWN] += n
            compounds[compound or UNKNOWN] += n
            compound_places[(compound or UNKNOWN, (where or "").upper() or UNKNOWN)] += n
        ops = select(T.operations.c.pk, T.operations.c.kind, T.operations.c.date,
                     T.operations.c.freed_total)  # fmt: skip
        if pks is not None:
            ops = ops.where(T.operations.c.case_pk.in_(pks))
        if since is not None:
            ops = ops.where(T.operations.c.date >= since)
        if until is not None:
            ops = ops.where(T.operations.c.date < until)
        op_rows = conn.execute(ops).all()
        kinds = Counter(r.kind for r in op_rows)
        by_op: dict[int, Counter[str]] = {r.pk: Counter() for r in op_rows}
        op_pks = [r.pk for r in op_rows]
        for start in range(0, len(op_pks), 900):
            for op_pk, nat, n in conn.execute(
                select(
                    T.operation_nationalities.c.operation_pk,
                    T.operation_nationalities.c.nationality,
                    T.operation_nationalities.c.count,
                ).where(T.operation_nationalities.c.operation_pk.in_(op_pks[start : start + 900]))
            ):
                by_op[op_pk][nat.upper()] += n
        freed_month: Counter[str] = Counter()
        freed_cross: Counter[tuple[str, str]] = Counter()
        for r in op_rows:  # both tables add up to the people freed, nationality known or not
            known = by_op[r.pk]
            freed = max(r.freed_total or 0, sum(known.values()))
            freed_month[r.date.strftime("%Y-%m")] += freed
            for nat, n in (known + Counter({UNKNOWN: freed - sum(known.values())})).items():
                freed_cross[(nat, "freed")] += n
        located_query = select(
            T.compounds.c.id, T.compounds.c.name, T.compounds.c.latitude,
            T.compounds.c.longitude, T.compounds.c.precision, T.compounds.c.country,
        ).where(T.compounds.c.latitude.is_not(None))  # fmt: skip
        visible = visible_dataset_pks(conn, ctx.principal)
        if visible is not None:
            located_query = located_query.where(T.compounds.c.dataset_pk.in_(visible))
        located = conn.execute(located_query.order_by(T.compounds.c.id)).all()
    order = [s.value for s in Status]
    joint = joint_release(
        cross, {"month": months, "place": places, "compound": compounds}, k, columns=order,
        nested=("compound", "place", compound_places),
    )  # fmt: skip
    by_month = _in_label_order(joint.tables["month"])
    freed_joint = joint_release(freed_cross, {"month": freed_month}, k)
    release = {
        "by_nationality": joint.row_margin,
        "by_status": joint.column_margin,
        "by_month": by_month,
        "by_place": joint.tables["place"],
        "by_compound": joint.tables["compound"],
        "freed_by_nationality": freed_joint.row_margin,
        "freed_by_month": _in_label_order(freed_joint.tables["month"]),
    }
    cross_table = joint.cross
    if base >= 2:
        key = hashlib.sha256(b"tocsin-stats-rounding:" + ctx.settings.secret_key.encode()).digest()
        freed_key = hashlib.sha256(key + b":freed").digest()  # another population, own draws
        release = {
            name: rounded(t, base, freed_key if name.startswith("freed") else key, name)
            for name, t in release.items()
        }
        cross_table = rounded_2d(cross_table, base, key, "by_nationality", "by_status")
    released = dict(zip(release["by_compound"].labels, release["by_compound"].counts,
                        strict=True))  # fmt: skip
    return StatsRelease(
        k=k,
        scope=label,
        cases=len(pks) if pks is not None else _count_cases(ctx),
        generated_at=datetime.now(UTC),
        by_nationality=release["by_nationality"],
        by_status=release["by_status"],
        by_month=release["by_month"],
        by_place=release["by_place"],
        by_compound=release["by_compound"],
        freed_by_nationality=release["freed_by_nationality"],
        freed_by_month=release["freed_by_month"],
        operations_by_kind=dict(sorted(kinds.items())),
        by_nationality_status=cross_table,
        round_base=base if base >= 2 else 0,
        compounds=[
            {
                "id": r.id,
                "name": r.name,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "precision": r.precision,
                "country": r.country,
                "persons": released.get(r.id, 0),
            }
            for r in located
        ],
    )


def _in_label_order(table: Released1D) -> Released1D:
    """A one-way table in label order (months), not by size."""
    k = table.k
    order = sorted(range(len(table.labels)), key=lambda i: table.labels[i])
    return Released1D(
        tuple(table.labels[i] for i in order), tuple(table.counts[i] for i in order),
        table.total, k,
    )  # fmt: skip


def _count_cases(ctx: CaseContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(T.cases)).scalar_one())
