"""Every announced envelope must pass the protocol's schemas, empty optional fields included."""

from datetime import UTC, datetime, timedelta

from flask import Flask

from federation.records import validate_record
from node.extensions import db
from node.models import Event, FeedEntry, FieldGroup, Listing, ListingKind, Venue, Visibility
from tests.conftest import MEMBER_EMAIL, member_by_email


def test_envelopes_with_blank_optional_fields_are_schema_valid(app: Flask) -> None:
    with app.app_context():
        member = member_by_email(MEMBER_EMAIL)  # no website, phone, commune of contact...
        for group in (FieldGroup.IDENTITY, FieldGroup.SKILLS, FieldGroup.ABOUT,
                      FieldGroup.CONTACT):
            member.set_visibility(group, Visibility.NETWORK)
        member.listings.append(Listing(kind=ListingKind.OFFER, title="Menuiserie"))
        venue = Venue(name="Grange", commune_code="67475")  # no coordinates, no capacity
        start = datetime.now(UTC) + timedelta(days=2)
        db.session.add_all([venue, Event(title="Café", starts_at=start,
                                         ends_at=start + timedelta(hours=1),
                                         visibility=Visibility.NETWORK)])
        db.session.commit()
        entries = db.session.scalars(db.select(FeedEntry)).all()
        kinds = {entry.record_type for entry in entries}
        assert {"community", "member", "listing", "venue", "event"} <= kinds, kinds
        for entry in entries:
            validate_record({**entry.envelope, "origin": "sparsbach"})
