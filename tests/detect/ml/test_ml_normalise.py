"""The job-ad normaliser reproduces the published EMSCAD preprocessing."""

from __future__ import annotations

from tocsin.detect.ml import emscad_normalise, message_normalise
from tocsin.detect.ml.normalise import emscad_fields_text


def test_matches_the_published_form_of_an_emscad_ad() -> None:
    # Field values of an EMSCAD fraudulent ad and its published preprocessed text.
    record = {
        "company_profile": "Looking for adventurous people to join a thriving industry.  We "
        "offer training and competitive earnings.",
        "description": "If you have experience in financing for auto sales and a great "
        "attitude you can work in our Hazelcrest office.  From $500 top $1000 a week by contract.",
        "title": "Financing Auto(car) sales",
        "location": "US, IL, hazelcrest",
        "employment_type": "Contract",
    }
    assert emscad_normalise(emscad_fields_text(record)) == (
        "looking adventurous people join thriving industry offer training competitive "
        "earnings experience financing auto sales great attitude work hazelcrest office 500 "
        "top 1000 week contract financing auto car sales us il hazelcrest contract"
    )


def test_stop_words_punctuation_and_masks() -> None:
    assert emscad_normalise("We're hiring: Full-time Admin/Receptionist!") == (
        "hiring full time admin receptionist"
    )
    assert emscad_normalise("Bachelor's Degree") == "bachelor degree"
    assert emscad_normalise("call #PHONE_ab12# or #URL_ff00# now") == "call phone_ab12"
    assert emscad_normalise("itâ€™s great") == "great"


def test_idempotent_on_preprocessed_text() -> None:
    text = "seeking customer service representative enjoys building relationships"
    assert emscad_normalise(text) == text
    assert emscad_normalise(emscad_normalise("The Job: IT Support, Phnom Penh")) == (
        emscad_normalise("The Job: IT Support, Phnom Penh")
    )


def test_message_placeholders() -> None:
    out = message_normalise("WIN £500! Visit www.prize.com or call +44 7700 900123, mail a@b.co")
    assert "zzmoney" in out and "zzurl" in out and "zzphone" in out and "zzemail" in out
    assert out == out.lower()
