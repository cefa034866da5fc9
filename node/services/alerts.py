"""Being told without being flooded: alerts people ask for, planned by the scheduled round.

* **A match on my need, at once.** Each round, when a listing or a profile changed here or
  the network copy was refreshed, the active needs of people who asked for it are matched
  again; what scores at least :data:`ALERT_THRESHOLD` (a skill in common) and was never
  told is planned as one mail per need (``match_seen`` remembers what was told).
* **« Cette semaine dans le réseau »**, at most once a week: new offers and needs that
  answer my trade and skills, questions I could answer, and the next rencontres near me —
  only when there is something; the notice key is the ISO week, so a restart never sends it twice.

Every alert mail carries a one-click unsubscribe link (``List-Unsubscribe`` and
``List-Unsubscribe-Post``, RFC 8058). Planning flushes; the scheduled round commits.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select

import communes
from federation.records import parse_utc
from node.extensions import db
from node.models import (
    Account,
    AccountStatus,
    AlertSettings,
    Event,
    Listing,
    ListingState,
    MatchSeen,
    Member,
    NetworkCopy,
    utcnow,
)
from node.services import notices, questions
from node.services.community import extra_communes
from node.services.events import can_see as can_see_event
from node.services.events import public_link
from node.services.matching import NEED_KINDS, Match, matches_for, new_listings_for
from node.services.visibility import Viewer

#: A match worth a mail: at least one skill or trade in common.
ALERT_THRESHOLD = 40.0
WEEK = timedelta(days=7)
#: Rencontres of the round-up: in the next two weeks, within this distance of my commune.
EVENT_DAYS, EVENT_KM = 14, 30.0
UNSUBSCRIBE_SALT = "chaleur-alerts-unsubscribe"
KINDS = ("match", "weekly")


def settings_for(account: Account) -> AlertSettings:
    """The account's alert choices (all off until asked for); flushes a new row."""
    if account.id is None:  # an account created in this transaction
        db.session.flush()
    found = db.session.get(AlertSettings, account.id)
    if found is None:
        found = AlertSettings(account_id=account.id, match_alerts=False, weekly=False)
        db.session.add(found)
        db.session.flush()
    return found


def choose(account: Account, match_alerts: bool, weekly: bool) -> None:
    settings = settings_for(account)
    settings.match_alerts, settings.weekly = match_alerts, weekly
    db.session.flush()


def unsubscribe_token(account: Account, kind: str) -> str:
    return str(URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
               .dumps({"a": account.id, "k": kind}))


def unsubscribe(token: str) -> tuple[Account, str] | None:
    """Turn off the alert a genuine token names; (account, kind), or None if forged."""
    try:
        data = URLSafeSerializer(current_app.config["SECRET_KEY"],
                                 salt=UNSUBSCRIBE_SALT).loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("k") not in KINDS:
        return None
    account = db.session.get(Account, data.get("a")) if isinstance(data.get("a"), int) else None
    if account is None:
        return None
    settings = settings_for(account)
    if data["k"] == "match":
        settings.match_alerts = False
    else:
        settings.weekly = False
    db.session.flush()
    return account, str(data["k"])


# -- a match on my need -------------------------------------------------------------------

def _signature() -> tuple[Any, ...]:
    """Changes whenever a listing or profile changes here or the network copy is refreshed."""
    listings = db.session.execute(select(func.count(Listing.id), func.max(Listing.updated_at),
                                         func.sum(Listing.version))).one()
    members = db.session.execute(select(func.max(Member.updated_at),
                                        func.sum(Member.version))).one()
    copy = db.session.get(NetworkCopy, 1)
    return (*listings, *members, copy.fetched_at if copy else None)


def _described(match: Match) -> dict[str, Any]:
    """What the mail will say of a match: only fields the need's author may see."""
    return {"title": match.candidate.title, "village": match.candidate.village,
            "score": round(match.score.total),
            "reasons": [[reason.kind, reason.value] for reason in match.score.reasons]}


def plan_match_alerts(now: datetime | None = None) -> int:
    """Plan one mail per need with new matches, for those who asked; flushes. Skipped when
    nothing changed since the last round of this process (a restart only rescans:
    ``match_seen`` keeps anything from being told twice)."""
    now = now or utcnow()
    signature = _signature()
    state = current_app.extensions.setdefault("chaleur_match_scan", {})
    if state.get("signature") == signature:
        return 0
    needs = db.session.scalars(
        select(Listing).join(Member).join(Account)
        .join(AlertSettings, AlertSettings.account_id == Account.id)
        .where(AlertSettings.match_alerts.is_(True), Listing.kind.in_(NEED_KINDS),
               Listing.state == ListingState.ACTIVE.value,
               Account.status == AccountStatus.ACTIVE.value))
    planned = 0
    for need in list(needs):
        account = need.member.account
        seen = set(db.session.scalars(select(MatchSeen.candidate_key).where(
            MatchSeen.listing_id == need.id)))
        new = [m for m in matches_for(need, Viewer.for_account(account), now)
               if m.score.total >= ALERT_THRESHOLD and m.candidate.key not in seen]
        if not new:
            continue
        for match in new:
            db.session.add(MatchSeen(listing_id=need.id, candidate_key=match.candidate.key,
                                     seen_at=now))
        told = hashlib.sha256(" ".join(m.candidate.key for m in new).encode()).hexdigest()
        planned += notices.plan("match_alert", f"match:{need.id}:{told[:24]}",
                                [account], {"listing": need.id,
                                            "matches": [_described(m) for m in new]}, now)
    db.session.flush()
    state["signature"] = signature
    return planned


# -- the weekly round-up --------------------------------------------------------------------

def _events_near(member: Member, viewer: Viewer, now: datetime) -> list[dict[str, str]]:
    """The next rencontres within two weeks: this village's the member may see, and other
    villages' (network copy) within :data:`EVENT_KM` of the member's commune."""
    until = now + timedelta(days=EVENT_DAYS)
    found = [{"title": event.title, "when": event.starts_at.isoformat(), "village": ""}
             for event in db.session.scalars(select(Event).where(
                 Event.starts_at >= now, Event.starts_at <= until,
                 Event.cancelled.is_(False)).order_by(Event.starts_at))
             if can_see_event(viewer, event)]
    extra = extra_communes()
    home = communes.find(member.commune_code, extra) if member.commune_code else None
    copy = db.session.get(NetworkCopy, 1)
    data = copy.data if copy and copy.data else {}
    villages = {node["node_id"]: node.get("name", "") for node in data.get("nodes", [])}
    for record in data.get("events", []):
        payload = record["payload"]
        place = communes.find(payload.get("commune_code", ""), extra)
        starts = parse_utc(str(payload.get("starts_at", "")))
        if (payload.get("cancelled") or home is None or place is None
                or communes.distance_km(home, place) > EVENT_KM or not now <= starts <= until):
            continue
        found.append({"title": payload["title"], "when": starts.isoformat(),
                      "village": villages.get(record["origin"], "")})
    return found[:10]


def weekly_content(member: Member, since: datetime, now: datetime) -> dict[str, Any]:
    """What the round-up would say; empty lists when there is nothing new."""
    viewer = Viewer.for_account(member.account)
    return {"listings": [_described(m) | {"kind": m.candidate.kind}
                         for m in new_listings_for(member, viewer, since, now)],
            "events": _events_near(member, viewer, now),
            "questions": [{"title": q.title,
                           "link": public_link("exchange.question", question_uuid=q.uuid)}
                          for q in questions.could_answer(member, since, now)]}


def plan_weekly(now: datetime | None = None) -> int:
    """Plan this week's round-up for those who asked and have something new; flushes."""
    now = now or utcnow()
    planned = 0
    rows = db.session.scalars(select(AlertSettings).join(Account).where(
        AlertSettings.weekly.is_(True), Account.status == AccountStatus.ACTIVE.value))
    for settings in list(rows):
        last = settings.last_weekly_at
        if last is not None and now - last < WEEK:
            continue
        account = db.session.get(Account, settings.account_id)
        if account is None or account.member is None:
            continue
        content = weekly_content(account.member, last or now - WEEK, now)
        if not any(content.values()):
            continue  # nothing new: no mail, and next round looks again
        year, week, _ = now.isocalendar()
        planned += notices.plan("weekly_roundup", f"weekly:{year}-W{week:02d}", [account],
                                content, now)
        settings.last_weekly_at = now
    db.session.flush()
    return planned
