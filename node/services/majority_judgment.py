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


def compare_slowly(a: Sequence[int], b: Sequence[int]) -> int:
    """:func:`compare` by walking both majority values grade by grade (the reference)."""
    for grade_a, grade_b in zip_longest(majority_value(a), majority_value(b), fillvalue=-1):
        if grade_a != grade_b:
            return -1 if grade_a < grade_b else 1
    return 0


class _Value:
    """An option's majority value, read at any step without walking the ones before.

    Removing medians one at a time takes grades alternately from the two halves of the
    sorted grades: upwards from the median, and downwards below it. The i-th grade of the
    majority value is therefore a[m + k] or a[m - 1 - k] for a k computed from i and the
    parity of n (the number of grades), and it only changes where one of the halves crosses
    from one grade to the next: at most 14 places, whatever n."""

    def __init__(self, counts: Sequence[int]) -> None:
        self.ends = _positions(counts)
        self.n = self.ends[-1] if self.ends else 0
        self.median = (self.n - 1) // 2

    def _place(self, step: int) -> int:
        """Position in the sorted grades of the grade taken at ``step``."""
        odd, m = self.n % 2 == 1, self.median
        if step == 0 or (not odd and step == 1):
            return m + step
        if odd:
            return m + step // 2 if step % 2 == 0 else m - 1 - (step - 1) // 2
        return m - 1 - (step - 2) // 2 if step % 2 == 0 else m + (step + 1) // 2

    def at(self, step: int) -> int:
        """The grade at ``step`` (-1 past the end, so a longer equal prefix ranks higher)."""
        return _grade_at(self.ends, self._place(step)) if step < self.n else -1

    def changes(self) -> set[int]:
        """Steps where a half crosses into another grade (and the step after: the halves
        alternate, so a difference shows within two steps of a change)."""
        odd, m, found = self.n % 2 == 1, self.median, {0, 1, self.n}
        for end in self.ends[:-1]:
            if end > m:  # the upper half reaches a[end] after k = end - m steps up
                k = end - m
                step = 2 * k if odd else (k if k < 2 else 2 * k - 1)
            elif 0 < end <= m:  # the lower half reaches a[end - 1] after k = m - end
                k = m - end
                step = 2 * k + 1 if odd else 2 * k + 2
            else:
                continue
            found.update((step, step + 1))
        return found


def compare(a: Sequence[int], b: Sequence[int]) -> int:
    """-1, 0 or 1 as option ``a`` ranks below, level with or above option ``b``.

    Same answer as walking both majority values (:func:`compare_slowly`), in a few dozen
    steps instead of up to n: only the steps where one of them changes grade can differ."""
    value_a, value_b = _Value(a), _Value(b)
    for step in sorted(value_a.changes() | value_b.changes()):
        if step >= max(value_a.n, value_b.n):
            break
        grade_a, grade_b = value_a.at(step), value_b.at(step)
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
