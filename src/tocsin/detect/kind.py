"""Which kind an ``unknown`` document is read as: a short text that is clearly a job offer.

The public check page and most API callers do not say what they paste, so documents arrive as
``unknown``. A learned model scores only the kind it was trained on, and the "only a
messaging-app contact" indicator only job offers, so an unknown recruiter's lure used to get
neither. Here an unknown text is read as a job ad when it carries at least two different job
cues from the shared terms of the indicator packs — a job word, a cover job title, a pay word,
a dollar pay figure, "no experience needed" — one of which names the work (a job word or a
cover job title). One cue is not enough ("good job!", "call customer service"), and pay alone
is not a job offer ("your salary of USD 1,500 was credited").

Nothing else is inferred: an unknown text that is not a job offer keeps no model (the message
model learnt from SMS spam, and its opinion of an arbitrary text is not evidence).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Final

from tocsin.model import DocumentKind

__all__ = ["JOB_CUES", "JOB_CUES_NEEDED", "WORK_CUES", "effective_kind"]

#: Shared pack terms that mark a text as a job offer (defined in packs/recruitment.yaml).
JOB_CUES: Final = frozenset({"job_offer", "cover_job", "salary", "usd_pay", "no_experience"})
#: The cues that name the work itself; one of them must be among the cues found.
WORK_CUES: Final = frozenset({"job_offer", "cover_job"})
#: How many different cues an unknown text needs to be read as a job ad.
JOB_CUES_NEEDED: Final = 2


def effective_kind(declared: DocumentKind, terms: Set[str]) -> DocumentKind:
    """The kind the models and derived indicators treat the document as.

    A declared kind is always kept; an ``unknown`` one becomes ``job_ad`` when ``terms`` (the
    shared terms found in the text) hold at least :data:`JOB_CUES_NEEDED` job cues, one of
    them a :data:`WORK_CUES` cue.

    >>> effective_kind(DocumentKind.UNKNOWN, {"cover_job", "usd_pay"}).value
    'job_ad'
    >>> effective_kind(DocumentKind.UNKNOWN, {"job_offer"}).value
    'unknown'
    >>> effective_kind(DocumentKind.UNKNOWN, {"salary", "usd_pay"}).value
    'unknown'
    """
    if declared is not DocumentKind.UNKNOWN:
        return declared
    cues = JOB_CUES & terms
    if len(cues) >= JOB_CUES_NEEDED and cues & WORK_CUES:
        return DocumentKind.JOB_AD
    return DocumentKind.UNKNOWN
