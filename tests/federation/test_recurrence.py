"""How a shared series is expanded: Paris wall-clock rule, excluded and moved dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from federation.recurrence import SERIES_HORIZON, occurrences, series_starts

FIRST = "2026-01-06T17:30:00Z"  # a first Tuesday, 18:30 in Paris (winter time)
MONTHLY = "FREQ=MONTHLY;BYDAY=1TU"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_monthly_series_keeps_its_paris_time_across_summer_time() -> None:
    found = occurrences({"starts_at": FIRST, "ends_at": "2026-01-06T19:30:00Z",
                         "rrule": MONTHLY + ";COUNT=6"})
    assert [o.starts_at.strftime("%m-%d %H:%M") for o in found] == [
        "01-06 17:30", "02-03 17:30", "03-03 17:30", "04-07 16:30", "05-05 16:30",
        "06-02 16:30"]
    assert all(o.ends_at - o.starts_at == timedelta(hours=2) for o in found)


def test_excluded_dates_disappear_and_moved_dates_take_their_new_place() -> None:
    found = occurrences({
        "starts_at": FIRST, "ends_at": "2026-01-06T19:30:00Z", "rrule": MONTHLY + ";COUNT=4",
        "exdates": ["2026-02-03T17:30:00Z"],
        "moved": [{"from": "2026-03-03T17:30:00Z", "starts_at": "2026-03-10T17:00:00Z",
                   "ends_at": "2026-03-10T18:00:00Z"},
                  {"from": "2027-01-01T00:00:00Z", "starts_at": "2027-01-02T00:00:00Z"}]})
    assert [(o.starts_at, o.moved_from) for o in found] == [
        (_utc(FIRST), None),
        (_utc("2026-03-10T17:00:00Z"), _utc("2026-03-03T17:30:00Z")),
        (_utc("2026-04-07T16:30:00Z"), None)]
    assert found[1].ends_at == _utc("2026-03-10T18:00:00Z")


def test_an_open_series_stops_at_the_horizon_like_the_node() -> None:
    """The Pays and the village give the same dates: compared with the node's own code."""
    from node.services import calendar

    for rule in (MONTHLY, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", MONTHLY + ";UNTIL=20261231T225959Z"):
        starts = series_starts(rule, _utc(FIRST))
        assert starts == calendar.series_starts(rule, _utc(FIRST), _utc(FIRST),
                                                _utc(FIRST) + 2 * SERIES_HORIZON), rule
    starts = series_starts(MONTHLY, _utc(FIRST))
    assert starts[-1] <= _utc(FIRST) + SERIES_HORIZON < starts[-1] + timedelta(days=36)


def test_a_single_or_unreadable_rule_gives_the_first_date_only() -> None:
    assert [o.starts_at for o in occurrences({"starts_at": FIRST})] == [_utc(FIRST)]
    assert len(occurrences({"starts_at": FIRST, "rrule": "FREQ=SOMETIMES"})) == 1
    assert occurrences({"title": "sans date"}) == []
    assert series_starts("FREQ=WEEKLY", datetime(2026, 1, 6, tzinfo=UTC))[1] == datetime(
        2026, 1, 13, tzinfo=UTC)
