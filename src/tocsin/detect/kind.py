"""Which kind an ``unknown`` document is read as: a short text that is clearly a job offer.

The public check page and most API callers do not say what they paste, so documents arrive as
``unknown``. A learned model scores only the kind it was trained on, and the "only a
messaging-app contact" indicator only job offers, so an unknown recruiter's lure used to get
neither. Here an unknown text is read as a job ad when it carries at least two different job
cues from the shared terms of the indicator packs — a job word, a cover job title, a pay word,
a dollar pay figure, "no experience needed". One cue is not enough: "good job!", "call
customer service" and "your salary was paid" are everyday texts.

Nothing else is inferred: an unknown text that is not a job offer keeps no model (the message
model learnt from SMS spam, and its opinion of an arbitrary text is not evidence).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Final

from tocsin.model import DocumentKind

__all__ = ["JOB_CUES", "JOB_CUES_NEEDED", "effective_kind"]

#: Shared pack terms that mark a text as a job offer (defined in packs/recruitment.yaml).
JOB_CUES: Final = frozenset({"job_offer", "cover_job", "salary", "usd_pay", "no_experience"})
#: How many different cues an unknown text needs to be read as a job ad.
JOB_CUES_NEEDED: Final = 2


def effective_kind(declared: DocumentKind, terms: Set[str]) -> DocumentKind:
    """The kind the models and derived indicators treat the document as.

    A declared kind is always kept; an ``unknown`` one becomes ``job_ad`` when ``terms`` (the
    shared terms found in the text) hold at least :data:`JOB_CUES_NEEDED` job cues.

    >>> effective_kind(DocumentKind.UNKNOWN, {"cover_job", "usd_pay"}).value
    'job_ad'
    >>> effective_kind(DocumentKind.UNKNOWN, {"job_offer"}).value
    'unknown'
    """
    if declared is not DocumentKind.UNKNOWN:
        return declared
    if len(JOB_CUES & terms) >= JOB_CUES_NEEDED:
        return DocumentKind.JOB_AD
    return DocumentKind.UNKNOWN
