"""Mails the node owes people about decisions, actions and mandates: planned, then sent once.

A notice is planned in the same transaction as the change that calls for it (one row per
recipient; the unique key makes planning twice harmless). The worker sends what is due:
it first claims the rows and commits, then hands each to SMTP, then records it sent. A
process killed between the claim and the answer loses that mail rather than sending it
twice; an SMTP refusal puts the row back with a later due time (five tries at most).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select, update

from node.extensions import db
from node.models import Account, Notice, utcnow
from node.services.mail import MailNotSent, send_mail

log = logging.getLogger("chaleur.notices")


@dataclass(frozen=True)
class Letter:
    """A notice that needs more than a subject and a plain-text body."""

    subject: str
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

MAX_TRIES = 5
BATCH = 200


def plan(kind: str, subject_key: str, accounts: Iterable[Account],
         data: dict[str, Any] | None = None, due_at: datetime | None = None) -> int:
    """Plan one notice per account (already planned ones are left alone); flushes.

    Returns how many were added."""
    wanted = {account.id for account in accounts}
    if not wanted:
        return 0
    known = set(db.session.scalars(select(Notice.account_id).where(
        Notice.kind == kind, Notice.subject_key == subject_key)))
    added = 0
    for account_id in sorted(wanted - known):
        db.session.add(Notice(kind=kind, subject_key=subject_key, account_id=account_id,
                              data=dict(data or {}), due_at=due_at or utcnow()))
        added += 1
    db.session.flush()
    return added


def claim_due(now: datetime) -> list[int]:
    """Claim the notices due (flushed): the worker commits the claim before any SMTP, so a
    process killed meanwhile loses that mail rather than sending it twice."""
    ids = list(db.session.scalars(select(Notice.id).where(
        Notice.sent_at.is_(None), Notice.claimed_at.is_(None), Notice.due_at <= now)
        .order_by(Notice.due_at, Notice.id).limit(BATCH)))
    mine = []
    for notice_id in ids:
        claimed = db.session.execute(update(Notice).where(
            Notice.id == notice_id, Notice.claimed_at.is_(None)).values(claimed_at=now))
        if getattr(claimed, "rowcount", 0) == 1:
            mine.append(notice_id)
    db.session.flush()
    return mine


def send_claimed(notice_id: int, now: datetime) -> int:
    """Send one claimed notice and record the outcome (flushed; the worker commits after each
    one); 1 when it was sent."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        return 0
    sent = _send_one(notice, now)
    db.session.flush()
    return sent


def _send_one(notice: Notice, now: datetime) -> int:
    from node.services.notice_texts import RENDERERS  # texts need the decision services

    account = db.session.get(Account, notice.account_id)
    render = RENDERERS.get(notice.kind)
    with force_locale("fr"):  # no request here to choose a language from
        text = render(notice, account) if render and account and account.is_active else None
    if text is None:  # nothing to say any more (decision gone, account disabled)
        notice.sent_at = now
        notice.data = {**notice.data, "skipped": True}
        return 0
    letter = text if isinstance(text, Letter) else Letter(*text)
    try:
        send_mail(account.email, letter.subject, letter.body,  # type: ignore[union-attr]
                  html=letter.html, headers=letter.headers)
    except MailNotSent:
        notice.tries += 1
        if notice.tries < MAX_TRIES:
            notice.claimed_at = None
            notice.due_at = now + timedelta(minutes=5 * 2 ** notice.tries)
        else:
            log.warning("notice given up kind=%s id=%s", notice.kind, notice.id)
        return 0
    notice.sent_at = now
    return 1
