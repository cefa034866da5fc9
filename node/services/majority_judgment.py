"""Majority judgment (Balinski & Laraki, PNAS 2007; *Majority Judgment*, MIT Press 2011).

Each voter grades every option; an option's **majority grade** is the lower median of its
grades. Options are ranked by their **majority value**: the majority grade, then the
majority grade of what is left once one median grade is removed, and so on; the first
difference decides (the "standard" tie-breaking of the book). Two options tie only when
their grade distributions (merit profiles) are identical.

Everything works on counts per grade, never on individual ballots, so the result cannot
depend on the order ballots were cast in and costs the same for ten answers or ten
thousand. Grades are integers, 0 the worst.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from itertools import accumulate, zip_longest


def _positions(counts: Sequence[int]) -> list[int]:
    """Cumulative counts: grade g occupies sorted positions [ends[g-1], ends[g])."""
    return list(accumulate(counts))


def _grade_at(ends: list[int], position: int) -> int:
    """The grade at a 0-based position of the ascending list of all grades."""
    return bisect_right(ends, position)


def majority_grade(counts: Sequence[int]) -> int | None:
    """The lower median grade (None when nobody graded)."""
    total = sum(counts)
    if total == 0:
        return None
    return _grade_at(_positions(counts), (total - 1) // 2)


def majority_value(counts: Sequence[int]) -> Iterator[int]:
    """The successive majority grades as median grades are removed one at a time.

    The removed grades always form one contiguous block [low, high) of the sorted list, so
    each step takes the grade just below or just above that block."""
    ends = _positions(counts)
    total = ends[-1] if ends else 0
    if total == 0:
        return
    low = high = (total - 1) // 2
    remaining = total
    while remaining:
        position = (remaining - 1) // 2
        if position < low:
            low -= 1
            yield _grade_at(ends, low)
        else:
            yield _grade_at(ends, high)
            high += 1
        remaining -= 1


def compare(a: Sequence[int], b: Sequence[int]) -> int:
    """-1, 0 or 1 as option ``a`` ranks below, level with or above option ``b``."""
    for grade_a, grade_b in zip_longest(majority_value(a), majority_value(b), fillvalue=-1):
        if grade_a != grade_b:
            return -1 if grade_a < grade_b else 1
    return 0


@dataclass(frozen=True)
class Gauge:
    """What people read beside an option: its majority grade, and whether the voters above
    that grade outnumber those below (« + ») or not (« − »)."""

    grade: int | None
    above: int
    below: int

    @property
    def sign(self) -> str:
        return "+" if self.above > self.below else "−"


def gauge(counts: Sequence[int]) -> Gauge:
    grade = majority_grade(counts)
    if grade is None:
        return Gauge(None, 0, 0)
    return Gauge(grade, sum(counts[grade + 1:]), sum(counts[:grade]))


def ranking(profiles: Mapping[int, Sequence[int]]) -> list[list[int]]:
    """Option ids best first, grouped where they tie (identical merit profiles)."""
    def better_first(x: int, y: int) -> int:
        return compare(profiles[y], profiles[x])

    ordered = sorted(profiles, key=cmp_to_key(better_first))
    groups: list[list[int]] = []
    for option in ordered:
        if groups and compare(profiles[groups[-1][0]], profiles[option]) == 0:
            groups[-1].append(option)
        else:
            groups.append([option])
    return groups
