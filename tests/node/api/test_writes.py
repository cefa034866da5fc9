"""Writes with a token go through the services, show in reads, and respect the web roles."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

from node.extensions import db
from node.models import Event, Rsvp, Venue
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL
from tests.node.api.conftest import ANIMATOR_EMAIL, DISABLED_EMAIL, Api, seed_rencontres

NEW_EVENT = {"title": "Atelier compta", "starts_at": "2030-03-05T18:30",
             "ends_at": "2030-03-05T20:00:00+01:00", "visibility": "public",
             "description": "Les bases de la micro-entreprise.", "capacity": 15}


def _count(model: type) -> int:
    return int(db.session.scalar(db.select(db.func.count()).select_from(model)) or 0)


def test_create_patch_and_cancel_an_event(api: Api) -> None:
    venue_id = int(api.run(seed_rencontres)["venue"])
    created = api.send("POST", "/events", {**NEW_EVENT, "venue_id": venue_id})
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    assert created.headers["Location"] == f"/api/v1/events/{event['id']}"
    # No offset means Paris wall time; the answer carries Paris' offset (+01:00 in March).
    assert event["starts_at"] == "2030-03-05T18:30:00+01:00"
    assert event["venue"]["id"] == venue_id
    stored = api.run(lambda: db.session.scalars(
        db.select(Event).where(Event.uuid == event["id"])).one().starts_at)
    assert stored == datetime(2030, 3, 5, 17, 30, tzinfo=UTC)

    anonymous = api.get("/events?from=2030-03-05&to=2030-03-05").get_json()
    assert [item["title"] for item in anonymous["items"]] == ["Atelier compta"]

    patched = api.send("PATCH", f"/events/{event['id']}",
                       {"title": "Atelier compta et TVA", "starts_at": "2030-03-05T17:30:00Z",
                        "ends_at": "2030-03-05T19:00:00Z", "capacity": None})
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    assert body["title"] == "Atelier compta et TVA"
    assert body["starts_at"] == "2030-03-05T18:30:00+01:00"
    assert body["capacity"] is None and body["description"] == NEW_EVENT["description"]
    assert body["version"] == event["version"] + 1
    assert api.get(f"/events/{event['id']}").get_json()["title"] == "Atelier compta et TVA"

    cancelled = api.send("POST", f"/events/{event['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["event"]["cancelled"] is True
    assert api.get(f"/events/{event['id']}").get_json()["cancelled"] is True
    again = api.send("POST", f"/events/{event['id']}/cancel", {})
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    frozen = api.send("PATCH", f"/events/{event['id']}", {"title": "Trop tard"})
    assert frozen.status_code == 409


def test_cancel_tells_people_who_planned_to_come(api: Api) -> None:
    ids = api.run(seed_rencontres)

    def answer() -> None:
        event = db.session.scalars(db.select(Event).where(Event.uuid == ids["public"])).one()
        db.session.add(Rsvp(event=event, occurrence_at=event.starts_at, status="going",
                            guest_name="Invitée", guest_email="invitee@example.org"))
        db.session.commit()

    api.run(answer)
    word = "Annulé pour cause de neige ; reporté au mardi suivant."
    response = api.send("POST", f"/events/{ids['public']}/cancel", {"message": word},
                        as_=ANIMATOR_EMAIL)
    assert response.status_code == 200
    assert response.get_json()["notified"] == 1
    [mail] = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
              for path in (Path(api.app.instance_path) / "mail").glob("*.eml")]
    assert "invitee@example.org" in str(mail["To"])
    assert word in mail.get_content()  # type: ignore[attr-defined]


def test_event_refusals_name_the_field_and_store_nothing(api: Api) -> None:
    before = api.run(lambda: _count(Event))
    cases = [
        ({**NEW_EVENT, "ends_at": "2030-03-05T18:00"}, "ends_at"),
        ({**NEW_EVENT, "starts_at": "2030-03-31T02:30", "ends_at": "2030-03-31T04:00"},
         "starts_at"),  # skipped by the spring clock change in Paris
        ({**NEW_EVENT, "rrule": "FREQ=DAILY"}, "rrule"),
        ({**NEW_EVENT, "venue_id": 424242}, "venue_id"),
        ({**NEW_EVENT, "title": "   "}, "title"),
    ]
    for body, field in cases:
        response = api.send("POST", "/events", body)
        assert response.status_code == 422, body
        payload = response.get_json()
        assert payload["error"] == "validation_failed"
        assert [item["field"] for item in payload["fields"]] == [field], payload
        assert payload["fields"][0]["message"]
    assert api.run(lambda: _count(Event)) == before

    response = api.send("POST", "/events", {"title": 12, "starts_at": "hier", "capacity": -3,
                                            "visibility": "secret"})
    assert response.status_code == 422
    fields = {item["field"]: item["message"] for item in response.get_json()["fields"]}
    assert set(fields) == {"title", "starts_at", "ends_at", "capacity", "visibility"}
    assert fields["ends_at"] == "Champ obligatoire."
    assert "texte" in fields["title"]
    assert api.run(lambda: _count(Event)) == before


def test_create_and_patch_a_venue(api: Api) -> None:
    created = api.send("POST", "/venues", {"name": "Salle des fêtes",
                                           "commune_code": "67527", "capacity": 80},
                       as_=ANIMATOR_EMAIL)
    assert created.status_code == 201, created.get_json()
    venue = created.get_json()
    assert venue["commune_name"] == "Westhouse-Marmoutier"
    assert venue["latitude"] is not None  # the commune's centre
    moved = api.send("PATCH", f"/venues/{venue['uuid']}", {"commune_code": "67475"})
    assert moved.status_code == 200
    assert moved.get_json()["commune_name"] == "Sparsbach"
    assert moved.get_json()["latitude"] != venue["latitude"]  # followed its new commune
    renamed = api.send("PATCH", f"/venues/{venue['id']}", {"accessibility": "Plain-pied"})
    assert renamed.get_json()["accessibility"] == "Plain-pied"
    assert renamed.get_json()["capacity"] == 80
    listed = api.get("/venues").get_json()["items"]
    assert [(v["name"], v["accessibility"]) for v in listed] == [("Salle des fêtes",
                                                                   "Plain-pied")]


def test_venue_refusals(api: Api) -> None:
    before = api.run(lambda: _count(Venue))
    for body, field in (({"name": "Grange", "commune_code": "99999"}, "commune_code"),
                        ({"name": "Grange", "commune_code": "67475", "latitude": 48.8},
                         "longitude"),
                        ({"name": "Grange", "commune_code": "67475", "latitude": 95,
                          "longitude": 7}, "latitude"),
                        ({"name": " ", "commune_code": "67475"}, "name")):
        response = api.send("POST", "/venues", body)
        assert response.status_code == 422, body
        assert [item["field"] for item in response.get_json()["fields"]] == [field]
    assert api.run(lambda: _count(Venue)) == before
    assert api.send("PATCH", "/venues/12345", {"name": "X"}).status_code == 404


def test_patch_the_community(api: Api) -> None:
    response = api.send("PATCH", "/community", {
        "description": "Nouvelle présentation.", "communes": ["Sparsbach", "67527", "67475"],
        "contact_email": "Mairie@Example.org", "contact_phone": "0388000000",
        "signup_mode": "invitation"})
    assert response.status_code == 200, response.get_json()
    body = api.get("/community").get_json()
    assert body["description"] == "Nouvelle présentation."
    assert [c["code"] for c in body["communes"]] == ["67475", "67527"]
    assert body["contact"]["phone"] == "03 88 00 00 00"
    assert body["contact"]["email"] == "Mairie@example.org"
    assert body["signup_mode"] == "invitation"
    assert body["name"] == "Tiers-lieu de Sparsbach"  # untouched


def test_community_refusals_keep_the_record(api: Api) -> None:
    before = api.get("/community").get_json()
    for body, field in (({"communes": ["Atlantide"]}, "communes"),
                        ({"contact_phone": "pas un numéro"}, "contact_phone"),
                        ({"contact_email": "pas-une-adresse"}, "contact_email"),
                        ({"name": "  ", "description": "Changé"}, "name")):
        response = api.send("PATCH", "/community", body)
        assert response.status_code == 422, body
        assert field in [item["field"] for item in response.get_json()["fields"]]
    assert api.get("/community").get_json() == before


def test_roles_mirror_the_web(api: Api) -> None:
    ids = api.run(seed_rencontres)
    animator = api.send("PATCH", "/community", {"description": "x"}, as_=ANIMATOR_EMAIL)
    assert animator.status_code == 403 and animator.get_json()["error"] == "forbidden"
    member = api.send("POST", "/events", NEW_EVENT, as_=MEMBER_EMAIL)
    assert member.status_code == 403
    assert api.send("POST", "/venues", {"name": "X", "commune_code": "67475"},
                    as_=MEMBER_EMAIL).status_code == 403
    assert api.send("POST", f"/events/{ids['public']}/cancel",
                    as_=MEMBER_EMAIL).status_code == 403
    assert api.send("PATCH", f"/events/{ids['community']}", {"title": "Animé"},
                    as_=ANIMATOR_EMAIL).status_code == 200


def test_tokens_are_required_and_their_accounts_checked(api: Api) -> None:
    missing = api.send("POST", "/events", NEW_EVENT, as_=None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.get_json()["error"] == "unauthorized"
    for header in ("Bearer chl_not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer " +
                   "x" * 5000):
        response = api.client.post("/api/v1/events", json=NEW_EVENT,
                                   headers={"Authorization": header})
        assert response.status_code == 401, header
        assert "Bearer" in response.headers["WWW-Authenticate"]
    # A bad token on a read is refused too, never downgraded to anonymous.
    assert api.client.get("/api/v1/events", headers={
        "Authorization": "Bearer chl_wrong"}).status_code == 401

    secret = api.token(DISABLED_EMAIL)
    response = api.client.get("/api/v1/members",
                              headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403

    def disable_admin() -> None:
        from node.models import Account, AccountStatus

        account = db.session.scalars(db.select(Account).where(
            Account.email == ADMIN_EMAIL)).one()
        account.status = AccountStatus.DISABLED.value
        db.session.commit()

    api.token(ADMIN_EMAIL)
    api.run(disable_admin)
    refused = api.send("POST", "/venues", {"name": "X", "commune_code": "67475"})
    assert refused.status_code == 403
    assert api.run(lambda: _count(Venue)) == 0


def test_a_day_or_hour_that_does_not_exist_is_named_so(api: Api) -> None:
    for starts_at, message in (("2030-02-30T18:30", "Cette date n'existe pas."),
                               ("2030-03-05T25:00", "Cette heure n'existe pas."),
                               ("le 5 mars", "Date et heure ISO 8601 attendues")):
        response = api.send("POST", "/events", {**NEW_EVENT, "starts_at": starts_at})
        assert response.status_code == 422
        [field] = response.get_json()["fields"]
        assert field["field"] == "starts_at" and field["message"].startswith(message)
    listing = api.get("/events?from=2030-02-30")
    assert listing.status_code == 400
    assert "Cette date n'existe pas." in listing.get_data(as_text=True)
