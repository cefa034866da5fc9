"""Injection: hostile text typed into every free-text field never runs anywhere it is shown.

HTML pages escape it, JSON-LD cannot leave its script element, calendars and vCards keep it
inside one property, JSON stays JSON, and CSV cells a spreadsheet would run are neutralised.
The Pays directory is checked the same way after receiving the text from a node.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from directory.extensions import db as directory_db
from directory.models import Peer
from directory.services.aggregation import apply_batch
from node.extensions import db
from node.models import Listing, Member
from tests.directory.conftest import SPARSBACH, envelope, event_payload, member
from tests.security.conftest import (
    ADMIN_EMAIL,
    ANIMATOR_EMAIL,
    EVIL,
    HOSTILE,
    MEMBER_EMAIL,
    session_for,
)
from tests.security.hostile import LINE_BREAK, SHORT_HOSTILE, plant
from tests.security.world import World

RAW_MARKUP = ("<script>alert", "<img src=x onerror", "onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SKIPPED = {"static", "webui.static", "auth.accept_invitation", "auth.reset_password",
           "peering.feed", "peering.node_document_view"}


def check_response(url: str, response: object) -> bool:
    """Assert the hostile text is harmless in this answer; True if it was shown (escaped)."""
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, url
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    kind = response.mimetype  # type: ignore[attr-defined]
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url  # type: ignore[attr-defined]
    if kind == "text/html":
        for raw in RAW_MARKUP:
            assert raw not in body, f"unescaped {raw!r} in {url}"
        for block in JSON_LD.findall(body):
            assert "<" not in block and ">" not in block, url
            json.loads(block)
        return ESCAPED in body
    if kind in ("text/calendar", "text/vcard", "text/x-vcard"):
        unfolded = body.replace("\r\n ", "")
        for line in unfolded.split("\r\n"):
            assert not line.startswith(("X-INJECTED", "EMAIL:pirate")), f"{url}: {line}"
        if kind == "text/calendar" and status == 200:
            Calendar.from_ical(body)
        return "<script>alert(1)</script>" in unfolded
    if kind == "application/json":
        json.loads(body)
        return "<script>alert(1)</script>" in body
    if kind == "text/csv":
        text = body.lstrip("\ufeff")
        delimiter = ";" if ";" in text.split("\n", 1)[0] else ","
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter)
                 for cell in row]
        for cell in cells:
            assert not cell.startswith(FORMULA_STARTS), f"{url}: formula cell {cell!r}"
        return any(cell.startswith("'=HYPERLINK") for cell in cells)
    return False


def _node_urls(app: Flask, world: World) -> Iterable[str]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in (rule.methods or set()) and rule.endpoint not in SKIPPED:
            yield world.url(app, rule)
    yield "/membres?q=" + quote(HOSTILE)
    yield "/rencontres?page=" + quote(HOSTILE)
    yield "/connexion?next=" + quote(HOSTILE)
    yield "/admin/exports?start=2020-01-01&end=2035-12-31"
    yield "/admin/export/presences.csv?start=2020-01-01&end=2035-12-31"
    yield "/admin/export/presences-par-mois.csv?start=2020-01-01&end=2035-12-31"


def _node_world(app: Flask, planted: dict[str, str]) -> World:
    with app.app_context():
        camille = db.session.scalars(db.select(Member).where(
            Member.uuid == planted["member_uuid"])).one()
        listing = db.session.scalars(db.select(Listing.uuid).where(
            Listing.member_id == camille.id)).first()
        account_id = str(camille.account_id)
    return World(values={**planted, "contact_uuid": planted["member_uuid"],
                         "listing_uuid": listing or "", "account_id": account_id,
                         "venue_ref": planted["venue_id"], "token": "jeton-invalide",
                         "uuid": planted["event_uuid"],
                         "state": "fulfilled", "node_id": "westhouse-marmoutier",
                         "question_uuid": "00000000-0000-4000-8000-000000000000",
                         "answer_id": "1",
                         "reply_uuid": "00000000-0000-4000-8000-000000000001",
                         "message_uuid": "00000000-0000-4000-8000-000000000002",
                         "block_id": "1"})


def test_hostile_text_is_harmless_on_every_node_page(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    planted = plant(app)
    world = _node_world(app, planted)
    shown: dict[str, set[str]] = {}
    readers: dict[str, FlaskClient] = {
        "anonymous": app.test_client(), "member": session_for(app, MEMBER_EMAIL),
        "animator": session_for(app, ANIMATOR_EMAIL), "admin": session_for(app, ADMIN_EMAIL)}
    for who, client in readers.items():
        for url in _node_urls(app, world):
            response = client.get(url)
            if check_response(url, response):
                shown.setdefault(who, set()).add(url.split("?")[0])
            response.close()
    event, person = f"/rencontres/{planted['event_uuid']}", f"/membres/{planted['member_uuid']}"
    # The text was really shown (escaped) where each field appears, not merely missing.
    assert {"/", "/rencontres", event, f"{event}.ics", "/rencontres.ics", person,
            f"{person}.vcf"} <= shown["anonymous"]
    assert {"/membres", "/mon-profil", "/mon-profil/offres", "/mon-profil/export.json",
            "/decisions/", f"/decisions/{planted['decision_uuid']}", "/decisions/actions"} \
        <= shown["member"]
    assert {"/carnet", "/carnet.vcf", "/admin/membres", "/admin/lieux", "/admin/communaute",
            f"/admin/rencontres/{planted['event_uuid']}/presences", "/admin/export/membres.csv",
            "/admin/export/presences.csv"} <= shown["admin"]


def test_json_ld_carries_the_text_intact(make_node: Callable[..., Flask]) -> None:
    app = make_node()
    planted = plant(app)
    html = app.test_client().get(f"/rencontres/{planted['event_uuid']}").get_data(as_text=True)
    [block] = JSON_LD.findall(html)
    data = json.loads(block)
    assert data["name"] == EVIL and data["location"]["name"] == EVIL
    assert data["description"].startswith(EVIL)


def test_calendar_and_vcard_keep_line_breaks_inside_one_property(
        make_node: Callable[..., Flask]) -> None:
    app = make_node()
    planted = plant(app)
    client = app.test_client()
    ics = client.get(f"/rencontres/{planted['event_uuid']}.ics").get_data(as_text=True)
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == EVIL
    assert str(vevent["DESCRIPTION"]).endswith(LINE_BREAK.replace("\r\n", "\n"))
    assert "X-INJECTED" not in vevent
    vcf = client.get(f"/membres/{planted['member_uuid']}.vcf").get_data(as_text=True)
    assert not any(line.startswith("EMAIL:pirate") for line in vcf.split("\r\n"))
    assert "X-INJECTED:1" in vcf.replace("\r\n ", "")  # still there, as escaped text


def _seed_directory(app: Flask) -> None:
    skills = list(SHORT_HOSTILE)
    with app.app_context():
        apply_batch(SPARSBACH, [
            envelope("community", {"name": EVIL, "communes": ["67475"], "description": EVIL,
                                   "contact_name": EVIL, "contact_role": EVIL}),
            envelope("member", member(EVIL, trade=EVIL, business_name=EVIL, skills=skills,
                                      bio=f"{EVIL}\n{LINE_BREAK}", commune_code="67475")),
            envelope("event", event_payload(EVIL, description=f"{EVIL}\n{LINE_BREAK}",
                                            venue_name=EVIL, commune_code="67475")),
            envelope("listing", {"public": True, "kind": "offer", "title": EVIL, "details": EVIL}),
            envelope("listing", {"public": True, "kind": "need", "title": EVIL, "details": EVIL}),
        ])
        directory_db.session.commit()
        return None


def test_hostile_text_is_harmless_on_every_directory_page(
        make_directory: Callable[..., Flask]) -> None:
    from tests.directory.conftest import COORDINATOR_EMAIL
    from tests.security.conftest import directory_session

    app = make_directory()
    _seed_directory(app)
    with app.app_context():
        peer_id = directory_db.session.scalars(directory_db.select(Peer.id).where(
            Peer.node_id == SPARSBACH)).one()
    urls = [rule.rule for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or set()) and not rule.arguments]
    urls += [f"/territoires/{peer_id}/agenda.ics", f"/coordination/noeuds/{peer_id}",
             *(f"/statistiques/{name}.csv" for name in ("territories", "trades", "skills")),
             "/annuaire?q=" + quote(HOSTILE), "/api/v1/search?q=" + quote(HOSTILE),
             "/offres-et-besoins?q=" + quote(HOSTILE), "/annuaire?trade=" + quote(EVIL)]
    shown: set[str] = set()
    for client in (app.test_client(), directory_session(app, COORDINATOR_EMAIL)):
        for url in urls:
            response = client.get(url)
            if check_response(url, response):
                shown.add(url.split("?")[0])
            response.close()
    assert {"/", "/annuaire", "/agenda", "/agenda.ics", "/offres-et-besoins", "/territoires",
            "/api/v1/search", "/api/v1/listings", "/api/v1/events",
            "/statistiques/trades.csv"} <= shown
