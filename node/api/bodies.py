"""Reading a request body: strict JSON, checked against the endpoint's published schema.

What is refused here, and how:
- not JSON, not an object, NaN/Infinity, numbers too large to be numbers, nesting too deep,
  unknown keys, text holding an invisible control character (NUL, a bidirectional override,
  a lone surrogate: :mod:`webui.unsafe_text`): 400 with a reason naming the field;
- a known key with the wrong type or out of bounds: 422 with one entry per field, in French.
Datetimes are parsed here too (see :func:`parse_datetime`): with an offset they are converted,
without one they are read as Europe/Paris wall-clock time.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext

from node.api.errors import FieldError, bad_request, validation_failed
from node.api.schemas import DATETIME, Schema
from node.services.calendar import PARIS
from webui.forms import parse_day, time_not_found
from webui.unsafe_text import unsafe_in, unsafe_message, without_unsafe

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

MAX_DEPTH = 20
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_YEAR, LAST_YEAR = 1970, 2200  # beyond these, time zone arithmetic is no longer sane


class _Refused(ValueError):
    pass


def _reject_constant(name: str) -> NoReturn:
    raise _Refused(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(text)
    return value


def read_json_body(schema: Schema, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema`` (raises ApiError otherwise).

    ``optional``: an empty body (no content at all) reads as ``{}``, for actions like cancel.
    """
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    if not request.is_json:
        raise bad_request("unsupported_content_type",
                          _("Envoyez du JSON avec l'en-tête Content-Type: application/json."))
    try:
        data = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise bad_request("invalid_json", _("Le corps de la requête n'est pas du JSON valide "
                                            "(UTF-8, nombres finis).")) from None
    if not isinstance(data, dict):
        raise bad_request("invalid_body", _("Le corps de la requête doit être un objet JSON."))
    _check_storable(data)
    _check_schema(data, schema)
    return data


def _check_storable(data: dict[str, Any]) -> None:
    """Refuse what no field may hold (see :mod:`webui.unsafe_text`), keys included."""
    if _too_deep(data, 0):
        raise bad_request("invalid_body", _("Le JSON est trop profondément imbriqué."))
    found = next(unsafe_in(data), None)
    if found is not None:
        path, char = found
        raise bad_request("invalid_text", _("Champ « %(field)s » : %(reason)s",
                                            field=without_unsafe(path),
                                            reason=unsafe_message(char)))


def _too_deep(value: Any, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else ()
    return any(_too_deep(item, depth + 1) for item in items)


def _check_schema(data: dict[str, Any], schema: Schema) -> None:
    known = set(schema.get("properties", {}))
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise bad_request("unknown_fields", _("Champs inconnus : %(names)s. Champs acceptés : "
                                              "%(known)s.", names=", ".join(unknown),
                                              known=", ".join(sorted(known)) or "—"))
    # Imported here: only writes need jsonschema (about 3 MB), not the pages a node serves.
    from jsonschema import Draft202012Validator

    errors: dict[str, str] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        for name in _fields_of(error, data):
            errors.setdefault(name, _message(error))
    for name, field_schema in schema.get("properties", {}).items():
        # Datetimes follow the API's own rule (offset optional), so they are checked here,
        # with the schema's refusals, to report every bad field at once.
        if field_schema is DATETIME and isinstance(data.get(name), str) and name not in errors:
            try:
                parse_datetime(data[name], date_only=False)
            except ValueError as error:
                errors[name] = str(error)
    if errors:
        raise validation_failed([FieldError(name, message) for name, message in errors.items()])


def _fields_of(error: ValidationError, data: dict[str, Any]) -> list[str]:
    if error.path:
        return [str(error.path[0])]
    if error.validator == "required":
        return [str(name) for name in error.validator_value if name not in data]
    return ["body"]


TYPE_NAMES = {"string": "texte", "integer": "nombre entier", "number": "nombre",
              "null": "null", "array": "liste", "object": "objet", "boolean": "booléen"}


def _message(error: ValidationError) -> str:
    """A French sentence for a schema refusal (jsonschema's own messages are English)."""
    return str(_french(error))


def _french(error: ValidationError) -> Any:
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    if kind == "type":
        wanted = error.validator_value
        names = [TYPE_NAMES.get(str(name), str(name)) for name in
                 (wanted if isinstance(wanted, list) else [wanted])]
        return _("Type attendu : %(types)s.", types=" ou ".join(names))
    if kind == "required":
        return _("Champ obligatoire.")
    if kind == "maxLength":
        return _("%(n)s caractères au plus.", n=error.validator_value)
    if kind == "minLength":
        return _("Ne peut pas être vide.")
    if kind in ("minimum", "maximum"):
        return _("Valeur entre %(min)s et %(max)s.", min=schema.get("minimum"),
                 max=schema.get("maximum"))
    if kind == "enum":
        return _("Valeur parmi : %(values)s.",
                 values=", ".join(str(value) for value in error.validator_value))
    if kind == "maxItems":
        return _("%(n)s éléments au plus.", n=error.validator_value)
    if kind == "minItems":
        return ngettext("Au moins %(num)d élément.", "Au moins %(num)d éléments.",
                        int(error.validator_value))
    return _("Valeur invalide.")


def _datetime_expected() -> str:
    return str(_("Date et heure ISO 8601 attendues (ex. 2026-03-05T18:30:00+01:00)."))


def _no_such_moment(value: str) -> str:
    """Which part of a well-shaped date and time does not exist, in French."""
    try:
        parse_day(value[:10])
    except ValueError as error:
        return str(error)
    return time_not_found()


def parse_datetime(value: str, *, date_only: bool = True,
                   date_only_end: bool = False) -> datetime:
    """An aware UTC datetime from ISO 8601 text; no offset means Europe/Paris local time.

    With ``date_only`` (query parameters), a bare date is the start of that Paris day, or
    with ``date_only_end`` its last second. Raises ValueError with a French message.
    """
    if not ((date_only and ISO_DATE.fullmatch(value)) or ISO_DATETIME.fullmatch(value)):
        raise ValueError(_datetime_expected())
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # the right shape, but no such day (2026-02-30) or hour (25:00)
        raise ValueError(_no_such_moment(value)) from None
    if date_only_end and ISO_DATE.fullmatch(value):
        moment = moment.replace(hour=23, minute=59, second=59)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(_("Année entre %(first)s et %(last)s.", first=FIRST_YEAR,
                           last=LAST_YEAR))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


def paris_wall_time(value: str) -> datetime:
    """The naive Paris wall-clock time the events service expects, from API text.

    Text without an offset is kept as typed, so the service can refuse a time the spring
    change skips; text with an offset is converted to the Paris time of that instant.
    """
    moment = parse_datetime(value, date_only=False)
    typed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if typed.tzinfo is None:
        return typed
    return moment.astimezone(PARIS).replace(tzinfo=None)
