"""Without a mail server (``file`` backend), the admin page shows the links to send by hand."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient

from node.models import Role
from tests.conftest import MEMBER_EMAIL, PASSWORD, AuthActions
from tests.node.auth.support import add_account


def _links(page: str) -> list[str]:
    return re.findall(r'<code class="copy">([^<]+)</code>', page)


def test_invitation_and_reset_links_are_shown_to_the_admin(
        app: Flask, auth: AuthActions, client: FlaskClient) -> None:
    auth.login_admin()
    assert client.post("/admin/invitations", data={"email": "nouvelle@example.org",
                                                   "role": "member"}).status_code == 302
    auth.logout()
    client.post("/mot-de-passe/oubli", data={"email": MEMBER_EMAIL})
    auth.login_admin()
    deadline = time.monotonic() + 10  # the reset mail leaves through the mail queue
    while True:
        page = client.get("/admin/").get_data(as_text=True)
        links = _links(page)
        if any("/mot-de-passe/" in link for link in links) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "Liens à envoyer vous-même" in page
    assert any(link.startswith("http://node.test/mot-de-passe/") for link in links), links
    assert any(link.startswith("http://node.test/invitation/") for link in links), links
    assert "Pour nouvelle@example.org" in page
    # The link shown opens the invitation page (it is the real one-time link).
    invitation = next(link for link in links if "/invitation/" in link)
    auth.logout()
    opened = client.get(invitation.removeprefix("http://node.test"))
    assert opened.status_code == 200 and "nouvelle@example.org" in opened.get_data(as_text=True)


def test_an_animator_does_not_see_them_nor_does_an_smtp_node(
        app: Flask, auth: AuthActions, client: FlaskClient) -> None:
    auth.login_admin()
    client.post("/admin/invitations", data={"email": "nouvelle@example.org", "role": "member"})
    auth.logout()
    add_account(app, "anim@example.org", role=Role.ANIMATOR, name="Andréa Animatrice")
    auth.login("anim@example.org", PASSWORD)
    assert "Liens à envoyer" not in client.get("/admin/").get_data(as_text=True)
    auth.logout()
    auth.login_admin()
    app.config["MAIL_BACKEND"] = "smtp"
    assert "Liens à envoyer" not in client.get("/admin/").get_data(as_text=True)
