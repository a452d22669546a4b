"""The streaming reader of a bundle's objects gives what json.load gives, chunk after chunk."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.errors import InputError
from tocsin.share.jsonstream import ArrayItem, Oversized, iter_array

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _read(
    data: bytes, limit: int = 10**6, header: dict[str, Any] | None = None, chunk: int = 7
) -> list[Any]:
    return list(iter_array(io.BytesIO(data), "objects", source="t", max_item_bytes=limit,
                           header=header, chunk=chunk))  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(JSON, max_size=6),
    other=JSON,
    chunk=st.integers(1, 64),
    indent=st.sampled_from([None, 2]),
)
def test_same_as_json_load(items: list[Any], other: Any, chunk: int, indent: int | None) -> None:
    data = json.dumps({"a": other, "objects": items, "z": 1}, indent=indent).encode()
    header: dict[str, Any] = {}
    got = _read(data, header=header, chunk=chunk)
    assert [i.value for i in got] == items
    assert [i.index for i in got] == list(range(len(items)))
    assert header == {"a": other, "z": 1}


def test_oversized_items_are_skipped_not_loaded() -> None:
    big = {"s": 'q"}]{[\\' * 200, "n": [[1], {"x": "]"}]}
    data = json.dumps({"objects": [{"a": 1}, big, {"b": 2}]}).encode()
    got = _read(data, limit=300)
    assert got[0] == ArrayItem(0, {"a": 1}) and got[2] == ArrayItem(2, {"b": 2})
    assert isinstance(got[1], Oversized) and got[1].index == 1 and got[1].size > 300


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2]", "expected '{'"),
        (b'{"objects": [1, 2', "truncated"),
        (b'{"objects": [1, } ]}', "invalid JSON"),
        (b'{"objects": [1] "x": 2}', "expected ',' or '}'"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_broken_json_names_the_place(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        _read(data)
    assert "character" in str(err.value)
