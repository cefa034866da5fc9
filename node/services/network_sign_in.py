"""Signing in elsewhere in the network as a member of this node: what the other site learns,
and the member's agreement, asked once per site.

The other site learns only what the consent page shows: the short name (« Prénom N. »), the
village, and — when the member shows who they are to the network — the address of their
profile here, which shows that site's visitors what « Réseau » allows. Never an e-mail
address, a phone number or anything the member keeps to their community.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from federation.identity import short_name
from node.extensions import db
from node.models import Account, FieldGroup, SignInConsent
from node.peering.identity import require_identity
from node.services.community import current_community
from node.services.visibility import Viewer, can_see


def village_name() -> str:
    community = current_community()
    return community.name if community else require_identity().node_id


def what_site_learns(account: Account) -> dict[str, Any]:
    """The claims an ID token carries about this account (the consent page shows them)."""
    member = account.member
    claims: dict[str, Any] = {
        "sub": member.uuid if member else f"account-{account.id}",
        "name": short_name(member.display_name if member else account.email.split("@")[0]),
        "chaleur_village": require_identity().node_id,
        "chaleur_village_name": village_name(),
    }
    if member is not None and can_see(Viewer.network(), member, FieldGroup.IDENTITY):
        claims["profile"] = f"{current_app.config['PUBLIC_URL']}/membres/{member.uuid}"
    return claims


def has_agreed(account: Account, client_id: str) -> bool:
    return db.session.scalars(select(SignInConsent.id).where(
        SignInConsent.account_id == account.id,
        SignInConsent.client_id == client_id)).first() is not None


def agree(account: Account, client_id: str) -> None:
    """Record the member's agreement (flushed; the caller commits)."""
    if not has_agreed(account, client_id):
        db.session.add(SignInConsent(account_id=account.id, client_id=client_id))
        db.session.flush()

