"""Strict, bounded JSON for inbound federation bodies.

Peers are other villages' servers, not trusted code: a body is refused before parsing
if it is too large or nested too deep, and during parsing if it repeats a key (two
parsers could disagree on which value wins), uses NaN/Infinity (not JSON), or carries
oversized strings or lists. Call this only after the signature and digest checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from federation.errors import BodyRefused, PayloadTooLarge


@dataclass(frozen=True)
class JsonLimits:
    max_bytes: int = 1024 * 1024
    max_depth: int = 12
    max_string: int = 20_000
    max_list: int = 1_000


DEFAULT_LIMITS = JsonLimits()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C; a repeated key only shows as a shorter dict
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BodyRefused("json_duplicate_key", f"key {key[:40]!r} appears twice")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise BodyRefused("json_constant", f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BodyRefused("json_constant", "number out of range")
    return value


# A JSON string (escapes included) up to its closing quote, or to the end of the text when
# unterminated: a match never fails once it starts, so the scan stays linear. DOTALL: an
# escaped newline stays inside the string.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _check_depth(text: str, max_depth: int) -> None:
    """Bracket depth outside strings, checked before json.loads can recurse.

    Strings are cut out by a regular expression (in C) rather than walked character by
    character: the first unescaped quote after an opening quote closes it, as in JSON, and
    an unterminated string runs to the end. Only the brackets are then counted.
    """
    depth = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise BodyRefused("json_too_deep", f"nesting deeper than {max_depth}")
        else:
            depth -= 1


def _check_sizes(value: dict[str, Any], limits: JsonLimits) -> None:
    """Every list, object and string of a parsed body within the limits.

    Only containers go on the stack (json.loads makes exact dicts, lists and strs, so a
    ``type()`` test is enough); the keys of an object are measured in one C call. A feed
    page holds a few thousand values, and this walk ran for each of them."""
    max_string, max_list = limits.max_string, limits.max_list
    containers: list[dict[str, Any] | list[Any]] = [value]
    while containers:
        item = containers.pop()
        if len(item) > max_list:
            what = "an object" if type(item) is dict else "a list"
            raise BodyRefused("json_list_too_long", f"{what} exceeds {max_list}")
        if type(item) is dict:
            if item and max(map(len, item)) > max_string:
                raise BodyRefused("json_string_too_long", f"a string exceeds {max_string}")
            children: Any = item.values()
        else:
            children = item
        for child in children:
            kind = type(child)
            if kind is str:
                if len(child) > max_string:
                    raise BodyRefused("json_string_too_long", f"a string exceeds {max_string}")
            elif kind is dict or kind is list:
                containers.append(child)


def parse_json_body(body: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Parse a federation body; every protocol body is a JSON object."""
    if len(body) > limits.max_bytes:
        raise PayloadTooLarge("payload_too_large", f"body exceeds {limits.max_bytes} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused("json_invalid", "body is not UTF-8") from exc
    _check_depth(text, limits.max_depth)
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants,
                           parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BodyRefused("json_invalid", f"invalid JSON at {exc.lineno}:{exc.colno}") from exc
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise BodyRefused("json_invalid", "number out of range") from exc
    if not isinstance(value, dict):
        raise BodyRefused("json_not_object", "body must be a JSON object")
    _check_sizes(value, limits)
    return value


def dump_json_body(value: Any) -> bytes:
    """The canonical way Chaleur serialises bodies: UTF-8, compact, no NaN."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      sort_keys=True).encode("utf-8")
