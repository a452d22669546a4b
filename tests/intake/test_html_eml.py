"""HTML pages and e-mails become documents: visible text only, hostile markup harmless."""

from __future__ import annotations

from pathlib import Path

from tocsin.errors import InputError
from tocsin.intake import ReadOptions, read_inputs
from tocsin.intake.markup import html_to_text
from tocsin.model import Document, DocumentKind


def _read(path: Path, **kw: object) -> list[Document | InputError]:
    return list(read_inputs([str(path)], ReadOptions(**kw)))  # type: ignore[arg-type]


def test_html_visible_text_and_title(tmp_path: Path) -> None:
    page = tmp_path / "ad.html"
    page.write_text(
        "<html><head><title>Typing job &amp; visa</title><style>p{x:1}</style>"
        "<script>alert('x')</script></head><body><h1>Hiring</h1><p>Salary 1,000&nbsp;USD"
        "<br>Telegram @hr_test_1</p><!-- hidden comment --><noscript>no js</noscript>"
        "<template><p>tmpl</p></template></body></html>",
        encoding="utf-8",
    )
    (doc,) = _read(page)
    assert isinstance(doc, Document)
    assert doc.kind is DocumentKind.WEB_PAGE
    assert doc.metadata["title"] == "Typing job & visa"
    assert "Hiring" in doc.text and "@hr_test_1" in doc.text and "Salary 1,000 USD" in doc.text
    for hidden in ("alert", "p{x:1}", "hidden comment", "no js", "tmpl"):
        assert hidden not in doc.text


def test_hostile_html_is_linear_and_safe() -> None:
    nested = "<div>" * 50_000 + "deep text" + "</div>" * 50_000
    text, _ = html_to_text(nested + "<script>" + "x" * 1000)  # unterminated script
    assert text == "deep text"
    text, _ = html_to_text("<p>a</b></i><<<>>> &#xFFFFFFF; &bogus; b")
    assert "a" in text and "b" in text


def test_html_charset_from_meta(tmp_path: Path) -> None:
    page = tmp_path / "cp.html"
    page.write_bytes(b'<meta charset="cp1252"><p>caf\xe9 job offer</p>')
    (doc,) = _read(page)
    assert isinstance(doc, Document) and "café" in doc.text


def test_empty_or_oversized_html_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<script>x</script>", encoding="utf-8")
    big = tmp_path / "big.html"
    big.write_text("<p>" + "x" * 5000 + "</p>", encoding="utf-8")
    errors = _read(empty) + _read(big, max_bytes=1000)
    assert all(isinstance(e, InputError) for e in errors)
    assert "empty.html" in str(errors[0]) and "big.html" in str(errors[1])


def test_eml_subject_and_plain_body(tmp_path: Path) -> None:
    mail = tmp_path / "m.eml"
    mail.write_bytes(
        b"From: recruiter@example.test\r\nTo: a@example.test\r\n"
        b"Subject: =?utf-8?q?Job_in_Bavet?=\r\n"
        b"Message-ID: <abc@example.test>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nWhatsApp +855 12 345 678, visa paid.\r\n"
        b"--XX\r\nContent-Type: text/html\r\n\r\n<p>html twin</p>\r\n--XX--\r\n"
    )
    (doc,) = _read(mail)
    assert isinstance(doc, Document)
    assert doc.kind is DocumentKind.MESSAGE
    assert doc.text.startswith("Job in Bavet\n\n")
    assert "+855 12 345 678" in doc.text and "html twin" not in doc.text
    assert doc.metadata["subject"] == "Job in Bavet"


def test_eml_html_only_body(tmp_path: Path) -> None:
    mail = tmp_path / "h.eml"
    mail.write_bytes(
        b"Subject: Offer\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Crypto analyst</p><script>evil()</script>"
    )
    (doc,) = _read(mail)
    assert isinstance(doc, Document)
    assert "Crypto analyst" in doc.text and "evil" not in doc.text


def test_eml_without_text_is_reported(tmp_path: Path) -> None:
    mail = tmp_path / "blank.eml"
    mail.write_bytes(b"\r\n\r\n")
    (err,) = _read(mail)
    assert isinstance(err, InputError) and "blank.eml" in str(err)
