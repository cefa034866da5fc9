"""Every member-area form carries a CSRF token, and a POST without one writes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from node.extensions import db
from node.models import AddressBookEntry, Visibility
from tests.conftest import MEMBER_EMAIL, build_node, member_by_email
from tests.node.members.people import create_uniform_subject, sign_in


def test_posts_without_token_are_refused_and_with_token_accepted(tmp_path: Path) -> None:
    app = build_node(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        uuid = str(create_uniform_subject(Visibility.COMMUNITY).uuid)
    client = sign_in(app, MEMBER_EMAIL)
    for url in ("/mon-profil", "/mon-profil/offres", "/mon-profil/supprimer"):
        assert 'name="csrf_token"' in client.get(url).get_data(as_text=True), url
    assert client.post(f"/carnet/{uuid}").status_code == 400
    assert client.post("/mon-profil", data={"display_name": "Pirate"}).status_code == 400
    assert client.post("/mon-profil/supprimer",
                       data={"confirmation": MEMBER_EMAIL}).status_code == 400
    with app.app_context():
        assert member_by_email(MEMBER_EMAIL).display_name == "Camille Testeuse"
        assert db.session.scalars(db.select(AddressBookEntry)).first() is None
    page = client.get(f"/membres/{uuid}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    assert client.post(f"/carnet/{uuid}", data={"csrf_token": token.group(1)}).status_code == 302
    with app.app_context():
        assert db.session.scalars(db.select(AddressBookEntry)).first() is not None
        db.session.remove()
        db.engine.dispose()
