"""Governing the community record and the communes the node knows.

The community page, the signup flow and the Pays directory all read the one Community row;
these functions are the only writers, so every change goes through the same checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

import communes
from node.extensions import db
from node.models import Community, ExtraCommune, SignupMode
from node.services.community import extra_communes, find_commune, forget_extra_communes

# Codes or names in a list: commas, semicolons or line breaks (names may contain spaces).
LIST_SEPARATORS = re.compile(r"[,;\n\r]+")


class SettingsInvalid(ValueError):
    """A settings change was refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CommunityValues:
    """What an admin may change about the community (already stripped by the form)."""

    name: str
    description: str
    commune_codes: list[str]
    contact_name: str
    contact_role: str
    contact_email: str
    contact_phone: str
    signup_mode: SignupMode


def resolve_commune(text: str) -> communes.Commune | None:
    """The commune named by an INSEE code or by its exact name (accents and case ignored).

    A name shared by several known communes is ambiguous and resolves to None, so a member
    is never placed in the wrong village by accident.
    """
    text = " ".join(text.split())
    if not text:
        return None
    by_code = find_commune(text.upper())
    if by_code is not None:
        return by_code
    wanted = communes.fold(text)
    known = communes.all_communes(extra_communes())
    matches = [c for c in known if communes.fold(c.name) == wanted]
    return matches[0] if len(matches) == 1 else None


def parse_commune_list(raw: str) -> tuple[list[str], list[str]]:
    """(codes found, entries not recognised) from a list of codes or names, order kept."""
    codes: list[str] = []
    unknown: list[str] = []
    for entry in LIST_SEPARATORS.split(raw):
        entry = entry.strip()
        if not entry:
            continue
        commune = resolve_commune(entry)
        if commune is None:
            unknown.append(entry)
        elif commune.code not in codes:
            codes.append(commune.code)
    return codes, unknown


def update_community(community: Community, values: CommunityValues) -> None:
    """Apply the values (not committed); refuses unknown communes before touching anything."""
    unknown = [code for code in values.commune_codes if find_commune(code) is None]
    if unknown:
        raise SettingsInvalid(_("Communes inconnues : %(codes)s.", codes=", ".join(unknown)),
                              field="communes")
    if not values.commune_codes:
        raise SettingsInvalid(_("Indiquez au moins une commune."), field="communes")
    community.name = values.name
    community.description = values.description
    community.communes = list(values.commune_codes)
    community.contact_name = values.contact_name
    community.contact_role = values.contact_role
    community.contact_email = values.contact_email
    community.contact_phone = values.contact_phone
    community.signup_mode = values.signup_mode.value


def add_extra_commune(code: str, name: str, latitude: float, longitude: float) -> ExtraCommune:
    """Register a commune missing from the shipped 2018 list (added to the session).

    Only codes of the right shape that nobody knows yet are accepted: an admin must not be
    able to rename a shipped commune by "adding" it again.
    """
    code = code.strip().upper()
    name = " ".join(name.split())
    if not communes.is_insee_code(code):
        raise SettingsInvalid(_("Code INSEE invalide : cinq caractères (ex. 67475)."),
                              field="code")
    if find_commune(code) is not None:
        raise SettingsInvalid(_("Cette commune est déjà connue."), field="code")
    if not name:
        raise SettingsInvalid(_("Le nom est obligatoire."), field="name")
    if not -90 <= latitude <= 90:
        raise SettingsInvalid(_("Latitude entre -90 et 90."), field="latitude")
    if not -180 <= longitude <= 180:
        raise SettingsInvalid(_("Longitude entre -180 et 180."), field="longitude")
    commune = ExtraCommune(code=code, name=name, latitude=latitude, longitude=longitude)
    db.session.add(commune)
    forget_extra_communes()
    return commune


def list_extra_communes() -> list[ExtraCommune]:
    return list(db.session.scalars(db.select(ExtraCommune).order_by(ExtraCommune.name)))
