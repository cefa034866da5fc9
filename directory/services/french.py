"""Word folding and a crude French stem, so « menuisier » finds « menuiserie ».

Not a real stemmer: it strips the common endings of trade and skill words (-ier, -ière, -erie,
-iste, -eur, -euse, plurals...) so that the words of one family share a prefix. Both the
SQLite and PostgreSQL indexes store these stems next to the words, so both behave the same.
"""

from __future__ import annotations

import re

from communes import fold

MIN_STEM = 4
_SUFFIXES = sorted(
    ("issements", "issement", "ements", "ement", "ations", "ation", "atrices", "atrice",
     "ateurs", "ateur", "euses", "euse", "eurs", "eur", "eries", "erie", "ieres", "iere",
     "iers", "ier", "istes", "iste", "ismes", "isme", "ables", "able", "ives", "ive",
     "ees", "ee", "er", "es", "e", "s", "x"),
    key=len, reverse=True)
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The folded (lower-case, accent-free) words of a text."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The word without its common French ending, never shorter than four letters."""
    folded = fold(word)
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= MIN_STEM:
            return folded[: -len(suffix)]
    return folded


def stems(text: str) -> str:
    """The stems of every word of a text, space-separated, for the index."""
    return " ".join(stem(word) for word in words(text))
