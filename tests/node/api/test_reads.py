"""Reads: anonymous callers see public data only; a token reads with its owner's eyes."""

from __future__ import annotations

from datetime import datetime, timedelta

from node.extensions import db
from node.models import Event, Venue
from node.services.calendar import PARIS
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL
from tests.node.api.conftest import (
    DISABLED_EMAIL,
    DISCREET_EMAIL,
    PRIVATE_PHONE,
    PUBLIC_EMAIL,
    PUBLIC_TRADE,
    Api,
    seed_rencontres,
    soon,
)


def _names(page: dict[str, object]) -> list[str]:
    return [item.get("display_name", "") for item in page["items"]]  # type: ignore[attr-defined]


def _uuid_of(api: Api, email: str) -> str:
    from tests.conftest import member_by_email

    return str(api.run(lambda: member_by_email(email).uuid))


def test_anonymous_sees_public_members_and_their_public_fields_only(api: Api) -> None:
    response = api.get("/members")
    assert response.status_code == 200
    page = response.get_json()
    assert _names(page) == ["Dominique Publique"]
    assert page["total"] == 1
    member = page["items"][0]
    assert member["trade"] == PUBLIC_TRADE
    assert member["commune_name"] == "Sparsbach"
    assert member["listings"][0]["title"] == "Petites réparations de meubles"
    assert "phone" not in member and "contact_email" not in member
    assert PRIVATE_PHONE not in response.get_data(as_text=True)
    assert "Claude" not in response.get_data(as_text=True)

    public = api.get(f"/members/{_uuid_of(api, PUBLIC_EMAIL)}")
    assert public.status_code == 200
    assert public.get_json()["display_name"] == "Dominique Publique"
    assert PRIVATE_PHONE not in public.get_data(as_text=True)
    for hidden in (DISCREET_EMAIL, DISABLED_EMAIL, MEMBER_EMAIL):
        response = api.get(f"/members/{_uuid_of(api, hidden)}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"
    assert api.get("/members/no-such-member").status_code == 404


def test_a_token_reads_with_its_owners_eyes(api: Api) -> None:
    page = api.get("/members?per_page=100", as_=ADMIN_EMAIL).get_json()
    assert "Claude Discrète" in _names(page)
    assert "Ancien Membre" not in _names(page)  # disabled accounts are listed for nobody
    public = next(m for m in page["items"] if m["display_name"] == "Dominique Publique")
    assert public["phone"] == PRIVATE_PHONE

    as_member = api.get("/members?per_page=100", as_=MEMBER_EMAIL).get_json()
    assert "Claude Discrète" in _names(as_member)
    public = next(m for m in as_member["items"] if m["display_name"] == "Dominique Publique")
    assert "phone" not in public


def test_member_search_filters_on_visible_fields(api: Api) -> None:
    assert _names(api.get("/members?q=ebeniste").get_json()) == ["Dominique Publique"]
    assert _names(api.get("/members?skill=Marqueterie").get_json()) == ["Dominique Publique"]
    assert _names(api.get("/members?q=discrete").get_json()) == []


def test_pagination_links_and_bounds(api: Api) -> None:
    first = api.get("/members?per_page=1", as_=ADMIN_EMAIL).get_json()
    assert first["total"] >= 4 and first["pages"] == first["total"]
    assert first["links"]["prev"] is None
    second = api.get(first["links"]["next"].removeprefix("/api/v1"), as_=ADMIN_EMAIL).get_json()
    assert second["page"] == 2 and second["items"] != first["items"]
    assert second["links"]["prev"] == first["links"]["self"]
    assert api.get("/members?limit=2", as_=ADMIN_EMAIL).get_json()["per_page"] == 2
    for bad in ("per_page=101", "per_page=0", "page=0", "page=abc", "limit=-1", "page=²"):
        response = api.get(f"/members?{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "invalid_parameter"


def test_events_anonymous_sees_public_occurrences_only(api: Api) -> None:
    ids = api.run(seed_rencontres)
    page = api.get("/events").get_json()
    assert [item["id"] for item in page["items"]] == [ids["public"]]
    occurrence = page["items"][0]
    assert occurrence["title"] == "Café des indépendants"
    assert occurrence["places_left"] == 12
    assert occurrence["venue"]["name"] == "Grange de Sparsbach"
    start = datetime.fromisoformat(occurrence["starts_at"])
    assert start.utcoffset() == start.astimezone(PARIS).utcoffset()  # Paris offset shown
    assert start == soon(10)
    assert api.get(f"/events/{ids['public']}").status_code == 200
    assert api.get(f"/events/{ids['community']}").status_code == 404
    assert api.get("/events/not-a-uuid").status_code == 404


def test_events_with_staff_token_include_community_ones(api: Api) -> None:
    ids = api.run(seed_rencontres)
    page = api.get("/events", as_=ADMIN_EMAIL).get_json()
    assert [item["id"] for item in page["items"]] == [ids["public"], ids["community"]]
    assert api.get(f"/events/{ids['community']}", as_=MEMBER_EMAIL).status_code == 200


def test_events_window_and_series(api: Api) -> None:
    def weekly() -> str:
        event = Event(title="Atelier hebdo", starts_at=soon(3), ends_at=soon(3) + timedelta(
            hours=1), rrule="FREQ=WEEKLY;COUNT=6", visibility="public")
        db.session.add(event)
        db.session.commit()
        return event.uuid

    api.run(weekly)
    every = api.get("/events?limit=100").get_json()
    assert every["total"] == 6 and all(item["recurring"] for item in every["items"])
    cut = (soon(3) + timedelta(days=15)).astimezone(PARIS)
    window = api.get("/events", query_string={"to": cut.isoformat()}).get_json()
    assert window["total"] == 3
    day = api.get("/events", query_string={"from": cut.date().isoformat(),
                                           "to": (cut.date() + timedelta(days=7)).isoformat()})
    assert day.get_json()["total"] == 1
    for bad in ({"from": "demain"}, {"from": "2026-02-30"}, {"to": "2020-01-01"},
                {"from": "2026-01-01", "to": "2029-01-01"}):
        response = api.get("/events", query_string=bad)
        assert response.status_code == 400, bad


def test_community_and_venues_hide_archived_venues_from_anonymous(api: Api) -> None:
    def archived_and_live() -> None:
        db.session.add_all([Venue(name="Salle des fêtes", commune_code="67527"),
                            Venue(name="Ancienne grange", commune_code="67475", archived=True)])
        db.session.commit()

    api.run(archived_and_live)
    body = api.get("/community").get_json()
    assert body["name"] == "Tiers-lieu de Sparsbach"
    assert body["communes"] == [{"code": "67475", "name": "Sparsbach"},
                                {"code": "67527", "name": "Westhouse-Marmoutier"}]
    assert body["contact"]["name"] == "Léa Exemple"
    assert [venue["name"] for venue in body["venues"]] == ["Salle des fêtes"]

    old_id, live_uuid = api.run(lambda: (
        db.session.scalars(db.select(Venue).where(Venue.archived.is_(True))).one().id,
        db.session.scalars(db.select(Venue).where(Venue.archived.is_(False))).one().uuid))
    anonymous = api.get("/venues").get_json()
    assert [v["name"] for v in anonymous["items"]] == ["Salle des fêtes"]
    staff = api.get("/venues", as_=ADMIN_EMAIL).get_json()
    assert {v["name"] for v in staff["items"]} == {"Salle des fêtes", "Ancienne grange"}
    assert api.get(f"/venues/{old_id}").status_code == 404
    assert api.get(f"/venues/{old_id}", as_=ADMIN_EMAIL).status_code == 200
    assert api.get(f"/venues/{live_uuid}").get_json()["commune_name"] == "Westhouse-Marmoutier"
    assert api.get("/venues/999999").status_code == 404
