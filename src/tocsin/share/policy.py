"""Markings enforced on the way out: which datasets may leave, and to whom.

One function, `exportable_datasets`, decides for every export, hash set and sync answer:

- the person exporting must be able to see the dataset (`tocsin.access.visible_dataset_pks`);
- **RED and AMBER+STRICT never leave the organisation**: not in a file, a hash set or a sync
  answer, whoever asks;
- **AMBER** goes only to the organisation that owns the dataset or to the partners the dataset
  names (``tocsin admin dataset share``); the recipient is ``--to ORG`` (default: our own
  organisation, i.e. a file for our own use) or the organisation of the partner's API token;
- GREEN and CLEAR go to anyone the exporter sends them to;
- ``ceiling`` (``--tlp``) lowers the bar further: nothing more restrictive than it leaves.

Each dataset left out comes back with the reason, so the CLI can say what was withheld (by name
and count only — never its content) and the audit log can record it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tocsin.access import Principal, visible_dataset_pks
from tocsin.errors import InputError
from tocsin.share.model import MARKING_RANK
from tocsin.store.schema import MARKINGS, dataset_partners, datasets, organisations

__all__ = ["NEVER_LEAVES", "Eligible", "ExportPolicy", "exportable_datasets"]

NEVER_LEAVES: Final = frozenset({"amber+strict", "red"})


@dataclass(frozen=True, slots=True)
class ExportPolicy:
    """Who receives the material and the most restrictive marking allowed to leave."""

    recipient: str
    """Organisation receiving the export (its name)."""
    ceiling: str = "amber"
    datasets: tuple[str, ...] = ()
    """Only these datasets (by name); empty means every dataset."""

    def __post_init__(self) -> None:
        if self.ceiling not in MARKINGS:
            raise InputError(f"unknown TLP marking {self.ceiling!r}", field="tlp")
        if self.ceiling in NEVER_LEAVES:
            raise InputError(
                f"TLP:{self.ceiling.upper()} material never leaves the organisation",
                field="tlp",
                hint="the most an export can carry is amber (to the partners a dataset names)",
            )


@dataclass
class Eligible:
    """The datasets that may leave under a policy, and the ones withheld with the reason."""

    datasets: dict[int, tuple[str, str]] = field(default_factory=dict)
    """pk → (name, marking) of every dataset whose material may leave."""
    withheld: dict[str, str] = field(default_factory=dict)
    """name → why it was withheld."""

    @property
    def pks(self) -> list[int]:
        return sorted(self.datasets)

    @property
    def names(self) -> list[str]:
        return sorted(name for name, _ in self.datasets.values())


def exportable_datasets(conn: Connection, principal: Principal, policy: ExportPolicy) -> Eligible:
    """The datasets ``principal`` may send to ``policy.recipient`` (see the module docs)."""
    visible = visible_dataset_pks(conn, principal)
    recipient_pk = conn.execute(
        select(organisations.c.pk).where(organisations.c.name == policy.recipient)
    ).scalar()
    partners: dict[int, set[int]] = {}
    for dataset_pk, org_pk in conn.execute(select(dataset_partners)):
        partners.setdefault(int(dataset_pk), set()).add(int(org_pk))
    rows = conn.execute(
        select(datasets.c.pk, datasets.c.name, datasets.c.marking, datasets.c.org_pk).order_by(
            datasets.c.name
        )
    ).all()
    known = {r.name for r in rows}
    for name in policy.datasets:
        if name not in known:
            raise InputError(f"no dataset named {name!r}", field="dataset")
    out = Eligible()
    ceiling = MARKING_RANK[policy.ceiling]
    for pk, name, marking, owner in rows:
        if policy.datasets and name not in policy.datasets:
            continue
        if visible is not None and pk not in visible:
            continue  # not even its name is reported: the exporter cannot see it
        if marking in NEVER_LEAVES:
            out.withheld[name] = f"TLP:{marking.upper()} never leaves the organisation"
        elif MARKING_RANK[marking] > ceiling:
            out.withheld[name] = f"TLP:{marking.upper()} is above --tlp {policy.ceiling}"
        elif marking == "amber" and (
            recipient_pk is None
            or (owner != recipient_pk and recipient_pk not in partners.get(int(pk), set()))
        ):
            out.withheld[name] = (
                f"TLP:AMBER and {policy.recipient!r} is neither its owner nor a partner it names"
            )
        else:
            out.datasets[int(pk)] = (name, marking)
    return out
