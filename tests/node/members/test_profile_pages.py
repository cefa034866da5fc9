"""The profile page and its vCard, for each visibility level and each kind of viewer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import FieldGroup, Role, Visibility
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL
from tests.node.members.people import (
    ANIMATOR_EMAIL,
    MARKERS,
    SIRET,
    SUBJECT_EMAIL,
    create_person,
    create_subject,
    create_uniform_subject,
    sign_in,
)

REACH = {"anonymous": Visibility.PUBLIC, "member": Visibility.COMMUNITY,
         "animator": Visibility.PRIVATE, "admin": Visibility.PRIVATE,
         "self": Visibility.PRIVATE}


def clients(app: Flask) -> dict[str, FlaskClient]:
    with app.app_context():
        create_person(ANIMATOR_EMAIL, "Ana Animatrice", role=Role.ANIMATOR)
    return {"anonymous": app.test_client(), "member": sign_in(app, MEMBER_EMAIL),
            "animator": sign_in(app, ANIMATOR_EMAIL), "admin": sign_in(app, ADMIN_EMAIL),
            "self": sign_in(app, SUBJECT_EMAIL)}


def subject_uuid(app: Flask, make: Callable[[], object]) -> str:
    with app.app_context():
        member = make()
        return str(member.uuid)  # type: ignore[attr-defined]


@pytest.mark.parametrize("level", list(Visibility))
def test_profile_page_and_vcard_at_each_level(app: Flask, level: Visibility) -> None:
    uuid = subject_uuid(app, lambda: create_uniform_subject(level))
    for name, client in clients(app).items():
        page = client.get(f"/membres/{uuid}")
        card = client.get(f"/membres/{uuid}.vcf")
        if level.rank >= REACH[name].rank:
            assert page.status_code == 200, name
            html = page.get_data(as_text=True)
            for marker in MARKERS.values():
                assert marker in html, (name, marker)
            assert SIRET in html
            assert card.status_code == 200
            text = card.get_data(as_text=True)
            assert "FN:Zoé Ébéniste" in text and "zoe-mail.example" in text
        else:
            assert page.status_code == 404, name  # not 403: existence is not revealed
            assert card.status_code == 404, name
            assert "Zoé" not in page.get_data(as_text=True)


def test_mixed_levels_show_only_the_groups_each_viewer_may_see(app: Flask) -> None:
    uuid = subject_uuid(app, lambda: create_subject(
        identity=Visibility.PUBLIC, skills=Visibility.NETWORK, about=Visibility.COMMUNITY,
        contact=Visibility.PRIVATE))
    expected = {
        "anonymous": {FieldGroup.IDENTITY},  # skills go to the network, not to everyone
        "member": {FieldGroup.IDENTITY, FieldGroup.SKILLS, FieldGroup.ABOUT},
        "animator": set(FieldGroup), "admin": set(FieldGroup), "self": set(FieldGroup),
    }
    for name, client in clients(app).items():
        html = client.get(f"/membres/{uuid}").get_data(as_text=True)
        card = client.get(f"/membres/{uuid}.vcf").get_data(as_text=True)
        for group, marker in MARKERS.items():
            shown = group in expected[name]
            assert (marker in html) is shown, (name, group)
            if group is not FieldGroup.IDENTITY:  # the vCard has no business-name marker
                assert (marker in card) is shown, (name, group, "vcf")
        assert ("Restauration de commodes" in html) is (FieldGroup.SKILLS in expected[name])


def test_bio_is_escaped(app: Flask) -> None:
    uuid = subject_uuid(app, lambda: create_uniform_subject(Visibility.PUBLIC))
    html = app.test_client().get(f"/membres/{uuid}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_offers_and_needs_are_shown_under_their_headings(member_client: FlaskClient,
                                                         app: Flask) -> None:
    uuid = subject_uuid(app, lambda: create_uniform_subject(Visibility.COMMUNITY))
    html = member_client.get(f"/membres/{uuid}").get_data(as_text=True)
    offers = html.index("Je propose")
    needs = html.index("Je recherche")
    assert offers < html.index("Restauration de commodes") < needs
    assert needs < html.index("Local de stockage")
    assert "allemand" in html  # languages in words


def test_vcard_response_headers(app: Flask) -> None:
    uuid = subject_uuid(app, lambda: create_uniform_subject(Visibility.PUBLIC))
    response = app.test_client().get(f"/membres/{uuid}.vcf")
    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="zoe-ebeniste.vcf"'
    body = response.get_data()
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert "ADR;TYPE=work:;;;Westhouse-Marmoutier;;;France" in body.decode()


def test_unknown_member_is_404(member_client: FlaskClient) -> None:
    assert member_client.get("/membres/pas-un-membre").status_code == 404
    assert member_client.get("/membres/pas-un-membre.vcf").status_code == 404


def test_add_to_address_book_button_for_others_only(app: Flask,
                                                    member_client: FlaskClient) -> None:
    uuid = subject_uuid(app, lambda: create_uniform_subject(Visibility.COMMUNITY))
    assert "Ajouter à mon carnet" in member_client.get(f"/membres/{uuid}").get_data(as_text=True)
    own = sign_in(app, SUBJECT_EMAIL).get(f"/membres/{uuid}").get_data(as_text=True)
    assert "Ajouter à mon carnet" not in own and "Modifier mon profil" in own
    anonymous = app.test_client().get(f"/membres/{uuid}")
    assert anonymous.status_code == 404
    with app.app_context():
        from tests.conftest import member_by_email

        member_by_email(SUBJECT_EMAIL).set_visibility(FieldGroup.IDENTITY, Visibility.PUBLIC)
        db.session.commit()
    public = app.test_client().get(f"/membres/{uuid}").get_data(as_text=True)
    assert "Zoé Ébéniste" in public and "Ajouter à mon carnet" not in public


def test_my_own_page_tells_who_sees_each_part(app: Flask) -> None:
    uuid = subject_uuid(app, lambda: create_subject(
        identity=Visibility.PUBLIC, skills=Visibility.NETWORK, about=Visibility.COMMUNITY,
        contact=Visibility.PRIVATE))
    own = sign_in(app, SUBJECT_EMAIL).get(f"/membres/{uuid}").get_data(as_text=True)
    for level in ("Public", "Réseau", "Communauté", "Privé"):
        assert f"Visible : {level}" in own
    other = sign_in(app, ADMIN_EMAIL).get(f"/membres/{uuid}").get_data(as_text=True)
    assert "Visible :" not in other
