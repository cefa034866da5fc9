"""A random, seeded workload run through a node's own service layer.

Each operation opens the node's app on its instance folder (its SQLite database), calls the
same service functions a web request would, and commits: the change, its feed entry and its
outbox row land in one transaction, whether the node's server is up or down at that moment.

Every text a member or an organiser types carries a *marker*: a word like ``zk1a2b3c4d5``
that appears nowhere else. The convergence check then knows, for each marker, whether the
directory may hold it (it is in a record the node shares now) or must not (it only ever lived
in a private or community-only field, or was withdrawn).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.exc import OperationalError

from node.extensions import db
from node.models import Account, Event, FieldGroup, ListingKind, Member, Visibility
from node.services import accounts, event_notices, events, rsvps
from node.services.listings import ListingInput, edit_listing, post_listing, remove_listing
from node.services.member_fields import clean_member_fields
from node.services.members import MemberError, delete_member, update_profile

VISIBILITIES = list(Visibility)
EVENT_LEVELS = [str(level) for level in events.EVENT_VISIBILITIES]
TRADES = ("Menuisière", "Graphiste", "Potier", "Comptable", "Maraîchère", "Développeur")


@dataclass
class Markers:
    """Every marker the workload typed, in any field."""

    issued: set[str] = field(default_factory=set)

    def new(self, rng: random.Random) -> str:
        marker = "zk" + "".join(rng.choice("0123456789abcdef") for _ in range(10))
        self.issued.add(marker)
        return marker


@dataclass
class VillageWorkload:
    """The workload of one node: its app, its commune, its counters."""

    node_id: str
    app: Flask
    commune: str
    markers: Markers
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)

    def step(self, rng: random.Random) -> str:
        """One random operation; returns its name."""
        operations: list[tuple[str, int, Callable[[random.Random], None]]] = [
            ("member_join", 6, self.member_join), ("profile_edit", 8, self.profile_edit),
            ("visibility_change", 6, self.visibility_change),
            ("member_leave", 2, self.member_leave), ("listing", 4, self.listing),
            ("event_create", 4, self.event_create), ("event_change", 4, self.event_change),
            ("event_cancel", 1, self.event_cancel), ("event_visibility", 3, self.event_visibility),
            ("event_delete", 1, self.event_delete), ("rsvp", 5, self.rsvp),
        ]
        name, _, operation = rng.choices(operations, weights=[w for _, w, _ in operations])[0]
        with self.app.app_context():
            try:
                operation(rng)
                self.done[name] += 1
            except (OperationalError, MemberError, events.EventError, rsvps.RsvpError,
                    accounts.AccountError, LookupError) as error:
                db.session.rollback()
                self.refused[f"{name}: {type(error).__name__}"] += 1
            finally:
                db.session.remove()
        return name

    # -- members ---------------------------------------------------------------------------

    def _members(self) -> list[Member]:
        return list(db.session.scalars(db.select(Member).join(Account).where(
            Account.role == "member").order_by(Member.id)))

    def _pick_member(self, rng: random.Random) -> Member:
        members = self._members()
        if not members:
            raise LookupError("no member yet")
        return rng.choice(members)

    def _profile_fields(self, rng: random.Random, names: list[str]) -> dict[str, Any]:
        marker = self.markers.new(rng)
        raw: dict[str, Any] = {
            "display_name": f"{rng.choice(['Camille', 'Lou', 'Noé', 'Inès'])} {marker}",
            "trade": f"{rng.choice(TRADES)} {marker}",
            "business_name": f"Atelier {marker}",
            "skills": [f"savoir {marker}", rng.choice(["soudure", "compta", "web"])],
            "bio": f"Installée ici depuis peu, {marker}, ravie de rencontrer du monde.",
            "website": f"https://{marker}.example.org",
            "contact_email": f"{marker}@example.org",
            "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00",
            "languages": rng.sample(["fr", "de", "en", "als"], 2),
        }
        cleaned, errors = clean_member_fields({name: raw[name] for name in names})
        if errors:
            raise ValueError(f"workload typed invalid fields: {sorted(errors)}")
        return cleaned

    def member_join(self, rng: random.Random) -> None:
        marker = self.markers.new(rng)
        account = accounts.create_account(f"{marker}@{self.node_id}.example", f"Nouveau {marker}",
                                          commune_code=self.commune)
        db.session.flush()
        fields = self._profile_fields(rng, ["trade", "skills", "bio", "contact_email",
                                            "website", "languages"])
        levels = {group: rng.choice(VISIBILITIES) for group in FieldGroup}
        update_profile(account.member, fields, levels)
        db.session.commit()

    def profile_edit(self, rng: random.Random) -> None:
        member = self._pick_member(rng)
        names = rng.sample(["display_name", "trade", "business_name", "skills", "bio",
                            "website", "contact_email", "phone", "languages"], rng.randint(1, 3))
        update_profile(member, self._profile_fields(rng, names), {})
        db.session.commit()

    def visibility_change(self, rng: random.Random) -> None:
        member = self._pick_member(rng)
        group = rng.choice(list(FieldGroup))
        # Withdrawing network consent (identity below network) is the interesting case.
        level = rng.choice([Visibility.PRIVATE, Visibility.COMMUNITY, *VISIBILITIES])
        update_profile(member, {}, {group: level})
        db.session.commit()

    def member_leave(self, rng: random.Random) -> None:
        after_commit = delete_member(self._pick_member(rng))
        db.session.commit()
        after_commit()

    def listing(self, rng: random.Random) -> None:
        member = self._pick_member(rng)
        marker = self.markers.new(rng)
        kind = rng.choice([ListingKind.OFFER, ListingKind.NEED])
        if member.listings and rng.random() < 0.3:
            remove_listing(rng.choice(member.listings))
        elif member.listings and rng.random() < 0.5:
            edit_listing(rng.choice(member.listings),
                         ListingInput(kind, f"Je propose {marker}", f"Détails {marker}"))
        else:
            post_listing(member, ListingInput(kind, f"Je cherche {marker}", f"Détails {marker}"))
        db.session.commit()

    # -- events ----------------------------------------------------------------------------

    def _input(self, rng: random.Random, visibility: str | None = None) -> events.EventInput:
        marker = self.markers.new(rng)
        day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            days=rng.randint(2, 60))
        starts = day + timedelta(hours=rng.randint(9, 19))
        return events.EventInput(
            title=f"Rencontre {marker}", starts_local=starts,
            ends_local=starts + timedelta(hours=rng.randint(1, 3)),
            description=f"On parle de {marker} autour d'un café.",
            capacity=rng.choice([None, 2, 5, 20]),
            visibility=visibility or rng.choice(EVENT_LEVELS))

    def _pick_event(self, rng: random.Random, live: bool = True) -> Event:
        query = db.select(Event).order_by(Event.id)
        if live:
            query = query.where(Event.cancelled.is_(False))
        found: list[Event] = list(db.session.scalars(query))
        if not found:
            raise LookupError("no event yet")
        return rng.choice(found)

    def event_create(self, rng: random.Random) -> None:
        events.create_event(self._input(rng))
        db.session.commit()

    def event_change(self, rng: random.Random) -> None:
        event = self._pick_event(rng)
        change = events.update_event(event, self._input(rng, event.visibility))
        db.session.commit()
        event_notices.after_update(change)

    def event_visibility(self, rng: random.Random) -> None:
        event = self._pick_event(rng)
        data = events.EventInput(
            title=event.title, description=event.description,
            starts_local=_local(event.starts_at), ends_local=_local(event.ends_at),
            capacity=event.capacity, venue_id=event.venue_id, rrule="",
            visibility=rng.choice(EVENT_LEVELS))
        change = events.update_event(event, data)
        db.session.commit()
        event_notices.after_update(change)

    def event_cancel(self, rng: random.Random) -> None:
        events.cancel_event(self._pick_event(rng))
        db.session.commit()

    def event_delete(self, rng: random.Random) -> None:
        events.delete_event(self._pick_event(rng, live=False))
        db.session.commit()

    def rsvp(self, rng: random.Random) -> None:
        event = self._pick_event(rng)
        member = self._pick_member(rng)
        answer = rsvps.respond(event, event.starts_at,
                               rng.choice(["going", "maybe", "not_going"]), member=member)
        db.session.commit()
        rsvps.answered(answer)


def _local(moment: datetime) -> datetime:
    """An event's UTC time as the naive Paris time an organiser types."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)

