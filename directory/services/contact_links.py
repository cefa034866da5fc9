"""« Lui écrire » on the Pays site: a member signed in with their village writes to a member
of another village from their **own** village's site, which vouches for them and relays the
message without either address (the node's ``/reseau/ecrire/<village>/<member>`` page).

The Pays relays nothing itself: it only builds the link to the viewer's home node. Anonymous
visitors and members looking at their own village get no link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import select

from directory.extensions import db
from directory.models import Peer
from directory.services.network import shown_peer_ids


def _home_url() -> tuple[str, str] | None:
    """The signed-in member's village and its site address, or None."""
    from webui.village_sign_in import current_member

    member = current_member()
    if member is None:
        return None
    base = db.session.scalars(select(Peer.base_url).where(
        Peer.node_id == member.village, Peer.id.in_(shown_peer_ids()))).first()
    return (member.village, base.rstrip("/")) if base else None


def add_write_links(items: list[dict[str, Any]], *, listings: bool = False) -> None:
    """Give each card of another village a ``write_url`` on the viewer's home node: a
    person card names the member by ``id``; a listing card by ``member_id``, about ``id``."""
    home = _home_url()
    if home is None:
        return
    village, base = home
    for item in items:
        member = item.get("member_id") if listings else item.get("id")
        if not member or item.get("territory") in (None, village):
            continue
        link = f"{base}/reseau/ecrire/{quote(str(item['territory']))}/{quote(str(member))}"
        item["write_url"] = link + ("?" + urlencode({"annonce": item["id"]}) if listings else "")
