"""Text normalisers: make prediction-time text look like the text a model was trained on.

The EMSCAD job-ad training set (``emscad_balanced_train.csv``) is not raw text: its publishers
lower-cased it, removed punctuation and removed English stop words. A model trained on that and
fed raw text would see capitals, punctuation and "the"/"and" that it never saw in training, so
the job-ad pipeline applies :func:`emscad_normalise` to every text, at training *and* prediction
time (it is idempotent on already-preprocessed text). Agreement with the published
preprocessing is measured on the 646 raw fraudulent ads that exist in both forms and reported in
the model card.

The message model sees short SMS / chat texts; :func:`message_normalise` keeps their wording
but replaces things whose exact value does not generalise (a URL, an e-mail, a phone number, an
amount) with placeholder tokens, because spam campaigns rotate those values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Final

__all__ = [
    "EMSCAD_FIELDS",
    "NORMALISERS",
    "STOP_WORDS",
    "emscad_fields_text",
    "emscad_normalise",
    "message_normalise",
]

#: NLTK's English stop-word list (the list the EMSCAD preprocessing removed: "would", "must",
#: "top", "find" and "full" survive in the published text, which rules out scikit-learn's list).
STOP_WORDS: Final = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "you're",
        "you've",
        "you'll",
        "you'd",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "she's",
        "her",
        "hers",
        "herself",
        "it",
        "it's",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "that'll",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "don't",
        "should",
        "should've",
        "now",
        "d",
        "ll",
        "m",
        "o",
        "re",
        "ve",
        "y",
        "ain",
        "aren",
        "aren't",
        "couldn",
        "couldn't",
        "didn",
        "didn't",
        "doesn",
        "doesn't",
        "hadn",
        "hadn't",
        "hasn",
        "hasn't",
        "haven",
        "haven't",
        "isn",
        "isn't",
        "ma",
        "mightn",
        "mightn't",
        "mustn",
        "mustn't",
        "needn",
        "needn't",
        "shan",
        "shan't",
        "shouldn",
        "shouldn't",
        "wasn",
        "wasn't",
        "weren",
        "weren't",
        "won",
        "won't",
        "wouldn",
        "wouldn't",
    ]
)

#: Fields of an EMSCAD record in the order the published preprocessed text concatenates them.
EMSCAD_FIELDS: Final = (
    "company_profile",
    "description",
    "requirements",
    "benefits",
    "title",
    "location",
    "employment_type",
    "required_experience",
    "required_education",
    "industry",
    "function",
)

# ASCII punctuation except "_" (the published text keeps masked contacts such as
# "#PHONE_ab12…#" as one token "phone_ab12…"), plus typographic dashes, bullets and quotes.
_PUNCT: Final = re.compile(r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^`{|}~\u2010-\u2027\u00a0\u00ad·•◦■§]")
_INVISIBLE: Final = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
# UTF-8 read as cp1252 ("â€™" for a right single quote), common in scraped job ads.
_MOJIBAKE: Final = re.compile(r"â€[\x80-\xbf\u0152-\u2122]?|Â")
# The published text drops EMSCAD's masked URLs and e-mails ("#URL_<sha256>#") but keeps phones.
_MASKED: Final = re.compile(r"#(?:URL|EMAIL)_[0-9a-f]+#", re.I)


def emscad_normalise(text: str) -> str:
    """Lower-case, drop punctuation and English stop words, collapse white space.

    This reproduces the preprocessing of the EMSCAD training text, so that a raw job ad is
    scored in the form the job-ad model learnt from.
    """
    text = _MASKED.sub(" ", text)
    text = _MOJIBAKE.sub(" ", text)
    text = _INVISIBLE.sub("", text.lower())
    # Possessive/contracted "'s" becomes the stop word "s" and goes, as in the published text.
    text = _PUNCT.sub(" ", text)
    return " ".join(w for w in text.split() if w not in STOP_WORDS)


def emscad_fields_text(record: Mapping[str, str]) -> str:
    """Join the text fields of a raw EMSCAD-style record, in the published order."""
    return " ".join(record.get(f, "") or "" for f in EMSCAD_FIELDS)


# One pass, one alternation: e-mail before URL (an address contains a domain), amount before
# phone (an amount is digits); the leftmost match wins, as a reader would read it.
_PLACEHOLDER: Final = re.compile(
    r"(?P<zzemail>[\w.+-]+@[\w-]+\.[\w.-]+)"
    r"|(?P<zzurl>(?:https?://|www\.)\S+"
    r"|[a-z0-9-]+\.(?:com|net|org|co\.uk|ly|me|info|biz|xyz|top|io)\b\S*)"
    r"|(?P<zzmoney>[£$€₹¥]\s?\d[\d,.]*|\d[\d,.]*\s?(?:usdt?|gbp|eur|pounds?|dollars?)\b)"
    r"|(?P<zzphone>(?<!\w)\+?\d[\d -]{5,}\d(?!\w))"
)


def _placeholder(match: re.Match[str]) -> str:
    return f" {match.lastgroup} "


def message_normalise(text: str) -> str:
    """Lower-case; replace e-mails, URLs, amounts and phone numbers with placeholder tokens."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _PLACEHOLDER.sub(_placeholder, text.lower())


#: Normalisers by name, as recorded in a model's metadata (``normaliser`` field).
NORMALISERS: Final = {"emscad": emscad_normalise, "message": message_normalise, "none": str.lower}
