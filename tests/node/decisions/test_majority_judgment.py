"""Majority judgment (Balinski & Laraki) against worked examples, a literal reading of its
definition, and its promised properties (Hypothesis)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from node.services import majority_judgment as mj
from node.services.decision_results import compute

GRADES = 7
REJECT, INSUFFICIENT, PASSABLE, FAIR, GOOD, VERY_GOOD, EXCELLENT = range(7)


def counts(grades: list[int]) -> list[int]:
    found = Counter(grades)
    return [found.get(grade, 0) for grade in range(GRADES)]


def literal_majority_value(grades: list[int]) -> list[int]:
    """The definition word for word: sort, take the lower median, remove it, repeat."""
    remaining = sorted(grades)
    value = []
    while remaining:
        median = remaining[(len(remaining) - 1) // 2]
        value.append(median)
        remaining.remove(median)
    return value


def test_the_lower_median_is_the_majority_grade() -> None:
    # An even number of judges: the lower of the two middle grades (Balinski–Laraki 2007).
    assert mj.majority_grade(counts([GOOD, GOOD, FAIR, PASSABLE])) == FAIR
    assert mj.majority_grade(counts([EXCELLENT, GOOD, PASSABLE])) == GOOD
    assert mj.majority_grade(counts([])) is None


def test_worked_tie_break_from_the_reference_description() -> None:
    """The worked example of the English Wikipedia article « Majority judgment » (section
    on ties): X = (Good, Good, Fair, Poor) and Y = (Excellent, Fair, Fair, Fair) both have
    the majority grade Fair; removing one Fair from each leaves X at Good and Y at Fair,
    so X wins. (Poor is our « Passable », Fair our « Assez bien ».)"""
    x = counts([GOOD, GOOD, FAIR, PASSABLE])
    y = counts([EXCELLENT, FAIR, FAIR, FAIR])
    assert mj.majority_grade(x) == mj.majority_grade(y) == FAIR
    assert list(mj.majority_value(x))[:2] == [FAIR, GOOD]
    assert list(mj.majority_value(y))[:2] == [FAIR, FAIR]
    assert mj.compare(x, y) == 1
    assert mj.ranking({1: x, 2: y}) == [[1], [2]]
    # The « + / − » sign people read: X has more judges above Fair (2) than below (1).
    assert mj.gauge(x).sign == "+" and mj.gauge(y).sign == "+"


def test_a_majority_beats_an_intense_minority() -> None:
    """The point of the method: an option a majority finds good beats one a minority adores
    and the majority rejects (highest median, not highest average)."""
    loved_by_few = counts([EXCELLENT] * 4 + [REJECT] * 5)
    fine_for_most = counts([GOOD] * 5 + [PASSABLE] * 4)
    assert mj.compare(fine_for_most, loved_by_few) == 1


profiles = st.lists(st.integers(0, GRADES - 1), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(profiles)
def test_majority_value_follows_the_definition(grades: list[int]) -> None:
    assert list(mj.majority_value(counts(grades))) == literal_majority_value(grades)


@settings(max_examples=200, deadline=None)
@given(st.lists(profiles, min_size=2, max_size=5), st.randoms())
def test_the_result_does_not_depend_on_ballot_order(columns: list[list[int]],
                                                    rng: object) -> None:
    """Ballots are (grade for option 1, grade for option 2, ...); shuffled, same result."""
    voters = min(len(column) for column in columns)
    ballots = [tuple(column[i] for column in columns) for i in range(voters)]
    shuffled = list(ballots)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]

    def rank(cast: list[tuple[int, ...]]) -> list[tuple[int, int]]:
        tallies = {option: {grade: number for grade, number in
                            Counter(b[option] for b in cast).items()}
                   for option in range(len(columns))}
        results = compute("judgment", [(o, o, str(o)) for o in range(len(columns))],
                          tallies, len(cast))
        return [(row.option_id, row.rank) for row in results.options]

    assert rank(ballots) == rank(shuffled)


@settings(max_examples=300, deadline=None)
@given(st.lists(profiles, min_size=2, max_size=5), st.data())
def test_raising_a_grade_for_the_winner_never_makes_it_lose(columns: list[list[int]],
                                                            data: st.DataObject) -> None:
    tallies = {option: counts(column) for option, column in enumerate(columns)}
    winners = mj.ranking(tallies)[0]
    winner = data.draw(st.sampled_from(winners))
    lower = [grade for grade in columns[winner] if grade < GRADES - 1]
    if not lower:
        return
    raised_from = data.draw(st.sampled_from(lower))
    column = list(columns[winner])
    column[column.index(raised_from)] = data.draw(st.integers(raised_from + 1, GRADES - 1))
    tallies[winner] = counts(column)
    assert winner in mj.ranking(tallies)[0]


@settings(max_examples=1000, deadline=None)
@given(profiles, profiles)
def test_the_fast_comparison_agrees_with_walking_the_majority_values(a: list[int],
                                                                     b: list[int]) -> None:
    assert mj.compare(counts(a), counts(b)) == mj.compare_slowly(counts(a), counts(b))


@settings(max_examples=200, deadline=None)
@given(profiles, profiles)
def test_only_identical_profiles_tie(a: list[int], b: list[int]) -> None:
    assert (mj.compare(counts(a), counts(b)) == 0) == (sorted(a) == sorted(b))
    assert mj.compare(counts(a), counts(b)) == -mj.compare(counts(b), counts(a))
