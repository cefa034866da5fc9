"""JSON Schema (draft 2020-12) files of the Chaleur protocol, shipped as package data.

``jsonschema`` itself (about 3 MB once imported) is loaded only when a record is not known
valid by the compiled check: a village node that only reads :func:`schema` to shape its own
payloads never needs it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from federation.schemas.compiled import Check, NotCompiled, compile_schema, known_valid

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed schema `<name>.json` (community, venue, ..., envelope, batch, node)."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def validator(name: str) -> Draft202012Validator:
    """The full validator of a schema, for invalid data and for what is not compiled."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name))


@cache
def fast_check(name: str) -> Check | None:
    """The compiled yes/no check of a schema (None if it uses keywords not modelled)."""
    try:
        return compile_schema(schema(name))
    except NotCompiled:
        return None


def first_error(name: str, data: Any) -> str | None:
    """A short, stable description of the first schema violation, or None if valid.

    The compiled check answers the common case (valid) quickly; anything else is decided,
    and described, by jsonschema itself."""
    if known_valid(fast_check(name), data):
        return None
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{where}: {error.message[:200]}"
