"""Word folding and a crude French stem, so « menuisier » finds « menuiserie ».

Not a real stemmer: it strips the common endings of trade and skill words (-ier, -ière, -erie,
-iste, -eur, -euse, plurals...) so that the words of one family share a prefix. Both the
SQLite and PostgreSQL indexes store these stems next to the words, so both behave the same.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MIN_STEM = 4
_SUFFIXES = sorted(
    ("issements", "issement", "ements", "ement", "ations", "ation", "atrices", "atrice",
     "ateurs", "ateur", "euses", "euse", "eurs", "eur", "eries", "erie", "ieres", "iere",
     "iers", "ier", "istes", "iste", "ismes", "isme", "ables", "able", "ives", "ive",
     "ees", "ee", "er", "es", "e", "s", "x"),
    key=len, reverse=True)
_WORD = re.compile(r"[a-z0-9]+")
# Every combining mark of the Basic Multilingual Plane (where all marks of Latin scripts
# live), dropped in one regular-expression substitution: the index folds thousands of texts
# per batch, and both a per-character Python loop and a str.translate() through a dict of
# marks (a dict look-up per character) would dominate the apply time.
_COMBINING_CODES = [code for code in range(0x10000) if unicodedata.combining(chr(code))]
_COMBINING = re.compile("[" + "".join(re.escape(chr(code)) for code in _COMBINING_CODES) + "]+")


def fold(text: str) -> str:
    """Lower-case, accent-free form, same result as :func:`communes.fold` but faster."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def words(text: str) -> list[str]:
    """The folded (lower-case, accent-free) words of a text."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The word without its common French ending, never shorter than four letters."""
    return _stem_folded(fold(word))


@lru_cache(maxsize=65536)
def _stem_folded(folded: str) -> str:
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= MIN_STEM:
            return folded[: -len(suffix)]
    return folded


def stems(text: str) -> str:
    """The distinct stems of a text's words, space-separated, for the index."""
    return " ".join(dict.fromkeys(map(_stem_folded, words(text))))
