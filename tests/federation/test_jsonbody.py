from __future__ import annotations

import pytest

from federation.errors import BodyRefused, PayloadTooLarge
from federation.jsonbody import DEFAULT_LIMITS, JsonLimits, dump_json_body, parse_json_body


def code_of(body: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(BodyRefused) as refused:
        parse_json_body(body, limits)
    return refused.value.code


def test_valid_object_parses() -> None:
    assert parse_json_body(b'{"a": [1, 2.5, "\\u00e9", null, true]}') == {
        "a": [1, 2.5, "é", None, True]}


def test_size_cap_is_a_413() -> None:
    with pytest.raises(PayloadTooLarge) as refused:
        parse_json_body(b'{"a": "' + b"x" * 100 + b'"}', JsonLimits(max_bytes=100))
    assert refused.value.status == 413
    assert parse_json_body(b'{"a": 1}', JsonLimits(max_bytes=8)) == {"a": 1}


def test_duplicate_keys_refused_even_nested() -> None:
    assert code_of(b'{"a": 1, "a": 2}') == "json_duplicate_key"
    assert code_of(b'{"x": [{"b": 1, "b": 1}]}') == "json_duplicate_key"


def test_depth_limit() -> None:
    limits = JsonLimits(max_depth=3)
    assert parse_json_body(b'{"a": {"b": [1]}}', limits)["a"] == {"b": [1]}
    assert code_of(b'{"a": {"b": [[1]]}}', limits) == "json_too_deep"
    assert code_of(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}") == "json_too_deep"


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    limits = JsonLimits(max_depth=1)
    assert parse_json_body(b'{"a": "[[[[{{{\\"]]"}', limits) == {"a": '[[[[{{{"]]'}


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}',
                                  b'{"a": 1e999}'])
def test_non_finite_numbers_refused(body: bytes) -> None:
    assert code_of(body) == "json_constant"


def test_string_and_list_bounds() -> None:
    limits = JsonLimits(max_string=5, max_list=3)
    assert parse_json_body(b'{"a": "12345", "b": [1, 2, 3]}', limits)["a"] == "12345"
    assert code_of(b'{"a": "123456"}', limits) == "json_string_too_long"
    assert code_of(b'{"a": [1, 2, 3, 4]}', limits) == "json_list_too_long"
    assert code_of(b'{"aaaaaa": 1}', limits) == "json_string_too_long"


@pytest.mark.parametrize(("body", "code"), [
    (b"[1]", "json_not_object"), (b'"x"', "json_not_object"), (b"{", "json_invalid"),
    (b"\xff\xfe", "json_invalid"), (b'{"a": 1} x', "json_invalid"), (b"", "json_invalid"),
    (b'{"a": ' + b"9" * 5000 + b"}", "json_invalid"),
])
def test_invalid_bodies(body: bytes, code: str) -> None:
    assert code_of(body) == code


def test_dump_is_compact_sorted_and_refuses_nan() -> None:
    assert dump_json_body({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    with pytest.raises(ValueError):
        dump_json_body({"a": float("nan")})
