"""Shared validation of member fields (profile form, API and CSV import all use it)."""

import pytest
from flask import Flask

from node.services.member_fields import clean_member_fields, siret_is_valid


@pytest.mark.parametrize("siret,valid", [
    ("73282932000074", True),  # a well-formed SIRET (Luhn)
    ("73282932000075", False),  # one digit off
    ("1234567890123", False),  # 13 digits
    ("35600000000001", True),  # La Poste rule (digit sum divisible by 5)
    ("35600000000002", False),
    ("ABCDEFGHIJKLMN", False),
])
def test_siret_checksum(siret: str, valid: bool) -> None:
    assert siret_is_valid(siret) is valid


def test_clean_member_fields_reports_each_bad_field_in_french(app: Flask) -> None:
    with app.test_request_context():
        cleaned, errors = clean_member_fields({
            "display_name": "  ", "siret": "123", "phone": "abc", "website": "ftp://x",
            "commune_code": "99999", "contact_email": "pas-une-adresse", "colour": "red",
        })
    assert set(errors) == {"display_name", "siret", "phone", "website", "commune_code",
                           "contact_email", "colour"}
    assert "SIRET" in errors["siret"]
    assert cleaned == {}


def test_clean_member_fields_normalises_good_values(app: Flask) -> None:
    with app.test_request_context():
        cleaned, errors = clean_member_fields({
            "display_name": " Jo ", "phone": "0388123456", "website": "atelier-exemple.fr",
            "skills": "Ébénisterie, ébénisterie , restauration", "commune_code": "67475",
            "languages": "fr, DE",
        })
    assert errors == {}
    assert cleaned["phone"] == "03 88 12 34 56"
    assert cleaned["website"] == "https://atelier-exemple.fr"
    assert cleaned["skills"] == ["Ébénisterie", "restauration"]
    assert cleaned["languages"] == ["fr", "de"]


def test_languages_accept_their_names(app: Flask) -> None:
    with app.test_request_context():
        cleaned, errors = clean_member_fields({"display_name": "Jo",
                                               "languages": "Français, allemand, Alsacien, fr"})
        assert errors == {}
        assert cleaned["languages"] == ["fr", "de", "gsw"]
        _, errors = clean_member_fields({"display_name": "Jo", "languages": "klingonais"})
        assert "français, allemand" in errors["languages"]
