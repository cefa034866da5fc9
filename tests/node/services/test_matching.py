"""Matching on a node: a need finds the offers and members that answer it, here and in other
villages (from the network copy), ranked with reasons that never name a hidden field."""

from __future__ import annotations

from flask import Flask

from node.extensions import db
from node.models import FieldGroup, ListingKind, NetworkCopy, Visibility, utcnow
from node.services.listings import ListingInput, post_listing
from node.services.matching import matches_for
from node.services.visibility import Viewer
from tests.conftest import MEMBER_EMAIL, member_by_email
from tests.node.members.people import create_person, sign_in

OTHER_VILLAGE = "westhouse-marmoutier"


def _network_copy() -> None:
    stamp = utcnow().isoformat().replace("+00:00", "Z")
    db.session.add(NetworkCopy(id=1, fetched_at=utcnow(), data={
        "nodes": [{"node_id": OTHER_VILLAGE, "name": "Tiers-lieu de Westhouse"}],
        "listings": [
            {"id": "3f0a1c52-8d47-4c1e-9b1a-0c2d6e7f8a90", "origin": OTHER_VILLAGE,
             "updated": stamp, "payload": {
                 "kind": "offer", "title": "Schreinerei : Treppen und Möbel",
                 "member_id": "5b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "skills": [],
                 "commune_code": "67527"}},
            {"id": "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b", "origin": OTHER_VILLAGE,
             "updated": stamp, "payload": {
                 "kind": "need", "title": "Cherche un ébéniste aussi",
                 "member_id": "5b6c7d8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}}],
        "members": []}))


def test_a_need_finds_offers_and_members_here_and_in_other_villages(app: Flask) -> None:
    with app.test_request_context():
        me = member_by_email(MEMBER_EMAIL)
        me.commune_code = "67475"
        need = post_listing(me, ListingInput(ListingKind.NEED,
                                             "Je cherche un menusier pour une bibliothèque"))
        joiner = create_person("ebene@example.org", "Éric Bois", trade="Ébéniste",
                               commune_code="67283", level=Visibility.COMMUNITY)
        post_listing(joiner, ListingInput(ListingKind.OFFER, "Meubles sur mesure en chêne"))
        # Her skills say « menuiserie », but only the staff may see them: no match, no reason.
        hidden = create_person("cache@example.org", "Claire Cachée", trade="Graphiste",
                               skills=["menuiserie"], level=Visibility.COMMUNITY)
        hidden.set_visibility(FieldGroup.SKILLS, Visibility.PRIVATE)
        _network_copy()
        db.session.commit()
        found = matches_for(need, Viewer.for_account(me.account))
        titles = [(m.candidate.title, m.candidate.village) for m in found]
        assert ("Meubles sur mesure en chêne", "") in titles
        assert ("Éric Bois", "") in titles
        assert ("Schreinerei : Treppen und Möbel", "Tiers-lieu de Westhouse") in titles
        assert "Claire Cachée" not in {title for title, _ in titles}
        assert "Cherche un ébéniste aussi" not in {title for title, _ in titles}  # a need
        offer = next(m for m in found if m.candidate.title.startswith("Meubles"))
        assert ("skill", "menuiserie") in [(r.kind, r.value) for r in offer.score.reasons]
        assert any(r.kind == "distance" for r in offer.score.reasons)
        staff = Viewer(Visibility.PRIVATE, None)
        assert "Claire Cachée" in {m.candidate.title for m in matches_for(need, staff)}
        need_uuid = need.uuid
    page = sign_in(app, MEMBER_EMAIL).get(f"/mon-profil/offres/{need_uuid}/correspondances")
    assert page.status_code == 200
    assert "compétence : Menuiserie, ébénisterie, agencement" in page.text
    assert "Tiers-lieu de Westhouse" in page.text and "Claire" not in page.text
    assert "mis à jour aujourd&#39;hui" in page.text or "mis à jour aujourd'hui" in page.text


def test_an_offer_finds_needs_not_members_and_only_visible_ones(app: Flask) -> None:
    with app.test_request_context():
        me = member_by_email(MEMBER_EMAIL)
        offer = post_listing(me, ListingInput(ListingKind.LOAN, "Je prête une bétonnière",
                                              skills=["maconnerie"]))
        mason = create_person("macon@example.org", "Marc Maçon", trade="Maçon",
                              level=Visibility.COMMUNITY)
        post_listing(mason, ListingInput(ListingKind.NEED, "Cherche un Mürer pour un muret"))
        done = post_listing(mason, ListingInput(ListingKind.NEED, "Maçonnerie d'un mur"))
        done.state = "fulfilled"
        db.session.commit()
        found = matches_for(offer, Viewer.for_account(me.account))
        assert [m.candidate.title for m in found] == ["Cherche un Mürer pour un muret"]
