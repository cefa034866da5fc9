"""The village's agenda outside its pages: RSS, Atom, the embeddable page and its fragment."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from xml.etree import ElementTree

from flask.testing import FlaskClient

from node.models import Visibility
from node.services import events
from tests.node.events.support import add_event, add_venue, local_in

Ctx = Callable[[], AbstractContextManager[Any]]
ATOM = "{http://www.w3.org/2005/Atom}"


def _setup(ctx: Ctx) -> None:
    with ctx():
        venue = add_venue("La Grange <bleue> & co")
        add_event("Marché des savoir-faire", visibility=Visibility.PUBLIC, venue_id=venue.id,
                  description="Apportez vos outils")
        add_event("Réunion du réseau", visibility=Visibility.NETWORK)
        add_event("Réunion des membres", visibility=Visibility.COMMUNITY)
        add_event("Fête d'automne", starts=local_in(200), visibility=Visibility.PUBLIC)
        cancelled = add_event("Atelier annulé", starts=local_in(5), visibility=Visibility.PUBLIC)
        events.cancel_event(cancelled)
        from node.extensions import db
        db.session.commit()


def test_rss_lists_public_rencontres_only_with_date_and_place(ctx: Ctx,
                                                              client: FlaskClient) -> None:
    _setup(ctx)
    response = client.get("/rencontres.rss")
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    channel = ElementTree.fromstring(response.data).find("channel")
    assert channel is not None
    items = channel.findall("item")
    titles = [item.findtext("title") for item in items]
    assert titles == ["Marché des savoir-faire", "Atelier annulé"]  # 200 days: past the 90
    first = items[0]
    assert "La Grange <bleue> & co, Sparsbach" in (first.findtext("description") or "")
    assert "Apportez vos outils" in (first.findtext("description") or "")
    assert (first.findtext("link") or "").startswith("http://")
    assert (items[1].findtext("description") or "").startswith("Annulée")
    longer = ElementTree.fromstring(client.get("/rencontres.rss?periode=366").data)
    assert len(longer.findall("channel/item")) == 3


def test_atom_is_valid_and_ids_stable(ctx: Ctx, client: FlaskClient) -> None:
    _setup(ctx)
    feed = ElementTree.fromstring(client.get("/rencontres.atom?nombre=1").data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert feed.findtext(f"{ATOM}id") == "http://localhost/rencontres.atom?nombre=1"
    for required in ("title", "id", "updated"):
        assert entries[0].findtext(f"{ATOM}{required}")
    again = ElementTree.fromstring(client.get("/rencontres.atom?nombre=1").data)
    assert again.findtext(f"{ATOM}entry/{ATOM}id") == entries[0].findtext(f"{ATOM}id")


def test_bad_options_are_a_french_400(client: FlaskClient) -> None:
    for query in ("periode=0", "periode=abc", "nombre=51", "nombre=-1"):
        response = client.get(f"/rencontres.rss?{query}")
        assert response.status_code == 400, query
        assert "attendu" in response.get_data(as_text=True)
    assert client.get("/agenda/integrer?nombre=500").status_code == 400


def test_embed_page_may_be_framed_and_needs_no_script(ctx: Ctx, client: FlaskClient) -> None:
    _setup(ctx)
    response = client.get("/agenda/integrer?nombre=5")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "<script" not in page and "<form" not in page
    assert "Marché des savoir-faire" in page and "Réunion" not in page
    assert 'target="_blank"' in page
    assert 'type="application/rss+xml"' in page
    # Every other page still refuses to be framed.
    assert client.get("/rencontres").headers["X-Frame-Options"] == "DENY"


def test_fragment_is_only_the_section(ctx: Ctx, client: FlaskClient) -> None:
    _setup(ctx)
    page = client.get("/agenda/integrer/fragment").get_data(as_text=True).strip()
    assert page.startswith('<section class="chaleur-agenda"')
    assert page.endswith("</section>")
    assert "<html" not in page and "Marché des savoir-faire" in page


def test_pages_listing_rencontres_advertise_their_feeds(client: FlaskClient) -> None:
    for path in ("/", "/rencontres"):
        page = client.get(path).get_data(as_text=True)
        assert 'type="application/rss+xml" href="/rencontres.rss"' in page
        assert 'type="application/atom+xml" href="/rencontres.atom"' in page
        assert 'type="text/calendar"' in page
