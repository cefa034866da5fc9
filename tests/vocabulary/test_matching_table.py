"""The matching score on the labelled table: the full method ranks the right offer first
for (almost) every need, and each evidence it adds (stems, vocabulary, misspellings, place)
does better than the one before. The figures are printed with ``-s`` for the closing note."""

from __future__ import annotations

import communes
from tests.vocabulary.matching_table import NEEDS, OFFERS
from vocabulary.matching import FULL, METHODS, Method, prepare, score


def rank(need_text: str, commune: str, method: Method) -> list[tuple[float, str]]:
    need = prepare(need_text, method=method)
    here = communes.find(commune)
    ranked = []
    for offer in OFFERS:
        there = communes.find(offer.commune)
        distance = communes.distance_km(here, there) if here and there else None
        found = score(need, prepare(offer.text, offer.skills, method=method),
                      distance_km=distance, radius_km=20, age_days=3, method=method)
        if found.total > 0:  # the table ranks all; pages show those above THRESHOLD
            ranked.append((found.total, offer.key))
    return sorted(ranked, key=lambda item: -item[0])


def figures(method: Method) -> tuple[float, float]:
    """(share of needs whose right offer comes first, mean reciprocal rank)."""
    first = reciprocal = 0.0
    for text, commune, expected in NEEDS:
        keys = [key for _, key in rank(text, commune, method)]
        if keys[:1] == [expected]:
            first += 1
        if expected in keys:
            reciprocal += 1 / (keys.index(expected) + 1)
    return first / len(NEEDS), reciprocal / len(NEEDS)


def test_the_table_is_big_enough_and_labelled() -> None:
    keys = {offer.key for offer in OFFERS}
    assert len(NEEDS) >= 30 and all(expected in keys for _, _, expected in NEEDS)


def test_each_method_does_better_than_the_one_before() -> None:
    results = {method.name: figures(method) for method in METHODS}
    for name, (top1, mrr) in results.items():
        print(f"{name:22} premier : {top1:.0%}  MRR : {mrr:.3f}")
    names = [method.name for method in METHODS]
    assert results["racines"][1] >= results["mots"][1]
    assert results["vocabulaire"][1] > results["racines"][1]
    assert results["vocabulaire + fautes"][1] > results["vocabulaire"][1]
    assert results[names[-1]][1] >= results["vocabulaire + fautes"][1]
    assert results["complet"][0] >= 0.95


def test_reasons_name_the_skill_the_words_the_distance_and_the_age() -> None:
    need = prepare("Je cherche un menusier pour une bibliothèque sur mesure")
    offer = prepare("Ébéniste, je fabrique des meubles sur mesure")
    found = score(need, offer, distance_km=7.6, radius_km=20, age_days=3)
    assert [(r.kind, r.value) for r in found.reasons] == [
        ("skill", "menuiserie"), ("words", "mesure"), ("distance", "8"), ("fresh", "3")]
    assert found.total == round(sum(found.parts.values()), 1) and found.total > 50


def test_place_and_time_alone_never_make_a_match() -> None:
    unrelated = score(prepare("Cherche un plombier"), prepare("Cours d'alsacien"),
                      distance_km=0, age_days=0, method=FULL)
    assert unrelated.total == 0 and unrelated.reasons == ()
