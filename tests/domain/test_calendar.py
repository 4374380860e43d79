"""The working-day calendar, checked against the ``holidays`` package's CN calendar as an independent oracle.

The oracle is ``holidays.China`` with the PUBLIC category only (the HALF_DAY observances are not
rest days for everyone). Its data was checked against the State Council notices up to 2026
(docs/domain-reference.md §7); on 2004–2026 it agrees with chinese_calendar 1.11.0 on every day except
2005-12-31, so the exhaustive cross-check covers 2010–2026 as asked.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    CalendarDataError,
    HolidayCalendar,
    YearSchedule,
    default_calendar,
    package_calendar,
    parse_overrides,
    read_packaged_overrides,
)

ORACLE_YEARS = range(2010, 2027)
ORACLE = holidays.China(categories=holidays.PUBLIC, years=ORACLE_YEARS)
CALENDAR = default_calendar()
LAST_COVERED = max(CALENDAR.covered_years)
UNCOVERED = LAST_COVERED + 1

# Late enough for 60 working days to stay inside 2026, the oracle's last checked year.
oracle_dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 8, 31))


def oracle_nth_working_day(d: date, n: int) -> date:
    return ORACLE.get_nth_working_day(d, n)


def oracle_roll_forward(d: date) -> date:
    while not ORACLE.is_working_day(d):
        d += timedelta(days=1)
    return d


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", ORACLE_YEARS)
def test_calendar_agrees_with_the_holidays_oracle_on_every_day_of_the_year(year):
    disagreements = [d for d in days_of(year) if CALENDAR.is_workday(d) != ORACLE.is_working_day(d)]
    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2025, 10, 11), "调休 working Saturday after National Day 2025"),
        (date(2024, 9, 29), "调休 working Sunday before National Day 2024"),
        (date(2026, 2, 14), "调休 working Saturday before Spring Festival 2026"),
        (date(2026, 2, 28), "调休 working Saturday after Spring Festival 2026"),
        (date(2026, 1, 4), "调休 working Sunday after New Year 2026"),
    ],
)
def test_make_up_weekend_days_are_working_days(day, why):
    assert CALENDAR.is_workday(day), why
    assert not CALENDAR.is_rest_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 2, 16), "Spring Festival 2026, a Monday"),
        (date(2024, 10, 7), "National Day 2024, a Monday"),
        (date(2025, 5, 5), "May Day 2025, a Monday"),
        (date(2020, 1, 31), "Spring Festival 2020, extended break"),
        (date(2025, 1, 1), "New Year 2025, a Wednesday"),
        (date(2024, 6, 8), "an ordinary Saturday"),
    ],
)
def test_holiday_breaks_and_ordinary_weekends_are_rest_days(day, why):
    assert CALENDAR.is_rest_day(day), why
    assert not CALENDAR.is_workday(day), why


def test_covered_years_are_the_pinned_package_years_2004_to_2026():
    assert CALENDAR.covered_years >= frozenset(range(2004, 2027))
    assert 2003 not in CALENDAR.covered_years


def test_uncovered_year_uses_weekends_only():
    days = days_of(UNCOVERED)
    assert [d for d in days if CALENDAR.is_rest_day(d)] == [d for d in days if d.weekday() >= 5]


def test_covers_is_false_for_a_span_reaching_an_uncovered_year():
    assert CALENDAR.covers(date(LAST_COVERED, 1, 1), date(LAST_COVERED, 12, 31))
    assert not CALENDAR.covers(date(LAST_COVERED, 12, 31), date(UNCOVERED, 1, 1))
    assert not CALENDAR.covers(date(UNCOVERED, 1, 1), date(LAST_COVERED, 6, 1))


def test_version_is_a_short_hash_of_the_data():
    assert CALENDAR.version.startswith("cal-")
    assert len(CALENDAR.version) == len("cal-") + 12
    int(CALENDAR.version[4:], 16)


def test_version_is_stable_for_the_same_data():
    assert package_calendar().version == package_calendar().version


def test_version_changes_when_a_year_is_added():
    extended = CALENDAR.with_years(
        [YearSchedule(UNCOVERED, frozenset({date(UNCOVERED, 1, 1)}), frozenset(), "https://www.gov.cn/x")]
    )
    assert extended.version != CALENDAR.version
    assert UNCOVERED in extended.covered_years


def test_version_changes_when_one_day_of_a_year_changes():
    original = YearSchedule(2030, frozenset({date(2030, 1, 1)}), frozenset())
    moved = YearSchedule(2030, frozenset({date(2030, 1, 2)}), frozenset())
    assert HolidayCalendar((original,)).version != HolidayCalendar((moved,)).version


def test_version_ignores_the_order_of_the_years():
    a = YearSchedule(2030, frozenset({date(2030, 1, 1)}), frozenset())
    b = YearSchedule(2031, frozenset({date(2031, 1, 1)}), frozenset())
    assert HolidayCalendar((a, b)).version == HolidayCalendar((b, a)).version


def test_packaged_overrides_start_empty_with_an_explanation():
    document = read_packaged_overrides()
    assert document["years"] == {}
    assert "State Council" in document["comment"]
    assert default_calendar().version == package_calendar().version


def test_an_override_year_replaces_the_package_year():
    schedule = parse_overrides(
        {"years": {"2024": {"rest_days": ["2024-03-04"], "workdays": [], "source": "https://example.gov.cn/n"}}}
    )
    corrected = CALENDAR.with_years(schedule)
    assert corrected.is_rest_day(date(2024, 3, 4))
    assert corrected.is_workday(date(2024, 10, 1))
    assert corrected.source_of(2024) == "https://example.gov.cn/n"


def test_an_override_year_extends_coverage():
    schedule = parse_overrides(
        {
            "years": {
                str(UNCOVERED): {
                    "rest_days": [f"{UNCOVERED}-01-01"],
                    "workdays": [],
                    "source": "https://www.gov.cn/zhengce/content/notice.htm",
                }
            }
        }
    )
    extended = CALENDAR.with_years(schedule)
    assert extended.covers(date(LAST_COVERED, 12, 31), date(UNCOVERED, 1, 1))
    assert extended.is_rest_day(date(UNCOVERED, 1, 1))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rest_days": ["2030-01-01"], "workdays": []}, "2030.source"),
        ({"rest_days": ["2030-02-30"], "workdays": [], "source": "u"}, "2030.rest_days"),
        ({"rest_days": ["2031-01-01"], "workdays": [], "source": "u"}, "is not in 2030"),
        ({"rest_days": [], "workdays": ["2030-01-02"], "source": "u"}, "is a weekday"),
        ({"rest_days": ["2030-01-05"], "workdays": ["2030-01-05"], "source": "u"}, "both"),
        ({"rest_days": "2030-01-01", "workdays": [], "source": "u"}, "expected a list"),
    ],
)
def test_malformed_override_year_is_refused_naming_the_field(entry, message):
    with pytest.raises(CalendarDataError, match=message):
        parse_overrides({"years": {"2030": entry}})


def test_override_document_without_years_is_refused():
    with pytest.raises(CalendarDataError, match="years"):
        parse_overrides({"comment": "nothing"})


def test_add_zero_working_days_is_the_same_day():
    assert CALENDAR.add_working_days(date(2024, 10, 5), 0) == date(2024, 10, 5)


def test_add_working_days_counts_make_up_sunday():
    # 2024-09-27 (Fri): 09-29 (调休 Sun) is the 1st working day, 09-30 the 2nd, then 10-08.
    assert CALENDAR.add_working_days(date(2024, 9, 27), 3) == date(2024, 10, 8)


def test_add_negative_working_days_counts_backwards():
    assert CALENDAR.add_working_days(date(2024, 10, 14), -1) == date(2024, 10, 12)
    assert CALENDAR.add_working_days(date(2024, 10, 8), -2) == date(2024, 9, 29)


def test_roll_forward_keeps_a_working_day():
    assert CALENDAR.roll_forward(date(2025, 10, 11)) == date(2025, 10, 11)


def test_roll_forward_leaves_a_holiday_break():
    assert CALENDAR.roll_forward(date(2026, 2, 16)) == date(2026, 2, 24)


def test_add_working_days_over_ten_years_matches_the_oracle():
    assert CALENDAR.add_working_days(date(2010, 1, 4), 2500) == oracle_nth_working_day(date(2010, 1, 4), 2500)


@settings(max_examples=300, deadline=None)
@given(day=oracle_dates, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_matches_the_oracle(day, n):
    assert CALENDAR.add_working_days(day, n) == oracle_nth_working_day(day, n)


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=date(2010, 3, 1), max_value=date(2026, 12, 31)), n=st.integers(min_value=1, max_value=30))
def test_add_negative_working_days_matches_the_oracle(day, n):
    assert CALENDAR.add_working_days(day, -n) == oracle_nth_working_day(day, -n)


@settings(max_examples=300, deadline=None)
@given(day=oracle_dates, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day(day, n):
    assert CALENDAR.is_workday(CALENDAR.add_working_days(day, n))


@settings(max_examples=300, deadline=None)
@given(day=oracle_dates)
def test_roll_forward_matches_the_oracle(day):
    assert CALENDAR.roll_forward(day) == oracle_roll_forward(day)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(UNCOVERED + 3, 12, 31)))
def test_roll_forward_never_returns_a_rest_day_and_never_moves_back(day):
    rolled = CALENDAR.roll_forward(day)
    assert rolled >= day
    assert CALENDAR.is_workday(rolled)
