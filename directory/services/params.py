"""Reading search parameters from a query string, the same way for the site and the API.

Each parser returns the cleaned value object and a list of field errors; the site shows the
errors beside the form, the API answers 400 with them. Nothing here raises on bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

import communes

MAX_TEXT = 200
MAX_PAGE = 1000
MAX_KM = 200.0
DEFAULT_KM = 15.0


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class PeopleQuery:
    q: str = ""
    trade: str = ""
    skill: str = ""
    commune: str = ""
    territory: str = ""
    near: str = ""
    km: float = DEFAULT_KM
    page: int = 1


@dataclass(frozen=True)
class ListingQuery:
    q: str = ""
    kind: str = ""
    territory: str = ""
    page: int = 1


@dataclass(frozen=True)
class EventQuery:
    territory: str = ""
    page: int = 1


class _Reader:
    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str:
        value = (self.args.get(name) or "").strip()
        if any(ord(char) < 32 for char in value):
            self.errors.append(FieldError(name, _("Caractères de contrôle non permis.")))
            return ""
        if len(value) > MAX_TEXT:
            self.errors.append(FieldError(name, _("%(max)s caractères au plus.", max=MAX_TEXT)))
            return ""
        return value

    def commune(self, name: str) -> str:
        code = self.text(name).upper()
        if code and communes.find(code) is None:
            self.errors.append(FieldError(name, _("Code INSEE de commune inconnu.")))
            return ""
        return code

    def place(self, name: str) -> str:
        """The INSEE code of the commune typed: a name (accents, hyphens, « St » as one
        types them), « Name (code) » as the suggestions give it, or a code."""
        typed = self.text(name)
        if not typed:
            return ""
        found = communes.resolve(typed)
        if found.commune is not None:
            return found.commune.code
        names = ", ".join(c.label for c in found.candidates)
        if communes.is_insee_code(typed.upper()):
            message = _("Code INSEE de commune inconnu.")
        elif found.ambiguous:
            message = _("Plusieurs communes correspondent à « %(typed)s » : %(names)s. "
                        "Choisissez-en une.", typed=typed, names=names)
        elif names:
            message = _("Commune inconnue : « %(typed)s ». Vouliez-vous dire %(names)s ?",
                        typed=typed, names=names)
        else:
            message = _("Commune inconnue : « %(typed)s ». Vérifiez l’orthographe ou donnez "
                        "son code INSEE (5 chiffres).", typed=typed)
        self.errors.append(FieldError(name, message))
        return ""

    def page(self) -> int:
        raw = (self.args.get("page") or "1").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
            self.errors.append(FieldError(
                "page", _("Numéro de page entre 1 et %(max)s.", max=MAX_PAGE)))
            return 1
        return int(raw)

    def km(self) -> float:
        raw = (self.args.get("km") or "").strip().replace(",", ".")
        if not raw:
            return DEFAULT_KM
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value <= MAX_KM:
            self.errors.append(FieldError(
                "km", _("Distance en kilomètres, entre 0 et %(max)s.", max=int(MAX_KM))))
            return DEFAULT_KM
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name)
        if value and value not in allowed:
            self.errors.append(FieldError(
                name, _("Valeur attendue : %(values)s.", values=", ".join(allowed))))
            return ""
        return value


def people_query(args: Mapping[str, str]) -> tuple[PeopleQuery, list[FieldError]]:
    reader = _Reader(args)
    query = PeopleQuery(q=reader.text("q"), trade=reader.text("trade"),
                        skill=reader.text("skill"), commune=reader.commune("commune"),
                        territory=reader.text("territory"), near=reader.place("near"),
                        km=reader.km(), page=reader.page())
    if args.get("km") and not query.near and not any(e.field == "near" for e in reader.errors):
        reader.errors.append(FieldError("near", _("Indiquez la commune de référence.")))
    return query, reader.errors


def listing_query(args: Mapping[str, str]) -> tuple[ListingQuery, list[FieldError]]:
    reader = _Reader(args)
    query = ListingQuery(q=reader.text("q"), kind=reader.choice("kind", ("offer", "need")),
                         territory=reader.text("territory"), page=reader.page())
    return query, reader.errors


def event_query(args: Mapping[str, str]) -> tuple[EventQuery, list[FieldError]]:
    reader = _Reader(args)
    return EventQuery(territory=reader.text("territory"), page=reader.page()), reader.errors


def unknown_parameters(args: Mapping[str, str], known: tuple[str, ...]) -> list[FieldError]:
    """Errors for parameters an API caller sent that the endpoint does not know."""
    return [FieldError(name, _("Paramètre inconnu.")) for name in args
            if name not in known and name != "lang"]
