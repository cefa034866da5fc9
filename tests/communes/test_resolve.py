"""A commune as people type it: a name with or without accents and hyphens, « St » for
« Saint », « Name (code) » as the suggestions write it, or the INSEE code."""

from __future__ import annotations

import pytest

import communes


@pytest.mark.parametrize("typed", ["Saint-Jean-Saverne", "saint jean saverne",
                                   "St-Jean-Saverne", "ST JEAN-SAVERNE", "67425",
                                   "Saint-Jean-Saverne (67425)", "  st   jean saverne "])
def test_names_codes_and_labels_resolve(typed: str) -> None:
    assert communes.resolve(typed) == communes.Resolution(communes.find("67425"))


def test_accents_and_apostrophes() -> None:
    assert communes.resolve("ernolsheim les saverne").commune.code == "67129"  # type: ignore[union-attr]
    assert communes.resolve("Ernolsheim-lès-Saverne").commune.code == "67129"  # type: ignore[union-attr]
    assert communes.name_key("Sainte-Marie-aux-Mines") == communes.name_key("ste marie aux mines")


def test_an_exact_name_wins_over_longer_ones() -> None:
    assert communes.resolve("Westhouse").commune.code == "67526"  # type: ignore[union-attr]
    assert communes.resolve("marmout").commune.code == "67283"  # only one starts so


def test_ambiguous_and_unknown_names_give_candidates() -> None:
    several = communes.resolve("Saint-Jean")
    assert several.commune is None and several.ambiguous
    assert {c.name for c in several.candidates} >= {"Saint-Jean-Saverne", "Saint-Jean-Kourtzerode"}
    typo = communes.resolve("Savrne")
    assert typo.commune is None and not typo.ambiguous
    assert [c.name for c in typo.candidates] == ["Saverne"]
    assert communes.resolve("Zzyzx") == communes.Resolution(None)
    assert communes.resolve("99999") == communes.Resolution(None)
    assert communes.resolve("") == communes.Resolution(None)


def test_a_commune_added_by_an_admin_resolves_too() -> None:
    extra = {"67999": communes.Commune("67999", "Nouvelle-Commune", 48.7, 7.3)}
    assert communes.resolve("nouvelle commune", extra).commune == extra["67999"]
