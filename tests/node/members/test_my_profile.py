"""Editing my profile and its visibility, and my offers and needs."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import FieldGroup, Listing, Visibility
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_uniform_subject


def profile_form(**changes: str) -> dict[str, Any]:
    data = {
        "display_name": "Camille Testeuse", "trade": "Graphiste", "business_name": "Studio C",
        "siret": "732 829 320 00074", "commune_code": "67475",
        "skills": "mise en page, Typographie, mise en page", "bio": "Bonjour\nà tous",
        "website": "studio-c.example", "languages": "fr, de",
        "contact_email": "studio@c.example", "phone": "03.88.00.00.01",
        "visibility_identity": "public", "visibility_skills": "network",
        "visibility_about": "community", "visibility_contact": "private",
    }
    data.update(changes)
    return data


def test_page_explains_the_four_levels_and_lists_nearby_communes(
        member_client: FlaskClient) -> None:
    html = member_client.get("/mon-profil").get_data(as_text=True)
    for text in ("Privé : administrateurs", "Communauté : membres connectés de ce nœud",
                 "Réseau : membres connectés des villages du réseau, jamais les visiteurs "
                 "anonymes", "Public : tout le monde"):
        assert text in html
    for legend in ("Identité", "Compétences, offres et besoins", "Présentation", "Coordonnées"):
        assert f"<legend>{legend}</legend>" in html
    assert '<datalist id="communes-proches">' in html
    assert 'value="67527"' in html  # Westhouse-Marmoutier, a community commune
    assert 'value="67437"' in html  # Saverne, within 25 km
    assert 'value="57463"' not in html  # Metz is far away
    assert "Commune actuelle : Sparsbach (67475)" in html


def test_saving_the_profile_cleans_fields_and_stores_visibilities(
        app: Flask, member_client: FlaskClient) -> None:
    response = member_client.post("/mon-profil", data=profile_form())
    assert response.status_code == 302
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        assert member.trade == "Graphiste"
        assert member.siret == "73282932000074"
        assert member.skills == ["mise en page", "Typographie"]
        assert member.website == "https://studio-c.example"
        assert member.phone == "03 88 00 00 01"
        assert member.languages == ["fr", "de"]
        assert member.visibility_of(FieldGroup.IDENTITY) is Visibility.PUBLIC
        assert member.visibility_of(FieldGroup.SKILLS) is Visibility.NETWORK
        assert member.visibility_of(FieldGroup.CONTACT) is Visibility.PRIVATE


def test_errors_are_shown_beside_fields_and_nothing_is_written(
        app: Flask, member_client: FlaskClient) -> None:
    response = member_client.post("/mon-profil", data=profile_form(
        siret="12345678901234", phone="abc", display_name="", visibility_contact="everyone"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="siret-error"' in html and "Numéro SIRET invalide" in html
    assert 'id="phone-error"' in html
    assert "Le nom affiché est obligatoire." in html
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        assert member.trade == "" and member.display_name == "Camille Testeuse"
        assert member.visibility_of(FieldGroup.CONTACT) is Visibility.PRIVATE


def test_commune_may_be_typed_by_name(app: Flask, member_client: FlaskClient) -> None:
    assert member_client.post("/mon-profil", data=profile_form(
        commune_code="westhouse-marmoutier")).status_code == 302
    with app.app_context():
        assert member_by_email(MEMBER_EMAIL).commune_code == "67527"
    response = member_client.post("/mon-profil", data=profile_form(commune_code="Atlantide"))
    assert response.status_code == 422
    assert "Commune inconnue" in response.get_data(as_text=True)


def test_offers_and_needs_can_be_added_edited_and_deleted(
        app: Flask, member_client: FlaskClient) -> None:
    response = member_client.post("/mon-profil/offres", data={
        "kind": "offer", "title": "  Affiches   et flyers ", "details": "Sur mesure"})
    assert response.status_code == 302
    member_client.post("/mon-profil/offres", data={"kind": "need", "title": "Imprimeur"})
    with app.app_context():
        listings = member_by_email(MEMBER_EMAIL).listings
        assert [(i.kind, i.title) for i in listings] == [
            ("offer", "Affiches et flyers"), ("need", "Imprimeur")]
        offer_uuid = listings[0].uuid
    page = member_client.get("/mon-profil/offres").get_data(as_text=True)
    assert "Affiches et flyers" in page and "Imprimeur" in page
    assert member_client.post(f"/mon-profil/offres/{offer_uuid}", data={
        "kind": "need", "title": "Affiches", "details": ""}).status_code == 302
    with app.app_context():
        listing = db.session.scalars(db.select(Listing).where(Listing.uuid == offer_uuid)).one()
        assert (listing.kind, listing.title) == ("need", "Affiches")
    assert member_client.post(f"/mon-profil/offres/{offer_uuid}/supprimer").status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(Listing).where(
            Listing.uuid == offer_uuid)).first() is None


def test_bad_listing_is_refused_without_writing(app: Flask,
                                                member_client: FlaskClient) -> None:
    response = member_client.post("/mon-profil/offres", data={"kind": "gift", "title": ""})
    assert response.status_code == 422
    assert "Le titre est obligatoire." in response.get_data(as_text=True)
    with app.app_context():
        assert member_by_email(MEMBER_EMAIL).listings == []


def test_nobody_edits_or_deletes_another_members_listing(app: Flask,
                                                         member_client: FlaskClient) -> None:
    with app.app_context():
        other = create_uniform_subject(Visibility.COMMUNITY)
        theirs = other.listings[0].uuid
    assert member_client.get(f"/mon-profil/offres/{theirs}").status_code == 404
    assert member_client.post(f"/mon-profil/offres/{theirs}",
                              data={"kind": "offer", "title": "Volé"}).status_code == 404
    assert member_client.post(f"/mon-profil/offres/{theirs}/supprimer").status_code == 404
    with app.app_context():
        listing = db.session.scalars(db.select(Listing).where(Listing.uuid == theirs)).one()
        assert listing.title == "Restauration de commodes"


def test_my_profile_requires_sign_in(client: FlaskClient) -> None:
    for url in ("/mon-profil", "/mon-profil/offres", "/mon-profil/export.json",
                "/mon-profil/supprimer", "/carnet", "/carnet.vcf"):
        assert client.get(url).status_code == 302, url


def test_a_website_with_spaces_or_line_breaks_is_refused(app: Flask,
                                                         member_client: FlaskClient) -> None:
    for website in ("https://a.example\r\nEMAIL:x@y", "mon site.fr"):
        response = member_client.post("/mon-profil", data=profile_form(website=website))
        assert response.status_code == 422
        assert "Adresse web invalide" in response.get_data(as_text=True)
    with app.app_context():
        assert member_by_email(MEMBER_EMAIL).website == ""
