"""This node as the OpenID Connect provider of its members, driven the way a relying party
of the network drives it: discovery, consent in French the first time, code with PKCE, a
``private_key_jwt`` token request, an ID token checked against the node's federation key.
Each protection has a test that fails if it is removed."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from federation.identity import (
    ASSERTION_TYPE,
    IdentityRefused,
    client_assertion,
    verify_id_token,
)
from federation.keys import SigningKey, generate_signing_key, public_key_b64
from node.extensions import db
from node.models import Account, AccountStatus, Admission, Peer, PeerKey
from node.peering.identity import create_identity, published_keys
from tests.conftest import MEMBER_EMAIL, PASSWORD, build_node

ISSUER = "http://node.test"
PAYS = "pays-saverne"
PAYS_URL = "http://pays.test"
RETURN = PAYS_URL + "/connexion/village/retour"


@pytest.fixture
def pays_key() -> SigningKey:
    return generate_signing_key(f"{PAYS}:k1")


@pytest.fixture
def app(tmp_path: Path, pays_key: SigningKey) -> Iterator[Flask]:
    """A node with its identity that joined the Pays directory (stored as after ``join``)."""
    app = build_node(tmp_path)
    with app.app_context():
        create_identity("sparsbach")
        db.session.add(Peer(node_id=PAYS, base_url=PAYS_URL, fingerprint="X",
                            admission=Admission.ADMITTED,
                            document={"name": "Annuaire du Pays", "role": "directory",
                                      "endpoints": {"sign_in": "/connexion/village/retour"}}))
        db.session.add(PeerKey(keyid=pays_key.keyid, node_id=PAYS,
                               public_key=public_key_b64(pays_key.public_key), status="active"))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(challenge: str, nonce: str = "n-0123456789", state: str = "s-1",
                  **changes: str) -> str:
    params = {"response_type": "code", "client_id": PAYS, "redirect_uri": RETURN,
              "scope": "openid profile", "state": state, "nonce": nonce,
              "code_challenge": challenge, "code_challenge_method": "S256", **changes}
    return "/oidc/authorize?" + urlencode({k: v for k, v in params.items() if v != ""})


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.post("/connexion", data={"email": MEMBER_EMAIL, "password": PASSWORD})
    return client


def answer_of(response: Any) -> dict[str, str]:
    location = response.headers["Location"]
    assert location.startswith(RETURN + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def code_for(client: FlaskClient, challenge: str, nonce: str = "n-0123456789") -> str:
    first = client.get(authorize_url(challenge, nonce))
    if first.status_code == 302:  # consent given before: straight back
        return answer_of(first)["code"]
    answer = answer_of(client.post(authorize_url(challenge, nonce), data={"choice": "agree"}))
    return answer["code"]


def token_request(client: FlaskClient, code: str, verifier: str, key: SigningKey,
                  assertion: str | None = None) -> Any:
    assertion = assertion or client_assertion(client_id=PAYS,
                                              token_endpoint=ISSUER + "/oidc/token",
                                              signing_key=key)
    return client.post("/oidc/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": RETURN,
        "code_verifier": verifier, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion})


def node_keys(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(key.keyid, key.public_key) for key in published_keys()]


def test_discovery_and_keys_describe_the_profile(app: Flask) -> None:
    client = app.test_client()
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["issuer"] == ISSUER and meta["token_endpoint"] == ISSUER + "/oidc/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    keys = client.get("/oidc/jwks").get_json()["keys"]
    assert [(k["kid"], k["x"]) for k in keys] == node_keys(app)


def test_first_sign_in_asks_consent_in_french_then_issues_a_verified_id_token(
        app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    page = client.get(authorize_url(challenge)).get_data(as_text=True)
    assert "Se connecter à Annuaire du Pays" in page and "Camille T." in page
    assert "Jamais votre adresse e-mail" in page and "camille@example.org" not in page
    answer = answer_of(client.post(authorize_url(challenge), data={"choice": "agree"}))
    assert answer["state"] == "s-1" and answer["iss"] == ISSUER  # RFC 9207
    reply = token_request(client, answer["code"], verifier, pays_key)
    assert reply.status_code == 200, reply.get_json()
    assert reply.headers["Cache-Control"] == "no-store"
    signed = verify_id_token(reply.get_json()["id_token"], issuer=ISSUER, village="sparsbach",
                             audience=PAYS, keys=node_keys(app), nonce="n-0123456789")
    assert (signed.name, signed.village_name) == ("Camille T.", "Tiers-lieu de Sparsbach")
    assert set(signed.claims) <= {"iss", "aud", "sub", "exp", "iat", "jti", "nonce",
                                  "auth_time", "at_hash", "name", "chaleur_village",
                                  "chaleur_village_name", "profile"}
    assert signed.expires_at - int(signed.claims["iat"]) <= 300
    # Second time: no consent page, straight back.
    _, challenge = pkce()
    again = client.get(authorize_url(challenge, nonce="n-second-000"))
    assert again.status_code == 302 and "code" in answer_of(again)


def test_refusing_consent_sends_access_denied_with_iss(app: Flask) -> None:
    client = signed_in(app)
    _, challenge = pkce()
    answer = answer_of(client.post(authorize_url(challenge), data={"choice": "refuse"}))
    assert answer["error"] == "access_denied" and answer["iss"] == ISSUER
    assert "code" not in answer


def test_an_intercepted_code_is_useless_without_the_pkce_verifier(
        app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    code = code_for(client, challenge)
    wrong = token_request(client, code, pkce()[0], pays_key)
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_grant"
    missing = token_request(client, code, "", pays_key)
    assert missing.status_code == 400


def test_a_code_serves_once(app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    code = code_for(client, challenge)
    assert token_request(client, code, verifier, pays_key).status_code == 200
    again = token_request(client, code, verifier, pays_key)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_pkce_is_required_and_plain_is_refused(app: Flask) -> None:
    client = signed_in(app)
    client.get(authorize_url("x" * 43))  # consent given below, once
    for changes in ({"code_challenge": "", "code_challenge_method": ""},
                    {"code_challenge_method": "plain"}):
        answer = answer_of(client.post(authorize_url(pkce()[1], **changes),
                                       data={"choice": "agree"}))
        assert answer["error"] == "invalid_request" and "code" not in answer


def test_a_nonce_is_required_and_never_serves_twice(app: Flask) -> None:
    client = signed_in(app)
    no_nonce = answer_of(client.get(authorize_url(pkce()[1], nonce="")))
    assert no_nonce["error"] == "invalid_request"
    code_for(client, pkce()[1], nonce="n-replayed-01")
    replayed = answer_of(client.get(authorize_url(pkce()[1], nonce="n-replayed-01")))
    assert replayed["error"] == "invalid_request"


def test_unregistered_redirect_or_unknown_site_gets_a_page_never_a_redirect(
        app: Flask) -> None:
    client = signed_in(app)
    _, challenge = pkce()
    for changes in ({"redirect_uri": "https://evil.example/recoit"},
                    {"redirect_uri": RETURN + "/../../ailleurs"},
                    {"client_id": "inconnu"}):
        page = client.get(authorize_url(challenge, **changes))
        assert page.status_code == 400 and "Location" not in page.headers
        assert "Connexion refusée" in page.get_data(as_text=True)


def refused_client(response: Any) -> bool:
    return bool(response.status_code in (400, 401)
                and response.get_json()["error"] == "invalid_client")


def test_the_token_endpoint_wants_the_sites_own_key_and_a_fresh_assertion(
        app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    code = code_for(client, challenge)
    impostor = generate_signing_key(f"{PAYS}:k1")
    assert refused_client(token_request(client, code, verifier, impostor))
    for_elsewhere = client_assertion(client_id=PAYS, token_endpoint="https://other/oidc/token",
                                     signing_key=pays_key)
    assert refused_client(token_request(client, code, verifier, pays_key, for_elsewhere))
    assertion = client_assertion(client_id=PAYS, token_endpoint=ISSUER + "/oidc/token",
                                 signing_key=pays_key)
    assert token_request(client, code, verifier, pays_key, assertion).status_code == 200
    verifier, challenge = pkce()
    replayed = token_request(client, code_for(client, challenge, "n-other-0001"), verifier,
                             pays_key, assertion)
    assert refused_client(replayed)  # the assertion's jti was used


def test_a_deactivated_member_cannot_finish_a_sign_in(app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    code = code_for(client, challenge)
    with app.app_context():
        account = db.session.scalars(db.select(Account).where(
            Account.email == MEMBER_EMAIL)).one()
        account.status = AccountStatus.DISABLED.value
        db.session.commit()
    assert token_request(client, code, verifier, pays_key).status_code == 400


def test_relying_party_refuses_foreign_keys_issuers_audiences_and_nonces(
        app: Flask, pays_key: SigningKey) -> None:
    client = signed_in(app)
    verifier, challenge = pkce()
    token = token_request(client, code_for(client, challenge), verifier,
                          pays_key).get_json()["id_token"]
    good = {"issuer": ISSUER, "village": "sparsbach", "audience": PAYS,
            "keys": node_keys(app), "nonce": "n-0123456789"}
    verify_id_token(token, **good)  # type: ignore[arg-type]
    other = generate_signing_key("sparsbach:k1")
    for changes, code in (({"keys": [("sparsbach:k1", public_key_b64(other.public_key))]},
                           "signature_invalid"),
                          ({"keys": []}, "key_unknown"),
                          ({"issuer": "http://westhouse.test"}, "issuer_mismatch"),
                          ({"village": "westhouse"}, "key_unknown"),
                          ({"audience": "westhouse"}, "audience_mismatch"),
                          ({"nonce": "n-other"}, "nonce_mismatch")):
        with pytest.raises(IdentityRefused) as refused:
            verify_id_token(token, **{**good, **changes})  # type: ignore[arg-type]
        assert refused.value.code == code, changes


def test_the_consent_page_speaks_the_language_the_site_asked_for(app: Flask) -> None:
    """The Pays sends ``ui_locales=fr``: a member whose browser prefers English still reads
    the sign-in and consent pages in French (issue 11); without it, the browser decides."""
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    _, challenge = pkce()
    login = app.test_client().get(authorize_url(challenge, ui_locales="fr"), headers=english)
    assert login.status_code == 302
    page = app.test_client().get(login.headers["Location"], headers=english)
    assert '<html lang="fr"' in page.get_data(as_text=True)
    client = signed_in(app)
    page = client.get(authorize_url(challenge, ui_locales="fr-FR en"), headers=english)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="fr"' in text and "J'accepte et je me connecte" in html.unescape(text)
    assert '<html lang="en"' in client.get(authorize_url(challenge), headers=english).get_data(
        as_text=True)  # no ui_locales: the browser's language, as before
    assert '<html lang="en"' in client.get(  # a language we do not speak: ignored
        authorize_url(challenge, ui_locales="de"), headers=english).get_data(as_text=True)
    answer = answer_of(client.post(authorize_url(challenge, ui_locales="fr"),
                                   data={"choice": "agree"}, headers=english))
    assert "code" in answer
