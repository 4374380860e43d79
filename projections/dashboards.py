"""Read functions for dashboards and exports: caseload, timeliness and the seed plan's targets.

Each returns a frozen dataclass of plain values (str, int, float, Decimal, date, lists of
dataclasses), ready for a FastAPI response model, with ``as_rows()`` giving flat rows of
one shape for CSV or XLSX. One call reads in one transaction, so its figures agree with
each other; ``positions`` says up to which notification each view had processed the log.

Filters, all optional and combined with AND:

* ``period_from`` / ``period_to``: whole calendar months; every month that overlaps the
  period is included. Which month a case falls in depends on the figure (intake month for
  the caseload, clock-start month for deadlines …; docs/views.md lists them).
* ``agency``: union, court, justice, hr, petition; deadlines also know ``party``.
* ``case_type``: a :class:`domain.values.CaseType` value.
* ``street``: the workplace street (街道) as recorded.

A filter on something a figure's cases do not carry is not applied to that figure (12351
tickets have no case type, amounts no agency …); each result lists those in ``ignored``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, literal, or_, select

from domain.clocks import CLOCKS
from domain.deadlines import default_rules
from domain.errors import InvalidInput
from domain.values import Agency, CaseType
from projections.caseload import DISPUTE, MEDIATION_TIER, TICKET, CaseloadView, month_of, tier_of
from projections.reading import open_view
from projections.rollups import AGENCY, CASE_TYPE, MONTH, NO_FILTER, STREET, YEAR, scope_of
from projections.timeliness import (
    AT_RISK,
    CANCELLED,
    DECIDE,
    HOTLINE_AGENCY,
    LATE,
    MISSED,
    ON_TIME,
    OPEN,
    PARTY,
    RECEIVE,
    STATUSES,
    TOTAL,
    TimelinessView,
)

CASELOAD = CaseloadView()
TIMELINESS = TimelinessView()

AGENCIES = tuple(agency.value for agency in Agency)
CASE_TYPES = tuple(case_type.value for case_type in CaseType)
TICKET_RULES = tuple(spec.rule_id for spec in CLOCKS if spec.kind == "TICKET")
REPLY_RULES = tuple(rule for rule in TICKET_RULES if rule.startswith("H3"))
UNION_CENTRE = "UNION_MEDIATION_CENTRE"
AGREEMENT = "AGREEMENT_SIGNED"
DISPUTE_BREAKDOWNS = (
    "tier", "kind", "agency", "organisation", "caseworker", "case_type", "street", "industry", "origin",
    "collective", "risk_flag", "closure",
)
TICKET_BREAKDOWNS = ("category", "channel", "state", "street")


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    period_from: date | None = None
    period_to: date | None = None
    agency: str | None = None
    case_type: str | None = None
    street: str | None = None


def check_filters(
    period_from: date | None = None,
    period_to: date | None = None,
    agency: str | None = None,
    case_type: str | None = None,
    street: str | None = None,
    *,
    agencies: Sequence[str] = AGENCIES,
) -> Filters:
    """Validated filters; an error names the field (the API answers 422)."""
    for name, value in (("period_from", period_from), ("period_to", period_to)):
        if value is not None and not isinstance(value, date):
            raise InvalidInput(name, "expected a date YYYY-MM-DD")
    if period_from is not None and period_to is not None and period_to < period_from:
        raise InvalidInput("period_to", "is before period_from")
    if agency is not None and agency not in agencies:
        raise InvalidInput("agency", f"{agency!r} is not one of: {', '.join(agencies)}")
    if case_type is not None and case_type not in CASE_TYPES:
        raise InvalidInput("case_type", f"{case_type!r} is not one of: {', '.join(CASE_TYPES)}")
    if street is not None and (not isinstance(street, str) or not street.strip()):
        raise InvalidInput("street", "expected the street's name")
    return Filters(period_from, period_to, agency, case_type, street.strip() if street else None)


def _where(
    table: Table,
    filters: Filters,
    *,
    month: str | None = None,
    agency: str | None = None,
    case_type: bool = False,
    street: bool = True,
) -> list[Any]:
    """Conditions on ``table`` for the filters this figure carries (column names as given)."""
    conditions: list[Any] = []
    if month is not None and filters.period_from is not None:
        conditions.append(table.c[month] >= month_of(filters.period_from))
    if month is not None and filters.period_to is not None:
        conditions.append(table.c[month] <= filters.period_to)
    if agency is not None and filters.agency is not None:
        conditions.append(table.c[agency] == filters.agency)
    if case_type and filters.case_type is not None:
        conditions.append(has_type(table.c.case_types, filters.case_type))
    if street and filters.street is not None:
        conditions.append(table.c.street == filters.street)
    return conditions


def has_type(column: Any, case_type: str) -> Any:
    """The set of case types in ``column`` (space-separated) holds ``case_type``."""
    pattern = "% " + case_type.replace("_", "\\_") + " %"
    return (literal(" ") + column + literal(" ")).like(pattern, escape="\\")


def _in_scope(table: Table, scope: tuple[str, str], filters: Filters, month: str = "month") -> list[Any]:
    """Conditions on a roll-up: the scope's rows for the period, whole years from year rows, the rest from months."""
    first = month_of(filters.period_from) if filters.period_from is not None else None
    last = month_of(filters.period_to) if filters.period_to is not None else None
    span, column = table.c.span, table.c[month]
    year_from = None if first is None else first.year + (first.month != 1)
    year_to = None if last is None else last.year - (last.month != 12)
    conditions = [table.c.scope == scope[0], table.c.scope_value == scope[1]]
    if year_from is not None and year_to is not None and year_from > year_to:
        return [*conditions, span == MONTH, column >= first, column <= last]
    years = [span == YEAR]
    months = [span == MONTH]
    outside = []
    if year_from is not None:
        years.append(column >= date(year_from, 1, 1))
        outside.append(column < date(year_from, 1, 1))
        months.append(column >= first)
    if year_to is not None:
        years.append(column <= date(year_to, 1, 1))
        outside.append(column > date(year_to, 12, 1))
        months.append(column <= last)
    if not outside:
        return [*conditions, *years]
    return [*conditions, or_(and_(*years), and_(*months, or_(*outside)))]


def _ignored(filters: Filters, *names: str) -> list[str]:
    return [name for name in names if getattr(filters, name) is not None]


@contextmanager
def _reading(source: Engine | Connection) -> Iterator[Connection]:
    if isinstance(source, Engine):
        with source.begin() as connection:
            yield connection
    elif source.in_transaction():
        yield source
    else:
        with source.begin():
            yield source


def _value(raw: str) -> str | None:
    return raw or None


# --------------------------------------------------------------------------- percentiles


def histogram_median(histogram: Sequence[tuple[int, int]]) -> float | None:
    """``statistics.median`` of the values a (value, count) histogram describes."""
    total = sum(count for _, count in histogram)
    if total == 0:
        return None
    ordered = sorted(histogram)
    if total % 2:
        return float(_at_rank(ordered, total // 2 + 1))
    return (_at_rank(ordered, total // 2) + _at_rank(ordered, total // 2 + 1)) / 2


def histogram_percentile(histogram: Sequence[tuple[int, int]], share: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the counts at or below it."""
    total = sum(count for _, count in histogram)
    if total == 0:
        return None
    return _at_rank(sorted(histogram), max(1, math.ceil(share * total)))


def _at_rank(ordered: Sequence[tuple[int, int]], rank: int) -> int:
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    raise ValueError(f"rank {rank} is beyond the histogram")


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# --------------------------------------------------------------------------- caseload


@dataclass(frozen=True)
class Bucket:
    value: str | None
    """None: not recorded (street, industry), not assigned (caseworker), no proceeding yet (kind)."""
    open: int
    closed: int
    total: int


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    buckets: list[Bucket]


@dataclass(frozen=True)
class CaseloadSection:
    open: int
    closed: int
    total: int
    breakdowns: list[Breakdown]


@dataclass(frozen=True)
class WeekIntake:
    week: str
    """ISO week, e.g. 2026-W10."""
    starts_on: date
    disputes: int
    tickets: int


@dataclass(frozen=True)
class Caseload:
    filters: Filters
    positions: dict[str, int]
    disputes: CaseloadSection
    tickets: CaseloadSection
    intake_per_week: list[WeekIntake]
    ignored: dict[str, list[str]] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, Any]]:
        """Rows of (section, dimension, value, open, closed, total)."""
        rows: list[dict[str, Any]] = []
        for name, section in (("disputes", self.disputes), ("tickets", self.tickets)):
            rows.append(_caseload_row(name, "total", None, section.open, section.closed, section.total))
            for breakdown in section.breakdowns:
                rows.extend(
                    _caseload_row(name, breakdown.dimension, b.value, b.open, b.closed, b.total)
                    for b in breakdown.buckets
                )
        for week in self.intake_per_week:
            rows.append(_caseload_row("intake_per_week", "disputes", week.week, None, None, week.disputes))
            rows.append(_caseload_row("intake_per_week", "tickets", week.week, None, None, week.tickets))
        return rows


def _caseload_row(section: str, dimension: str, value: str | None, open_: int | None, closed: int | None,
                  total: int) -> dict[str, Any]:
    return {"section": section, "dimension": dimension, "value": value, "open": open_, "closed": closed,
            "total": total}


def caseload(
    source: Engine | Connection,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    agency: str | None = None,
    case_type: str | None = None,
    street: str | None = None,
    rollups: bool = True,
) -> Caseload:
    """Open and closed disputes and 12351 tickets received in the period, by bucket, and intake per ISO week.

    ``agency`` selects the agency now holding the dispute (that of its headline proceeding);
    tickets ignore ``agency`` and ``case_type``. ``rollups=False`` sums the counter tables even where
    a roll-up answers the filters (the same figures, read the long way: a cross-check).
    """
    filters = check_filters(period_from, period_to, agency, case_type, street)
    with _reading(source) as connection:
        tables = open_view(connection, CASELOAD)
        dispute_scope = scope_of(filters, (AGENCY, STREET, CASE_TYPE)) if rollups else None
        ticket_scope = scope_of(filters, (STREET,)) if rollups else None
        if dispute_scope is None:
            disputes, dispute_weeks = _disputes(connection, tables, filters)
        else:
            disputes, dispute_weeks = _rolled_up(connection, tables.caseload_rollup, DISPUTE, dispute_scope, filters)
        if ticket_scope is None:
            tickets, ticket_weeks = _tickets(connection, tables.caseload_ticket_counts, filters)
        else:
            tickets, ticket_weeks = _rolled_up(connection, tables.caseload_rollup, TICKET, ticket_scope, filters)
        position = tables.position or 0
    weeks = [
        WeekIntake(f"{week.isocalendar().year}-W{week.isocalendar().week:02d}", week,
                   dispute_weeks.get(week, 0), ticket_weeks.get(week, 0))
        for week in sorted(set(dispute_weeks) | set(ticket_weeks))
    ]
    return Caseload(
        filters=filters, positions={CASELOAD.name: position}, disputes=disputes, tickets=tickets,
        intake_per_week=weeks, ignored={"tickets": _ignored(filters, "agency", "case_type")},
    )


class _Tallies:
    """Open and closed counts per (dimension, value), summed from counter rows."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def add(self, dimension: str, value: str, opened: Any, closed: Any) -> None:
        tally = self.found[dimension][value]
        tally[0] += int(opened)
        tally[1] += int(closed)

    def section(self, order: Sequence[str]) -> CaseloadSection:
        return _section({dimension: [(value, o, c) for value, (o, c) in values.items()]
                         for dimension, values in self.found.items()}, order)


def _section(found: Mapping[str, Sequence[tuple[str, int, int]]], order: Sequence[str]) -> CaseloadSection:
    """The section of (value, open, closed) per dimension, each value once: buckets largest first, then by value.

    Sorted as plain tuples before the buckets are made: a breakdown can hold thousands of organisations.
    """
    (_, opened, closed), = found.get("total") or [("", 0, 0)]
    breakdowns = []
    for dimension in order:
        ranked = sorted((-(o + c), v, o, c) for v, o, c in found.get(dimension, ()) if o or c)
        breakdowns.append(Breakdown(dimension, [Bucket(_value(v), o, c, -negative) for negative, v, o, c in ranked]))
    return CaseloadSection(opened, closed, opened + closed, breakdowns)


BREAKDOWNS = {DISPUTE: DISPUTE_BREAKDOWNS, TICKET: TICKET_BREAKDOWNS}


def _rolled_up(connection: Connection, table: Table, subject: str, scope: tuple[str, str],
               filters: Filters) -> tuple[CaseloadSection, dict[date, int]]:
    """A section from the roll-up: one row per breakdown value, intake weeks being the breakdown "week"."""
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for dimension, value, opened, closed in connection.execute(
        select(table.c.dimension, table.c.value, func.sum(table.c.open), func.sum(table.c.closed))
        .where(table.c.subject == subject, *_in_scope(table, scope, filters, "intake_month"))
        .group_by(table.c.dimension, table.c.value)
    ).all():
        found[dimension].append((value, int(opened), int(closed)))
    weeks = {date.fromisoformat(week): o + c for week, o, c in found.pop("week", ()) if o or c}
    return _section(found, BREAKDOWNS[subject]), weeks


def _disputes(connection: Connection, tables: Any, filters: Filters) -> tuple[CaseloadSection, dict[date, int]]:
    tallies = _Tallies()
    weeks: dict[date, int] = defaultdict(int)
    head, profile, counted = tables.caseload_headline, tables.caseload_profile, tables.caseload_dispute_counts
    sums = (func.sum(head.c.open), func.sum(head.c.closed))
    where = _where(head, filters, month="intake_month", agency="agency", case_type=True)
    columns = (head.c.intake_week, head.c.agency, head.c.street, head.c.kind, head.c.organisation)
    for week, agency, street, kind, organisation, opened, closed in connection.execute(
        select(*columns, *sums).where(*where).group_by(*columns)
    ):
        for dimension, value in (("total", ""), ("tier", tier_of(kind)), ("kind", kind), ("agency", agency),
                                 ("organisation", organisation), ("street", street)):
            tallies.add(dimension, value, opened, closed)
        weeks[week] += int(opened) + int(closed)
    for types, opened, closed in connection.execute(
        select(head.c.case_types, *sums).where(*where).group_by(head.c.case_types)
    ):
        for value in types.split(" ") if types else ():
            if filters.case_type in (None, value):
                tallies.add("case_type", value, opened, closed)
    columns = (profile.c.industry, profile.c.origin, profile.c.collective)
    for industry, origin, collective, opened, closed in connection.execute(
        select(*columns, func.sum(profile.c.open), func.sum(profile.c.closed))
        .where(*_where(profile, filters, month="intake_month", agency="agency", case_type=True))
        .group_by(*columns)
    ):
        for dimension, value in (("industry", industry), ("origin", origin), ("collective", collective)):
            tallies.add(dimension, value, opened, closed)
    for dimension, value, opened, closed in connection.execute(
        select(counted.c.dimension, counted.c.value, func.sum(counted.c.open), func.sum(counted.c.closed))
        .where(*_where(counted, filters, month="intake_month", agency="agency", case_type=True))
        .group_by(counted.c.dimension, counted.c.value)
    ):
        tallies.add(dimension, value, opened, closed)
    return tallies.section(DISPUTE_BREAKDOWNS), {week: n for week, n in weeks.items() if n}


def _tickets(connection: Connection, table: Table, filters: Filters) -> tuple[CaseloadSection, dict[date, int]]:
    tallies = _Tallies()
    weeks: dict[date, int] = defaultdict(int)
    columns = (table.c.intake_week, table.c.street, table.c.category, table.c.channel, table.c.state)
    for week, street, category, channel, state, opened, closed in connection.execute(
        select(*columns, func.sum(table.c.open), func.sum(table.c.closed))
        .where(*_where(table, filters, month="intake_month")).group_by(*columns)
    ):
        for dimension, value in (("total", ""), ("category", category), ("channel", channel), ("state", state),
                                 ("street", street)):
            tallies.add(dimension, value, opened, closed)
        weeks[week] += int(opened) + int(closed)
    return tallies.section(TICKET_BREAKDOWNS), {week: n for week, n in weeks.items() if n}


# --------------------------------------------------------------------------- timeliness


@dataclass(frozen=True)
class RuleFigures:
    rule_id: str
    step: str
    owner: str
    on_time: int
    met_late: int
    missed: int
    """Past due and not met (yet)."""
    at_risk: int
    """Open and warned yellow."""
    open: int
    cancelled: int
    overdue: int
    """Red: missed plus met late."""
    on_time_rate: float | None
    """on_time / (on_time + met_late + missed); None when none is decided yet."""
    met: int
    median_days: float | None
    p90_days: int | None


@dataclass(frozen=True)
class LatencyFigures:
    agency: str
    stage: str
    """receive (request → receipt), decide (receipt → acceptance or rejection), total."""
    handoffs: int
    median_days: float | None
    p90_days: int | None


@dataclass(frozen=True)
class ValueCount:
    value: str
    count: int


@dataclass(frozen=True)
class HotlineFigures:
    sign_for: RuleFigures
    """H2."""
    reply: RuleFigures
    """H3 over all complexity tiers (H3, H3D, H3C)."""
    callback: RuleFigures
    """H4."""
    satisfaction: list[ValueCount]
    """Latest call-back per ticket."""


@dataclass(frozen=True)
class MediationFigures:
    ended: int
    agreements: int
    success_rate: float | None
    by_outcome: list[ValueCount]


@dataclass(frozen=True)
class MonthAmounts:
    month: str
    """YYYY-MM."""
    disputes_cny: Decimal
    disputes: int
    tickets_cny: Decimal
    tickets: int


@dataclass(frozen=True)
class Timeliness:
    filters: Filters
    positions: dict[str, int]
    rules: list[RuleFigures]
    handoffs: list[LatencyFigures]
    hotline: HotlineFigures
    mediation: MediationFigures
    amounts: list[MonthAmounts]
    ignored: dict[str, list[str]] = field(default_factory=dict)

    def as_rows(self) -> list[dict[str, Any]]:
        """Rows of (section, item, metric, value)."""
        rows: list[dict[str, Any]] = []
        for rule in self.rules:
            rows.extend(_metric_rows("deadlines", rule.rule_id, rule, exclude=("rule_id", "step", "owner")))
        for latency in self.handoffs:
            rows.extend(_metric_rows("handoffs", f"{latency.agency} {latency.stage}", latency,
                                     exclude=("agency", "stage")))
        for item, figures in (("H2", self.hotline.sign_for), ("H3", self.hotline.reply), ("H4", self.hotline.callback)):
            rows.extend(_metric_rows("hotline", item, figures, exclude=("rule_id", "step", "owner")))
        rows.extend(_row("hotline", "satisfaction", s.value, s.count) for s in self.hotline.satisfaction)
        rows.extend(_row("mediation", "outcome", o.value, o.count) for o in self.mediation.by_outcome)
        rows.append(_row("mediation", "all", "ended", self.mediation.ended))
        rows.append(_row("mediation", "all", "success_rate", self.mediation.success_rate))
        for month in self.amounts:
            rows.extend(_metric_rows("amounts_recovered", month.month, month, exclude=("month",)))
        return rows


def _row(section: str, item: str, metric: str, value: Any) -> dict[str, Any]:
    return {"section": section, "item": item, "metric": metric, "value": value}


def _metric_rows(section: str, item: str, figures: Any, *, exclude: Sequence[str]) -> list[dict[str, Any]]:
    return [_row(section, item, name, value) for name, value in vars(figures).items() if name not in exclude]


def timeliness(
    source: Engine | Connection,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    agency: str | None = None,
    case_type: str | None = None,
    street: str | None = None,
    rollups: bool = True,
) -> Timeliness:
    """Deadlines kept per rule, handoff latency, hotline on-time rates and satisfaction,
    mediation success and amounts recovered. ``rollups=False``: as for :func:`caseload`."""
    filters = check_filters(period_from, period_to, agency, case_type, street, agencies=(*AGENCIES, PARTY))
    scope = _timeliness_scope(filters, rollups)
    with _reading(source) as connection:
        tables = open_view(connection, TIMELINESS)
        statuses, histograms = _deadlines(connection, tables, filters, scope)
        handoffs = _handoffs(connection, tables, filters, scope)
        satisfaction = _satisfaction(connection, tables.timeliness_satisfaction, filters)
        mediation = _mediation(connection, tables, filters, scope)
        amounts = _amounts(connection, tables.timeliness_amounts, filters)
        position = tables.position or 0
    order = {rule_id: index for index, rule_id in enumerate(default_rules().ids())}
    rules = [
        _rule_figures(rule_id, statuses, histograms, (rule_id,))
        for rule_id in sorted(statuses, key=lambda r: (order.get(r, len(order)), r))
    ]
    hotline = HotlineFigures(
        sign_for=_rule_figures("H2", statuses, histograms, ("H2",)),
        reply=_rule_figures("H3", statuses, histograms, REPLY_RULES),
        callback=_rule_figures("H4", statuses, histograms, ("H4",)),
        satisfaction=satisfaction,
    )
    return Timeliness(
        filters=filters, positions={TIMELINESS.name: position}, rules=rules, handoffs=handoffs, hotline=hotline,
        mediation=mediation, amounts=amounts,
        ignored={
            "deadlines": [f"case_type (for {', '.join(TICKET_RULES)})"] if filters.case_type else [],
            "hotline": _ignored(filters, "case_type"),
            "amounts": _ignored(filters, "agency") + (["case_type (for tickets)"] if filters.case_type else []),
        },
    )


Statuses = dict[str, dict[str, int]]
Histograms = dict[str, list[tuple[int, int]]]


Scope = tuple[str, str] | None
"""The roll-up scope a timeliness read uses; None: the counter tables (agency is a column of both)."""


def _timeliness_scope(filters: Filters, rollups: bool) -> Scope:
    return scope_of(filters, (STREET, CASE_TYPE)) if rollups else None


def _deadline_where(table: Table, filters: Filters, scope: Scope, org_type: str | None) -> list[Any]:
    """Tickets carry no case type: the hotline rules are read under case type '*' whatever the filter."""
    conditions = [] if org_type is None else [table.c.org_type == org_type]
    if scope is None:
        conditions += _where(table, filters, month="month", agency="agency")
        if filters.case_type is not None:
            conditions.append(table.c.rule_id.in_(TICKET_RULES) | has_type(table.c.case_types, filters.case_type))
        return conditions
    conditions += _where(table, filters, agency="agency", street=False)
    if scope[0] == CASE_TYPE:
        hotline = and_(*_in_scope(table, (NO_FILTER, ""), filters), table.c.rule_id.in_(TICKET_RULES))
        conditions.append(or_(and_(*_in_scope(table, scope, filters)), hotline))
    else:
        conditions += _in_scope(table, scope, filters)
    return conditions


def _deadlines(connection: Connection, tables: Any, filters: Filters, scope: Scope,
               org_type: str | None = None) -> tuple[Statuses, Histograms]:
    """Deadline counts per rule and status, and the days-used histogram per rule."""
    if scope is None:
        counts, days = tables.timeliness_deadline_counts, tables.timeliness_days_used
    else:
        counts, days = tables.timeliness_deadline_rollup, tables.timeliness_days_rollup
    statuses: Statuses = {}
    for rule_id, *numbers in connection.execute(
        select(counts.c.rule_id, *(func.sum(counts.c[status]) for status in STATUSES))
        .where(*_deadline_where(counts, filters, scope, org_type)).group_by(counts.c.rule_id)
    ):
        statuses[rule_id] = {status: int(number) for status, number in zip(STATUSES, numbers, strict=True) if number}
    histograms: Histograms = defaultdict(list)
    for rule_id, used, number in connection.execute(
        select(days.c.rule_id, days.c.days, func.sum(days.c["count"]))
        .where(*_deadline_where(days, filters, scope, org_type)).group_by(days.c.rule_id, days.c.days)
    ):
        if number:
            histograms[rule_id].append((int(used), int(number)))
    return {rule: found for rule, found in statuses.items() if found}, histograms


def _rule_figures(rule_id: str, statuses: Statuses, histograms: Histograms, parts: Sequence[str]) -> RuleFigures:
    """The figures of ``rule_id``, summed over ``parts`` (the H3 complexity tiers count as one)."""
    def total(status: str) -> int:
        return sum(statuses.get(part, {}).get(status, 0) for part in parts)

    histogram = [entry for part in parts for entry in histograms.get(part, [])]
    rule = default_rules().rules.get(rule_id)
    on_time, late, missed = total(ON_TIME), total(LATE), total(MISSED)
    return RuleFigures(
        rule_id=rule_id,
        step=rule.step if rule else "",
        owner=rule.owner if rule else "",
        on_time=on_time,
        met_late=late,
        missed=missed,
        at_risk=total(AT_RISK),
        open=total(OPEN),
        cancelled=total(CANCELLED),
        overdue=missed + late,
        on_time_rate=_share(on_time, on_time + late + missed),
        met=on_time + late,
        median_days=histogram_median(histogram),
        p90_days=histogram_percentile(histogram, 0.9),
    )


def _handoffs(connection: Connection, tables: Any, filters: Filters, scope: Scope) -> list[LatencyFigures]:
    histograms: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    if scope is None:
        table = tables.timeliness_handoff_days
        columns = (table.c.agency, table.c.receive_days, table.c.decide_days)
        for agency, receive, decide, number in connection.execute(
            select(*columns, func.sum(table.c["count"]))
            .where(*_where(table, filters, month="month", agency="agency", case_type=True))
            .group_by(*columns)
        ):
            for stage, days in ((RECEIVE, receive), (DECIDE, decide), (TOTAL, receive + decide)):
                histograms[(agency, stage)][days] += int(number)
    else:
        table = tables.timeliness_handoff_rollup
        columns = (table.c.agency, table.c.stage, table.c.days)
        for agency, stage, days, number in connection.execute(
            select(*columns, func.sum(table.c["count"]))
            .where(*_in_scope(table, scope, filters), *_where(table, filters, agency="agency", street=False))
            .group_by(*columns)
        ):
            histograms[(agency, stage)][days] += int(number)
    stages = {RECEIVE: 0, DECIDE: 1, TOTAL: 2}
    found = []
    for (agency, stage), counts in sorted(histograms.items(), key=lambda item: (item[0][0], stages[item[0][1]])):
        histogram = [(days, n) for days, n in counts.items() if n]
        if histogram:
            found.append(LatencyFigures(agency, stage, sum(n for _, n in histogram), histogram_median(histogram),
                                        histogram_percentile(histogram, 0.9)))
    return found


def _satisfaction(connection: Connection, table: Table, filters: Filters) -> list[ValueCount]:
    if filters.agency not in (None, HOTLINE_AGENCY):
        return []  # the union's hotline answers every ticket
    rows = connection.execute(
        select(table.c.satisfaction, func.sum(table.c["count"]))
        .where(*_where(table, filters, month="month"))
        .group_by(table.c.satisfaction)
    )
    found = [ValueCount(value, int(number)) for value, number in rows if number]
    return sorted(found, key=lambda v: v.value)


def _mediation(connection: Connection, tables: Any, filters: Filters, scope: Scope,
               org_type: str | None = None) -> MediationFigures:
    if scope is None:
        table = tables.timeliness_mediations
        conditions = _where(table, filters, month="month", agency="agency", case_type=True)
    else:
        table = tables.timeliness_mediation_rollup
        conditions = [*_in_scope(table, scope, filters), *_where(table, filters, agency="agency", street=False)]
    if org_type is not None:
        conditions.append(table.c.org_type == org_type)
    rows = connection.execute(
        select(table.c.outcome, func.sum(table.c["count"])).where(*conditions).group_by(table.c.outcome)
    )
    outcomes = sorted((ValueCount(outcome, int(number)) for outcome, number in rows if number),
                      key=lambda v: (-v.count, v.value))
    ended = sum(o.count for o in outcomes)
    agreements = sum(o.count for o in outcomes if o.value == AGREEMENT)
    return MediationFigures(ended, agreements, _share(agreements, ended), outcomes)


def _amounts(connection: Connection, table: Table, filters: Filters) -> list[MonthAmounts]:
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for subject, conditions in (
        (DISPUTE, _where(table, filters, month="month", case_type=True)),
        (TICKET, _where(table, filters, month="month")),
    ):
        rows = connection.execute(
            select(table.c.month, func.sum(table.c.amount_fen), func.sum(table.c.cases))
            .where(table.c.subject == subject, *conditions)
            .group_by(table.c.month)
        )
        offset = 0 if subject == DISPUTE else 2
        for month, fen, cases in rows:
            months[month][offset] += int(fen)
            months[month][offset + 1] += int(cases)
    return [
        MonthAmounts(f"{month:%Y-%m}", _cny(d_fen), d_cases, _cny(t_fen), t_cases)
        for month, (d_fen, d_cases, t_fen, t_cases) in sorted(months.items())
        if d_cases or t_cases
    ]


def _cny(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- the seed plan's targets

TIERED_RESOLUTION = "健全协商、调解、仲裁、诉讼分层递进、衔接配套的劳动争议多元化解机制"
QUICK_HANDLING = "总结劳资纠纷快处快结调解中心在职工维权服务方面的经验"


@dataclass(frozen=True)
class SeedTarget:
    figure: str
    plan_item: int
    """The item of the district federation's 2024 work plan (要点) the figure answers."""
    plan_text: str
    description: str
    numerator: int
    denominator: int
    share: float | None


@dataclass(frozen=True)
class SeedTargets:
    filters: Filters
    positions: dict[str, int]
    targets: list[SeedTarget]

    def as_rows(self) -> list[dict[str, Any]]:
        """Rows of (figure, plan_item, description, numerator, denominator, share)."""
        return [
            {"figure": t.figure, "plan_item": t.plan_item, "description": t.description,
             "numerator": t.numerator, "denominator": t.denominator, "share": t.share}
            for t in self.targets
        ]


def seed_targets(
    source: Engine | Connection,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    case_type: str | None = None,
    street: str | None = None,
    rollups: bool = True,
) -> SeedTargets:
    """The plan's "quick handling, quick closing" and tiered-resolution figures (item 8).

    The period selects intake months for the closure share and clock-start months for M3 and F1.
    ``rollups=False``: as for :func:`caseload`.
    """
    filters = check_filters(period_from, period_to, None, case_type, street)
    scope = _timeliness_scope(filters, rollups)
    with _reading(source) as connection:
        caseload_tables = open_view(connection, CASELOAD)
        if scope is None:
            counts = caseload_tables.caseload_dispute_counts
            conditions = _where(counts, filters, month="intake_month", case_type=True)
        else:
            counts = caseload_tables.caseload_rollup
            conditions = [counts.c.subject == DISPUTE, *_in_scope(counts, scope, filters, "intake_month")]
        closures = {
            value: int(number)
            for value, number in connection.execute(
                select(counts.c.value, func.sum(counts.c.closed))
                .where(counts.c.dimension == "closure", *conditions)
                .group_by(counts.c.value)
            )
        }
        timeliness_tables = open_view(connection, TIMELINESS)
        statuses, histograms = _deadlines(connection, timeliness_tables, filters, scope, org_type=UNION_CENTRE)
        positions = {CASELOAD.name: caseload_tables.position or 0, TIMELINESS.name: timeliness_tables.position or 0}
    closed = sum(closures.values())
    at_mediation_tier = closures.get(MEDIATION_TIER, 0)
    m3 = _rule_figures("M3", statuses, histograms, ("M3",))
    f1 = _rule_figures("F1", statuses, histograms, ("F1",))
    targets = [
        SeedTarget("closed_at_mediation_tier", 8, TIERED_RESOLUTION,
                   "closed disputes resolved with no arbitration or litigation ever opened, of all closed disputes",
                   at_mediation_tier, closed, _share(at_mediation_tier, closed)),
        SeedTarget("centre_mediations_within_15_days", 8, QUICK_HANDLING,
                   "union-centre mediations concluded within the statutory 15 days (M3 met on time), "
                   "of those concluded or past the limit",
                   m3.on_time, m3.on_time + m3.met_late + m3.missed, m3.on_time_rate),
        SeedTarget("centre_service_target_f1", 8, QUICK_HANDLING,
                   "union-centre mediations concluded within the centre's own target (F1 met on time), "
                   "of those concluded or past the target",
                   f1.on_time, f1.on_time + f1.met_late + f1.missed, f1.on_time_rate),
    ]
    return SeedTargets(filters=filters, positions=positions, targets=targets)
