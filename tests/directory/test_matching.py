"""Matching at the Pays, on SQLite and PostgreSQL: a need finds the members and offers of
every village that answer it (synonyms, German names, misspellings), nearest first among
equals, and never the need's own author nor another need."""

from __future__ import annotations

from flask import Flask

from directory.services.aggregation import apply_batch
from directory.services.matching import match_listing
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, member

AUTHOR = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"


def test_a_need_finds_members_and_offers_across_villages(any_db_app: Flask) -> None:
    apply_batch(SPARSBACH, [
        envelope("member", member("Paul Schreiner", trade="Graphiste", commune_code="67475"),
                 origin=SPARSBACH),
        envelope("member", member("Éva Meuble", trade="Ébéniste", commune_code="67475"),
                 origin=SPARSBACH),
        envelope("member", member("Moi Même", trade="Menuisier", commune_code="67475"),
                 origin=SPARSBACH, record_id=AUTHOR),
    ])
    apply_batch(WESTHOUSE, [
        envelope("member", member("Tom Tischler", trade="Tischler", commune_code="57630"),
                 origin=WESTHOUSE),
        envelope("listing", {"public": True, "kind": "offer", "title": "Schreinerei : Treppen",
                             "member_id": "1b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
                             "commune_code": "67527"}, origin=WESTHOUSE),
        envelope("listing", {"public": True, "kind": "need", "title": "Cherche aussi un ébéniste",
                             "member_id": "2b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"},
                 origin=WESTHOUSE),
    ])
    found = match_listing({"kind": "need", "title": "Cherche un menusier pour un escalier",
                           "commune_code": "67475", "radius_km": 20, "member_id": AUTHOR})
    names = [m.payload.get("display_name") or m.payload.get("title") for m in found]
    assert names[0] == "Éva Meuble"  # same skill, same commune
    assert set(names) == {"Éva Meuble", "Tom Tischler", "Schreinerei : Treppen"}
    assert names.index("Schreinerei : Treppen") < names.index("Tom Tischler")  # nearer
    assert all(("skill", "menuiserie") in [(r.kind, r.value) for r in m.score.reasons]
               for m in found)
    offers = match_listing({"kind": "loan", "title": "Je prête un établi d'ébéniste"})
    assert [m.payload["title"] for m in offers] == ["Cherche aussi un ébéniste"]
    assert match_listing({"kind": "need", "title": "Cours de jonglage"}) == []
