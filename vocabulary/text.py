"""Words and French stems, the same on the village node, in both Pays databases and in tests.

Stems come from Snowball's French stemmer (PyStemmer, the C build of the algorithm
PostgreSQL's ``french`` configuration also uses), applied to the folded word: people type
without accents as often as with them, and « comptabilite » must find « comptabilité ».
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

#: A stem shorter than this matches too much as a prefix: the word itself is used instead.
MIN_STEM = 4
_WORD = re.compile(r"[a-z0-9]+")
# Every combining mark of the Basic Multilingual Plane (where all marks of Latin scripts
# live), dropped in one regular-expression substitution: the Pays index folds thousands of
# texts per batch, and both a per-character Python loop and a str.translate() through a dict
# of marks (a dict look-up per character) would dominate the apply time.
_COMBINING_CODES = [code for code in range(0x10000) if unicodedata.combining(chr(code))]
_COMBINING = re.compile("[" + "".join(re.escape(chr(code)) for code in _COMBINING_CODES) + "]+")
# Letters NFKD does not decompose: « œ » (cœur), « æ », German « ß ». Found by a regular
# expression (a scan in C) rather than str.translate, whose dict look-up per character cost
# a quarter of the Pays's apply time.
_LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"}
_LIGATURE = re.compile("[" + "".join(_LIGATURES) + "]")
_STEMMER = Stemmer.Stemmer("french")


def fold(text: str) -> str:
    """Lower-case, accent-free form (« Ébéniste » → ``ebeniste``, « cœur » → ``coeur``)."""
    if text.isascii():
        return text.casefold()
    text = _LIGATURE.sub(lambda found: _LIGATURES[found.group()], text)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def words(text: str) -> list[str]:
    """The folded (lower-case, accent-free) words of a text."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The Snowball stem of a word's folded form (« Ébénistes » → ``eben``)."""
    return _stem_folded(fold(word))


@lru_cache(maxsize=65536)
def _stem_folded(folded: str) -> str:
    return str(_STEMMER.stemWord(folded))


def stems(text: str) -> str:
    """The distinct stems of a text's words, space-separated, for an index."""
    return stems_of(words(text))


def stems_of(folded_words: list[str]) -> str:
    """The distinct stems of words already folded (by :func:`words`), space-separated."""
    return " ".join(dict.fromkeys(map(_stem_folded, folded_words)))


def query_stem(word: str) -> str:
    """The stem a typed word is looked up by, or the word when its stem is too short."""
    root = stem(word)
    return root if len(root) >= MIN_STEM else fold(word)
