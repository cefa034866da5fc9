"""The Pays's agenda outside its pages: RSS, Atom, the embeddable page, by village or whole."""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient

from directory.services.peers import suspend_node
from tests.directory.conftest import SPARSBACH, WESTHOUSE
from tests.directory.test_site import SCRIPT, seed_hostile, seed_network

WEST = quote(WESTHOUSE, safe="")

ATOM = "{http://www.w3.org/2005/Atom}"


def _titles(data: bytes) -> list[str]:
    return [item.findtext("title") or "" for item in
            ElementTree.fromstring(data).findall("channel/item")]


def test_rss_whole_pays_and_one_village(app: Flask, client: FlaskClient) -> None:
    seed_network()
    response = client.get("/agenda.rss")
    assert response.mimetype == "application/rss+xml"
    assert _titles(response.data) == [
        "Petit-déjeuner des indépendants", "Soirée graphisme", "Atelier annulé"]
    item = ElementTree.fromstring(response.data).find("channel/item")
    assert item is not None
    assert "La Grange, Sparsbach" in (item.findtext("description") or "")
    assert item.findtext("link") == "https://sparsbach.example/rencontres/1"
    assert _titles(client.get(f"/agenda.rss?territoire={WEST}").data) == ["Soirée graphisme"]
    assert _titles(client.get("/agenda.rss?nombre=1").data) == ["Petit-déjeuner des indépendants"]
    assert _titles(client.get("/agenda.rss?periode=3").data) == [
        "Petit-déjeuner des indépendants"]
    suspend_node(WESTHOUSE, by="test")
    assert client.get(f"/agenda.rss?territoire={WEST}").status_code == 400


def test_atom_and_unknown_territory(app: Flask, client: FlaskClient) -> None:
    seed_network()
    feed = ElementTree.fromstring(client.get("/agenda.atom").data)
    assert len(feed.findall(f"{ATOM}entry")) == 3
    response = client.get("/agenda.atom?territoire=nulle-part")
    assert response.status_code == 400
    assert "Territoire inconnu" in response.get_data(as_text=True)


def test_embed_escapes_and_may_be_framed(app: Flask, client: FlaskClient) -> None:
    seed_hostile()
    response = client.get("/agenda/integrer")
    page = response.get_data(as_text=True)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert SCRIPT not in page and "&lt;script&gt;" in page
    rss = client.get("/agenda.rss")
    assert SCRIPT in _titles(rss.data)[0]  # escaped by XML, read back intact
    assert b"<script>" not in rss.data
    fragment = client.get(
        f"/agenda/integrer/fragment?territoire={quote(SPARSBACH)}").get_data(as_text=True)
    assert fragment.strip().startswith("<section")


def test_agenda_page_advertises_feeds(app: Flask, client: FlaskClient) -> None:
    seed_network()
    page = client.get(f"/agenda?territory={WEST}").get_data(as_text=True)
    assert 'type="application/rss+xml" href="/agenda.rss"' in page
    assert f'href="/agenda.rss?territoire={WESTHOUSE}"' in page
    assert f'href="/agenda/integrer?territoire={WESTHOUSE}"' in page
