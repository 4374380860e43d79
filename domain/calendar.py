"""The statutory working-day calendar: rest days and 调休 make-up working days per year.

A *rest day* is any day on which the State Council schedule gives a day off: an ordinary
Saturday or Sunday that is not a make-up working day, or a day of a holiday break. A make-up
working Saturday or Sunday (调休) is a working day (docs/domain-reference.md §0, §7).

The schedule is seeded from the ``chinese_calendar`` package's raw tables and then overlaid
with ``domain/data/calendar_overrides.json``: a year in that file replaces the package's year
or adds a year the package does not cover. That file is changed by a reviewed commit each
autumn when the State Council publishes the next year's notice (docs/deadlines.md).

Years outside :attr:`HolidayCalendar.covered_years` fall back to weekends only; callers learn
that through :meth:`HolidayCalendar.covers` and flag their results provisional (docs/domain-reference.md §1.10).

Pure: no clock, no environment; the only I/O is reading the package data at load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version as distribution_version
from pathlib import Path
from typing import Any

from chinese_calendar import constants

DATA_DIR = Path(__file__).resolve().parent / "data"
OVERRIDES_RESOURCE = "calendar_overrides.json"
PACKAGE_SOURCE = "chinese_calendar {version} (State Council holiday notices 国务院办公厅关于节假日安排的通知)"

_ONE_DAY = timedelta(days=1)


class CalendarDataError(ValueError):
    """The holiday data is malformed; the message names the year and the field."""


@dataclass(frozen=True)
class YearSchedule:
    """One year's State Council schedule.

    ``rest_days`` are the days of the holiday breaks (放假), weekends inside a break included;
    ordinary weekends are implied and need not be listed. ``workdays`` are the make-up working
    days (调休上班), always a Saturday or Sunday.
    """

    year: int
    rest_days: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def __post_init__(self) -> None:
        for name, days in (("rest_days", self.rest_days), ("workdays", self.workdays)):
            stray = sorted(d for d in days if d.year != self.year)
            if stray:
                raise CalendarDataError(f"{self.year}.{name}: {stray[0].isoformat()} is not in {self.year}")
        clash = sorted(self.rest_days & self.workdays)
        if clash:
            raise CalendarDataError(
                f"{self.year}: {clash[0].isoformat()} is listed both as a rest day and as a make-up working day"
            )
        weekday_workdays = sorted(d for d in self.workdays if d.weekday() < 5)
        if weekday_workdays:
            raise CalendarDataError(
                f"{self.year}.workdays: {weekday_workdays[0].isoformat()} is a weekday; "
                "make-up working days are Saturdays or Sundays"
            )

    def canonical(self) -> dict[str, list[str]]:
        return {
            "rest_days": sorted(d.isoformat() for d in self.rest_days),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }


@dataclass(frozen=True)
class HolidayCalendar:
    """An immutable working-day calendar; :attr:`version` identifies the exact data it uses."""

    schedules: tuple[YearSchedule, ...]
    _rest: frozenset[date] = field(init=False, repr=False, compare=False)
    _work: frozenset[date] = field(init=False, repr=False, compare=False)
    _covered: frozenset[int] = field(init=False, repr=False, compare=False)
    _version: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.schedules, key=lambda s: s.year))
        years = [s.year for s in ordered]
        if len(set(years)) != len(years):
            raise CalendarDataError(f"a year is given twice: {sorted(years)}")
        object.__setattr__(self, "schedules", ordered)
        object.__setattr__(self, "_rest", frozenset().union(*(s.rest_days for s in ordered)))
        object.__setattr__(self, "_work", frozenset().union(*(s.workdays for s in ordered)))
        object.__setattr__(self, "_covered", frozenset(years))
        canonical = {str(s.year): s.canonical() for s in ordered}
        digest = hashlib.sha256(
            json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode("utf-8")
        ).hexdigest()
        object.__setattr__(self, "_version", "cal-" + digest[:12])

    @classmethod
    def from_days(
        cls,
        rest_days: Iterable[date],
        workdays: Iterable[date],
        *,
        years: Iterable[int] | None = None,
        source: str = "",
    ) -> HolidayCalendar:
        """Group flat day lists by year; ``years`` (default: the years seen) are the covered ones."""
        rest, work = set(rest_days), set(workdays)
        covered = set(years) if years is not None else {d.year for d in rest | work}
        outside = sorted(d for d in rest | work if d.year not in covered)
        if outside:
            raise CalendarDataError(f"{outside[0].isoformat()} is outside the covered years")
        return cls(
            tuple(
                YearSchedule(
                    year=y,
                    rest_days=frozenset(d for d in rest if d.year == y),
                    workdays=frozenset(d for d in work if d.year == y),
                    source=source,
                )
                for y in covered
            )
        )

    def with_years(self, schedules: Iterable[YearSchedule]) -> HolidayCalendar:
        """A new calendar in which ``schedules`` replace or add the years they name."""
        replacing = {s.year: s for s in schedules}
        kept = tuple(s for s in self.schedules if s.year not in replacing)
        return HolidayCalendar(kept + tuple(replacing.values()))

    @property
    def version(self) -> str:
        """``cal-`` + 12 hex digits of SHA-256 over the canonical JSON of every covered year."""
        return self._version

    @property
    def covered_years(self) -> frozenset[int]:
        return self._covered

    def source_of(self, year: int) -> str | None:
        for schedule in self.schedules:
            if schedule.year == year:
                return schedule.source
        return None

    def is_covered(self, d: date) -> bool:
        return d.year in self._covered

    def covers(self, first: date, last: date) -> bool:
        """True when every year from ``first`` to ``last`` (either order) has an official schedule."""
        low, high = sorted((first.year, last.year))
        return all(y in self._covered for y in range(low, high + 1))

    def is_rest_day(self, d: date) -> bool:
        """A day off under the schedule; weekends only in a year that is not covered."""
        if d in self._rest:
            return True
        return d.weekday() >= 5 and d not in self._work

    def is_workday(self, d: date) -> bool:
        return not self.is_rest_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (strictly before it when n < 0); ``d`` itself when n == 0."""
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        current = d
        while remaining:
            current += step
            if not self.is_rest_day(current):
                remaining -= 1
        return current

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it (CPL art. 85 para 3)."""
        current = d
        while self.is_rest_day(current):
            current += _ONE_DAY
        return current


def parse_overrides(data: Mapping[str, Any]) -> tuple[YearSchedule, ...]:
    """The year schedules of an overrides document ``{"comment": ..., "years": {"2027": {...}}}``."""
    years = data.get("years")
    if not isinstance(years, Mapping):
        raise CalendarDataError("years: expected an object keyed by year")
    return tuple(_parse_year(key, entry) for key, entry in years.items())


def _parse_year(key: str, entry: Any) -> YearSchedule:
    try:
        year = int(key)
    except ValueError:
        raise CalendarDataError(f"years: {key!r} is not a year") from None
    if not isinstance(entry, Mapping):
        raise CalendarDataError(f"years.{year}: expected an object")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CalendarDataError(f"years.{year}.source: the URL of the State Council notice is required")
    return YearSchedule(
        year=year,
        rest_days=_parse_days(year, "rest_days", entry.get("rest_days", [])),
        workdays=_parse_days(year, "workdays", entry.get("workdays", [])),
        source=source,
    )


def _parse_days(year: int, name: str, raw: Any) -> frozenset[date]:
    if not isinstance(raw, list):
        raise CalendarDataError(f"years.{year}.{name}: expected a list of YYYY-MM-DD dates")
    days = set()
    for item in raw:
        try:
            days.add(date.fromisoformat(item))
        except (TypeError, ValueError):
            raise CalendarDataError(f"years.{year}.{name}: expected YYYY-MM-DD, got {item!r}") from None
    return frozenset(days)


def package_calendar() -> HolidayCalendar:
    """The schedule exactly as the pinned ``chinese_calendar`` release ships it."""
    years = range(min(constants.holidays).year, max(constants.holidays).year + 1)
    source = PACKAGE_SOURCE.format(version=distribution_version("chinesecalendar"))
    return HolidayCalendar.from_days(constants.holidays, constants.workdays, years=years, source=source)


def read_packaged_overrides() -> Mapping[str, Any]:
    text = (DATA_DIR / OVERRIDES_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    """The package schedule overlaid with ``domain/data/calendar_overrides.json``; built once."""
    return package_calendar().with_years(parse_overrides(read_packaged_overrides()))
