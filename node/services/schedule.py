"""Scheduled work of a node: close what is due, plan reminders, expire listings, plan the
alerts people asked for, send the notices owed.

Run by the background worker of ``chaleur serve`` every SCHEDULE_INTERVAL seconds (and by
``chaleur decisions run-due`` for a node run by cron). State lives in the database: every
step commits on its own and is planned once (``*_planned_at`` columns, unique notices), so a
restart at any moment neither loses a step nor repeats a mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from node.extensions import db
from node.models import Account, AccountStatus, Role, utcnow
from node.services import (
    alerts,
    calendar,
    listings,
    meetings,
    notices,
    self_governance,
    shared_figures,
)
from node.services.decision_closing import close_due, plan_reminders


@dataclass
class Round:
    closed: int = 0
    reminders: int = 0
    actions: int = 0
    mandates: int = 0
    listings_expired: int = 0
    listing_reminders: int = 0
    match_alerts: int = 0
    weekly: int = 0
    sent: int = 0


def _staff() -> list[Account]:
    return list(db.session.scalars(select(Account).where(
        Account.status == AccountStatus.ACTIVE,
        Account.role.in_([Role.ADMIN.value, Role.ANIMATOR.value]))))


def _plan_actions(now: datetime) -> int:
    today = calendar.to_local(now).date()
    days = int(current_app.config["ACTION_REMINDER_DAYS"])
    planned = 0
    for action in meetings.actions_due(today, timedelta(days=days)):
        action.reminder_planned_at = now
        if action.owner is not None and action.owner.account is not None:
            planned += notices.plan("action_reminder", f"action:{action.id}",
                                    [action.owner.account], due_at=now)
    return planned


def _plan_mandates(now: datetime) -> int:
    today = calendar.to_local(now).date()
    days = int(current_app.config["MANDATE_REMINDER_DAYS"])
    planned = 0
    for mandate in self_governance.mandates_ending(today, timedelta(days=days)):
        mandate.reminder_planned_at = now
        people = _staff()
        if mandate.member is not None and mandate.member.account is not None:
            people.append(mandate.member.account)
        planned += notices.plan("mandate_ending", f"mandate:{mandate.id}", people, due_at=now)
    return planned


def run_due_work(now: datetime | None = None) -> Round:
    """One round; each step commits, so an error in one leaves the others done."""
    now = now or utcnow()
    done = Round()
    done.closed = len(close_due(now))
    db.session.commit()
    done.reminders = plan_reminders(now, float(current_app.config["DECISION_REMINDER_HOURS"]))
    db.session.commit()
    done.actions = _plan_actions(now)
    db.session.commit()
    done.mandates = _plan_mandates(now)
    db.session.commit()
    done.listings_expired = listings.expire_due(now)
    done.listing_reminders = listings.plan_reminders(now)
    db.session.commit()
    done.match_alerts = alerts.plan_match_alerts(now)
    db.session.commit()
    done.weekly = alerts.plan_weekly(now)
    db.session.commit()
    done.sent = notices.send_due(now)
    shared_figures.refresh(now)  # the funders' counts at the Pays follow attendance
    db.session.commit()
    return done
