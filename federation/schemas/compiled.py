"""A fast yes/no check of the protocol schemas, for the common case: a valid record.

``jsonschema`` walks a schema with a validator object per keyword and per level; at 100 000
records per feed read that walk costs more than everything else the directory does. The
protocol schemas use a small subset of JSON Schema (no ``$ref``), which compiles here into
plain closures. Each closure answers exactly (``True``/``False``) or raises :class:`Unsure`
when a case is outside what it models (a float where an integer is expected, a list of
non-strings to check for uniqueness, a keyword it does not know...). Only a ``True`` is
trusted: :func:`federation.schemas.first_error` asks ``jsonschema`` for anything else, so
refusals and their messages are exactly what they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
#: Keywords that carry no constraint.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples",
                         "default"})


class Unsure(Exception):
    """The compiled check cannot tell; ask jsonschema."""


class NotCompiled(Exception):
    """The schema uses a keyword this module does not model."""


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _type_check(expected: Any) -> Check:
    names = [expected] if isinstance(expected, str) else list(expected)

    def one(name: str, value: Any) -> bool:
        kind = type(value)
        if name == "object":
            return kind is dict
        if name == "array":
            return kind is list
        if name == "string":
            return kind is str
        if name == "boolean":
            return kind is bool
        if name == "null":
            return value is None
        if name == "number":
            return kind in (int, float)
        if name == "integer":
            if kind is float:
                raise Unsure  # jsonschema accepts 1.0 as an integer
            return kind is int
        raise Unsure

    return lambda value: any(one(name, value) for name in names)


def _equal_check(allowed: list[Any]) -> Check:
    """enum/const for strings, booleans and null (what the protocol uses)."""
    if not all(type(item) in (str, bool) or item is None for item in allowed):
        raise NotCompiled("enum or const of numbers, objects or arrays")

    def check(value: Any) -> bool:
        if type(value) in (str, bool) or value is None:
            return any(type(item) is type(value) and item == value for item in allowed)
        if type(value) in (int, float) and any(type(item) is bool for item in allowed):
            raise Unsure
        return False

    return check


def _string_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minLength" in schema:
        low = schema["minLength"]
        checks.append(lambda value: type(value) is not str or len(value) >= low)
    if "maxLength" in schema:
        high = schema["maxLength"]
        checks.append(lambda value: type(value) is not str or len(value) <= high)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda value: type(value) is not str or search(value) is not None)
    return checks


def _number_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda value: not _is_number(value) or value >= low)
    if "maximum" in schema:
        high = schema["maximum"]
        checks.append(lambda value: not _is_number(value) or value <= high)
    return checks


def _unique(value: list[Any]) -> bool:
    if not all(type(item) is str for item in value):
        raise Unsure
    return len(set(value)) == len(value)


def _array_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "minItems" in schema:
        low = schema["minItems"]
        checks.append(lambda value: type(value) is not list or len(value) >= low)
    if "maxItems" in schema:
        high = schema["maxItems"]
        checks.append(lambda value: type(value) is not list or len(value) <= high)
    if schema.get("uniqueItems") is True:
        checks.append(lambda value: type(value) is not list or _unique(value))
    if "items" in schema:
        item = compile_schema(schema["items"])
        checks.append(lambda value: type(value) is not list or all(item(x) for x in value))
    return checks


def _object_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    required = tuple(schema.get("required", ()))
    if required:
        checks.append(lambda value: type(value) is not dict or all(k in value for k in required))
    properties = {name: compile_schema(sub) for name, sub in
                  schema.get("properties", {}).items()}
    if properties:
        pairs = tuple(properties.items())
        checks.append(lambda value: type(value) is not dict or all(
            check(value[name]) for name, check in pairs if name in value))
    extra = schema.get("additionalProperties", True)
    if extra is False:
        known = frozenset(properties)
        checks.append(lambda value: type(value) is not dict or known.issuperset(value))
    elif extra is not True:
        others = compile_schema(extra)
        checks.append(lambda value: type(value) is not dict or all(
            others(v) for k, v in value.items() if k not in properties))
    return checks


def _logic_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "anyOf" in schema:
        options = [compile_schema(sub) for sub in schema["anyOf"]]
        checks.append(lambda value: any(option(value) for option in options))
    if "if" in schema:
        condition = compile_schema(schema["if"])
        then = compile_schema(schema.get("then", True))
        otherwise = compile_schema(schema.get("else", True))
        checks.append(lambda value: then(value) if condition(value) else otherwise(value))
    return checks


HANDLED = frozenset({"type", "enum", "const", "minLength", "maxLength", "pattern", "minimum",
                     "maximum", "minItems", "maxItems", "uniqueItems", "items", "required",
                     "properties", "additionalProperties", "anyOf", "if", "then", "else"})


def compile_schema(schema: Any) -> Check:
    """A closure answering "is this instance valid?" exactly, or raising :class:`Unsure`."""
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, dict):
        raise NotCompiled("schema is not an object")
    unknown = set(schema) - HANDLED - ANNOTATIONS
    if unknown:
        raise NotCompiled(f"keywords {sorted(unknown)}")
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "enum" in schema:
        checks.append(_equal_check(list(schema["enum"])))
    if "const" in schema:
        checks.append(_equal_check([schema["const"]]))
    for build in (_string_checks, _number_checks, _array_checks, _object_checks, _logic_checks):
        checks.extend(build(schema))
    every = tuple(checks)
    return lambda value: all(check(value) for check in every)


def known_valid(check: Check | None, value: Any) -> bool:
    """True only when the compiled check says the instance is certainly valid."""
    if check is None:
        return False
    try:
        return check(value)
    except (Unsure, RecursionError):
        return False
