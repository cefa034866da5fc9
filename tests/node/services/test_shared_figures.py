"""The counts a village shares with the Pays for its funders (issue 15, fix 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from federation.schemas import first_error
from node.extensions import db
from node.models import Account, Community, Event, FeedEntry, Member, Rsvp, RsvpStatus
from node.services import accounts, shared_figures
from tests.conftest import PASSWORD

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)  # the 7 July date was cancelled


def _person(name: str, commune: str, joined: datetime) -> Member:
    account = accounts.create_account(f"{name.lower()}@example.org", name, PASSWORD,
                                      commune_code=commune)
    account.created_at = joined
    db.session.flush()
    member: Member = account.member
    return member


def _came(event: Event, at: datetime, member: Member | None = None,
          guest: str | None = None) -> None:
    db.session.add(Rsvp(event=event, occurrence_at=at, member=member, guest_name=guest,
                        guest_email=f"{guest}@example.net" if guest else None,
                        status=RsvpStatus.GOING.value, attended=True, created_at=at))


def _community_payload() -> dict[str, Any]:
    community = db.session.scalars(db.select(Community)).one()
    entry = db.session.scalars(db.select(FeedEntry).where(
        FeedEntry.record_uuid == community.uuid).order_by(FeedEntry.seq.desc())).first()
    assert entry is not None
    payload: dict[str, Any] = entry.envelope["payload"]
    return payload


def test_counts_per_occurrence_reach_the_community_record_without_a_name(app: Flask) -> None:
    with app.app_context():
        ana = _person("Ana", "67475", datetime(2026, 3, 2, tzinfo=UTC))  # in the village
        bea = _person("Bea", "67437", datetime(2026, 5, 9, tzinfo=UTC))  # lives in Saverne
        april, may, june = (datetime(2026, m, 7, 16, 30, tzinfo=UTC) for m in (4, 5, 6))
        event = Event(title="Rencontre du mois (communauté)", starts_at=april,
                      ends_at=april + timedelta(hours=2), visibility="community",
                      rrule="FREQ=MONTHLY;BYMONTHDAY=7;COUNT=4",
                      cancelled_dates=["20260707T163000Z"])
        empty = Event(title="Atelier sans pointage", starts_at=april + timedelta(days=3),
                      ends_at=april + timedelta(days=3, hours=2))
        db.session.add_all([event, empty])
        _came(event, april, ana)
        _came(event, may, ana)
        _came(event, may, bea)
        _came(event, may, guest="Jo")
        _came(event, june, bea)
        db.session.add(Rsvp(event=event, occurrence_at=june, member=ana,
                            status=RsvpStatus.GOING.value, attended=False))
        assert shared_figures.refresh(NOW) is True
        db.session.commit()
        figures = _community_payload()["figures"]
        assert first_error("community", _community_payload()) is None
        active = db.session.query(Account).count()
        assert figures["members"] == active
        assert {"month": "2026-05", "count": 1} in figures["joined"]
        assert figures["occurrences"] == [
            {"at": "2026-04-07T16:30:00Z", "participants": 1, "from_elsewhere": 0,
             "first_time": 1, "returning": []},
            {"at": "2026-04-10T16:30:00Z", "participants": 0, "from_elsewhere": 0,
             "first_time": 0, "returning": []},  # held; nobody marked present
            {"at": "2026-05-07T16:30:00Z", "participants": 3, "from_elsewhere": 2,
             "first_time": 2, "returning": [{"month": "2026-04", "count": 1}]},
            {"at": "2026-06-07T16:30:00Z", "participants": 1, "from_elsewhere": 1,
             "first_time": 0, "returning": [{"month": "2026-05", "count": 1}]},
        ]
        text = str(figures)
        assert "Ana" not in text and "example" not in text and "Rencontre" not in text
        version = db.session.scalars(db.select(Community)).one().version
        assert shared_figures.refresh(NOW) is False  # unchanged: no new version, no push
        db.session.commit()
        assert db.session.scalars(db.select(Community)).one().version == version


def test_mises_en_relation_reussies_travel_per_month_only_once_confirmed(app: Flask) -> None:
    """Issue 13: the monthly count of conversations both sides confirmed, numbers only; the
    field is left out while there is none, so the record stays valid for an older Pays."""
    from node.models import ListingKind
    from node.services import cooperation, replies
    from node.services.listings import ListingInput, post_listing
    from tests.conftest import MEMBER_EMAIL, member_by_email

    with app.test_request_context():
        need = post_listing(member_by_email(MEMBER_EMAIL),
                            ListingInput(ListingKind.NEED, "Cherche un menuisier"))
        jo = _person("Jo", "67475", datetime(2026, 3, 2, tzinfo=UTC))
        reply = replies.send(need, jo, "Je peux passer jeudi.")
        assert reply is not None and replies.answer(reply, "Avec plaisir.")
        conversation = cooperation.of_reply(reply)
        assert conversation is not None
        cooperation.confirm(conversation, conversation.other, datetime(2026, 5, 30, tzinfo=UTC))
        shared_figures.refresh(NOW)
        db.session.commit()
        assert "cooperations" not in _community_payload()["figures"]  # one side: nothing
        cooperation.confirm(conversation, conversation.owner, datetime(2026, 6, 2, tzinfo=UTC))
        assert shared_figures.refresh(NOW) is True
        db.session.commit()
        payload = _community_payload()
        assert payload["figures"]["cooperations"] == [{"month": "2026-06", "count": 1}]
        assert first_error("community", payload) is None
        assert "Jo" not in str(payload["figures"]) and "menuisier" not in str(payload)
        older = dict(payload, figures={k: v for k, v in payload["figures"].items()
                                       if k != "cooperations"})
        assert first_error("community", older) is None  # a node of an earlier version
        wrong = dict(payload, figures=dict(payload["figures"], cooperations=[
            {"month": "2026-06", "count": 1, "who": "Jo"}]))
        assert first_error("community", wrong) is not None  # numbers only, by the schema
