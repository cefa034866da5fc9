"""Hostile text planted in every free-text field of a node, through its real forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

from flask import Flask
from flask.testing import FlaskClient

from node.extensions import db
from node.models import Account, Action, Decision, Event, Venue
from tests.security.conftest import ADMIN_EMAIL, EVIL, FORMULA, MEMBER_EMAIL, session_for

SHORT_HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", FORMULA)
LINE_BREAK = "Ligne\r\nX-INJECTED:1\r\nEMAIL:pirate@example.net"
IMPORTED_EMAIL = "importee@example.org"
JOINER_EMAIL = "joiner@example.org"


def _ok(response: object, what: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in (200, 302), f"{what}: {status}"


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page)
    assert found is not None, name
    return found.group(1)


def plant(app: Flask) -> dict[str, str]:
    """Put EVIL in every free-text field; return the uuids of the records it sits in."""
    admin, member = session_for(app, ADMIN_EMAIL), session_for(app, MEMBER_EMAIL)
    _ok(admin.post("/admin/communaute", data={
        "name": EVIL, "description": EVIL, "communes": "67475", "contact_name": EVIL,
        "contact_role": EVIL, "contact_email": "lea@example.org", "contact_phone": "0388000000",
        "signup_mode": "request"}), "community")
    _ok(admin.post("/admin/lieux/nouveau", data={
        "name": EVIL, "address": EVIL, "commune_code": "67475", "capacity": "20",
        "accessibility": EVIL}), "venue")
    with app.app_context():
        venue_id = db.session.scalars(db.select(Venue.id)).one()
    start = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    _ok(admin.post("/admin/rencontres/nouvelle", data={
        "title": EVIL, "description": f"{EVIL}\n{LINE_BREAK}", "start_date": start,
        "start_time": "18:00", "end_date": "", "end_time": "20:00", "venue_id": str(venue_id),
        "capacity": "", "recurrence": "none", "until": "", "rrule": "",
        "visibility": "public"}), "event")
    _ok(member.post("/mon-profil", data={
        "display_name": EVIL, "trade": EVIL, "business_name": EVIL, "siret": "",
        "commune_code": "67475", "skills": ", ".join(SHORT_HOSTILE),
        "bio": f"{EVIL}\n{LINE_BREAK}", "website": "https://atelier.example",
        "languages": "fr", "contact_email": "contact@atelier.example", "phone": "0388000001",
        **{f"visibility_{g}": "public" for g in ("identity", "skills", "about", "contact")}}),
        "profile")
    for kind in ("offer", "need"):
        _ok(member.post("/mon-profil/offres", data={"kind": kind, "title": EVIL,
                                                    "details": EVIL}), kind)
    with app.app_context():
        camille = db.session.scalars(db.select(Account).where(
            Account.email == MEMBER_EMAIL)).one().member
        member_uuid = camille.uuid
        event_uuid = db.session.scalars(db.select(Event.uuid)).one()
    _ok(admin.post(f"/carnet/{member_uuid}"), "address book")
    _ok(admin.post(f"/carnet/{member_uuid}/note", data={"note": EVIL}), "note")
    page = app.test_client().get(f"/rencontres/{event_uuid}").get_data(as_text=True)
    _ok(app.test_client().post(f"/rencontres/{event_uuid}/invite", data={
        "occurrence": _hidden(page, "occurrence"), "guest_name": EVIL,
        "guest_email": "invite@example.net", "status": "going"}), "guest answer")
    _ok(app.test_client().post("/adhesion", data={
        "display_name": EVIL, "email": JOINER_EMAIL, "password": "un-mot-de-passe-long",
        "trade": EVIL, "commune": "67475", "message": EVIL}), "join")
    _import_csv(admin)
    decision_uuid, action_id = _plant_decisions(app, member)
    return {"member_uuid": member_uuid, "event_uuid": event_uuid, "venue_id": str(venue_id),
            "decision_uuid": decision_uuid, "action_id": action_id, "kind": "consent"}


def _plant_decisions(app: Flask, member: FlaskClient) -> tuple[str, str]:
    """A consent proposal, its objection, a judgment with its options, an idea, an action:
    every free text of the decision pages."""
    closes = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    common = {"title": EVIL, "closes_date": closes, "closes_time": "20:00",
              "audience": "community", "results_shown": "during", "description": EVIL}
    proposal = member.post("/decisions/nouvelle/consent", data=common)
    _ok(proposal, "consent proposal")
    decision_uuid = proposal.headers["Location"].rsplit("/", 1)[1]
    for kind in ("judgment", "question"):
        _ok(member.post(f"/decisions/nouvelle/{kind}",
                        data={**common, "options": f"{EVIL}\nAutre option"}), kind)
    with app.app_context():
        version = db.session.scalars(db.select(Decision).where(
            Decision.uuid == decision_uuid)).one().options[0].id
        question = db.session.scalars(db.select(Decision.uuid).where(
            Decision.kind == "question")).one()
    _ok(member.post(f"/decisions/{decision_uuid}/reponse",
                    data={f"option-{version}": "0", "reason": EVIL}), "objection")
    _ok(member.post(f"/decisions/{question}/idee", data={"idea": EVIL[:300]}), "idea")
    _ok(member.post("/decisions/actions", data={"title": EVIL[:200], "owner": "",
                                                "due_on": closes}), "action")
    with app.app_context():
        action_id = str(db.session.scalars(db.select(Action.id)).one())
    return decision_uuid, action_id


def _import_csv(admin: FlaskClient) -> None:
    cells = ["nom;email;métier;entreprise;compétences;présentation",
             f'"{EVIL.replace(chr(34), chr(34) * 2)}";{IMPORTED_EMAIL};+33 formule;@SUM(A1);'
             f'-2+3;"=1+2"']
    body = ("\n".join(cells) + "\n").encode()
    preview = admin.post("/admin/import", data={"file": (BytesIO(body), "membres.csv")},
                         content_type="multipart/form-data")
    _ok(preview, "import preview")
    page = preview.get_data(as_text=True)
    _ok(admin.post("/admin/import/confirmer", data={"upload": _hidden(page, "upload")}),
        "import")
