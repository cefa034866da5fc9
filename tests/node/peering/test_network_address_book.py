"""Anyone of the network in my address book (issue 11): « Ajouter à mon carnet » on the
Réseau page keeps what the network copy shows, with the village; the carnet follows the
copy when it changes, and forgets whoever is gone from it; the vCard export includes them."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask

from node.extensions import db
from node.models import NetworkContact
from node.services.villages import own_node_id
from node.sharing.network_copy import pull_network_copy
from tests.federation_e2e.directory_double import DirectoryDouble
from tests.node.peering.test_network import envelope, joined, signed_in

DOMINIQUE = "3f0c8a52-4b1e-4d7a-9c2e-5a6b7c8d9e0f"
ADD = f"/carnet/reseau/westhouse/{DOMINIQUE}"


def _network(directory: DirectoryDouble, **person: Any) -> None:
    directory.extra_network = {
        "territories": [envelope("community", "8d6f1a2b-3c4d-4e5f-8a7b-9c0d1e2f3a4b",
                                 {"name": "Tiers-lieu de Westhouse", "communes": ["67527"]})],
        "members": [envelope("member", DOMINIQUE, {
            "display_name": "Dominique Exemple", "trade": "Vannière",
            "contact_email": "dominique@vannerie.example", "commune_code": "67527",
            "public": ["display_name"], **person})] if person.get("display_name", "x") else [],
    }


def _pull(app: Flask) -> bool:
    with app.app_context():
        return pull_network_copy().ok


def test_add_from_the_network_page_then_the_carnet_follows_the_copy(
        app: Flask, directory: DirectoryDouble) -> None:
    joined(app, directory)
    _network(directory)
    assert _pull(app)
    client = signed_in(app)
    page = html.unescape(client.get("/reseau").get_data(as_text=True))
    assert "Ajouter à mon carnet" in page
    answer = client.post(ADD)
    assert answer.status_code == 302 and answer.location.endswith(f"#personne-{DOMINIQUE}")
    assert client.post(ADD).status_code == 302  # twice: kept once
    page = html.unescape(client.get("/reseau").get_data(as_text=True))
    assert "Dans votre carnet" in page and "Ajouter à mon carnet" not in page
    carnet = html.unescape(client.get("/carnet").get_data(as_text=True))
    for text in ("Dans les autres villages", "Dominique Exemple", "Tiers-lieu de Westhouse",
                 "Vannière", "dominique@vannerie.example"):
        assert text in carnet, text
    card = client.get("/carnet.vcf").get_data(as_text=True)
    assert "FN:Dominique Exemple" in card and f"UID:urn:uuid:{DOMINIQUE}" in card
    assert "EMAIL;TYPE=work:dominique@vannerie.example" in card
    with app.app_context():
        [kept] = db.session.scalars(db.select(NetworkContact)).all()
        assert "public" not in kept.profile  # what the copy shows, not its marks

    assert client.post(f"{ADD}/note", data={"note": "Paniers pour le marché"}
                       ).status_code == 302
    assert "Paniers pour le marché" in html.unescape(client.get("/carnet").get_data(
        as_text=True))
    [mine] = client.get("/mon-profil/export.json").get_json()["network_address_book"]
    assert mine | {"added_at": None} == {
        "village": "westhouse", "village_name": "Tiers-lieu de Westhouse",
        "contact_id": DOMINIQUE, "contact_name": "Dominique Exemple",
        "note": "Paniers pour le marché", "added_at": None}  # in my personal data export

    _network(directory, trade="Vannière et osiériculture", contact_email=None)
    directory.extra_network["members"][0]["payload"].pop("contact_email")
    assert _pull(app)
    carnet = html.unescape(client.get("/carnet").get_data(as_text=True))
    assert "Vannière et osiériculture" in carnet
    assert "dominique@vannerie.example" not in carnet  # no longer shared: not kept either
    assert "dominique@vannerie.example" not in client.get("/carnet.vcf").get_data(
        as_text=True)

    directory.stop()
    assert not _pull(app)  # directory down: the carnet keeps what it had
    assert "Dominique Exemple" in client.get("/carnet").get_data(as_text=True)


def test_someone_gone_from_the_copy_leaves_the_carnet(
        app: Flask, directory: DirectoryDouble) -> None:
    joined(app, directory)
    _network(directory)
    assert _pull(app)
    client = signed_in(app)
    assert client.post(ADD).status_code == 302
    _network(directory, display_name="")  # stopped sharing with the network
    assert _pull(app)
    assert f"personne-{DOMINIQUE}" not in client.get("/carnet").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(NetworkContact)).all() == []


def test_only_people_the_copy_shows_in_other_villages_may_be_added(
        app: Flask, directory: DirectoryDouble) -> None:
    joined(app, directory)
    _network(directory)
    assert _pull(app)
    client = signed_in(app)
    assert client.post("/carnet/reseau/westhouse/00000000-0000-4000-8000-000000000000"
                       ).status_code == 404
    assert client.post(f"/carnet/reseau/sparsbach/{DOMINIQUE}").status_code == 404
    with app.app_context():
        own = own_node_id()
    assert client.post(f"/carnet/reseau/{own}/{DOMINIQUE}").status_code == 404
    assert client.post(f"{ADD}/supprimer").status_code == 404  # not kept yet
    assert client.post(ADD).status_code == 302
    assert client.post(f"{ADD}/supprimer").status_code == 302
    assert f"personne-{DOMINIQUE}" not in client.get("/carnet").get_data(as_text=True)
    assert app.test_client().post(ADD).status_code in (302, 401)  # signed-in members only
