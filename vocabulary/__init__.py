"""The shared vocabulary of trades and skills, with their French (and German) synonyms.

Shipped as package data (``data/trades.toml``) and used by the village node's member search
and by the Pays directory's search, so both understand « expert-comptable » as a
« comptable » and « Schreiner » as a « menuisier ». A search box is read into
:class:`QueryTerm`\\ s: the words people typed, matched by prefix (word or stem), and for
each term of the vocabulary recognised in it, every other name of its concept matched by
exact stem. Expansion happens when searching, not when indexing, so a change to the list
takes effect without rebuilding any index.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from vocabulary.text import MIN_STEM, _stem_folded, query_stem, stem, stems_of, words

__all__ = ["Concept", "QueryTerm", "SearchText", "concepts", "concepts_in", "find",
           "parse_query", "search_text", "synonyms_of"]

#: Longest vocabulary term, in words, recognised in a search box.
MAX_TERM_WORDS = 4
#: Words left out of a synonym's required stems (« restauration de meubles » needs
#: « restauration » and « meubles », not « de »).
STOP_WORDS = frozenset(("a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la",
                        "le", "les", "pour", "sur", "un", "une"))


@dataclass(frozen=True)
class Concept:
    """A family of trades or skills that people treat as one when they look for someone."""

    id: str
    kind: str
    label: str
    en: str
    terms: tuple[str, ...]
    de: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the concept, French first."""
        return self.terms + self.de

    def label_in(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.label


#: One name of a concept as the stems of its words, all of which a text must have.
Synonym = tuple[str, ...]


@dataclass(frozen=True)
class QueryTerm:
    """One thing a search asks for.

    ``typed`` are the words as typed with their stem: each word must begin a word of the
    text, or its stem a stem. ``synonyms`` are the other names of the vocabulary concepts
    this term is (empty when it is none): one of them, all its words present by exact
    stem, is enough.
    """

    typed: tuple[tuple[str, str], ...]
    synonyms: tuple[Synonym, ...] = ()
    concepts: tuple[str, ...] = ()

    @cached_property
    def _needles(self) -> tuple[tuple[str, str], ...]:
        return tuple((f" {word}", f" {root}") for word, root in self.typed)

    @cached_property
    def _single(self) -> frozenset[str]:
        return frozenset(s[0] for s in self.synonyms if len(s) == 1)

    @cached_property
    def _several(self) -> tuple[Synonym, ...]:
        return tuple(s for s in self.synonyms if len(s) > 1)

    def matches(self, text: SearchText) -> bool:
        """True when a text prepared by :func:`search_text` answers this term (a village
        searches a thousand profiles per request: the tests run in C where they can)."""
        if all(word in text.words or root in text.stems for word, root in self._needles):
            return True
        if not self._single.isdisjoint(text.stems.split()):
            return True
        return any(all(f" {root} " in text.stems for root in synonym)
                   for synonym in self._several)


@dataclass(frozen=True, slots=True)
class SearchText:
    """A text ready to be searched, as the Pays's full-text index holds it: its words and
    the stems of all but the name, space-delimited (a prefix test is a substring test, done
    in C). Two strings only: a village keeps one per profile (about 300 bytes)."""

    words: str
    stems: str


def search_text(name: str, *parts: str) -> SearchText:
    """The searchable form of a person or listing: a name (matched only as typed, never
    through a synonym: « Paul Schreiner » is no « menuisier ») and what they do."""
    body = words(" ".join(part for part in parts if part))
    return SearchText(f" {' '.join(dict.fromkeys(words(name) + body))}",
                      f" {stems_of(body)} ")


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    """The shipped vocabulary, in file order."""
    raw = resources.files(__package__).joinpath("data/trades.toml").read_text("utf-8")
    return tuple(Concept(id=item["id"], kind=item["kind"], label=item["label"],
                         en=item.get("en", ""), terms=tuple(item["terms"]),
                         de=tuple(item.get("de", ())))
                 for item in tomllib.loads(raw)["concept"])


def find(concept_id: str) -> Concept | None:
    return next((c for c in concepts() if c.id == concept_id), None)


def _key(name_words: list[str]) -> tuple[str, ...]:
    """How a term is recognised: the stems of its folded words (accents or not, plural or
    not, « ébénistes » is « ebeniste »). The words come folded from :func:`words`, so the
    stem is taken straight from the cached stemmer (``query_stem`` would fold again)."""
    return tuple(map(_folded_key, name_words))


def _folded_key(word: str) -> str:
    root = _stem_folded(word)
    return root if len(root) >= MIN_STEM else word


def _synonym(name: str) -> Synonym:
    """A name as the stems its words must have in a text (small words left out)."""
    named = words(name)
    return tuple(stem(word) for word in [w for w in named if w not in STOP_WORDS] or named)


@lru_cache(maxsize=1)
def _lexicon() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Recognised term (stems of its words) → ids of the concepts it names."""
    found: dict[tuple[str, ...], list[str]] = {}
    for concept in concepts():
        for name in concept.names:
            ids = found.setdefault(_key(words(name)), [])
            if concept.id not in ids:
                ids.append(concept.id)
    return {key: tuple(ids) for key, ids in found.items()}


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[Synonym, ...]]:
    return {c.id: tuple(dict.fromkeys(_synonym(name) for name in c.names)) for c in concepts()}


def synonyms_of(concept_id: str) -> tuple[Synonym, ...]:
    """Every name of a concept as the stems a text must all have (empty for an unknown id):
    what a full-text index is asked when a text names the concept."""
    return _synonyms().get(concept_id, ())


def _covered(synonym: Synonym, typed: tuple[tuple[str, str], ...]) -> bool:
    """True when every text with this synonym already matches the typed words (each typed
    word or stem begins one of its stems): asking for it again would only cost time."""
    return all(any(root.startswith(prefix) for root in synonym for prefix in pair)
               for pair in typed)


@lru_cache(maxsize=4096)
def parse_query(query: str, max_words: int = 8) -> tuple[QueryTerm, ...]:
    """The terms of a search box: its first ``max_words`` words, vocabulary terms of up to
    :data:`MAX_TERM_WORDS` words recognised (longest first) and given their synonyms."""
    typed = words(query)[:max_words]
    lexicon = _lexicon()
    terms: list[QueryTerm] = []
    start = 0
    while start < len(typed):
        for size in range(min(MAX_TERM_WORDS, len(typed) - start), 0, -1):
            chunk = typed[start:start + size]
            ids = lexicon.get(_key(chunk), ())
            if ids or size == 1:
                break
        typed_term = tuple((word, query_stem(word)) for word in chunk)
        wanted = [s for s in dict.fromkeys(s for cid in ids for s in _synonyms()[cid])
                  if not _covered(s, typed_term)]
        # « agencement intérieur » asks nothing « agencement » does not already find.
        synonyms = tuple(s for s in wanted if not any(set(t) < set(s) for t in wanted))
        terms.append(QueryTerm(typed_term, synonyms, ids))
        start += size
    return tuple(terms)


def concepts_in(text: str) -> tuple[str, ...]:
    """Ids of the vocabulary concepts a free text names, in order of first mention
    (« Cherche un Schreiner pour une cuisine » → ``menuiserie``): how a listing's title and
    details are read into skills, and how matching reads a text it is given."""
    return concepts_in_words(words(text))


def concepts_in_words(folded: list[str]) -> tuple[str, ...]:
    """:func:`concepts_in` for words already folded by :func:`vocabulary.text.words`."""
    keys = _key(folded)  # each word stemmed once, then windows of up to 4 words
    lexicon = _lexicon()
    found: dict[str, None] = {}
    start = 0
    while start < len(keys):
        for size in range(min(MAX_TERM_WORDS, len(keys) - start), 0, -1):
            ids = lexicon.get(keys[start:start + size], ())
            if ids:
                found.update(dict.fromkeys(ids))
                start += size
                break
        else:
            start += 1
    return tuple(found)
