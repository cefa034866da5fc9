"""The directory page: members only, search form, cards with visible fields only, pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.models import Role, Visibility
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL
from tests.node.members.people import (
    ANIMATOR_EMAIL,
    SUBJECT_EMAIL,
    create_person,
    create_subject,
    sign_in,
)


def test_directory_requires_sign_in(client: FlaskClient) -> None:
    response = client.get("/membres")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_cards_show_name_trade_commune_and_visible_skills(app: Flask,
                                                          member_client: FlaskClient) -> None:
    with app.app_context():
        create_subject(Visibility.COMMUNITY, Visibility.PRIVATE, Visibility.COMMUNITY,
                       Visibility.COMMUNITY)
        create_person("eloi@example.org", "Éloi Forgeron", trade="Ferronnier",
                      level=Visibility.COMMUNITY, skills=["soudure"], commune_code="67475")
    html = member_client.get("/membres").get_data(as_text=True)
    assert "Zoé Ébéniste" in html and "Westhouse-Marmoutier" in html
    assert "Éloi Forgeron" in html and "Ferronnier" in html and "soudure" in html
    assert "marqueterie" not in html  # Zoé's skills are private, also out of the facet list
    assert "Camille Testeuse" in html


def test_search_form_filters_accent_insensitively(app: Flask,
                                                  member_client: FlaskClient) -> None:
    with app.app_context():
        create_subject(*[Visibility.COMMUNITY] * 4)
        create_person("eloi@example.org", "Éloi Forgeron", trade="Ferronnier",
                      level=Visibility.COMMUNITY, skills=["soudure"], commune_code="67475")
    html = member_client.get("/membres?q=EBENISTE").get_data(as_text=True)
    assert "Zoé Ébéniste" in html and "Éloi Forgeron" not in html
    html = member_client.get("/membres?skill=Soudure").get_data(as_text=True)
    assert "Éloi Forgeron" in html and "Zoé Ébéniste" not in html
    html = member_client.get("/membres?commune=67527").get_data(as_text=True)
    assert "Zoé Ébéniste" in html and "Camille Testeuse" not in html
    html = member_client.get("/membres?q=introuvable").get_data(as_text=True)
    assert "Aucun membre ne correspond" in html


def test_a_search_on_hidden_skills_finds_nothing(app: Flask,
                                                 member_client: FlaskClient,
                                                 admin_client: FlaskClient) -> None:
    with app.app_context():
        create_subject(Visibility.COMMUNITY, Visibility.PRIVATE, Visibility.COMMUNITY,
                       Visibility.COMMUNITY)
    hidden = member_client.get("/membres?q=marqueterie").get_data(as_text=True)
    assert "Zoé Ébéniste" not in hidden and "Aucun membre ne correspond" in hidden
    assert "Zoé" not in member_client.get("/membres?skill=marqueterie").get_data(as_text=True)
    staff = admin_client.get("/membres?q=marqueterie").get_data(as_text=True)
    assert "Zoé Ébéniste" in staff and "marqueterie" in staff


def test_private_members_are_not_listed_for_members(app: Flask,
                                                    member_client: FlaskClient) -> None:
    with app.app_context():
        create_subject(*[Visibility.PRIVATE] * 4)
    assert "Zoé" not in member_client.get("/membres").get_data(as_text=True)


def test_pagination_keeps_the_query(app: Flask, member_client: FlaskClient) -> None:
    with app.app_context():
        for index in range(30):
            create_person(f"potier{index}@example.org", f"Potier {index:02d}", trade="Potier",
                          level=Visibility.COMMUNITY)
    first = member_client.get("/membres?q=potier").get_data(as_text=True)
    assert "30 membres" in first and "Potier 00" in first and "Potier 29" not in first
    assert 'href="/membres?page=2&amp;q=potier"' in first
    second = member_client.get("/membres?q=potier&page=2").get_data(as_text=True)
    assert "Potier 29" in second and "Potier 00" not in second
    assert member_client.get("/membres?page=abc").status_code == 200


@pytest.mark.parametrize("level", list(Visibility))
def test_directory_page_at_each_identity_level(app: Flask, level: Visibility) -> None:
    with app.app_context():
        create_person(ANIMATOR_EMAIL, "Ana Animatrice", role=Role.ANIMATOR)
        create_subject(level, level, level, level)
    reach = {MEMBER_EMAIL: Visibility.COMMUNITY, ANIMATOR_EMAIL: Visibility.PRIVATE,
             ADMIN_EMAIL: Visibility.PRIVATE, SUBJECT_EMAIL: Visibility.PRIVATE}
    for email, narrowest in reach.items():
        client = sign_in(app, email)
        by_name = client.get("/membres?q=zoe").get_data(as_text=True)
        by_skill = client.get("/membres?q=marqueterie").get_data(as_text=True)
        expected = level.rank >= narrowest.rank
        assert ("Zoé Ébéniste" in by_name) is expected, email
        assert ("Zoé Ébéniste" in by_skill) is expected, email
