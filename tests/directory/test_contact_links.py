"""« Lui écrire » on the Pays site: only a member signed in with their village gets the link,
which leads to their own village's site (it relays the message); never for their own village
nor for an anonymous visitor."""

from __future__ import annotations

import time
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from directory.services.aggregation import apply_batch
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, listing, member

LEA = "3f0c8d2e-5b1a-4c7d-9e8f-0a1b2c3d4e5f"
OFFER = "4a1d9e3f-6c2b-4d8e-8f9a-1b2c3d4e5f60"


def _signed_in(client: FlaskClient, village: str) -> None:
    with client.session_transaction() as session:
        session["network_member"] = {"village": village, "village_name": village,
                                     "subject": "s", "name": "Wendy W.",
                                     "signed_at": int(time.time())}


def test_the_link_leads_to_the_viewers_own_village(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        apply_batch(SPARSBACH, [
            envelope("member", member("Léa Publique", trade="Ébéniste"), record_id=LEA),
            envelope("listing", listing("Prête un rabot", LEA), record_id=OFFER)])
    write = f"{WESTHOUSE}/reseau/ecrire/{quote(SPARSBACH)}/{LEA}"
    pages = ("/annuaire", f"/annuaire/{LEA}", "/offres-et-besoins")
    assert not [path for path in pages if "/reseau/ecrire/" in client.get(path).text]
    assert LEA not in client.get("/api/v1/listings").text  # anonymous: no author id
    _signed_in(client, WESTHOUSE)
    for path in pages[:2]:
        assert write in client.get(path).text, path
    assert f"{write}?annonce={OFFER}" in client.get("/offres-et-besoins").text
    _signed_in(client, SPARSBACH)  # her own village: she writes there without the relay
    assert not [path for path in pages if "/reseau/ecrire/" in client.get(path).text]
