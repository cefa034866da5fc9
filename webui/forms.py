"""The base of every form of both sites, and the date and time fields they share.

:class:`Form` is Flask-WTF's form (CSRF included) plus the rules every field obeys whatever
its own validators say: no invisible control character (:mod:`webui.unsafe_text`). The check
runs after the field's own chain, so an ``Optional()`` that stops the chain on blank-looking
text cannot let such a character through. The refused characters are taken out of the value
shown back, so the person sees their text as it will be stored once they send it again.

:class:`DayField` and :class:`ClockField` tell a day or an hour that does not exist
(« 30 février », « 25:00 ») apart from a missing one; use them with ``InputRequired`` (which
keeps the parsing error) rather than ``DataRequired`` (which replaces it with « requis »).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, Field, TimeField

from webui.errors import form_expired
from webui.unsafe_text import first_unsafe, removed_message, unsafe_message, without_unsafe

ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
FRENCH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
CLOCK = re.compile(r"(\d{1,2})[:hH](\d{2})(?::(\d{2}))?")


class Form(FlaskForm):  # type: ignore[misc]
    """Every form of the node and the directory derives from this one."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if form_expired():
            # Sent with an expired token: shown again with what was typed, never acted on.
            # The token's own English message gives way to the French one already flashed.
            if "csrf_token" in self._fields:
                self._fields["csrf_token"].errors = []
            self._errors = None
            return False
        for field in self:
            char = _unsafe_in(field)
            if char is not None:
                field.errors = [*field.errors, removed_message(char)]
                _show_without_unsafe(field)
                valid = False
        for char in _unsafe_elsewhere(self):
            self.form_errors.append(unsafe_message(char))
            valid = False
        self._errors = None  # WTForms caches ``errors``; recompute with the added ones
        return valid


def _unsafe_elsewhere(form: Form) -> list[str]:
    """Refused characters in posted fields this form does not declare.

    Some views read a varying number of fields straight from the request (one answer per
    option, one row per action) after validating a form for its CSRF token; those fields
    obey the same rule. Only the request this form reads is looked at.
    """
    if not has_request_context() or request.method != "POST" or not form.is_submitted():
        return []
    declared = {field.name for field in form}
    return [char for name, value in request.form.items(multi=True)
            if name not in declared and (char := first_unsafe(name + value)) is not None]


def _unsafe_in(field: Field) -> str | None:
    for value in field.raw_data or ():
        if isinstance(value, str) and (char := first_unsafe(value)) is not None:
            return char
    return None


def _show_without_unsafe(field: Field) -> None:
    field.raw_data = [without_unsafe(v) if isinstance(v, str) else v for v in field.raw_data]
    if isinstance(field.data, str):
        field.data = without_unsafe(field.data)


def day_not_found() -> str:
    return str(_("Cette date n'existe pas."))


def time_not_found() -> str:
    return str(_("Cette heure n'existe pas."))


def parse_day(text: str) -> date:
    """A day from ``AAAA-MM-JJ`` (date pickers) or ``JJ/MM/AAAA`` (typed by hand).

    Raises ValueError with a French message that tells a wrong shape from a day that does
    not exist.
    """
    text = text.strip()
    if found := ISO_DAY.fullmatch(text):
        year, month, day = found.groups()
    elif found := FRENCH_DAY.fullmatch(text):
        day, month, year = found.groups()
    else:
        raise ValueError(_("Date attendue au format JJ/MM/AAAA (ex. 05/03/2026)."))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(day_not_found()) from None


def parse_clock(text: str) -> time:
    """A time of day from ``18:30``, ``18h30`` or ``18:30:00``; French errors as above."""
    found = CLOCK.fullmatch(text.strip())
    if found is None:
        raise ValueError(_("Heure attendue au format HH:MM (ex. 18:30)."))
    hour, minute, second = found.groups()
    try:
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ValueError(time_not_found()) from None


class _ParsedText:
    """``process_formdata`` for a field whose text is parsed by ``parse`` (French errors).

    Blank text counts as nothing sent, so ``InputRequired`` says the value is required.
    """

    data: Any  # the parsed value once validated, as WTForms' own fields
    raw_data: list[Any]

    @staticmethod
    def parse(text: str) -> Any:
        raise NotImplementedError

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip(" \t\r\n") if valuelist else ""
        self.data = None
        if not text:
            self.raw_data = []
            return
        self.data = self.parse(text)


class DayField(_ParsedText, DateField):  # type: ignore[misc]
    """A calendar day; « 30 février » is refused as a day that does not exist."""

    parse = staticmethod(parse_day)


class ClockField(_ParsedText, TimeField):  # type: ignore[misc]
    """A time of day; « 25:00 » is refused as an hour that does not exist."""

    parse = staticmethod(parse_clock)
