"""A member's personal calendar feed: the rencontres they answered « je viens »,
« peut-être » or the waitlist (here and in other villages, :mod:`node.services.my_rencontres`),
when the decisions they may answer close, and the actions they took on, at a secret address
their calendar application subscribes to.

The token is an HMAC of the account id and a per-account salt under the node's secret key:
the node shows the same address every time without storing it, and a new salt (« nouvelle
adresse ») revokes the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    Action,
    CalendarFeed,
    Decision,
    DecisionState,
    Member,
    utcnow,
)
from node.services import meetings
from node.services.decisions import may_take_part
from node.services.events import public_link

SHOWN_PAST = timedelta(days=30)


def _token(account_id: int, salt: str) -> str:
    key = hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"chaleur-calendar",
                   hashlib.sha256).digest()
    digest = hmac.new(key, f"{account_id}:{salt}".encode(), hashlib.sha256).hexdigest()
    return f"{account_id}-{digest[:40]}"


def _feed(account: Account) -> CalendarFeed:
    row = db.session.get(CalendarFeed, account.id)
    if row is None:
        row = CalendarFeed(account_id=account.id, salt=secrets.token_hex(16))
        db.session.add(row)
        db.session.flush()
    return row


def token_for(account: Account) -> str:
    """The account's current token (created on first use; flushes)."""
    return _token(account.id, _feed(account).salt)


def renew(account: Account) -> str:
    row = _feed(account)
    row.salt = secrets.token_hex(16)
    db.session.flush()
    return _token(account.id, row.salt)


def account_for(token: str) -> Account | None:
    """The active account this token opens, or None (compared in constant time)."""
    account_id, _sep, _digest = token.partition("-")
    if not account_id.isdigit() or len(token) > 80:
        return None
    row = db.session.get(CalendarFeed, int(account_id))
    if row is None or not hmac.compare_digest(_token(row.account_id, row.salt), token):
        return None
    account = db.session.get(Account, row.account_id)
    return account if account is not None and account.status == AccountStatus.ACTIVE else None


@dataclass(frozen=True)
class Item:
    uid: str
    title: str
    starts_at: datetime
    url: str
    kind: str  # "decision", "action" or "rencontre"
    ends_at: datetime | None = None  # a rencontre's end; others are short marks
    place: str = ""
    note: str = ""  # a rencontre's village elsewhere, or « liste d'attente »


def items(account: Account, now: datetime | None = None) -> list[Item]:
    now = now or utcnow()
    member = account.member
    found: list[Item] = []
    decisions = db.session.scalars(select(Decision).where(
        Decision.state == DecisionState.OPEN, Decision.closes_at >= now - SHOWN_PAST))
    for decision in decisions:
        if may_take_part(decision, member):
            found.append(Item(f"decision-{decision.uuid}", decision.title, decision.closes_at,
                              public_link("decisions.show", decision_uuid=decision.uuid),
                              "decision"))
    if member is not None:
        for action in db.session.scalars(select(Action).where(
                Action.owner_id == member.id, Action.done_at.is_(None),
                Action.due_on.is_not(None))):
            assert action.due_on is not None
            found.append(Item(f"action-{action.id}", action.title,
                              meetings.due_moment(action.due_on),
                              public_link("decisions.actions"), "action"))
        found += _rencontres(member, now)
    return sorted(found, key=lambda item: item.starts_at)


def _rencontres(member: Member, now: datetime) -> list[Item]:
    from flask_babel import gettext as _

    from node.services.my_rencontres import entries

    found = []
    for entry in entries(member, now):
        if not entry.in_calendar:
            continue
        notes = [entry.village_name] if entry.village_name else []
        if entry.status == "waitlisted":
            notes.append(_("liste d'attente"))
        elif entry.status == "maybe":
            notes.append(_("peut-être"))
        found.append(Item(entry.uid, entry.title, entry.starts_at, entry.url, "rencontre",
                          entry.ends_at, entry.place, " · ".join(notes)))
    return found


def ics(account: Account, host: str) -> bytes:
    """RFC 5545: one short entry at each closing time or due date."""
    import icalendar
    from flask_babel import force_locale
    from flask_babel import gettext as _

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Chaleur//Mon agenda//FR")
    cal.add("version", "2.0")
    with force_locale("fr"):
        cal.add("x-wr-calname", _("Chaleur — mes rencontres, décisions et actions"))
        for item in items(account):
            entry = icalendar.Event()
            entry.add("uid", f"{item.uid}@{host}")
            entry.add("dtstamp", utcnow().astimezone(UTC))
            entry.add("dtstart", item.starts_at.astimezone(UTC))
            ends_at = item.ends_at or item.starts_at + timedelta(minutes=15)
            entry.add("dtend", ends_at.astimezone(UTC))
            if item.kind == "rencontre":
                summary = f"{item.title} ({item.note})" if item.note else item.title
            else:
                prefix = _("Clôture") if item.kind == "decision" else _("Échéance")
                summary = f"{prefix} : {item.title}"
            entry.add("summary", summary)
            if item.place:
                entry.add("location", item.place)
            entry.add("url", item.url)
            cal.add_component(entry)
    return bytes(cal.to_ical())
