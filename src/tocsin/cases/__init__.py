"""The victim side: missing-person reports, persons, compounds, operations (docs/cases.md).

Public API:

- `Casebook(store)`: ``.cases`` (teams), ``.persons`` (status workflow, timeline, search in
  one's own cases), ``.reports`` (missing-person reports, linked into the graph),
  ``.compounds``, ``.operations``, ``.matches(report_id)``.
- Inputs: `PersonInput`, `ReportInput`, `OperationInput`, `CompoundInput`.
- `Status` and the allowed changes (`tocsin.cases.workflow`).
- `FieldCipher` (`tocsin.cases.crypto`): personal fields encrypted at rest.
- `table_1d`, `table_2d` (`tocsin.cases.suppress`): small-count suppression; `joint_release`
  there protects a cross table and the one-way tables of the same persons together.
"""

from __future__ import annotations

from tocsin.cases.book import Casebook
from tocsin.cases.context import NotFound
from tocsin.cases.crypto import FieldCipher, generate_key
from tocsin.cases.fields import (
    PERSONAL_FIELDS,
    CompoundInput,
    OperationInput,
    PersonInput,
    ReportInput,
)
from tocsin.cases.suppress import table_1d, table_2d
from tocsin.cases.workflow import InvalidTransition, Status

__all__ = [
    "PERSONAL_FIELDS",
    "Casebook",
    "CompoundInput",
    "FieldCipher",
    "InvalidTransition",
    "NotFound",
    "OperationInput",
    "PersonInput",
    "ReportInput",
    "Status",
    "generate_key",
    "table_1d",
    "table_2d",
]
