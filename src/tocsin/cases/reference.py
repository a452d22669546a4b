"""The reference list of compounds shipped with Tocsin, built only from published facts.

`data/reference_compounds.json` paraphrases ../shared/FACTS.md (sections A6, B7, E, G), each entry
with the sources named there; nothing else is added. It loads into the CLEAR dataset
``tocsin-reference``, so everyone sees it, and loading again updates the entries in place
(selectors linked by analysts stay).
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Final

from tocsin.access.principal import AccessDenied
from tocsin.cases.compounds import Compounds
from tocsin.cases.context import CaseContext, NotFound
from tocsin.cases.fields import CompoundInput

__all__ = ["REFERENCE_DATASET", "load_reference", "reference_compounds"]

REFERENCE_DATASET: Final = "tocsin-reference"


def reference_compounds() -> list[CompoundInput]:
    """The shipped reference list, as inputs."""
    raw = json.loads(
        (files("tocsin.cases") / "data" / "reference_compounds.json").read_text("utf-8")
    )
    return [_input(entry) for entry in raw["compounds"]]


def _input(entry: dict[str, Any]) -> CompoundInput:
    return CompoundInput(
        id=entry["id"],
        name=entry["name"],
        kind=entry["kind"],
        country=entry["country"],
        latitude=entry["latitude"],
        longitude=entry["longitude"],
        precision=entry["precision"],
        location_note=entry["location_note"],
        description=entry["description"],
        names=[(n, lang, script) for n, lang, script in entry["names"]],
        companies=[(n, role, note) for n, role, note in entry["companies"]],
        sources=list(entry["sources"]),
    )


def load_reference(ctx: CaseContext) -> tuple[int, int]:
    """Load or refresh the reference compounds; (added, updated). System or admins only."""
    if not ctx.principal.can("manage"):
        raise AccessDenied("only an admin may load the reference compounds")
    compounds = Compounds(ctx)
    added = updated = 0
    for item in reference_compounds():
        try:
            compounds.get(item.id, links=False)
        except NotFound:
            compounds.add(item, dataset=REFERENCE_DATASET, marking="clear")
            added += 1
        else:
            compounds.update(item)
            updated += 1
    return added, updated
