"""Full-text search, facets and distance, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from flask import Flask

import communes
from directory.services.aggregation import apply_batch
from directory.services.params import ListingQuery, PeopleQuery
from directory.services.peers import reinstate_node, suspend_node
from directory.services.search import search_listings, search_people
from tests.directory.conftest import SPARSBACH, WESTHOUSE, envelope, member

SAVERNE = "67437"
MONSWILLER = "67302"  # about 3 km from Saverne
PHALSBOURG = "57540"  # about 11 km
SPARSBACH_CODE = "67475"  # about 16 km: outside 15 km


def seed() -> None:
    apply_batch(SPARSBACH, [
        envelope("member", member("Jean Lehmann", trade="Menuisier", business_name="Bois & Fils",
                                   skills=["Menuiserie", "Escaliers"], commune_code=SAVERNE,
                                   bio="Fenêtres et portes sur mesure.")),
        envelope("member", member("Chloé Weber", trade="Ébéniste", skills=["Marqueterie"],
                                   commune_code=MONSWILLER, bio="Meubles restaurés.")),
        envelope("member", member("Sophie Klein", trade="Menuisière", skills=["Menuiserie"],
                                   commune_code=SPARSBACH_CODE)),
        envelope("listing", {"public": True, "kind": "need", "title": "Cherche raboteuse",
                             "details": "Pour un chantier de menuiserie."}),
    ])
    apply_batch(WESTHOUSE, [
        envelope("member", member("Marc Fischer", trade="Graphiste", skills=["Mise en page"],
                                   commune_code=PHALSBOURG, bio="Logos et affiches."),
                 origin=WESTHOUSE),
        envelope("listing", {"public": True, "kind": "offer", "title": "Atelier de reliure",
                             "details": "Je prête ma presse."}, origin=WESTHOUSE),
    ])


def names(**criteria: object) -> list[str]:
    return sorted(i["display_name"] for i in search_people(PeopleQuery(**criteria)).items)  # type: ignore[arg-type]


def test_accents_are_ignored_both_ways(any_db_app: Flask) -> None:
    seed()
    assert names(q="marqueterie") == ["Chloé Weber"]
    assert names(q="MARQUETÉRIE") == ["Chloé Weber"]
    assert names(q="chloe") == ["Chloé Weber"]
    assert names(q="fenetres") == ["Jean Lehmann"]


def test_prefix_and_french_stem(any_db_app: Flask) -> None:
    seed()
    assert names(q="menuis") == ["Jean Lehmann", "Sophie Klein"]
    # "menuisier", "menuisière" and "menuiserie" are one family, an ébéniste is a synonym
    # (the vocabulary: tests/directory/test_search_table.py has the whole table).
    assert names(q="menuisier") == ["Chloé Weber", "Jean Lehmann", "Sophie Klein"]
    assert names(q="menuisiere") == ["Chloé Weber", "Jean Lehmann", "Sophie Klein"]
    assert names(q="marqueter") == ["Chloé Weber"]
    assert names(q="menuis saverne") == ["Jean Lehmann"]  # every word must match
    assert names(q="menuis phalsbourg") == []
    assert names(q="menuis escaliers") == ["Jean Lehmann"]
    assert names(q="plombier") == []


def test_a_commune_name_finds_every_member_who_lives_there(any_db_app: Flask) -> None:
    seed()  # Sophie Klein's presentation does not name Sparsbach; her commune does
    assert names(q="sparsbach") == ["Sophie Klein"]
    assert names(q="Saverne") == ["Jean Lehmann"]


def test_search_covers_business_skills_and_bio(any_db_app: Flask) -> None:
    seed()
    assert names(q="fils") == ["Jean Lehmann"]
    assert names(q="mise en page") == ["Marc Fischer"]
    assert names(q="affiches") == ["Marc Fischer"]


def test_punctuation_and_operators_do_not_break_queries(any_db_app: Flask) -> None:
    seed()
    for raw in ['"', "menuis*", "NOT menuis", "a OR b", "(", "bois:*", "'; drop table", "&|!"]:
        search_people(PeopleQuery(q=raw))
        search_listings(ListingQuery(q=raw))


def test_facets_count_the_matching_people(any_db_app: Flask) -> None:
    seed()
    facets = search_people(PeopleQuery(q="menuis")).facets
    assert [(f.label, f.count) for f in facets["skill"]][:1] == [("Menuiserie", 2)]
    assert {(f.label, f.count) for f in facets["trade"]} == {("Menuisier", 1), ("Menuisière", 1)}
    assert {(f.value, f.count) for f in facets["commune"]} == {(SAVERNE, 1), (SPARSBACH_CODE, 1)}
    assert [(f.value, f.count) for f in facets["territory"]] == [(SPARSBACH, 2)]
    everyone = search_people(PeopleQuery()).facets
    assert {(f.value, f.count) for f in everyone["territory"]} == {(SPARSBACH, 3), (WESTHOUSE, 1)}


def test_filters_by_trade_skill_commune_and_territory(any_db_app: Flask) -> None:
    seed()
    assert names(trade="ebeniste") == ["Chloé Weber"]
    assert names(skill="menuiserie") == ["Jean Lehmann", "Sophie Klein"]
    assert names(commune=MONSWILLER) == ["Chloé Weber"]
    assert names(territory=WESTHOUSE) == ["Marc Fischer"]


def test_within_15_km_of_saverne(any_db_app: Flask) -> None:
    seed()
    saverne = communes.find(SAVERNE)
    assert saverne is not None
    distances = {code: communes.distance_km(saverne, communes.find(code))  # type: ignore[arg-type]
                 for code in (MONSWILLER, PHALSBOURG, SPARSBACH_CODE)}
    assert distances[PHALSBOURG] < 15 < distances[SPARSBACH_CODE]
    assert names(near=SAVERNE, km=15) == ["Chloé Weber", "Jean Lehmann", "Marc Fischer"]
    assert names(near=SAVERNE, km=5) == ["Chloé Weber", "Jean Lehmann"]
    assert names(near=SAVERNE, km=15, q="menuis") == ["Jean Lehmann"]


def test_listings_search_kind_and_text(any_db_app: Flask) -> None:
    seed()
    def titles(**criteria: str) -> list[str]:
        return sorted(i["title"] for i in search_listings(ListingQuery(**criteria)).items)  # type: ignore[arg-type]

    assert titles() == ["Atelier de reliure", "Cherche raboteuse"]
    assert titles(kind="need") == ["Cherche raboteuse"]
    assert titles(q="menuiserie") == ["Cherche raboteuse"]
    assert titles(q="pret") == ["Atelier de reliure"]
    assert titles(territory=WESTHOUSE) == ["Atelier de reliure"]


def test_suspension_hides_everything_at_once(any_db_app: Flask) -> None:
    seed()
    suspend_node(WESTHOUSE, by="test")
    assert "Marc Fischer" not in names()
    assert names(q="graphiste") == [] and names(territory=WESTHOUSE) == []
    facets = search_people(PeopleQuery()).facets
    assert WESTHOUSE not in [f.value for f in facets["territory"]]
    assert "Graphiste" not in [f.label for f in facets["trade"]]
    assert [i["title"] for i in search_listings(ListingQuery()).items] == ["Cherche raboteuse"]
    reinstate_node(WESTHOUSE, by="test")
    assert names(q="graphiste") == ["Marc Fischer"]


def test_results_are_paginated(any_db_app: Flask) -> None:
    apply_batch(SPARSBACH, [envelope("member", member(f"Artisan {n:02d}", trade="Potier"))
                            for n in range(25)])
    first = search_people(PeopleQuery(q="potier", page=1), page_size=10)
    third = search_people(PeopleQuery(q="potier", page=3), page_size=10)
    assert first.total == 25 and first.pages == 3
    assert [i["display_name"] for i in first.items][:2] == ["Artisan 00", "Artisan 01"]
    assert [i["display_name"] for i in third.items] == [f"Artisan {n}" for n in range(20, 25)]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", " JaVaScRiPt:x"])
def test_only_http_links_are_kept(app: Flask, url: str) -> None:
    apply_batch(SPARSBACH, [envelope("member", member("Lien", profile_url=url, website=url))])
    card = search_people(PeopleQuery()).items[0]
    assert card["profile_url"] == "" and card["website"] == ""


def test_both_databases_index_the_same_tokens(any_db_app: Flask) -> None:
    """Folded words and Snowball stems from Python; the names apart from the stems."""
    from sqlalchemy import text

    from directory.extensions import db

    seed()
    if db.engine.dialect.name == "postgresql":
        document = db.session.scalar(text(
            "SELECT document::text FROM record_text JOIN member_entry ON "
            "member_entry.record_id = record_text.record_id "
            "WHERE member_entry.display_name = 'Chloé Weber'"))
        lexemes = {item.split(":")[0] for item in document.replace("'", "").split()}
        assert {"chloe", "weber", "ebeniste", "0eben", "0meubl"} <= lexemes  # stems marked
        assert "0weber" not in lexemes and "0chlo" not in lexemes
    else:
        words, stems = db.session.execute(text(
            "SELECT words, stems FROM record_text JOIN member_entry ON "
            "member_entry.record_id = record_text.rowid "
            "WHERE member_entry.display_name = 'Chloé Weber'")).one()
        assert words.split()[:3] == ["chloe", "weber", "ebeniste"]
        assert "eben" in stems.split() and "weber" not in stems.split()


def test_near_takes_a_commune_name_with_clear_french_errors(any_db_app: Flask) -> None:
    from directory.services.params import people_query

    seed()
    query, errors = people_query({"near": "st jean saverne", "km": "13"})
    assert (query.near, errors) == ("67425", [])
    query, errors = people_query({"near": "Saverne (67437)"})
    assert query.near == SAVERNE and errors == []
    assert names(near=people_query({"near": "saverne", "km": "5"})[0].near, km=5) == [
        "Chloé Weber", "Jean Lehmann"]
    query, errors = people_query({"near": "Saint-Jean", "km": "5"})
    assert query.near == "" and [e.field for e in errors] == ["near"]
    assert errors[0].message.startswith("Plusieurs communes correspondent à « Saint-Jean » :")
    assert "Saint-Jean-Saverne (67425)" in errors[0].message
    _, errors = people_query({"near": "Savrne"})
    assert errors[0].message == ("Commune inconnue : « Savrne ». Vouliez-vous dire "
                                 "Saverne (67437) ?")
    _, errors = people_query({"near": "Zzyzx"})
    assert "Vérifiez l’orthographe ou donnez son code INSEE" in errors[0].message
