"""The records every route of a node can act on, so each URL rule gets real arguments.

A forged or unauthorised request that slipped through would then change a real row, which
the table snapshot sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from node.extensions import db
from node.models import Account, Decision, Event, Listing, Role, Rsvp, SignupMode, Venue
from node.services import (
    api_tokens,
    calendar,
    decisions,
    invitations,
    meetings,
    members,
    password_reset,
)
from node.services.community import current_community
from tests.conftest import ADMIN_EMAIL, MEMBER_EMAIL

PENDING_EMAIL = "demandeur@example.org"


@dataclass
class World:
    """Argument values by URL variable name, and per-endpoint ones where names collide."""

    values: dict[str, str] = field(default_factory=dict)
    by_endpoint: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, app: Flask, rule: Rule) -> str:
        """The rule's URL filled with this world's records (KeyError names a new variable)."""
        wanted = {**self.values, **self.by_endpoint.get(rule.endpoint, {})}
        args: dict[str, Any] = {name: wanted[name] for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            return url_for(rule.endpoint, **args)


def _account(email: str) -> Account:
    account: Account = db.session.scalars(db.select(Account).where(
        Account.email == email)).one()
    return account


def _decision(account: Account) -> Decision:
    """An open majority-judgment decision the member may answer."""
    closes = calendar.to_local(datetime.now(UTC) + timedelta(days=3)).replace(tzinfo=None)
    return decisions.open_decision(decisions.DecisionInput(
        kind="judgment", title="Quel projet d'abord ?", closes_local=closes,
        options=["Fournil", "Jardin"]), account.member)


def build_world(app: Flask) -> World:
    """Seed a venue, an event with an answer, a pending request, an invitation, a listing and
    an address-book entry; open sign-up by request."""
    with app.test_request_context():
        community = current_community()
        assert community is not None
        community.signup_mode = SignupMode.REQUEST
        admin, member = _account(ADMIN_EMAIL), _account(MEMBER_EMAIL)
        venue = Venue(name="Grange de Sparsbach", commune_code="67475", capacity=20)
        starts = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=7)
        event = Event(title="Apéro des indépendants", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), venue=venue, visibility="public")
        rsvp = Rsvp(event=event, occurrence_at=starts, member=member.member, status="going")
        listing = Listing(kind="offer", title="Prête une scie")
        admin.member.listings.append(listing)
        db.session.add_all([venue, event, rsvp])
        from node.services import admissions

        admissions.request_membership(PENDING_EMAIL, "Paul Demandeur", "un-mot-de-passe-long")
        invitation, invite_token = invitations.create_invitation(
            "invitee@example.org", Role.MEMBER, admin)
        api_token = api_tokens.create_token(admin, "Site de la mairie").token
        db.session.flush()
        members.add_contact(admin.member, member.member, "note")
        reset_token = password_reset.make_reset_token(member)
        decision = _decision(member)
        action = meetings.add_action(meetings.ActionInput("Réserver la salle", member.member,
                                                          None))
        db.session.commit()
        return World(
            values={"account_id": str(member.id), "invitation_id": str(invitation.id),
                    "venue_id": str(venue.id), "venue_ref": venue.uuid, "event_uuid": event.uuid,
                    "token_id": str(api_token.id),
                    "rsvp_id": str(rsvp.id), "contact_uuid": member.member.uuid,
                    "listing_uuid": listing.uuid, "member_uuid": member.member.uuid,
                    "filename": "chaleur.css", "decision_uuid": decision.uuid,
                    "action_id": str(action.id), "kind": "judgment", "state": "fulfilled",
                    "node_id": "westhouse-marmoutier",
                    "question_uuid": "00000000-0000-4000-8000-000000000000",
                    "answer_id": "1",
                    "answer_uuid": "00000000-0000-4000-8000-000000000002",
                    "reply_uuid": "00000000-0000-4000-8000-000000000001",
                    "message_uuid": "00000000-0000-4000-8000-000000000003",
                    "block_id": "1"},
            by_endpoint={
                "auth.accept_invitation": {"token": invite_token},
                "auth.reset_password": {"token": reset_token},
                "admin.approve_member": {"account_id": str(_account(PENDING_EMAIL).id)},
                "admin.refuse_member": {"account_id": str(_account(PENDING_EMAIL).id)},
                "static": {"filename": "missing.txt"},
                "fediverse.event": {"uuid": event.uuid},
                "exchange.unsubscribe": {"token": "jeton-invalide"},
                "exchange.renew_listing": {"token": "jeton-invalide"},
            })
