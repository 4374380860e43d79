"""Deadline rules and period arithmetic (docs/domain-reference.md §1, §2).

Expected dates come from docs/domain-reference.md's test-vector table and from hand-checked tables below; each
table row is also re-derived by an independent oracle (the ``holidays`` CN calendar with
``dateutil.relativedelta`` for months), never by the code under test.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta

import holidays
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.calendar import HolidayCalendar, default_calendar
from domain.deadlines import (
    DeadlineComputation,
    DeadlineError,
    RuleDataError,
    RuleNotConfigurable,
    UnknownRule,
    compute_deadline,
    default_rules,
    load_rules,
    parse_rule_overrides,
    read_packaged_rules,
    read_rule_overrides,
    warning_level,
)

CALENDAR = default_calendar()
RULES = default_rules()
LAST_COVERED = max(CALENDAR.covered_years)
UNCOVERED = LAST_COVERED + 1
ORACLE = holidays.China(categories=holidays.PUBLIC, years=range(2010, 2027))
D = date.fromisoformat

REQUIRED_IDS = (
    "N1 M1 M2 M3 M8 M9 P1 P2 P3 A1 A2 A3 A4 A5 A6 A7 A7P A8 A11 A12 A13 "
    "L1 L2 L3 L4 L5 L6 L6R L7 L7R L8 I1 I2 LA1 LA1A G1 G2 G3 H2 H3 H3D H3C H4 F1"
).split()
A0_IDS = ("A2", "A3", "A4", "A5", "A6", "A7", "A7P", "M7")
FORWARD_COMPUTABLE = tuple(r.id for r in RULES if r.counting == "after" and r.unit != "hours")


def oracle_is_working(d: date) -> bool:
    """The oracle inside its checked years; the weekends-only rule of docs/domain-reference.md §1.10 elsewhere."""
    if d.year in CALENDAR.covered_years and d.year <= 2026:
        return ORACLE.is_working_day(d)
    return d.weekday() < 5


def oracle_roll(d: date) -> date:
    while not oracle_is_working(d):
        d += timedelta(days=1)
    return d


def oracle_add_working(d: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        d += step
        while not oracle_is_working(d):
            d += step
    return d


def oracle_due(rule_id: str, start: date, extension: int = 0, suspended: int = 0) -> date:
    rule = RULES[rule_id]
    amount = rule.period + extension
    if rule.day_type == "working":
        return oracle_add_working(start, amount + suspended)
    shift = {"days": relativedelta(days=amount), "months": relativedelta(months=amount),
             "years": relativedelta(years=amount)}[rule.unit]
    return oracle_roll(start + shift + timedelta(days=suspended))


def table_with(**changes) -> dict:
    data = copy.deepcopy(read_packaged_rules())
    data.update(changes)
    return data


# --- docs/domain-reference.md §2 test vectors ----------------------------------------------------------------


def test_vector_a3_in_working_days_is_2024_10_10():
    assert compute_deadline("A3", D("2024-09-27"), CALENDAR).due_date == D("2024-10-10")


def test_vector_a3_in_calendar_days_rolls_to_2024_10_08():
    rules = load_rules(data=table_with(arbitration_short_periods_in_working_days=False))
    result = compute_deadline("A3", D("2024-09-27"), CALENDAR, rules=rules)
    assert (result.day_type, result.due_date) == ("calendar", D("2024-10-08"))


def test_vector_m1_counts_the_make_up_sunday():
    assert compute_deadline("M1", D("2024-09-27"), CALENDAR).due_date == D("2024-10-08")


@pytest.mark.parametrize("rule_id", ["A11", "A13"])
def test_vector_suit_against_award_ends_on_make_up_saturday_without_roll(rule_id):
    assert compute_deadline(rule_id, D("2025-09-26"), CALENDAR).due_date == D("2025-10-11")


def test_vector_m3_inside_spring_festival_rolls_to_2026_02_24():
    assert compute_deadline("M3", D("2026-02-01"), CALENDAR).due_date == D("2026-02-24")


def test_vector_a8_rolls_out_of_spring_festival():
    assert compute_deadline("A8", D("2026-01-05"), CALENDAR).due_date == D("2026-02-24")


def test_vector_a8_extension_adds_fifteen_days_to_the_period():
    result = compute_deadline("A8", D("2026-01-05"), CALENDAR, extension=15)
    assert (result.due_date, result.extension) == (D("2026-03-06"), 15)


def test_vector_a1_from_29_february_ends_28_february():
    assert compute_deadline("A1", D("2024-02-29"), CALENDAR).due_date == D("2025-02-28")


def test_vector_i2_sixty_working_days():
    assert compute_deadline("I2", D("2026-01-05"), CALENDAR).due_date == D("2026-04-03")


def test_vector_m8_rolls_out_of_national_day():
    assert compute_deadline("M8", D("2026-09-01"), CALENDAR).due_date == D("2026-10-08")


# --- boundary cases (hand-checked; the oracle re-derives each row below) ----------------------

BOUNDARY_CASES = [
    # Spring Festival
    ("M3", "2024-02-01", "2024-02-18", "ends in the 2024 break, rolls onto the 调休 Sunday"),
    ("L6R", "2026-02-06", "2026-02-24", "ends in the 2026 break"),
    ("A3", "2026-02-12", "2026-02-26", "working days skip the 2026 break, count the 调休 Saturday"),
    ("I1", "2025-01-24", "2025-02-07", "working days count the 调休 Sunday 2025-01-26"),
    ("M3", "2020-01-16", "2020-02-03", "the extended 2020 break"),
    # National Day
    ("A13", "2024-09-20", "2024-10-08", "ends on 10-05 in the break"),
    ("L6R", "2025-09-25", "2025-10-09", "the eight-day 2025 break"),
    ("A5", "2025-09-25", "2025-10-15", "ten working days across the 2025 break and both 调休 days"),
    ("G1", "2026-09-16", "2026-10-08", "ends on 10-01"),
    ("H4", "2026-09-30", "2026-10-09", "working days resume after the break"),
    # May Day
    ("L7R", "2025-04-01", "2025-05-06", "ends on 05-01"),
    ("P1", "2026-04-28", "2026-05-06", "ends on 05-03"),
    ("H3", "2024-04-26", "2024-05-07", "counts the 调休 Sunday 2024-04-28"),
    # make-up weekends and ordinary weekends
    ("L6R", "2024-10-02", "2024-10-12", "ends on a 调休 Saturday: no roll"),
    ("P1", "2026-02-23", "2026-02-28", "ends on a 调休 Saturday: no roll"),
    ("N1", "2025-01-21", "2025-01-26", "ends on a 调休 Sunday: no roll"),
    ("H2", "2026-02-13", "2026-02-14", "one working day lands on a 调休 Saturday"),
    ("L1", "2024-06-01", "2024-06-11", "ordinary Saturday then the Dragon Boat Monday"),
    ("L1", "2024-03-03", "2024-03-11", "ordinary Sunday"),
    # year ends
    ("A13", "2024-12-17", "2025-01-02", "ends on New Year's Day"),
    ("L9S", "2024-12-25", "2025-01-02", "ends on New Year's Day"),
    ("L6R", "2025-12-22", "2026-01-04", "rolls onto the 调休 Sunday after New Year 2026"),
    ("I1", "2025-12-29", "2026-01-06", "working days cross the year and count 2026-01-04"),
    ("A12", "2023-12-02", "2024-01-02", "ends on New Year's Day 2024"),
    ("M2", "2024-12-22", "2025-01-06", "crosses the year, ends on a Monday"),
    ("L3", "2025-06-30", "2025-12-30", "six months to a working Tuesday"),
    # 29 February
    ("L11", "2024-02-29", "2026-02-28", "two years from 29 February: 28 February, a 调休 Saturday"),
    ("L12", "2023-08-29", "2024-02-29", "six months onto 29 February"),
    ("L5", "2023-12-29", "2024-02-29", "two months onto 29 February"),
    ("L6", "2024-02-14", "2024-02-29", "fifteen days onto 29 February"),
    ("L3", "2024-08-31", "2025-02-28", "31 August + 6 months = last day of February"),
    ("W1W", "2023-10-01", "2024-10-08", "one year onto National Day"),
    ("A1", "2019-02-05", "2020-02-05", "one year just after the extended 2020 break"),
    # months without the corresponding day
    ("L4", "2024-11-30", "2025-02-28", "30 November + 3 months"),
    ("L7", "2025-03-31", "2025-06-30", "31 March + 3 months"),
    ("L12", "2025-03-31", "2025-09-30", "31 March + 6 months, the day before National Day"),
    ("L3", "2024-03-31", "2024-09-30", "31 March + 6 months"),
    ("L4", "2024-10-31", "2025-02-05", "31 October + 3 months = 31 January, in the Spring Festival break"),
    ("L5", "2025-12-31", "2026-02-28", "31 December + 2 months = 28 February, a 调休 Saturday"),
    ("L12", "2024-05-31", "2024-12-02", "30 November is a Saturday"),
]


@pytest.mark.parametrize(("rule_id", "start", "expected", "why"), BOUNDARY_CASES)
def test_boundary_due_date(rule_id, start, expected, why):
    assert compute_deadline(rule_id, D(start), CALENDAR).due_date == D(expected), why


@pytest.mark.parametrize(("rule_id", "start", "expected", "why"), BOUNDARY_CASES)
def test_boundary_table_agrees_with_the_oracle(rule_id, start, expected, why):
    assert oracle_due(rule_id, D(start)) == D(expected), why


def test_boundary_results_are_not_provisional():
    results = [compute_deadline(r, D(s), CALENDAR) for r, s, _, _ in BOUNDARY_CASES]
    assert [r.rule_id for r in results if r.provisional] == []


# --- extension and suspension -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "start", "extension", "suspended", "expected"),
    [
        ("A8", "2026-01-05", 0, 10, "2026-03-02"),
        ("A8", "2025-08-01", 15, 5, "2025-10-09"),
        ("L3", "2024-02-29", 6, 0, "2025-02-28"),
        ("I2", "2026-01-05", 30, 0, "2026-05-20"),
        ("M3", "2024-09-15", 0, 3, "2024-10-08"),
        ("I1", "2024-09-26", 0, 2, "2024-10-11"),
    ],
)
def test_extension_and_suspension_lengthen_the_period_before_the_single_roll_forward(
    rule_id, start, extension, suspended, expected
):
    result = compute_deadline(rule_id, D(start), CALENDAR, extension=extension, suspended_days=suspended)
    assert result.due_date == D(expected)
    assert oracle_due(rule_id, D(start), extension, suspended) == D(expected)


def test_roll_forward_applies_once_to_the_extended_day_not_to_the_original_one():
    # 2026-01-05 + 45 = 02-19 (in the break, would roll to 02-24); + 15 more = 03-06, a Friday.
    rolled_then_extended = compute_deadline("A8", D("2026-01-05"), CALENDAR).due_date + timedelta(days=15)
    assert compute_deadline("A8", D("2026-01-05"), CALENDAR, extension=15).due_date != rolled_then_extended


def test_extension_beyond_the_statutory_maximum_is_refused():
    with pytest.raises(DeadlineError, match="at most 15") as caught:
        compute_deadline("A8", D("2026-01-05"), CALENDAR, extension=16)
    assert caught.value.field == "extension"


def test_extension_of_a_rule_without_one_is_refused():
    with pytest.raises(DeadlineError, match="no extension"):
        compute_deadline("A13", D("2026-01-05"), CALENDAR, extension=1)


@pytest.mark.parametrize(("name", "value"), [("extension", -1), ("suspended_days", -3), ("suspended_days", True)])
def test_negative_or_non_integer_counts_are_refused(name, value):
    with pytest.raises(DeadlineError) as caught:
        compute_deadline("A8", D("2026-01-05"), CALENDAR, **{name: value})
    assert caught.value.field == name


# --- provisional ------------------------------------------------------------------------------


def test_period_running_into_an_uncovered_year_is_provisional():
    result = compute_deadline("M3", date(LAST_COVERED, 12, 20), CALENDAR)
    assert result.due_date.year == UNCOVERED
    assert result.provisional


def test_uncovered_year_rolls_forward_over_weekends_only():
    start = date(UNCOVERED, 3, 1)
    nominal = start + timedelta(days=15)
    expected = nominal
    while expected.weekday() >= 5:
        expected += timedelta(days=1)
    result = compute_deadline("M3", start, CALENDAR)
    assert (result.due_date, result.provisional) == (expected, True)


def test_working_days_into_an_uncovered_year_are_provisional_and_count_weekdays():
    start = date(LAST_COVERED, 12, 29)  # at most two working days left in the year
    result = compute_deadline("I1", start, CALENDAR)
    assert result.due_date.year == UNCOVERED and result.provisional
    assert result.due_date == oracle_add_working(start, 5)


def test_one_year_limit_ending_in_an_uncovered_year_is_provisional():
    assert compute_deadline("A1", date(LAST_COVERED, 3, 2), CALENDAR).provisional


def test_period_starting_in_an_uncovered_past_year_is_provisional_only_if_it_ends_there():
    first = min(CALENDAR.covered_years)
    assert compute_deadline("M3", date(first - 1, 12, 1), CALENDAR).provisional
    assert not compute_deadline("M3", date(first - 1, 12, 25), CALENDAR).provisional


def test_period_inside_covered_years_is_not_provisional():
    assert not compute_deadline("A8", date(LAST_COVERED, 1, 5), CALENDAR).provisional


def test_adding_the_uncovered_year_to_the_calendar_makes_the_result_final_with_a_new_version():
    from domain.calendar import YearSchedule

    extended = CALENDAR.with_years([YearSchedule(UNCOVERED, frozenset(), frozenset(), "https://www.gov.cn/n")])
    before = compute_deadline("M3", date(LAST_COVERED, 12, 20), CALENDAR)
    after = compute_deadline("M3", date(LAST_COVERED, 12, 20), extended)
    assert not after.provisional
    assert after.calendar_version != before.calendar_version


# --- A7: counted backwards from the hearing ---------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "hearing", "expected"),
    [
        ("A7", "2024-10-14", "2024-10-07"),  # W1..W5 = 10-12 (调休 Sat), 11, 10, 09, 08
        ("A7", "2025-06-16", "2025-06-08"),  # W1..W5 = 06-13 .. 06-09; the day before is a Sunday
        ("A7P", "2025-06-16", "2025-06-10"),  # W1..W3 = 06-13, 12, 11
        ("A7", "2026-02-26", "2026-02-11"),  # W1..W5 = 02-25, 24, 14 (调休 Sat), 13, 12
    ],
)
def test_hearing_notice_last_day_leaves_the_full_period_before_the_hearing(rule_id, hearing, expected):
    result = compute_deadline(rule_id, D(hearing), CALENDAR)
    assert (result.due_date, result.counting) == (D(expected), "before")


def test_hearing_notice_in_calendar_days_leaves_five_clear_days():
    rules = load_rules(data=table_with(arbitration_short_periods_in_working_days=False))
    assert compute_deadline("A7", D("2025-06-16"), CALENDAR, rules=rules).due_date == D("2025-06-10")


@settings(max_examples=200, deadline=None)
@given(
    hearing=st.dates(min_value=date(2010, 2, 1), max_value=date(2026, 12, 31)),
    rule_id=st.sampled_from(["A7", "A7P"]),
)
def test_hearing_notice_due_date_is_the_latest_day_with_the_full_period_in_between(hearing, rule_id):
    due = compute_deadline(rule_id, hearing, CALENDAR).due_date
    period = RULES[rule_id].period

    def counted_between(act: date) -> int:
        return sum(oracle_is_working(act + timedelta(days=i)) for i in range(1, (hearing - act).days))

    assert counted_between(due) >= period
    assert counted_between(due + timedelta(days=1)) < period


def test_suspension_does_not_apply_to_a_backward_period():
    with pytest.raises(DeadlineError, match="counts back"):
        compute_deadline("A7", D("2025-06-16"), CALENDAR, suspended_days=1)


# --- the table as data ------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", REQUIRED_IDS)
def test_required_rule_is_in_the_table_with_a_citation(rule_id):
    rule = RULES[rule_id]
    assert rule.source.strip() and rule.confidence in {"V", "S", "R", "P"} and rule.version >= 1


@pytest.mark.parametrize(
    ("rule_id", "period", "unit"),
    [("L6", 15, "days"), ("L6R", 10, "days"), ("L7", 3, "months"), ("L7R", 30, "days"), ("LA1", 7, "days"),
     ("LA1A", 3, "days"), ("H3", 5, "working_days"), ("H3D", 15, "working_days"), ("H3C", 30, "working_days"),
     ("A8", 45, "days"), ("A1", 1, "years"), ("I2", 60, "working_days")],
)
def test_rule_period_matches_the_reference_table(rule_id, period, unit):
    assert (RULES[rule_id].period, RULES[rule_id].unit) == (period, unit)


def test_arbitration_rows_take_their_day_type_from_the_a0_setting_in_the_data():
    rows = {row["id"]: row for row in read_packaged_rules()["rules"]}
    assert {rule_id: rows[rule_id]["day_type"] for rule_id in A0_IDS} == dict.fromkeys(A0_IDS, "A0")


def test_a0_setting_on_makes_short_arbitration_periods_working_days():
    assert {RULES[i].day_type for i in A0_IDS} == {"working"}
    assert RULES["A8"].day_type == "calendar"


def test_a0_setting_off_makes_every_arbitration_period_calendar_days():
    rules = load_rules(data=table_with(arbitration_short_periods_in_working_days=False))
    assert {rules[i].day_type for i in A0_IDS} == {"calendar"}


def test_a0_setting_is_flagged_unverified_with_a_citation():
    data = read_packaged_rules()
    assert data["arbitration_short_periods_in_working_days"] is True
    assert data["arbitration_short_periods"]["confidence"] == "R"
    assert "2017" in data["arbitration_short_periods"]["source"]
    assert RULES["A3"].unverified and RULES["A3"].day_type_basis == "A0"


def test_r_and_p_rows_are_unverified_and_v_rows_are_not():
    assert RULES["LA1"].unverified and RULES["H3"].unverified and RULES["M7"].unverified
    assert not RULES["A8"].unverified and not RULES["M3"].unverified


def test_policy_rows_and_the_petition_day_type_are_the_only_configurable_rows():
    configurable = {r.id for r in RULES if r.configurable}
    assert {r.id for r in RULES if r.confidence == "P"} <= configurable
    assert configurable - {r.id for r in RULES if r.confidence == "P"} == {"G1"}


def test_unknown_rule_names_the_id_and_how_to_list_valid_ids():
    with pytest.raises(UnknownRule, match="'Z99'.*deadlines rules") as caught:
        compute_deadline("Z99", D("2026-01-05"), CALENDAR)
    assert caught.value.rule_id == "Z99"


def test_hour_periods_are_listed_but_not_computed():
    assert RULES["L10"].unit == "hours"
    with pytest.raises(DeadlineError, match="hours"):
        compute_deadline("L10", D("2026-01-05"), CALENDAR)


def test_a_datetime_start_is_refused():
    with pytest.raises(DeadlineError, match="expected a date"):
        compute_deadline("A8", datetime(2026, 1, 5, 9, 0), CALENDAR)


def test_duplicate_rule_id_in_the_data_is_refused():
    data = table_with()
    data["rules"].append(dict(data["rules"][0]))
    with pytest.raises(RuleDataError, match="appears twice"):
        load_rules(data=data)


def test_row_with_working_day_unit_and_calendar_day_type_is_refused():
    data = table_with()
    row = next(r for r in data["rules"] if r["id"] == "I1")
    row["day_type"] = "calendar"
    with pytest.raises(RuleDataError, match="I1"):
        load_rules(data=data)


def test_row_without_a_source_is_refused():
    data = table_with()
    data["rules"][0]["source"] = ""
    with pytest.raises(RuleDataError, match="source"):
        load_rules(data=data)


# --- district overrides of [P] rows -----------------------------------------------------------


def test_override_changes_a_policy_row_and_marks_it_overridden():
    rules = load_rules({"H3": {"period": 3}})
    result = compute_deadline("H3", D("2024-04-26"), CALENDAR, rules=rules)
    assert result.due_date == oracle_add_working(D("2024-04-26"), 3)
    assert (result.period, result.overridden) == (3, True)


def test_override_can_switch_the_petition_row_to_working_days():
    rules = load_rules({"G1": {"day_type": "working", "unit": "working_days"}})
    assert compute_deadline("G1", D("2026-09-16"), CALENDAR, rules=rules).due_date == oracle_add_working(
        D("2026-09-16"), 15
    )


def test_override_of_a_statutory_row_is_refused():
    with pytest.raises(RuleNotConfigurable, match="A8"):
        load_rules({"A8": {"period": 60}})


def test_override_of_an_unknown_row_is_refused():
    with pytest.raises(UnknownRule):
        load_rules({"H9": {"period": 1}})


@pytest.mark.parametrize(
    "change",
    [{"period": 0}, {"unit": "weeks"}, {"day_type": "lunar"}, {"period": 2, "consequence": "x"},
     {"unit": "months", "day_type": "working"}],
)
def test_malformed_override_is_refused(change):
    with pytest.raises(RuleDataError):
        load_rules({"H3": change})


def test_overrides_file_is_read_and_its_comment_ignored(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"comment": "district policy 2026", "H2": {"period": 2}}), encoding="utf-8")
    assert read_rule_overrides(path) == {"H2": {"period": 2}}


def test_overrides_file_with_invalid_json_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text('{"H2": {"period": 2}\n', encoding="utf-8")
    with pytest.raises(RuleDataError, match="not valid JSON"):
        read_rule_overrides(path)


def test_overrides_document_must_map_ids_to_objects():
    with pytest.raises(RuleDataError, match="overrides.H2"):
        parse_rule_overrides({"H2": 3})


# --- the recorded value -----------------------------------------------------------------------


def test_computation_records_rule_and_calendar_versions():
    result = compute_deadline("A8", D("2026-01-05"), CALENDAR)
    assert (result.rule_version, result.calendar_version) == (RULES["A8"].version, CALENDAR.version)
    assert "第43条" in result.source and result.confidence == "V"


def test_record_is_json_shaped_with_iso_dates():
    record = compute_deadline("A8", D("2026-01-05"), CALENDAR, extension=15).to_record()
    assert json.loads(json.dumps(record)) == record
    assert (record["start"], record["due_date"]) == ("2026-01-05", "2026-03-06")


def test_record_round_trips():
    result = compute_deadline("A7", D("2024-10-14"), CALENDAR)
    assert DeadlineComputation.from_record(result.to_record()) == result


def test_record_missing_a_field_is_refused_naming_it():
    record = compute_deadline("A8", D("2026-01-05"), CALENDAR).to_record()
    del record["due_date"]
    with pytest.raises(DeadlineError, match="due_date"):
        DeadlineComputation.from_record(record)


def test_recorded_due_date_does_not_change_when_the_calendar_does():
    record = compute_deadline("M3", D("2026-02-01"), CALENDAR).to_record()
    other = HolidayCalendar(())
    assert compute_deadline("M3", D("2026-02-01"), other).due_date != D(record["due_date"])
    assert DeadlineComputation.from_record(record).due_date == D("2026-02-24")


# --- warning levels ---------------------------------------------------------------------------

TEN_DAYS = (D("2026-03-01"), D("2026-03-11"))


@pytest.mark.parametrize(
    ("today", "level"),
    [("2026-02-27", "GREEN"), ("2026-03-01", "GREEN"), ("2026-03-08", "GREEN"), ("2026-03-09", "YELLOW"),
     ("2026-03-11", "YELLOW"), ("2026-03-12", "RED")],
)
def test_warning_level_turns_yellow_at_eighty_percent_and_red_after_the_due_date(today, level):
    assert warning_level(TEN_DAYS, D(today)) == level


def test_warning_level_share_is_configurable():
    assert warning_level(TEN_DAYS, D("2026-03-06"), yellow_share=0.5) == "YELLOW"
    assert warning_level(TEN_DAYS, D("2026-03-06")) == "GREEN"


def test_warning_level_accepts_a_computation():
    result = compute_deadline("A8", D("2026-01-05"), CALENDAR)  # due 2026-02-24, 50 days
    assert warning_level(result, D("2026-02-13")) == "GREEN"
    assert warning_level(result, D("2026-02-14")) == "YELLOW"
    assert warning_level(result, D("2026-02-25")) == "RED"


def test_warning_level_of_a_backward_rule_needs_the_real_clock_start():
    result = compute_deadline("A7", D("2025-06-16"), CALENDAR)
    with pytest.raises(DeadlineError, match="counts back"):
        warning_level(result, D("2025-06-01"))
    assert warning_level((D("2025-06-01"), result.due_date), D("2025-06-09")) == "RED"


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_warning_level_refuses_a_share_outside_zero_to_one(share):
    with pytest.raises(DeadlineError, match="yellow_share"):
        warning_level(TEN_DAYS, D("2026-03-05"), yellow_share=share)


# --- properties ---------------------------------------------------------------------------------

any_start = st.dates(min_value=date(2004, 1, 1), max_value=date(UNCOVERED + 1, 12, 31))
oracle_start = st.dates(min_value=date(2010, 1, 1), max_value=date(2024, 12, 31))


@settings(max_examples=300, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=any_start)
def test_due_date_is_after_the_start(rule_id, start):
    assert compute_deadline(rule_id, start, CALENDAR).due_date > start


@settings(max_examples=300, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=any_start)
def test_due_date_is_a_working_day(rule_id, start):
    # Working-day results are working days by construction; calendar results by roll-forward.
    assert CALENDAR.is_workday(compute_deadline(rule_id, start, CALENDAR).due_date)


@settings(max_examples=300, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=any_start)
def test_calendar_day_result_is_never_an_official_rest_day_unless_provisional(rule_id, start):
    result = compute_deadline(rule_id, start, CALENDAR)
    assume(result.day_type == "calendar" and result.due_date.year <= 2026)
    assert result.provisional or ORACLE.is_working_day(result.due_date)


@settings(max_examples=300, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=oracle_start)
def test_due_date_matches_the_oracle(rule_id, start):
    result = compute_deadline(rule_id, start, CALENDAR)
    assume(result.due_date.year <= 2026)
    assert result.due_date == oracle_due(rule_id, start)


@settings(max_examples=200, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=any_start, gap=st.integers(min_value=1, max_value=40))
def test_a_later_start_never_gives_an_earlier_due_date(rule_id, start, gap):
    earlier = compute_deadline(rule_id, start, CALENDAR).due_date
    later = compute_deadline(rule_id, start + timedelta(days=gap), CALENDAR).due_date
    assert later >= earlier


@settings(max_examples=200, deadline=None)
@given(rule_id=st.sampled_from(FORWARD_COMPUTABLE), start=any_start)
def test_provisional_exactly_when_the_counted_span_reaches_an_uncovered_year(rule_id, start):
    result = compute_deadline(rule_id, start, CALENDAR)
    uncovered_due = result.due_date.year not in CALENDAR.covered_years
    if uncovered_due:
        assert result.provisional
    if not result.provisional:
        assert result.due_date.year in CALENDAR.covered_years


def test_rule_tables_are_values_usable_as_cache_keys():
    assert load_rules() == load_rules() and hash(load_rules()) == hash(load_rules())
    assert load_rules({"H3": {"period": 3}}) != load_rules()
