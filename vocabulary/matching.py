"""How well an offer (or a member) answers a need, as a score people can read.

The score adds four parts, each shown as a reason when it counts:

* **skills and trade in common** — the vocabulary concepts both sides name (declared skills,
  and every trade or skill their texts name, synonyms, German and Alsatian names and
  one-letter misspellings included): « compétence : comptabilité »;
* **text relevance** — the share of the need's meaningful word stems the other side also
  has: « mots communs : bois, cuisine »;
* **distance** — full marks in the same commune, half at the need's radius, nothing at
  twice the radius: « 8 km »;
* **freshness** — a listing or profile updated this week counts a little more than one left
  for two months: « mis à jour il y a 3 jours ».

Plain data in, plain data out: the caller hands in only what the viewer may see of the other
side (and the distance between communes the viewer may see), so a reason can never name a
hidden field. The node (its village and the network copy) and the Pays directory use the
same function; ``tests/vocabulary/test_matching_table.py`` holds the labelled table and the
score each method reaches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from vocabulary import concepts, concepts_in_words
from vocabulary.text import _stem_folded, words

#: Words too common in listings to say anything about what is sought or offered.
STOP_WORDS = frozenset("""
a afin ai au aux avec besoin bonjour c ca ce ces cherche chercher cherchons chez coup d dans
de des du e elle en est et etre faire fait il j je l la le les leur lui m ma main mais me mes
mon n ne nous on ou par pas petit petite peu plus pour propose proposer propos qu que qui
quelqu quelque quelques recherche recherchons s sa se ses son sur t ta te tes ton tous tout
toute tres un une vos votre vous y aide aider offre service services merci urgent bien
""".split())
#: Shortest word a misspelling is looked for (shorter words have too many neighbours).
FUZZY_MIN = 5


@dataclass(frozen=True)
class Method:
    """Which evidence a score uses: the ranking table compares these."""

    name: str
    stems: bool = True  # compare Snowball stems (else folded words as typed)
    concepts: bool = True  # skills and trades of the vocabulary, synonyms included
    fuzzy: bool = True  # vocabulary names misspelt by one letter
    place: bool = True  # distance and freshness


WORDS_ONLY = Method("mots", stems=False, concepts=False, fuzzy=False, place=False)
STEMS_ONLY = Method("racines", concepts=False, fuzzy=False, place=False)
VOCABULARY = Method("vocabulaire", fuzzy=False, place=False)
TOLERANT = Method("vocabulaire + fautes", place=False)
FULL = Method("complet")
METHODS = (WORDS_ONLY, STEMS_ONLY, VOCABULARY, TOLERANT, FULL)

SKILL_FIRST = 50.0  # the first concept in common
SKILL_MORE = 10.0  # each further one
SKILL_MAX = 70.0
TEXT_MAX = 20.0
PLACE_MAX = 15.0
FRESH_MAX = 5.0
FRESH_DAYS = 60.0
#: Below this a candidate is not worth showing.
THRESHOLD = 15.0


@dataclass(frozen=True)
class Side:
    """What one side says, prepared once: its concepts and its meaningful stems (or words)."""

    concepts: frozenset[str]
    terms: frozenset[str]
    shown: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Reason:
    """One reason of a score, as data; the page words it in the reader's language.

    ``kind`` is ``skill`` (value: concept id), ``words`` (value: the words, comma-separated),
    ``distance`` (value: km, rounded) or ``fresh`` (value: days since the last update)."""

    kind: str
    value: str


@dataclass(frozen=True)
class Score:
    total: float
    parts: dict[str, float]
    reasons: tuple[Reason, ...]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=1)
def _near_index() -> dict[str, frozenset[str]]:
    """One-deletion neighbourhood of every one-word name of the vocabulary (the SymSpell
    idea): two words within one edit (a letter missing, added, changed or two swapped)
    share an entry, found by a few dictionary look-ups instead of a scan."""
    near: dict[str, set[str]] = {}
    for concept in concepts():
        for name in concept.names:
            named = words(name)
            if len(named) != 1 or len(named[0]) < FUZZY_MIN:
                continue
            for entry in {named[0], *_deletes(named[0])}:
                near.setdefault(entry, set()).add(concept.id)
    return {entry: frozenset(ids) for entry, ids in near.items()}


@lru_cache(maxsize=65536)
def _near_concepts(word: str) -> frozenset[str]:
    if len(word) < FUZZY_MIN:
        return frozenset()
    near = _near_index()
    found: set[str] = set()
    for entry in {word, *_deletes(word)}:
        found |= near.get(entry, frozenset())
    return frozenset(found)


def named_concepts(text: str, fuzzy: bool = True) -> tuple[str, ...]:
    """The concepts a text names; with ``fuzzy``, also those a word misspelt by one letter
    names (« menusier », « comptabilitée »), for words the vocabulary does not know."""
    return _named(words(text), fuzzy)


def _named(folded: list[str], fuzzy: bool) -> tuple[str, ...]:
    found = dict.fromkeys(concepts_in_words(folded))
    if fuzzy:
        spelt = _name_words()
        for word in folded:
            if word not in STOP_WORDS and word not in spelt:
                found.update(dict.fromkeys(sorted(_near_concepts(word))))
    return tuple(found)


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    """Every folded word of every name of the vocabulary: a word spelt as in a name is no
    misspelling (« chauffage » of « bois de chauffage » is not read as plumbing)."""
    return frozenset(w for concept in concepts() for name in concept.names for w in words(name))


@lru_cache(maxsize=4096)
def prepare(text: str, skills: tuple[str, ...] = (), method: Method = FULL) -> Side:
    """A need, an offer or a member's visible profile ready to be compared: ``text`` is what
    the viewer may read of it (title and details; trade, skills and bio), ``skills`` the
    vocabulary ids it declares. Cached: the same profiles answer many needs (the Pays scores
    a hundred candidates per need; a few thousand sides are a few MB)."""
    shown: dict[str, str] = {}
    terms: set[str] = set()
    folded = words(text)
    for word in folded:
        if word in STOP_WORDS or len(word) < 3 or word.isdigit():
            continue
        term = _stem_folded(word) if method.stems else word
        terms.add(term)
        shown.setdefault(term, word)
    found: frozenset[str] = frozenset()
    if method.concepts:
        found = frozenset(skills) | frozenset(_named(folded, method.fuzzy))
    return Side(found, frozenset(terms), shown)


def score(need: Side, other: Side, *, distance_km: float | None = None,
          radius_km: float = 20.0, age_days: float | None = None,
          method: Method = FULL) -> Score:
    """How well ``other`` answers ``need`` (or the other way: the score is symmetric but
    for the text part, which is measured against the first side)."""
    parts: dict[str, float] = {}
    reasons: list[Reason] = []
    common = sorted(need.concepts & other.concepts)
    if common:
        parts["skills"] = min(SKILL_MAX, SKILL_FIRST + SKILL_MORE * (len(common) - 1))
        reasons += [Reason("skill", concept_id) for concept_id in common]
    shared = need.terms & other.terms
    if shared and need.terms:
        parts["text"] = TEXT_MAX * len(shared) / len(need.terms)
        reasons.append(Reason("words", ", ".join(
            sorted(need.shown.get(term, term) for term in shared)[:4])))
    if not parts:  # nothing in common: place and time alone never make a match
        return Score(0.0, {}, ())
    if method.place and distance_km is not None:
        reach = max(radius_km, 1.0)
        parts["distance"] = PLACE_MAX * max(0.0, 1.0 - distance_km / (2.0 * reach))
        reasons.append(Reason("distance", str(round(distance_km))))
    if method.place and age_days is not None:
        parts["fresh"] = FRESH_MAX * max(0.0, 1.0 - age_days / FRESH_DAYS)
        reasons.append(Reason("fresh", str(max(0, int(age_days)))))
    return Score(round(sum(parts.values()), 1), parts, tuple(reasons))
