"""The worker's round of scheduled work: close what is due, plan reminders, expire listings,
plan the alerts people asked for, send the notices owed.

Run by the background worker of ``chaleur serve`` every SCHEDULE_INTERVAL seconds. The steps
are services that flush; this round is their caller and commits after each one, so an error
in one step leaves the others done, and a notice's claim is committed before it goes to SMTP
(a restart loses that mail rather than sending it twice). Every step is planned once
(``*_planned_at`` columns, unique notices), so a restart at any moment repeats nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from node.extensions import db
from node.models import utcnow
from node.services import alerts, listings, notices, schedule, shared_figures
from node.services.decision_closing import close_due, plan_reminders


@dataclass
class Round:
    """How much each step of one round did (tests and logs read it)."""

    closed: int = 0
    reminders: int = 0
    actions: int = 0
    mandates: int = 0
    listings_expired: int = 0
    listing_reminders: int = 0
    match_alerts: int = 0
    weekly: int = 0
    sent: int = 0


def run_due_work(now: datetime | None = None) -> Round:
    """One round; each step commits, so an error in one leaves the others done."""
    now = now or utcnow()
    done = Round()
    done.closed = len(close_due(now))
    db.session.commit()
    done.reminders = plan_reminders(now, float(current_app.config["DECISION_REMINDER_HOURS"]))
    db.session.commit()
    done.actions = schedule.plan_actions(now)
    db.session.commit()
    done.mandates = schedule.plan_mandates(now)
    db.session.commit()
    done.listings_expired = listings.expire_due(now)
    done.listing_reminders = listings.plan_reminders(now)
    db.session.commit()
    done.match_alerts = alerts.plan_match_alerts(now)
    db.session.commit()
    done.weekly = alerts.plan_weekly(now)
    db.session.commit()
    done.sent = send_due_notices(now)
    shared_figures.refresh(now)  # the funders' counts at the Pays follow attendance
    db.session.commit()
    return done


def send_due_notices(now: datetime) -> int:
    """Claim the notices due and commit the claim, then send each and commit its outcome."""
    claimed = notices.claim_due(now)
    db.session.commit()
    sent = 0
    for notice_id in claimed:
        sent += notices.send_claimed(notice_id, now)
        db.session.commit()
    return sent
