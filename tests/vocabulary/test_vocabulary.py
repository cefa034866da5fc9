"""The shipped vocabulary of trades and skills: well formed, unambiguous, and read the way
people type (accents, plurals, hyphens, several words)."""

from __future__ import annotations

from collections import defaultdict

import vocabulary
from vocabulary.text import fold, stem, stems, words


def test_every_concept_is_well_formed() -> None:
    concepts = vocabulary.concepts()
    assert len(concepts) >= 40
    assert len({c.id for c in concepts}) == len(concepts)
    for concept in concepts:
        assert concept.id.isascii() and concept.kind in ("trade", "skill"), concept.id
        assert concept.label and concept.en and concept.terms, concept.id
        assert vocabulary.find(concept.id) == concept
    assert vocabulary.find("menuiserie").label_in("en") == "Joinery, cabinet making, fitting"
    assert vocabulary.find("menuiserie").label_in("fr").startswith("Menuiserie")


def test_no_name_belongs_to_two_concepts() -> None:
    """A word listed twice would silently join two families of trades."""
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for concept in vocabulary.concepts():
        for name in concept.names:
            owners[tuple(stem(w) for w in words(name))].add(concept.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_the_trades_the_issue_names_are_synonyms() -> None:
    def family(term: str) -> tuple[str, ...]:
        (found,) = vocabulary.parse_query(term)
        return found.concepts

    assert family("menuisier") == family("ébéniste") == family("agenceur") == ("menuiserie",)
    assert family("comptable") == family("expert-comptable") == ("comptabilite",)
    assert family("graphiste") == family("infographiste") == ("graphisme",)
    assert family("Schreiner") == family("schreinerin") == ("menuiserie",)
    assert family("Bäcker") == family("baecker") == ("boulangerie",)


def test_query_terms_longest_first() -> None:
    terms = vocabulary.parse_query("Expert Comptable à Saverne")
    assert [t.typed for t in terms] == [(("expert", "expert"), ("comptable", "comptabl")),
                                        (("a", "a"),), (("saverne", "savern"),)]
    assert terms[0].concepts == ("comptabilite",) and terms[1].concepts == ()
    assert vocabulary.parse_query("  ,;  ") == ()
    assert len(vocabulary.parse_query("un deux trois quatre cinq six sept huit neuf dix")) == 8


def test_a_synonym_never_matches_a_name() -> None:
    (menuisier,) = vocabulary.parse_query("menuisier")
    roofer = vocabulary.search_text("Paul Schreiner", "Couvreur", "Zinguerie")
    joiner = vocabulary.search_text("Élise Brandt", "Schreinerin")
    assert not menuisier.matches(roofer) and menuisier.matches(joiner)
    (typed,) = vocabulary.parse_query("schrein")
    assert typed.matches(roofer)  # the name itself, typed, still finds him


def test_folding_and_stems() -> None:
    assert fold("Ébéniste ŒUVRE Straße") == "ebeniste oeuvre strasse"
    assert words("Expert-comptable, l'atelier") == ["expert", "comptable", "l", "atelier"]
    assert stem("Menuisiers") == stem("menuisier") == "menuisi"
    assert stems("Comptabilité comptabilite") == "comptabilit"
