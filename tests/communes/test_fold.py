"""Folding names for comparison: the fast path must agree with the plain definition."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from communes import fold


def reference_fold(text: str) -> str:
    """The definition: decompose, drop every combining mark, case-fold."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def test_french_names_fold_to_plain_lower_case() -> None:
    assert fold("Ébéniste") == fold("ebeniste") == "ebeniste"
    assert fold("Menuisière À Saverne") == "menuisiere a saverne"
    assert fold("Westhouse-Marmoutier") == "westhouse-marmoutier"
    assert fold("Œuvre STRASSE ß") == "œuvre strasse ss"


@given(st.text(max_size=40))
def test_fold_agrees_with_its_definition_on_any_text(text: str) -> None:
    assert fold(text) == reference_fold(text)
