"""The Pays site: pages in French, shared text escaped everywhere, stale and suspended nodes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from directory.extensions import db
from directory.models import Peer
from directory.services.aggregation import apply_batch
from directory.services.peers import suspend_node
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, event_payload, member

SCRIPT = "<script>alert('x')</script>"
PAGES = ["/", "/annuaire", "/agenda", "/territoires", "/offres-et-besoins", "/statistiques"]


def seed_network() -> None:
    apply_batch(SPARSBACH, [
        envelope("community", {"name": "Tiers-lieu de Sparsbach", "communes": ["67475", "67527"],
                               "description": "Rencontres d'indépendants.",
                               "contact_name": "Léa Exemple", "contact_role": "Animatrice"}),
        envelope("member", member("Camille Testeuse", trade="Menuisière", commune_code="67475",
                                   skills=["Escaliers"], bio="Atelier au village.",
                                   profile_url="https://sparsbach.example/membres/1")),
        envelope("event", event_payload("Petit-déjeuner des indépendants", days=3,
                                        venue_name="La Grange", commune_code="67475",
                                        url="https://sparsbach.example/rencontres/1")),
        envelope("event", event_payload("Atelier annulé", days=5, cancelled=True)),
        envelope("listing", {"public": True,
                             "kind": "offer", "title": "Prête une scie", "details": "Le samedi."}),
    ])
    apply_batch(WESTHOUSE, [
        envelope("community", {"name": "Atelier de Westhouse", "communes": ["67527"]},
                 origin=WESTHOUSE),
        envelope("member", member("Marc Fischer", trade="Graphiste", commune_code="67527"),
                 origin=WESTHOUSE),
        envelope("event", event_payload("Soirée graphisme", days=4), origin=WESTHOUSE),
        envelope("listing", {"public": True,
                             "kind": "need", "title": "Cherche imprimeur"}, origin=WESTHOUSE),
    ])


def seed_hostile() -> None:
    apply_batch(SPARSBACH, [
        envelope("community", {"name": f"Commu {SCRIPT}", "communes": ["67475"],
                               "description": SCRIPT, "contact_name": SCRIPT}),
        envelope("member", member(f"Eve {SCRIPT}", trade=f"=HYPERLINK(\"x\") {SCRIPT}",
                                   skills=[SCRIPT], bio=SCRIPT, commune_code="67475")),
        envelope("event", event_payload(f"Rencontre {SCRIPT}", description=f"{SCRIPT}; a,b\nc",
                                        venue_name=SCRIPT)),
        envelope("listing", {"public": True, "kind": "offer", "title": SCRIPT, "details": SCRIPT}),
    ])


def test_pages_render_in_french_with_one_h1(app: Flask, client: FlaskClient) -> None:
    seed_network()
    for url in PAGES:
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert '<html lang="fr">' in html, url
        assert html.count("<h1") == 1, url
        assert 'type="text/calendar"' in html and 'href="/agenda.ics"' in html, url


def test_home_shows_counts_map_and_credit(app: Flask, client: FlaskClient) -> None:
    seed_network()
    html = client.get("/").get_data(as_text=True)
    assert "<svg" in html and "<path" in html and "<circle" in html
    assert "IGN – Admin Express" in html
    assert "Tiers-lieu de Sparsbach" in html and "Atelier de Westhouse" in html
    assert "Petit-déjeuner des indépendants" in html


def test_annuaire_shows_shared_fields_and_origin_link(app: Flask, client: FlaskClient) -> None:
    seed_network()
    html = client.get("/annuaire?q=menuisiere").get_data(as_text=True)
    assert "Camille Testeuse" in html and "Escaliers" in html
    assert 'href="https://sparsbach.example/membres/1"' in html
    assert "Marc Fischer" not in html


def test_agenda_marks_cancelled_and_links_to_origin(app: Flask, client: FlaskClient) -> None:
    seed_network()
    html = client.get("/agenda").get_data(as_text=True)
    assert html.index("Petit-déjeuner") < html.index("Soirée graphisme") < html.index(
        "Atelier annulé")
    assert "Annulée" in html and 'class="cancelled"' in html
    assert 'href="https://sparsbach.example/rencontres/1"' in html
    only_west = client.get(f"/agenda?territory={WESTHOUSE}").get_data(as_text=True)
    assert "Soirée graphisme" in only_west and "Petit-déjeuner" not in only_west
    assert "agenda.ics" in only_west and "/territoires/" in only_west


def test_calendar_feeds_network_and_territory(app: Flask, client: FlaskClient) -> None:
    seed_network()
    response = client.get("/agenda.ics")
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} == {
        "Petit-déjeuner des indépendants", "Atelier annulé", "Soirée graphisme"}
    cancelled = [e for e in events if str(e["SUMMARY"]) == "Atelier annulé"][0]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    west = db.session.scalars(select(Peer).where(Peer.node_id == WESTHOUSE)).one()
    feed = client.get(f"/territoires/{west.id}/agenda.ics")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")] == [
        "Soirée graphisme"]
    suspend_node(WESTHOUSE, by="test")
    assert client.get(f"/territoires/{west.id}/agenda.ics").status_code == 404


def test_payload_text_is_escaped_everywhere(app: Flask, client: FlaskClient) -> None:
    seed_hostile()
    for url in [*PAGES, "/annuaire?q=eve"]:
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html, url
        assert "<script" not in html, url
    assert "&lt;script&gt;" in client.get("/annuaire").get_data(as_text=True)
    ics = client.get("/agenda.ics")
    assert ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert "\\;" in text and "\\," in text and "\\n" in text  # RFC 5545 escaping
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]) == f"{SCRIPT}; a,b\nc"  # round-trips exactly
    response = client.get("/statistiques/trades.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][0] == f"'=HYPERLINK(\"x\") {SCRIPT}"  # no formula runs in a spreadsheet


def test_stale_node_is_marked(app: Flask, client: FlaskClient) -> None:
    seed_network()
    peer = db.session.scalars(select(Peer).where(Peer.node_id == WESTHOUSE)).one()
    peer.last_success_at = datetime.now(UTC) - timedelta(hours=49)
    db.session.commit()
    html = client.get("/territoires").get_data(as_text=True)
    sections = html.split('<section class="panel"')[1:]
    west = next(s for s in sections if "Atelier de Westhouse" in s)
    spars = next(s for s in sections if "Tiers-lieu de Sparsbach" in s)
    assert "informations peut-être anciennes" in west and "à jour" not in west
    assert "à jour" in spars and "informations peut-être anciennes" not in spars
    people = client.get("/annuaire").get_data(as_text=True)
    marc = people[people.index("Marc Fischer"):]
    assert "à vérifier" in marc[:200]
    assert "à vérifier" not in people[people.index("Camille Testeuse"):][:200]
    app.config["STALE_AFTER_HOURS"] = 72
    assert "informations peut-être anciennes" not in client.get("/territoires").get_data(
        as_text=True)


def test_suspended_node_vanishes_from_site_and_api(app: Flask, client: FlaskClient) -> None:
    seed_network()
    suspend_node(WESTHOUSE, by="test")
    for url in PAGES:
        html = client.get(url).get_data(as_text=True)
        for hidden in ("Marc Fischer", "Soirée graphisme", "Cherche imprimeur",
                       "Atelier de Westhouse"):
            assert hidden not in html, (url, hidden)
    assert b"Soir" not in client.get("/agenda.ics").data
    for url in ["/api/v1/search", "/api/v1/events", "/api/v1/listings", "/api/v1/territories",
                "/api/v1/statistics", f"/api/v1/search?territory={WESTHOUSE}"]:
        body = client.get(url).get_data(as_text=True)
        for hidden in ("Marc Fischer", "Soir", "imprimeur", "westhouse.example",
                       "Atelier de Westhouse", "Graphiste"):
            assert hidden not in body, (url, hidden)
    csv_body = client.get("/statistiques/territories.csv").get_data(as_text=True)
    assert "Atelier de Westhouse" not in csv_body and "Sparsbach" in csv_body


def test_statistics_draw_svg_charts_with_titles(app: Flask, client: FlaskClient) -> None:
    seed_network()
    html = client.get("/statistiques").get_data(as_text=True)
    assert html.count('role="img"') == 7  # the four tables, the funders' three charts
    assert "<title" in html and "Menuisière" in html and "Graphiste" in html
    expected: dict[str, int] = {}
    for days in (3, 4):  # the two rencontres not cancelled
        month = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m")
        expected[month] = expected.get(month, 0) + 1
    rows = list(csv.reader(io.StringIO(client.get("/statistiques/months.csv").get_data(
        as_text=True))))
    assert rows[0] == ["Mois", "Rencontres"]
    assert {month: int(n) for month, n in rows[1:]} == expected
    assert client.get("/statistiques/secrets.csv").status_code == 404


def test_search_form_round_trip_has_no_error(app: Flask, client: FlaskClient) -> None:
    seed_network()
    html = client.get("/annuaire?q=menuis&territory=&near=&km=").get_data(as_text=True)
    assert "form-summary" not in html and "Camille Testeuse" in html
    near = client.get("/annuaire?q=&territory=&near=67475&km=5").get_data(as_text=True)
    assert "form-summary" not in near and 'value="5"' in near
    assert "Camille Testeuse" in near and "Marc Fischer" not in near


def test_bad_search_parameters_show_a_message_not_an_error(client: FlaskClient) -> None:
    response = client.get("/annuaire?near=99999&km=abc&page=-1")
    assert response.status_code == 200
    assert "Code INSEE de commune inconnu." in response.get_data(as_text=True)


def test_lists_spanning_pages_link_to_the_next_page_with_their_filters(
        app: Flask, client: FlaskClient) -> None:
    """« Annuaire », « Offres et besoins » and « Agenda » answered 500 beyond one page: the
    pagination macro, imported without context, could not see ``page_url``."""
    seed_network()
    app.config["PAGE_SIZE"] = 1
    for path in ("/annuaire?q=&territory=", "/offres-et-besoins?territory=",
                 "/agenda?territory="):
        first = client.get(path)
        assert first.status_code == 200, path
        html = first.get_data(as_text=True)
        assert "Page 1 sur" in html and 'rel="next"' in html, path
        base = path.split("?")[0]
        assert f'href="{base}?page=2&amp;q=' in html or f'href="{base}?page=2&amp;territory=' \
            in html, path
        second = client.get(f"{base}?page=2&territory=")
        assert second.status_code == 200, path
        assert "Page 2 sur" in second.get_data(as_text=True)
        assert 'rel="prev"' in second.get_data(as_text=True), path


def test_records_not_public_link_to_the_pays_card_not_to_the_village(
        app: Flask, client: FlaskClient) -> None:
    """A profile or rencontre shared with the network but not public comes without its
    village link: the Pays links to its own card for it, which opens."""
    shared = envelope("member", member("Nadia Réseau", trade="Graphiste", commune_code="67475"))
    public = envelope("member", member("Paul Public", trade="Potier", commune_code="67475",
                                       profile_url="https://sparsbach.example/membres/p"))
    meeting = envelope("event", event_payload("Atelier entre villages", days=2))
    apply_batch(SPARSBACH, [shared, public, meeting])
    people = client.get("/annuaire").get_data(as_text=True)
    card = f'href="/annuaire/{shared["id"]}"'
    assert card in people and 'href="https://sparsbach.example/membres/p"' in people
    assert f'href="/annuaire/{public["id"]}"' not in people
    page = client.get(f"/annuaire/{shared['id']}")
    assert page.status_code == 200 and "Nadia Réseau" in page.get_data(as_text=True)
    for path in ("/", "/agenda"):
        html = client.get(path).get_data(as_text=True)
        assert f'href="/agenda/{meeting["id"]}"' in html, path
        assert "S’inscrire sur le site du village" not in html, path
    detail = client.get(f"/agenda/{meeting['id']}").get_data(as_text=True)
    assert "Atelier entre villages" in detail and 'href="https://sparsbach.example"' in detail
    assert client.get("/annuaire/inconnu").status_code == 404
    assert client.get("/agenda/inconnu").status_code == 404
