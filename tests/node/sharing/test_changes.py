"""Change capture: what reaches the feed (and so the network) for each kind of change."""

from flask import Flask

from node.extensions import db
from node.models import (
    Event,
    FeedEntry,
    FieldGroup,
    Listing,
    ListingKind,
    Member,
    OutboxEntry,
    Visibility,
)
from tests.conftest import MEMBER_EMAIL, member_by_email


def feed_for(uuid: str) -> list[FeedEntry]:
    return list(db.session.scalars(
        db.select(FeedEntry).where(FeedEntry.record_uuid == uuid).order_by(FeedEntry.seq)))


def share(member: Member, *groups: FieldGroup) -> None:
    for group in groups:
        member.set_visibility(group, Visibility.NETWORK)


def test_member_with_default_visibility_is_never_announced(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.trade = "Ébéniste"
        db.session.commit()
        assert feed_for(member.uuid) == []


def test_sharing_then_withdrawing_consent_announces_record_then_tombstone(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        member.phone = "03 88 00 00 00"  # contact group stays private
        share(member, FieldGroup.IDENTITY, FieldGroup.SKILLS)
        member.skills = ["menuiserie"]
        db.session.commit()
        first = feed_for(member.uuid)
        assert len(first) == 1
        payload = first[0].envelope["payload"]
        assert payload["display_name"] == "Camille Testeuse"
        assert payload["skills"] == ["menuiserie"]
        assert "phone" not in payload and "siret" not in payload
        assert first[0].envelope["version"] == member.version

        shared_seq, shared_version = first[0].seq, first[0].version
        member.set_visibility(FieldGroup.IDENTITY, Visibility.COMMUNITY)
        db.session.commit()
        entries = feed_for(member.uuid)
        # The tombstone replaces the shared entry: the feed never serves the payload again.
        assert [e.deleted for e in entries] == [True]
        assert entries[0].envelope["payload"] is None
        assert entries[0].version > shared_version
        pushes = db.session.scalars(db.select(OutboxEntry.feed_seq)).all()
        assert entries[0].seq in pushes and shared_seq not in pushes


def test_listing_follows_the_members_skills_consent(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        share(member, FieldGroup.IDENTITY, FieldGroup.SKILLS)
        listing = Listing(kind=ListingKind.OFFER, title="Restauration de meubles")
        member.listings.append(listing)
        db.session.commit()
        assert [e.deleted for e in feed_for(listing.uuid)] == [False]

        member.set_visibility(FieldGroup.SKILLS, Visibility.COMMUNITY)
        db.session.commit()
        assert [e.deleted for e in feed_for(listing.uuid)] == [True]  # replaces the entry


def test_deleting_a_shared_member_announces_tombstones(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        share(member, FieldGroup.IDENTITY, FieldGroup.SKILLS)
        member.listings.append(Listing(kind=ListingKind.NEED, title="Un local"))
        db.session.commit()
        member_uuid, listing_uuid = member.uuid, member.listings[0].uuid
        db.session.delete(member)
        db.session.commit()
        assert feed_for(member_uuid)[-1].deleted is True
        assert feed_for(listing_uuid)[-1].deleted is True


def test_community_only_event_is_not_shared_until_opened(app: Flask) -> None:
    from datetime import UTC, datetime, timedelta

    with app.app_context():
        start = datetime.now(UTC) + timedelta(days=3)
        event = Event(title="Rencontre", starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.add(event)
        db.session.commit()
        assert feed_for(event.uuid) == []
        event.visibility = Visibility.PUBLIC
        db.session.commit()
        assert feed_for(event.uuid)[0].envelope["payload"]["title"] == "Rencontre"


def test_reshare_announces_every_shared_record_again_and_nothing_else(app: Flask) -> None:
    """``chaleur federation reshare`` after an upgrade: each shared record gets a new version
    with today's payload (its public marks); a record never shared stays unannounced."""
    runner = app.test_cli_runner()
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        share(member, FieldGroup.IDENTITY, FieldGroup.SKILLS)
        member.listings.append(Listing(kind=ListingKind.OFFER.value, title="Rabot"))
        db.session.commit()
        before = {entry.record_uuid: entry.version for entry in db.session.scalars(
            db.select(FeedEntry))}
        assert len(before) == 3  # the community, the member and the offer
        result = runner.invoke(args=["federation", "reshare"])
        assert result.exit_code == 0 and "2 fiche(s)" in result.output
        db.session.expire_all()
        after = {entry.record_uuid: entry for entry in db.session.scalars(db.select(FeedEntry))}
        assert after[member.uuid].version == before[member.uuid] + 1
        assert after[member.uuid].envelope["payload"]["public"] == []
        offer = member.listings[0].uuid
        assert after[offer].version == before[offer] + 1
        assert after[offer].envelope["payload"]["public"] is False


def test_only_pages_open_to_anyone_travel_as_links(app: Flask) -> None:
    """The Pays showed links to village pages that answer 404 to its visitors: a profile or
    a rencontre shared with the network but not public now travels without its link."""
    from datetime import UTC, datetime, timedelta

    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)
        share(member, FieldGroup.IDENTITY)
        start = datetime.now(UTC) + timedelta(days=3)
        event = Event(title="Rencontre", starts_at=start, ends_at=start + timedelta(hours=2),
                      visibility=Visibility.NETWORK.value)
        db.session.add(event)
        db.session.commit()
        assert "profile_url" not in feed_for(member.uuid)[-1].envelope["payload"]
        assert "url" not in feed_for(event.uuid)[-1].envelope["payload"]
        member.set_visibility(FieldGroup.IDENTITY, Visibility.PUBLIC)
        event.visibility = Visibility.PUBLIC.value
        db.session.commit()
        assert feed_for(member.uuid)[-1].envelope["payload"]["profile_url"].endswith(
            f"/membres/{member.uuid}")
        assert feed_for(event.uuid)[-1].envelope["payload"]["url"].endswith(
            f"/rencontres/{event.uuid}")

def test_event_created_with_a_venue_carries_its_place_at_the_first_push(app: Flask) -> None:
    """Issue 15, fix 5: the first feed entry of a new rencontre names its venue and commune
    (the relationship is not loaded yet while the flush that creates the event runs)."""
    from datetime import datetime

    from node.models import Venue
    from node.services.events import EventInput, create_event

    with app.app_context():
        venue = Venue(name="Grange de Sparsbach", commune_code="67475")
        db.session.add(venue)
        db.session.commit()
        event = create_event(EventInput(
            title="Café des indépendants", starts_local=datetime(2031, 3, 4, 18, 30),
            ends_local=datetime(2031, 3, 4, 20, 30), venue_id=venue.id,
            visibility=Visibility.PUBLIC))
        db.session.commit()
        payload = feed_for(event.uuid)[0].envelope["payload"]
        assert payload["venue_name"] == "Grange de Sparsbach"
        assert payload["commune_code"] == "67475"
        assert payload["venue_id"] == venue.uuid


def test_event_moved_to_another_venue_shares_the_new_one(app: Flask) -> None:
    """Changing ``venue_id`` after the old venue was read must not share the old place."""
    from datetime import UTC, datetime, timedelta

    from node.models import Venue

    with app.app_context():
        first = Venue(name="Grange", commune_code="67475")
        second = Venue(name="Salle des fêtes", commune_code="67527")
        db.session.add_all([first, second])
        db.session.flush()
        start = datetime.now(UTC) + timedelta(days=3)
        event = Event(title="Rencontre", starts_at=start, ends_at=start + timedelta(hours=2),
                      venue_id=first.id, visibility=Visibility.PUBLIC)
        db.session.add(event)
        db.session.commit()
        assert event.venue is not None and event.venue.name == "Grange"
        event.venue_id = second.id
        db.session.commit()
        payload = feed_for(event.uuid)[-1].envelope["payload"]
        assert (payload["venue_name"], payload["commune_code"]) == ("Salle des fêtes", "67527")
