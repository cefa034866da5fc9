"""Validation of a member's fields, shared by the profile form, the API and the CSV import.

Each check returns a cleaned value or raises :class:`FieldInvalid` with a French message, so
every entry point reports the same error for the same input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

import communes
from node.services.community import find_commune

MAX_LENGTHS = {
    "display_name": 120, "trade": 120, "business_name": 160, "bio": 2000,
    "website": 255, "contact_email": 254, "phone": 32,
}
MAX_SKILLS = 20
MAX_SKILL_LENGTH = 40
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
#: Language names people type instead of codes (accents and case ignored), French first.
LANGUAGE_NAMES = {
    "francais": "fr", "french": "fr", "allemand": "de", "german": "de", "deutsch": "de",
    "anglais": "en", "english": "en", "alsacien": "gsw", "elsasserditsch": "gsw",
    "italien": "it", "espagnol": "es", "portugais": "pt", "neerlandais": "nl",
    "luxembourgeois": "lb", "polonais": "pl", "turc": "tr", "arabe": "ar", "russe": "ru",
    "ukrainien": "uk", "roumain": "ro", "breton": "br", "occitan": "oc", "catalan": "ca",
}
LA_POSTE_SIREN = "356000000"


class FieldInvalid(ValueError):
    """A field's value was refused; the message is shown beside the field."""


def siret_is_valid(siret: str) -> bool:
    """14 digits passing the Luhn check (La Poste's establishments use their own rule)."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(d) for d in siret) % 5 == 0
    total = 0
    for index, char in enumerate(reversed(siret)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def clean_siret(value: str) -> str:
    compact = re.sub(r"[\s.]", "", value)
    if compact and not siret_is_valid(compact):
        raise FieldInvalid(_("Numéro SIRET invalide (14 chiffres, clé de contrôle incluse)."))
    return compact


def clean_phone(value: str) -> str:
    compact = re.sub(r"[\s.\-()]", "", value)
    if not compact:
        return ""
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return " ".join(compact[i:i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+\d{8,15}", compact):
        return compact
    raise FieldInvalid(_("Numéro de téléphone invalide (ex. 03 88 00 00 00 ou +33 3 88 …)."))


def clean_email(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise FieldInvalid(_("Adresse e-mail invalide.")) from error


def clean_website(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if re.search(r"[\x00-\x20\x7f]", value):
        raise FieldInvalid(_("Adresse web invalide (ex. https://mon-atelier.fr)."))
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        raise FieldInvalid(_("Adresse web invalide (ex. https://mon-atelier.fr)."))
    return value


def clean_commune(value: str) -> str:
    value = value.strip().upper()
    if not value:
        return ""
    if find_commune(value) is None:
        raise FieldInvalid(_("Commune inconnue : indiquez son code INSEE (ex. 67475)."))
    return value


def clean_skills(value: str | list[str]) -> list[str]:
    """Tags from a comma-separated string or a list: trimmed, de-duplicated, bounded."""
    items = value.split(",") if isinstance(value, str) else list(value)
    skills: list[str] = []
    for item in items:
        tag = " ".join(str(item).split())
        if not tag or tag.casefold() in (s.casefold() for s in skills):
            continue
        if len(tag) > MAX_SKILL_LENGTH:
            raise FieldInvalid(_("Une compétence fait au plus %(n)s caractères.",
                                 n=MAX_SKILL_LENGTH))
        skills.append(tag)
    if len(skills) > MAX_SKILLS:
        raise FieldInvalid(_("%(n)s compétences au plus.", n=MAX_SKILLS))
    return skills


def clean_languages(value: str | list[str]) -> list[str]:
    """Language codes from codes or names (« français, allemand » gives fr, de)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = [str(item).strip().lower() for item in items if str(item).strip()]
    codes = [LANGUAGE_NAMES.get(communes.fold(code).replace(" ", ""), code) for code in codes]
    if any(not LANGUAGE_CODE.match(code) for code in codes):
        raise FieldInvalid(_("Langues : leurs noms ou leurs codes, séparés par des virgules "
                             "(français, allemand ou fr, de)."))
    return list(dict.fromkeys(codes))


def clean_text(name: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        text = str(value or "").strip()
        if len(text) > MAX_LENGTHS[name]:
            raise FieldInvalid(_("%(n)s caractères au plus.", n=MAX_LENGTHS[name]))
        return text

    return clean


def _required_name(value: Any) -> str:
    name = clean_text("display_name")(value)
    if not name:
        raise FieldInvalid(_("Le nom affiché est obligatoire."))
    return name


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "display_name": _required_name,
    "trade": clean_text("trade"),
    "business_name": clean_text("business_name"),
    "siret": lambda v: clean_siret(str(v or "")),
    "skills": lambda v: clean_skills(v or []),
    "bio": clean_text("bio"),
    "commune_code": lambda v: clean_commune(str(v or "")),
    "website": lambda v: clean_website(clean_text("website")(v)),
    "contact_email": lambda v: clean_email(clean_text("contact_email")(v)),
    "phone": lambda v: clean_phone(str(v or "")),
    "languages": lambda v: clean_languages(v or []),
}


def clean_member_fields(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the given profile fields; returns (cleaned values, errors by field name).

    Only fields present in ``raw`` are checked, so a partial update checks only what changes.
    Unknown field names are reported as errors rather than silently ignored.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in raw.items():
        cleaner = CLEANERS.get(name)
        if cleaner is None:
            errors[name] = _("Champ inconnu.")
            continue
        try:
            cleaned[name] = cleaner(value)
        except FieldInvalid as error:
            errors[name] = str(error)
    return cleaned, errors
