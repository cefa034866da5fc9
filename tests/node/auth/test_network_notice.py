"""Members are told once, at their next sign-in, what « Réseau » now means."""

from __future__ import annotations

from flask import Flask

from tests.conftest import MEMBER_EMAIL, PASSWORD

NOTICE = "réservé aux membres connectés des villages du réseau"


def test_the_notice_shows_at_the_first_sign_in_only(app: Flask) -> None:
    client = app.test_client()
    first = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD},
                        follow_redirects=True).get_data(as_text=True)
    assert NOTICE in first
    client.post("/deconnexion")
    again = client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD},
                        follow_redirects=True).get_data(as_text=True)
    assert "vous êtes connecté·e" in again and NOTICE not in again
