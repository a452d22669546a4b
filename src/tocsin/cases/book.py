"""`Casebook`: the victim side's Python API, over a store and the principal it runs as.

    book = Casebook(store.as_principal(user))
    case = book.cases.create("Bavet typist ads, 2025")
    report = book.reports.create(case.id, ReportInput(person=PersonInput(nationality="VN"), ...))
    book.matches(report.id)           # documents, network, reports, compounds sharing selectors
    book.persons.set_status(report.person, "located")

The CLI, the API and the web pages are thin layers over it.
"""

from __future__ import annotations

from tocsin.cases.compounds import Compounds
from tocsin.cases.context import CaseContext
from tocsin.cases.matching import Matches, match_report
from tocsin.cases.operations import Operations
from tocsin.cases.persons import Persons
from tocsin.cases.reports import Reports
from tocsin.cases.teams import Teams
from tocsin.store import Store

__all__ = ["Casebook"]


class Casebook:
    """Cases, persons, reports, compounds and operations, seen and changed as one principal."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.context = CaseContext(store)
        self.cases = Teams(self.context)
        self.persons = Persons(self.context)
        self.reports = Reports(self.context)
        self.compounds = Compounds(self.context)
        self.operations = Operations(self.context)

    def matches(self, report_id: str) -> Matches:
        """What the report's selectors share with documents, networks, reports and compounds."""
        return match_report(self.context, report_id)
