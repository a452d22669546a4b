"""Bad pack files fail loudly, naming the file, the indicator and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tocsin.detect.rules import load_packs
from tocsin.errors import ConfigError

PackWriter = Callable[[str, str], Path]  # the write_pack fixture of conftest.py

GOOD = """\
indicators:
  - id: test.good
    category: payment
    title: Good
    description: A good indicator.
    weight: 1.5
    weight_note: Test.
    patterns:
      en: [good phrase]
    examples:
      match: ["a good phrase here"]
    sources:
      - F1 test source
"""


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_packs([path])
    return str(info.value)


def test_good_pack_loads(write_pack: PackWriter) -> None:
    rules = load_packs([write_pack("good", GOOD)])
    assert [i.id for i in rules.indicators] == ["test.good"]
    assert rules.pack_versions == ("good@1.0.0",)


def test_unknown_key_names_file_and_indicator(write_pack: PackWriter) -> None:
    path = write_pack("bad", GOOD.replace("    weight: 1.5\n", "    weight: 1.5\n    wieght: 2\n"))
    message = _error(path)
    assert str(path) in message
    assert "test.good" in message
    assert "wieght" in message and "unknown key" in message


def test_unknown_top_level_key(write_pack: PackWriter) -> None:
    message = _error(write_pack("bad", "author: me\n" + GOOD))
    assert "author" in message and "unknown key" in message


def test_bad_regex(write_pack: PackWriter) -> None:
    body = GOOD.replace("en: [good phrase]", "en: [{regex: 'good(', keys: [good]}]")
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "bad regex" in message


def test_regex_without_keys(write_pack: PackWriter) -> None:
    body = GOOD.replace("en: [good phrase]", "en: [{regex: 'good+'}]")
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "keys" in message


def test_missing_weight(write_pack: PackWriter) -> None:
    message = _error(write_pack("bad", GOOD.replace("    weight: 1.5\n", "")))
    assert "test.good" in message and "weight" in message and "Field required" in message


def test_bad_category(write_pack: PackWriter) -> None:
    message = _error(write_pack("bad", GOOD.replace("category: payment", "category: spam")))
    assert "test.good" in message and "category" in message


def test_unknown_language(write_pack: PackWriter) -> None:
    message = _error(write_pack("bad", GOOD.replace("en: [good phrase]", "xx: [good phrase]")))
    assert "test.good" in message and "unknown language" in message


def test_source_must_cite_facts(write_pack: PackWriter) -> None:
    message = _error(write_pack("bad", GOOD.replace("F1 test source", "a blog post")))
    assert "test.good" in message and "FACTS.md" in message


def test_unknown_term(write_pack: PackWriter) -> None:
    body = GOOD.replace("patterns:\n      en: [good phrase]", "terms: [nowhere]")
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "nowhere" in message


def test_all_of_needs_window(write_pack: PackWriter) -> None:
    body = GOOD.replace(
        "patterns:\n      en: [good phrase]",
        "all_of:\n      - patterns: {en: [good]}\n      - patterns: {en: [phrase]}",
    )
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "window" in message


def test_duplicate_yaml_key(write_pack: PackWriter) -> None:
    body = GOOD.replace("    weight: 1.5\n", "    weight: 1.5\n    weight: 2.5\n")
    message = _error(write_pack("bad", body))
    assert "duplicate key" in message and "bad.yaml" in message


def test_duplicate_indicator_id_across_packs(write_pack: PackWriter) -> None:
    first = write_pack("one", GOOD)
    second = write_pack("two", GOOD)
    with pytest.raises(ConfigError, match=r"test\.good"):
        load_packs([first, second])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_packs([tmp_path / "nope.yaml"])


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        load_packs([path])


def test_folder_of_packs(write_pack: PackWriter, tmp_path: Path) -> None:
    write_pack("good", GOOD)
    assert [i.id for i in load_packs([tmp_path]).indicators] == ["test.good"]


def test_an_all_of_group_names_exactly_one_source(write_pack: PackWriter) -> None:
    body = "terms:\n  a:\n    description: A.\n    patterns: {en: [good]}\n" + GOOD.replace(
        "patterns:\n      en: [good phrase]",
        "window: 50\n    all_of:\n      - term: a\n        terms: [a, a]\n"
        "      - patterns: {en: [phrase]}",
    )
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "exactly one of 'term', 'terms' or 'patterns'" in message


def test_an_unknown_term_in_a_group_of_several_is_named(write_pack: PackWriter) -> None:
    body = "terms:\n  a:\n    description: A.\n    patterns: {en: [good]}\n" + GOOD.replace(
        "patterns:\n      en: [good phrase]",
        "window: 50\n    all_of:\n      - terms: [a, nowhere]\n      - patterns: {en: [phrase]}",
    )
    message = _error(write_pack("bad", body))
    assert "test.good" in message and "nowhere" in message
