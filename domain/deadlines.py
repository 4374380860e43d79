"""The statutory deadline rules (data in ``domain/data/deadline_rules.json``) and period arithmetic.

Counting follows docs/domain-reference.md §1: the start day is excluded (CPL art. 85); calendar-day, month and
year periods ending on a rest day roll forward to the next working day (CPL art. 85 para 3);
working-day periods count N working days after the start; months keep the day of the month or
take the month's last day (Civil Code art. 202). A deadline is computed once, when its clock
starts, and recorded with the rule version and the calendar version (docs/domain-reference.md §1.9).

Pure: no clock, no environment. The only I/O is reading the packaged rule table at load and
:func:`read_rule_overrides`, which the application layer calls with a path it chose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from domain.calendar import HolidayCalendar

DATA_DIR = Path(__file__).resolve().parent / "data"
RULES_RESOURCE = "deadline_rules.json"
OWNERS = frozenset({"UNION", "JUSTICE", "HR", "COURT", "PETITION", "PARTY"})
UNITS = frozenset({"days", "working_days", "months", "years", "hours"})
DAY_TYPES = frozenset({"calendar", "working"})
COUNTINGS = frozenset({"after", "before"})
CONFIDENCES = frozenset({"V", "S", "R", "P"})
UNVERIFIED = frozenset({"R", "P"})
A0_DAY_TYPE = "A0"
LIST_RULES_HINT = "see `dispute-engine deadlines rules` or RuleTable.ids() for the valid ids"

WarningLevel = Literal["GREEN", "YELLOW", "RED"]


class DeadlineError(ValueError):
    """A deadline cannot be computed as asked; ``field`` names the wrong input when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


class UnknownRule(DeadlineError, LookupError):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"unknown rule {rule_id!r}; {LIST_RULES_HINT}", field="rule_id")
        self.rule_id = rule_id


class RuleNotConfigurable(DeadlineError):
    def __init__(self, rule_id: str) -> None:
        super().__init__(
            f"rule {rule_id!r} is statutory and cannot be overridden; only [P] policy rows are configurable"
        )
        self.rule_id = rule_id


class RuleDataError(DeadlineError):
    """The rule table or an override document is malformed; the message names the field."""


@dataclass(frozen=True)
class Extension:
    """How far a period may be extended, in the rule's own unit, and who approves; ``max`` None = no statutory cap."""

    max: int | None
    approver: str


@dataclass(frozen=True)
class Rule:
    id: str
    step: str
    step_zh: str
    owner: str
    period: int
    unit: str
    day_type: str
    counting: str
    clock_starts: str
    consequence: str
    source: str
    confidence: str
    version: int
    extension: Extension | None = None
    configurable: bool = False
    note: str = ""
    day_type_basis: str = ""
    day_type_confidence: str = ""
    overridden: bool = False

    @property
    def unverified(self) -> bool:
        """[R] and [P] rows, and rows whose day type comes from an [R]/[P] setting, need checking before go-live."""
        return self.confidence in UNVERIFIED or self.day_type_confidence in UNVERIFIED

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "step": self.step,
            "step_zh": self.step_zh,
            "owner": self.owner,
            "period": self.period,
            "unit": self.unit,
            "day_type": self.day_type,
            "day_type_basis": self.day_type_basis or None,
            "counting": self.counting,
            "clock_starts": self.clock_starts,
            "consequence": self.consequence,
            "source": self.source,
            "confidence": self.confidence,
            "unverified": self.unverified,
            "version": self.version,
            "extension": (
                None
                if self.extension is None
                else {"max": self.extension.max, "approver": self.extension.approver}
            ),
            "configurable": self.configurable,
            "overridden": self.overridden,
            "note": self.note or None,
        }


@dataclass(frozen=True)
class RuleTable:
    """The loaded rule table: rows by id plus the A0 setting that decided the arbitration day types."""

    rules: Mapping[str, Rule]
    table_version: int
    arbitration_short_periods_in_working_days: bool
    a0_source: str
    a0_confidence: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def __hash__(self) -> int:
        return hash((tuple(self.rules.values()), self.table_version, self.arbitration_short_periods_in_working_days))

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise UnknownRule(rule_id) from None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def ids(self) -> tuple[str, ...]:
        return tuple(self.rules)


@dataclass(frozen=True)
class DeadlineComputation:
    """One computed deadline, as recorded in a ``DeadlineComputed`` event."""

    rule_id: str
    rule_version: int
    calendar_version: str
    start: date
    due_date: date
    day_type: str
    unit: str
    period: int
    provisional: bool
    source: str
    confidence: str
    extension: int = 0
    suspended_days: int = 0
    counting: str = "after"
    overridden: bool = False

    def to_record(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "calendar_version": self.calendar_version,
            "start": self.start.isoformat(),
            "due_date": self.due_date.isoformat(),
            "day_type": self.day_type,
            "unit": self.unit,
            "period": self.period,
            "provisional": self.provisional,
            "source": self.source,
            "confidence": self.confidence,
            "extension": self.extension,
            "suspended_days": self.suspended_days,
            "counting": self.counting,
            "overridden": self.overridden,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> DeadlineComputation:
        try:
            return cls(
                rule_id=str(record["rule_id"]),
                rule_version=int(record["rule_version"]),
                calendar_version=str(record["calendar_version"]),
                start=_iso_date(record["start"], "start"),
                due_date=_iso_date(record["due_date"], "due_date"),
                day_type=str(record["day_type"]),
                unit=str(record["unit"]),
                period=int(record["period"]),
                provisional=bool(record["provisional"]),
                source=str(record["source"]),
                confidence=str(record["confidence"]),
                extension=int(record.get("extension", 0)),
                suspended_days=int(record.get("suspended_days", 0)),
                counting=str(record.get("counting", "after")),
                overridden=bool(record.get("overridden", False)),
            )
        except KeyError as missing:
            raise DeadlineError(f"deadline record: {missing.args[0]} is missing") from None


def _iso_date(raw: Any, name: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise DeadlineError(f"expected YYYY-MM-DD, got {raw!r}", field=name) from None


# --- loading the table ---------------------------------------------------------------------


def read_packaged_rules() -> Mapping[str, Any]:
    text = (DATA_DIR / RULES_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def load_rules(
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    data: Mapping[str, Any] | None = None,
) -> RuleTable:
    """Build the rule table from ``data`` (default: the packaged JSON) and per-district ``overrides``.

    ``overrides`` maps a configurable ([P]) rule id to any of ``period``, ``unit``, ``day_type``.
    """
    document = read_packaged_rules() if data is None else data
    a0_on = document.get("arbitration_short_periods_in_working_days")
    if not isinstance(a0_on, bool):
        raise RuleDataError("arbitration_short_periods_in_working_days: expected true or false")
    a0 = _mapping(document.get("arbitration_short_periods"), "arbitration_short_periods")
    short_periods = frozenset(_int_list(a0.get("working_day_periods"), "arbitration_short_periods.working_day_periods"))
    a0_confidence = _choice(a0.get("confidence"), CONFIDENCES, "arbitration_short_periods.confidence")
    a0_source = _text(a0.get("source"), "arbitration_short_periods.source")

    rules: dict[str, Rule] = {}
    rows = document.get("rules")
    if not isinstance(rows, list):
        raise RuleDataError("rules: expected a list of rows")
    for index, row in enumerate(rows):
        rule = _parse_rule(_mapping(row, f"rules[{index}]"), index)
        if rule.id in rules:
            raise RuleDataError(f"rules[{index}].id: {rule.id!r} appears twice")
        if rule.day_type == A0_DAY_TYPE:
            rule = _resolve_a0(rule, a0_on, short_periods, a0_confidence)
        rules[rule.id] = rule
    for rule_id, change in (overrides or {}).items():
        rules[rule_id] = _apply_override(rules, rule_id, change)
    for rule in rules.values():
        _check_shape(rule)
    return RuleTable(
        rules=rules,
        table_version=int(document.get("table_version", 1)),
        arbitration_short_periods_in_working_days=a0_on,
        a0_source=a0_source,
        a0_confidence=a0_confidence,
    )


@lru_cache(maxsize=1)
def default_rules() -> RuleTable:
    """The packaged table without district overrides; built once."""
    return load_rules()


def _resolve_a0(rule: Rule, a0_on: bool, short_periods: frozenset[int], confidence: str) -> Rule:
    """A0: arbitration 3/5/10-day periods count working days, 15/45-day ones calendar days (2017 rules, 附则)."""
    working = a0_on and rule.period in short_periods
    return replace(
        rule,
        day_type="working" if working else "calendar",
        day_type_basis="A0",
        day_type_confidence=confidence,
    )


def _parse_rule(row: Mapping[str, Any], index: int) -> Rule:
    where = f"rules[{index}]"
    rule_id = _text(row.get("id"), f"{where}.id")
    where = f"rules[{index}] ({rule_id})"
    extension = row.get("extension")
    return Rule(
        id=rule_id,
        step=_text(row.get("step"), f"{where}.step"),
        step_zh=_text(row.get("step_zh"), f"{where}.step_zh"),
        owner=_choice(row.get("owner"), OWNERS, f"{where}.owner"),
        period=_positive(row.get("period"), f"{where}.period"),
        unit=_choice(row.get("unit"), UNITS, f"{where}.unit"),
        day_type=_choice(row.get("day_type"), DAY_TYPES | {A0_DAY_TYPE}, f"{where}.day_type"),
        counting=_choice(row.get("counting", "after"), COUNTINGS, f"{where}.counting"),
        clock_starts=_text(row.get("clock_starts"), f"{where}.clock_starts"),
        consequence=_text(row.get("consequence"), f"{where}.consequence"),
        source=_text(row.get("source"), f"{where}.source"),
        confidence=_choice(row.get("confidence"), CONFIDENCES, f"{where}.confidence"),
        version=_positive(row.get("version"), f"{where}.version"),
        extension=None if extension is None else _parse_extension(extension, f"{where}.extension"),
        configurable=_flag(row.get("configurable", False), f"{where}.configurable"),
        note=str(row.get("note") or ""),
    )


def _parse_extension(raw: Any, where: str) -> Extension:
    spec = _mapping(raw, where)
    cap = spec.get("max")
    return Extension(
        max=None if cap is None else _positive(cap, f"{where}.max"),
        approver=_text(spec.get("approver"), f"{where}.approver"),
    )


def _apply_override(rules: Mapping[str, Rule], rule_id: str, change: Mapping[str, Any]) -> Rule:
    if rule_id not in rules:
        raise UnknownRule(rule_id)
    rule = rules[rule_id]
    if not rule.configurable:
        raise RuleNotConfigurable(rule_id)
    spec = _mapping(change, f"overrides.{rule_id}")
    unknown = sorted(set(spec) - {"period", "unit", "day_type"})
    if unknown:
        raise RuleDataError(f"overrides.{rule_id}.{unknown[0]}: only period, unit and day_type can be overridden")
    changed = rule if "day_type" not in spec else replace(rule, day_type_basis="", day_type_confidence="")
    return replace(
        changed,
        period=_positive(spec.get("period", rule.period), f"overrides.{rule_id}.period"),
        unit=_choice(spec.get("unit", rule.unit), UNITS, f"overrides.{rule_id}.unit"),
        day_type=_choice(spec.get("day_type", rule.day_type), DAY_TYPES, f"overrides.{rule_id}.day_type"),
        overridden=True,
    )


def _check_shape(rule: Rule) -> None:
    """Unit and day type must agree; backward counting is defined for day periods only."""
    if rule.unit == "working_days" and rule.day_type != "working":
        raise RuleDataError(f"{rule.id}: unit working_days needs day_type working")
    if rule.unit in ("months", "years", "hours") and rule.day_type != "calendar":
        raise RuleDataError(f"{rule.id}: unit {rule.unit} needs day_type calendar")
    if rule.counting == "before" and rule.unit not in ("days", "working_days"):
        raise RuleDataError(f"{rule.id}: counting before the trigger needs a period in days")


def parse_rule_overrides(document: Any) -> dict[str, dict[str, Any]]:
    """Override document ``{"H3": {"period": 3}, "comment": "..."}`` → mapping for :func:`load_rules`."""
    spec = _mapping(document, "overrides")
    parsed: dict[str, dict[str, Any]] = {}
    for rule_id, change in spec.items():
        if rule_id == "comment":
            continue
        parsed[rule_id] = dict(_mapping(change, f"overrides.{rule_id}"))
    return parsed


def read_rule_overrides(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a district's [P] overrides from the JSON file the application layer names."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RuleDataError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RuleDataError(f"{path}: not valid JSON ({error.msg}, line {error.lineno})") from None
    return parse_rule_overrides(document)


def _mapping(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise RuleDataError(f"{where}: expected an object")
    return raw


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RuleDataError(f"{where}: expected a non-empty string")
    return raw


def _choice(raw: Any, allowed: frozenset[str], where: str) -> str:
    if raw not in allowed:
        raise RuleDataError(f"{where}: expected one of {', '.join(sorted(allowed))}, got {raw!r}")
    return raw


def _positive(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise RuleDataError(f"{where}: expected a whole number of at least 1, got {raw!r}")
    return raw


def _flag(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise RuleDataError(f"{where}: expected true or false")
    return raw


def _int_list(raw: Any, where: str) -> list[int]:
    if not isinstance(raw, list):
        raise RuleDataError(f"{where}: expected a list of whole numbers")
    return [_positive(item, where) for item in raw]


# --- computing -----------------------------------------------------------------------------


def compute_deadline(
    rule_id: str,
    start: date,
    calendar: HolidayCalendar,
    *,
    rules: RuleTable | None = None,
    extension: int = 0,
    suspended_days: int = 0,
) -> DeadlineComputation:
    """Compute the due date of ``rule_id`` whose clock starts on ``start`` (docs/domain-reference.md §1).

    ``extension`` is in the rule's unit and adds to the period; ``suspended_days`` are days of the
    rule's day type (calendar days, or working days for working-day rules) excluded from the
    period. Roll-forward applies once, to the final day.
    """
    rule = (rules or default_rules())[rule_id]
    _check_start(start)
    _check_count(extension, "extension")
    _check_count(suspended_days, "suspended_days")
    if extension:
        _check_extension(rule, extension)
    if rule.unit == "hours":
        raise DeadlineError(
            f"rule {rule.id} counts hours, which need a timestamp rather than a date; it is listed, not computed",
            field="rule_id",
        )
    if rule.counting == "before":
        if suspended_days:
            raise DeadlineError(
                f"does not apply to {rule.id}, which counts back from its trigger", field="suspended_days"
            )
        due, examined = _count_before(rule, start, calendar)
    elif rule.day_type == "working":
        due = calendar.add_working_days(start, rule.period + extension + suspended_days)
        examined = (start + timedelta(days=1), due)
    else:
        nominal = _add_period(start, rule.period + extension, rule.unit) + timedelta(days=suspended_days)
        due = calendar.roll_forward(nominal)
        examined = (nominal, due)
    return DeadlineComputation(
        rule_id=rule.id,
        rule_version=rule.version,
        calendar_version=calendar.version,
        start=start,
        due_date=due,
        day_type=rule.day_type,
        unit=rule.unit,
        period=rule.period,
        provisional=not calendar.covers(*examined),
        source=rule.source,
        confidence=rule.confidence,
        extension=extension,
        suspended_days=suspended_days,
        counting=rule.counting,
        overridden=rule.overridden,
    )


def _count_before(rule: Rule, hearing: date, calendar: HolidayCalendar) -> tuple[date, tuple[date, date]]:
    """LDMAL art. 35: notice ≥ N days before the hearing — all N counting days lie strictly between act and hearing.

    The hearing day is excluded like any trigger day and so is the act's own day (CPL art. 85), so the
    last permitted day is the day before the N-th counting day before the hearing. No roll applies:
    moving later would cut the minimum notice, moving earlier would shorten the time to act.
    """
    if rule.day_type == "working":
        earliest_counted = calendar.add_working_days(hearing, -rule.period)
    else:
        earliest_counted = hearing - timedelta(days=rule.period)
    due = earliest_counted - timedelta(days=1)
    return due, (due, hearing - timedelta(days=1))


def _check_start(start: date) -> None:
    if isinstance(start, datetime) or not isinstance(start, date):
        raise DeadlineError(f"expected a date, got {type(start).__name__}", field="start")


def _check_count(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DeadlineError(f"expected a whole number of at least 0, got {value!r}", field=name)


def _check_extension(rule: Rule, extension: int) -> None:
    if rule.extension is None:
        raise DeadlineError(f"rule {rule.id} has no extension", field="extension")
    if rule.extension.max is not None and extension > rule.extension.max:
        raise DeadlineError(
            f"rule {rule.id} allows at most {rule.extension.max} {rule.unit} "
            f"({rule.extension.approver}), got {extension}",
            field="extension",
        )


def _add_period(start: date, amount: int, unit: str) -> date:
    if unit == "months":
        return add_months(start, amount)
    if unit == "years":
        return add_months(start, 12 * amount)
    return start + timedelta(days=amount)


def add_months(d: date, months: int) -> date:
    """The corresponding date ``months`` later, or that month's last day if it has none (Civil Code art. 202)."""
    year, month_index = divmod(d.month - 1 + months, 12)
    year += d.year
    first_of_next = date(year + (month_index == 11), (month_index + 1) % 12 + 1, 1)
    last_day = (first_of_next - timedelta(days=1)).day
    return date(year, month_index + 1, min(d.day, last_day))


# --- warnings ------------------------------------------------------------------------------


def warning_level(
    subject: DeadlineComputation | tuple[date, date],
    today: date,
    yellow_share: float = 0.8,
) -> WarningLevel:
    """超期预警: GREEN, YELLOW once ``yellow_share`` of the days from start to due have elapsed, RED after the due date.

    For a rule counted before its trigger (A7) the computation's start is the hearing, so pass
    ``(the day the clock really started, due_date)`` instead.
    """
    share = Fraction(str(yellow_share))
    if not 0 < share <= 1:
        raise DeadlineError(f"expected a share above 0 and at most 1, got {yellow_share!r}", field="yellow_share")
    if isinstance(subject, DeadlineComputation):
        if subject.counting == "before":
            raise DeadlineError(
                f"{subject.rule_id} counts back from its trigger; pass (clock start, due date) instead"
            )
        start, due = subject.start, subject.due_date
    else:
        start, due = subject
    if due < start:
        raise DeadlineError(f"due date {due.isoformat()} is before the start {start.isoformat()}")
    if today > due:
        return "RED"
    elapsed = (today - start).days
    if elapsed >= share * (due - start).days:
        return "YELLOW"
    return "GREEN"
