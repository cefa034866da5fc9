"""My address book: add, note, remove, and only what I may still see of each contact."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import AddressBookEntry, FieldGroup, Visibility
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import SUBJECT_EMAIL, create_uniform_subject


def entries(app: Flask) -> list[AddressBookEntry]:
    with app.app_context():
        rows = db.session.scalars(db.select(AddressBookEntry)).all()
        db.session.expunge_all()
        return list(rows)


def add_subject(app: Flask, client: FlaskClient, level: Visibility) -> str:
    with app.app_context():
        uuid = str(create_uniform_subject(level).uuid)
    assert client.post(f"/carnet/{uuid}").status_code == 302
    return uuid


def test_add_note_and_remove(app: Flask, member_client: FlaskClient) -> None:
    uuid = add_subject(app, member_client, Visibility.COMMUNITY)
    member_client.post(f"/carnet/{uuid}")  # adding twice keeps one entry
    assert len(entries(app)) == 1
    page = member_client.get("/carnet").get_data(as_text=True)
    assert "Zoé Ébéniste" in page and "Ébéniste" in page
    assert member_client.post(f"/carnet/{uuid}/note",
                              data={"note": "Vue au marché <b>bio</b>"}).status_code == 302
    assert entries(app)[0].note == "Vue au marché <b>bio</b>"
    page = member_client.get("/carnet").get_data(as_text=True)
    assert "Vue au marché &lt;b&gt;bio&lt;/b&gt;" in page
    assert "Dans votre carnet" in member_client.get(f"/membres/{uuid}").get_data(as_text=True)
    assert member_client.post(f"/carnet/{uuid}/supprimer").status_code == 302
    assert entries(app) == []


def test_note_too_long_is_refused(app: Flask, member_client: FlaskClient) -> None:
    uuid = add_subject(app, member_client, Visibility.COMMUNITY)
    member_client.post(f"/carnet/{uuid}/note", data={"note": "x" * 501})
    assert entries(app)[0].note == ""


def test_cannot_add_someone_i_cannot_see_or_myself(app: Flask,
                                                   member_client: FlaskClient) -> None:
    with app.app_context():
        hidden = str(create_uniform_subject(Visibility.PRIVATE).uuid)
        me = str(member_by_email(MEMBER_EMAIL).uuid)
    assert member_client.post(f"/carnet/{hidden}").status_code == 404
    member_client.post(f"/carnet/{me}")
    assert entries(app) == []


def test_a_contact_who_restricts_visibility_later_shows_only_what_i_may_see(
        app: Flask, member_client: FlaskClient) -> None:
    uuid = add_subject(app, member_client, Visibility.COMMUNITY)
    member_client.post(f"/carnet/{uuid}/note", data={"note": "Menuisière"})
    with app.app_context():
        subject = member_by_email(SUBJECT_EMAIL)
        subject.set_visibility(FieldGroup.CONTACT, Visibility.PRIVATE)
        db.session.commit()
    page = member_client.get("/carnet").get_data(as_text=True)
    card = member_client.get("/carnet.vcf").get_data(as_text=True)
    assert "Zoé Ébéniste" in page and "zoe-mail.example" not in page
    assert "FN:Zoé Ébéniste" in card and "zoe-mail.example" not in card
    with app.app_context():
        member_by_email(SUBJECT_EMAIL).set_visibility(FieldGroup.IDENTITY, Visibility.PRIVATE)
        db.session.commit()
    page = member_client.get("/carnet").get_data(as_text=True)
    assert "Zoé" not in page and "Profil non visible" in page and "Menuisière" in page
    assert "Zoé" not in member_client.get("/carnet.vcf").get_data(as_text=True)
    assert member_client.post(f"/carnet/{uuid}/supprimer").status_code == 302
    assert entries(app) == []


def test_address_book_vcard_export_holds_every_visible_contact(
        app: Flask, member_client: FlaskClient) -> None:
    add_subject(app, member_client, Visibility.COMMUNITY)
    with app.app_context():
        from tests.node.members.people import create_person

        other = str(create_person("eloi@example.org", "Éloi Forgeron",
                                  level=Visibility.COMMUNITY).uuid)
    member_client.post(f"/carnet/{other}")
    response = member_client.get("/carnet.vcf")
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VCARD\r\n") == 2 and body.count("END:VCARD\r\n") == 2
    assert "FN:Zoé Ébéniste" in body and "FN:Éloi Forgeron" in body


def test_entries_of_others_cannot_be_touched(app: Flask, member_client: FlaskClient,
                                             admin_client: FlaskClient) -> None:
    uuid = add_subject(app, member_client, Visibility.COMMUNITY)
    assert admin_client.post(f"/carnet/{uuid}/note", data={"note": "x"}).status_code == 404
    assert admin_client.post(f"/carnet/{uuid}/supprimer").status_code == 404
    assert len(entries(app)) == 1 and entries(app)[0].note == ""
