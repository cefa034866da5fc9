"""The staff's list of accounts: search, filters by status and role, sorting and pages.

A village has hundreds of accounts at most: status and role are filtered in SQL, the text
(name, e-mail, trade, commune) is matched accent-insensitively in Python, then the page is
cut. Parsing never fails: an unknown filter or page falls back to its default, so a stale
bookmark still opens the list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import joinedload

import communes
from node.extensions import db
from node.models import Account, AccountStatus, Role
from node.services.community import commune_name

PER_PAGE = 25
MAX_TEXT = 200
#: Sort orders offered to the staff, by their query-string value.
SORTS = ("attente", "nom", "recent", "ancien")


@dataclass(frozen=True)
class RosterQuery:
    q: str = ""
    status: str = ""
    role: str = ""
    sort: str = "attente"
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RosterQuery:
        status = args.get("statut", "")
        role = args.get("role", "")
        sort = args.get("tri", "")
        raw_page = args.get("page", "1")
        return cls(q=" ".join((args.get("q") or "").split())[:MAX_TEXT],
                   status=status if status in set(AccountStatus) else "",
                   role=role if role in set(Role) else "",
                   sort=sort if sort in SORTS else "attente",
                   page=int(raw_page) if raw_page.isdigit() and 0 < len(raw_page) < 6 else 1)

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.status or self.role)

    def args(self, page: int | None = None) -> dict[str, str]:
        """Query-string arguments of this list (defaults left out), on ``page`` if given."""
        shown = self.page if page is None else page
        values = {"q": self.q, "statut": self.status, "role": self.role,
                  "tri": self.sort if self.sort != "attente" else "",
                  "page": str(shown) if shown > 1 else ""}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class RosterPage:
    accounts: list[Account]
    total: int
    page: int
    pages: int
    status_counts: dict[str, int]


def _since(account: Account) -> datetime:
    """When the person asked to join (pending, refused) or joined."""
    if account.status in (AccountStatus.PENDING, AccountStatus.REFUSED):
        return account.created_at
    return account.member.joined_at or account.created_at


def _text(account: Account) -> str:
    member = account.member
    return communes.fold(" ".join((member.display_name, account.email, member.trade or "",
                                   commune_name(member.commune_code or ""))))


def _ordered(accounts: list[Account], sort: str) -> list[Account]:
    by_name = sorted(accounts, key=lambda a: (communes.fold(a.member.display_name), a.id))
    if sort == "nom":
        return by_name
    if sort in ("recent", "ancien"):
        return sorted(by_name, key=_since, reverse=sort == "recent")
    # Default: requests waiting for an answer first (oldest first: first come, first
    # answered), then everyone else by name.
    waiting = sorted((a for a in by_name if a.status == AccountStatus.PENDING), key=_since)
    return waiting + [a for a in by_name if a.status != AccountStatus.PENDING]


def status_counts() -> dict[str, int]:
    rows = db.session.execute(db.select(Account.status, func.count()).group_by(Account.status))
    return {str(status): count for status, count in rows}


def roster(query: RosterQuery, per_page: int = PER_PAGE) -> RosterPage:
    """One page of the accounts answering the query."""
    select = (db.select(Account).join(Account.member).options(joinedload(Account.member)))
    if query.status:
        select = select.where(Account.status == query.status)
    if query.role:
        select = select.where(Account.role == query.role)
    found = list(db.session.scalars(select))
    words = communes.fold(query.q).split()
    if words:
        found = [a for a in found if all(word in _text(a) for word in words)]
    found = _ordered(found, query.sort)
    pages = max(1, math.ceil(len(found) / per_page))
    page = min(query.page, pages)
    start = (page - 1) * per_page
    return RosterPage(found[start:start + per_page], len(found), page, pages, status_counts())
