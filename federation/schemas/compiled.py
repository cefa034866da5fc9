"""A fast yes/no check of the protocol schemas, for the common case: a valid record.

``jsonschema`` walks a schema with a validator object per keyword and per level; at 100 000
records per feed read that walk costs more than everything else the directory does. The
protocol schemas use a small subset of JSON Schema (no ``$ref``), which compiles here into
the source of a plain Python function (straight-line tests, one loop per array; a nested
closure call per keyword cost several times more). The function answers exactly
(``True``/``False``) or raises :class:`Unsure` when a case is outside what it models (a
float where an integer is expected, a list of non-strings to check for uniqueness...); a
keyword it does not know makes :func:`compile_schema` raise :class:`NotCompiled`. Only a
``True`` is trusted: :func:`federation.schemas.first_error` asks ``jsonschema`` for anything
else, so refusals and their messages are exactly what they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]
#: Keywords that carry no constraint.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples",
                         "default"})
HANDLED = frozenset({"type", "enum", "const", "minLength", "maxLength", "pattern", "minimum",
                     "maximum", "minItems", "maxItems", "uniqueItems", "items", "required",
                     "properties", "additionalProperties", "anyOf", "if", "then", "else"})
#: How each JSON type is recognised (bool is not a number: ``type(True) is bool``).
TYPE_TESTS = {"object": "type({v}) is dict", "array": "type({v}) is list",
              "string": "type({v}) is str", "boolean": "type({v}) is bool",
              "null": "{v} is None", "number": "type({v}) in _NUMBER",
              "integer": "type({v}) is int"}


class Unsure(Exception):
    """The compiled check cannot tell; ask jsonschema."""


class NotCompiled(Exception):
    """The schema uses a keyword this module does not model."""


def _unique(value: list[Any]) -> bool:
    if not all(type(item) is str for item in value):
        raise Unsure
    return len(set(value)) == len(value)


def _other_equal(allowed: list[Any]) -> Check:
    """enum/const for a value that is not a string (strings are tested inline)."""
    def check(value: Any) -> bool:
        if type(value) is bool or value is None:
            return any(type(item) is type(value) and item == value for item in allowed)
        if type(value) in (int, float) and any(type(item) is bool for item in allowed):
            raise Unsure  # jsonschema's equality of 1 and true is not modelled here
        return False

    return check


class _Generator:
    """Writes the source of the check functions of one schema, and their constants."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"Unsure": Unsure, "_unique": _unique,
                                          "_NUMBER": (int, float)}
        self.functions: list[str] = []
        self.names = 0

    def name(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def constant(self, value: Any) -> str:
        name = self.name("_c")
        self.namespace[name] = value
        return name

    def function(self, schema: Any) -> str:
        """A new ``def`` answering for ``schema``; returns its name."""
        name, value = self.name("_check"), self.name("v")
        body: list[str] = []
        self.node(schema, value, 1, body)
        self.functions.append("\n".join([f"def {name}({value}):", *body, "    return True"]))
        return name

    def node(self, schema: Any, v: str, depth: int, out: list[str]) -> None:
        """Statements that ``return False`` when ``v`` breaks ``schema``, else fall through."""
        pad = "    " * depth
        if schema is True:
            return
        if schema is False or not isinstance(schema, dict):
            if schema is False:
                out.append(f"{pad}return False")
                return
            raise NotCompiled("schema is not an object")
        unknown = set(schema) - HANDLED - ANNOTATIONS
        if unknown:
            raise NotCompiled(f"keywords {sorted(unknown)}")
        known = self.types(schema["type"], v, pad, out) if "type" in schema else None
        for keyword in ("enum", "const"):
            if keyword in schema:
                allowed = schema[keyword] if keyword == "enum" else [schema[keyword]]
                self.equal(list(allowed), v, pad, out)
        self.strings(schema, v, pad, out, _guard("string", known, v))
        self.numbers(schema, v, pad, out, _guard("number", known, v))
        self.arrays(schema, v, depth, out, _guard("array", known, v))
        self.objects(schema, v, depth, out, _guard("object", known, v))
        self.logic(schema, v, depth, out)

    def types(self, expected: Any, v: str, pad: str, out: list[str]) -> str | None:
        """Test the type; return it when it is the only one allowed (later tests rely on it)."""
        names = [expected] if isinstance(expected, str) else list(expected)
        if any(name not in TYPE_TESTS for name in names):
            raise NotCompiled(f"type {names}")
        if "integer" in names and "number" not in names:
            out.append(f"{pad}if type({v}) is float: raise Unsure")  # jsonschema: 1.0 is one
        tests = " or ".join(TYPE_TESTS[name].format(v=v) for name in names)
        out.append(f"{pad}if not ({tests}): return False")
        return names[0] if len(names) == 1 else None

    def equal(self, allowed: list[Any], v: str, pad: str, out: list[str]) -> None:
        if not all(type(item) in (str, bool) or item is None for item in allowed):
            raise NotCompiled("enum or const of numbers, objects or arrays")
        strings = self.constant(frozenset(item for item in allowed if type(item) is str))
        others = self.constant(_other_equal(allowed))
        out.append(f"{pad}if type({v}) is str:")
        out.append(f"{pad}    if {v} not in {strings}: return False")
        out.append(f"{pad}elif not {others}({v}): return False")

    def strings(self, schema: dict[str, Any], v: str, pad: str, out: list[str],
                guard: str | None) -> None:
        tests = []
        if "minLength" in schema:
            tests.append(f"len({v}) < {int(schema['minLength'])}")
        if "maxLength" in schema:
            tests.append(f"len({v}) > {int(schema['maxLength'])}")
        if "pattern" in schema:
            search = self.constant(re.compile(schema["pattern"]).search)
            tests.append(f"{search}({v}) is None")
        if tests and guard is not None:
            out.append(f"{pad}if {guard}({' or '.join(tests)}): return False")

    def numbers(self, schema: dict[str, Any], v: str, pad: str, out: list[str],
                guard: str | None) -> None:
        tests = []
        for keyword, operator in (("minimum", "<"), ("maximum", ">")):
            if keyword in schema:
                tests.append(f"{v} {operator} {self.constant(schema[keyword])}")
        if tests and guard is not None:
            out.append(f"{pad}if {guard}({' or '.join(tests)}): return False")

    def arrays(self, schema: dict[str, Any], v: str, depth: int, out: list[str],
               guard: str | None) -> None:
        pad, body = "    " * depth, []
        if "minItems" in schema:
            body.append(f"{pad}    if len({v}) < {int(schema['minItems'])}: return False")
        if "maxItems" in schema:
            body.append(f"{pad}    if len({v}) > {int(schema['maxItems'])}: return False")
        if schema.get("uniqueItems") is True:
            body.append(f"{pad}    if not _unique({v}): return False")
        if "items" in schema:
            item = self.name("v")
            body.append(f"{pad}    for {item} in {v}:")
            inner: list[str] = []
            self.node(schema["items"], item, depth + 2, inner)
            body.extend(inner or [f"{pad}        pass"])
        _guarded(guard, body, pad, out)

    def objects(self, schema: dict[str, Any], v: str, depth: int, out: list[str],
                guard: str | None) -> None:
        pad, body = "    " * depth, []
        required = tuple(schema.get("required", ()))
        if required:
            body.append(f"{pad}    if not {v}.keys() >= {self.constant(frozenset(required))}:"
                        " return False")
        properties = dict(schema.get("properties", {}))
        extra = schema.get("additionalProperties", True)
        if extra is False:
            body.append(f"{pad}    if not {self.constant(frozenset(properties))}"
                        f".issuperset({v}): return False")
        for name, sub in properties.items():
            inner: list[str] = []
            value = self.name("v")
            self.node(sub, value, depth + 2, inner)
            if inner:
                key = repr(str(name))
                body.extend([f"{pad}    if {key} in {v}:", f"{pad}        {value} = {v}[{key}]",
                             *inner])
        if extra is not True and extra is not False:
            key, value, inner = self.name("k"), self.name("v"), []
            self.node(extra, value, depth + 3, inner)
            if inner:
                known = self.constant(frozenset(properties))
                body.extend([f"{pad}    for {key}, {value} in {v}.items():",
                             f"{pad}        if {key} not in {known}:", *inner])
        _guarded(guard, body, pad, out)

    def logic(self, schema: dict[str, Any], v: str, depth: int, out: list[str]) -> None:
        pad = "    " * depth
        if "anyOf" in schema:
            options = [self.function(sub) for sub in schema["anyOf"]]
            tests = " or ".join(f"{option}({v})" for option in options)
            out.append(f"{pad}if not ({tests or 'False'}): return False")
        if "if" in schema:
            condition = self.function(schema["if"])
            then: list[str] = []
            otherwise: list[str] = []
            self.node(schema.get("then", True), v, depth + 1, then)
            self.node(schema.get("else", True), v, depth + 1, otherwise)
            out.extend([f"{pad}if {condition}({v}):", *(then or [f"{pad}    pass"]),
                        f"{pad}else:", *(otherwise or [f"{pad}    pass"])])


#: The test that a value is of the kind a keyword applies to (numbers: int or float).
KIND_TESTS = {"string": "type({v}) is str", "number": "type({v}) in _NUMBER",
              "array": "type({v}) is list", "object": "type({v}) is dict"}


def _guard(kind: str, known: str | None, v: str) -> str | None:
    """The prefix that limits a keyword to its kind of value: "" when the type test already
    guarantees it, None when the type test excludes it (the keyword can never apply)."""
    if known is None:
        return KIND_TESTS[kind].format(v=v) + " and "
    if known == kind or (kind == "number" and known == "integer"):
        return ""
    return None


def _guarded(guard: str | None, body: list[str], pad: str, out: list[str]) -> None:
    """Append ``body`` (indented one level) under its guard, or unguarded."""
    if not body or guard is None:
        return
    if guard:
        out.extend([f"{pad}if {guard[:-len(' and ')]}:", *body])
    else:
        out.extend(line[4:] for line in body)


def compile_schema(schema: Any) -> Check:
    """A function answering "is this instance valid?" exactly, or raising :class:`Unsure`."""
    generator = _Generator()
    name = generator.function(schema)
    namespace = generator.namespace
    exec(compile("\n\n".join(generator.functions), "<compiled schema>", "exec"),  # noqa: S102
         namespace)
    check: Check = namespace[name]
    return check


def known_valid(check: Check | None, value: Any) -> bool:
    """True only when the compiled check says the instance is certainly valid."""
    if check is None:
        return False
    try:
        return check(value)
    except (Unsure, RecursionError):
        return False
