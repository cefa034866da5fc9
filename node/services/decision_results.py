"""Results of a decision from counts: option id -> {value: how many}. Pure functions.

The counts come from one grouped query over the ballots (plus the tallies other villages
sent for a network decision), so computing results never walks individual ballots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from node.services import majority_judgment

Counts = Mapping[int, Mapping[int, int]]

#: Framadate's answers.
NO, IF_NEED_BE, YES = 0, 1, 2
#: Consent stances.
OBJECTION, ABSTENTION, CONSENT = 0, 1, 2
#: Majority-judgment grades, worst first (the French scale the issue names).
GRADES = 7


@dataclass
class OptionResult:
    option_id: int
    position: int
    label: str
    counts: dict[int, int] = field(default_factory=dict)
    score: int = 0  # yes answers, points, « +1 »
    second: int = 0  # dates: « si nécessaire »
    profile: list[int] = field(default_factory=list)  # judgment: count per grade 0..6
    gauge: majority_judgment.Gauge | None = None
    rank: int = 0  # 1 = best; equal ranks tie

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Results:
    kind: str
    options: list[OptionResult]
    participants: int
    best: list[int] = field(default_factory=list)  # option ids ranked first
    open_objections: int = 0

    def winner(self) -> OptionResult | None:
        by_id = {item.option_id: item for item in self.options}
        return by_id[self.best[0]] if len(self.best) == 1 else None

    def ranked(self) -> list[OptionResult]:
        return sorted(self.options, key=lambda item: (item.rank or 10**9, item.position))

    def summary(self) -> dict[str, Any]:
        """What the close stores and the API shows: JSON-ready."""
        return {"kind": self.kind, "participants": self.participants, "best": self.best,
                "open_objections": self.open_objections,
                "options": [{"id": item.option_id, "label": item.label, "rank": item.rank,
                             "score": item.score, "second": item.second,
                             "counts": {str(k): v for k, v in sorted(item.counts.items())},
                             "majority_grade": item.gauge.grade if item.gauge else None}
                            for item in self.ranked()]}


def _rank_by(options: list[OptionResult], key: Any) -> list[int]:
    """Dense ranks by ``key`` (higher first); the ids ranked first."""
    ordered = sorted(options, key=key, reverse=True)
    rank, previous = 0, None
    for index, item in enumerate(ordered):
        value = key(item)
        if value != previous:
            rank, previous = index + 1, value
        item.rank = rank
    return [item.option_id for item in ordered if item.rank == 1]


def compute(kind: str, options: Sequence[tuple[int, int, str]], counts: Counts,
            participants: int) -> Results:
    """Results for ``options`` given as (id, position, label), in their order."""
    rows = [OptionResult(option_id, position, label, dict(counts.get(option_id, {})))
            for option_id, position, label in options]
    results = Results(kind, rows, participants)
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(results)
    return results


def _dates(results: Results) -> None:
    """Framadate: the best slots have the most « oui »; « si nécessaire » is shown beside
    and only separates slots with as many « oui » (Framadate marks them all best)."""
    for item in results.options:
        item.score, item.second = item.counts.get(YES, 0), item.counts.get(IF_NEED_BE, 0)
    best = _rank_by(results.options, lambda item: item.score)
    results.best = best if any(item.score for item in results.options) else []


def preferred_slot(results: Results) -> int | None:
    """The slot to turn into a rencontre: most « oui », then most « si nécessaire », then
    the earliest (the lowest position: slots are listed in time order)."""
    candidates = [item for item in results.options if item.option_id in results.best]
    if not candidates:
        return None
    return min(candidates, key=lambda item: (-item.second, item.position)).option_id


def _judgment(results: Results) -> None:
    profiles: dict[int, list[int]] = {}
    for item in results.options:
        item.profile = [item.counts.get(grade, 0) for grade in range(GRADES)]
        item.gauge = majority_judgment.gauge(item.profile)
        profiles[item.option_id] = item.profile
    groups = majority_judgment.ranking(profiles)
    by_id = {item.option_id: item for item in results.options}
    rank = 1
    for group in groups:
        for option_id in group:
            by_id[option_id].rank = rank
        rank += len(group)
    results.best = groups[0] if groups and any(sum(p) for p in profiles.values()) else []


def _sums(results: Results) -> None:
    """Points and « +1 »: the sum of the values given."""
    for item in results.options:
        item.score = sum(value * number for value, number in item.counts.items())
    best = _rank_by(results.options, lambda item: item.score)
    results.best = best if any(item.score for item in results.options) else []


def _consent(results: Results) -> None:
    """The latest version only is answered; its objections are the open ones."""
    if not results.options:
        return
    current = results.options[-1]
    current.score = current.counts.get(CONSENT, 0)
    results.open_objections = current.counts.get(OBJECTION, 0)


HANDLERS = {"dates": _dates, "judgment": _judgment, "points": _sums, "question": _sums,
            "consent": _consent}
