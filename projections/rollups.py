"""Roll-ups: counter tables summed over every value of the dashboards' filters but one.

A counter table of the caseload or timeliness view keeps every filter in its key (street, set of
case types, agency …), so that any combination of filters is a sum of its rows. With a million
cases that sum reads hundreds of thousands of rows: nearly one per case. The dashboards are read
mostly with no filter or with one, so each view also keeps roll-ups: the same counters keyed by a
*scope* — no filter (``""``), or one filter and its value — in place of the filter columns. A
dashboard read with at most one such filter reads the roll-up: a few thousand rows whatever the
number of cases. With more filters it reads the counter tables, whose rows those filters narrow.

Each roll-up row covers a month (span ``M``) or a whole calendar year (span ``Y``, keyed by its 1
January): a read over whole years — no period at all, or this year — reads a twelfth of the rows.

A roll-up is derived from its counter table's key alone (:data:`Explode`), so it is moved by the
same net changes as the counter table, in the same batch and transaction: the two never disagree,
and a rebuild fills both. A case with several case types counts once under each type's scope, as
a case-type filter counts it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

if TYPE_CHECKING:
    from projections.caseload import Tally

Key = tuple[Any, ...]

NO_FILTER, AGENCY, STREET, CASE_TYPE = "", "agency", "street", "case_type"
MONTH, YEAR = "M", "Y"

CLUSTERED = {"sqlite_with_rowid": False}
"""Table options of a roll-up: SQLite keeps its rows in primary-key order (``WITHOUT ROWID``), so a scope's
rows are read as one range, with no lookup of the table row behind each index entry."""

Explode = Callable[[Key], Iterable[Key]]
"""The keys of the roll-up month rows one counter row adds to (its amounts are added to each)."""


def scopes(*, street: str, types: str, agency: str | None = None) -> Iterator[tuple[str, str]]:
    """The (scope, value) pairs a row of these filter values counts under."""
    yield NO_FILTER, ""
    if agency is not None:
        yield AGENCY, agency
    yield STREET, street
    for case_type in types.split(" ") if types else ():
        yield CASE_TYPE, case_type


def roll_up(changes: Tally, into: Tally, explode: Explode) -> None:
    """Add a counter table's net changes to its roll-up's month rows."""
    rolled = into.changes
    for key, change in changes.changes.items():
        if not any(change):
            continue
        for target in explode(key):
            found = rolled.get(target)
            if found is None:
                rolled[target] = list(change)
            else:
                for index, amount in enumerate(change):
                    found[index] += amount


def add_years(rolled: Tally, table: Table) -> None:
    """Add each month row's net change to its year's row (the columns ``span`` and the month after it)."""
    at = [column.name for column in table.primary_key.columns].index("span")
    for key, change in list(rolled.changes.items()):
        if key[at] == MONTH and any(change):
            rolled.add((*key[:at], YEAR, key[at + 1][:4] + "-01-01", *key[at + 2:]), change)


def roll_up_counters(tallies: Mapping[str, Tally], rollups: Mapping[str, tuple[str, Explode]],
                     table_of: Callable[[str], Table]) -> None:
    """Move every roll-up of ``rollups`` (counter name → roll-up name and explode) by its counters' changes.

    The month rows first, one explode per changed counter row; then each year row once per changed
    month row, which is far fewer.
    """
    for name, (target, explode) in rollups.items():
        roll_up(tallies[name], tallies[target], explode)
    for target in dict.fromkeys(target for target, _ in rollups.values()):
        add_years(tallies[target], table_of(target))


def scope_of(filters: Any, scoped: Sequence[str]) -> tuple[str, str] | None:
    """The roll-up scope answering ``filters``: at most one of the ``scoped`` filters may be set, else None."""
    chosen = [(name, value) for name in scoped if (value := getattr(filters, name)) is not None]
    if len(chosen) > 1:
        return None
    return chosen[0] if chosen else (NO_FILTER, "")
