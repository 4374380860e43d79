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

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.caseload import Tally

Key = tuple[Any, ...]

NO_FILTER, AGENCY, STREET, CASE_TYPE = "", "agency", "street", "case_type"
MONTH, YEAR = "M", "Y"

CLUSTERED = {"sqlite_with_rowid": False}
"""Table options of a roll-up: SQLite keeps its rows in primary-key order (``WITHOUT ROWID``), so a scope's
rows are read as one range, with no lookup of the table row behind each index entry."""

Explode = Callable[[Key], Iterable[Key]]
"""The keys of the roll-up rows one counter row adds to (the counter row's amounts are added to each)."""


def scopes(*, street: str, types: str, agency: str | None = None) -> Iterator[tuple[str, str]]:
    """The (scope, value) pairs a row of these filter values counts under."""
    yield NO_FILTER, ""
    if agency is not None:
        yield AGENCY, agency
    yield STREET, street
    for case_type in types.split(" ") if types else ():
        yield CASE_TYPE, case_type


def spans(month: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (span, first day) pairs a row of ``month`` (ISO text, day 1) counts under: its month and its year."""
    return (MONTH, month), (YEAR, month[:4] + "-01-01")


def scoped_spans(*, street: str, types: str, month: str,
                 agency: str | None = None) -> Iterator[tuple[str, str, str, str]]:
    """(scope, scope value, span, first day): where a counter row of these filter values adds in a roll-up."""
    periods = spans(month)
    for scope, value in scopes(street=street, types=types, agency=agency):
        for span, start in periods:
            yield scope, value, span, start


def roll_up(changes: Tally, into: Tally, explode: Explode) -> None:
    """Add a counter table's net changes to its roll-up's."""
    for key, change in changes.changes.items():
        if any(change):
            for rolled in explode(key):
                into.add(rolled, change)


def scope_of(filters: Any, scoped: Sequence[str]) -> tuple[str, str] | None:
    """The roll-up scope answering ``filters``: at most one of the ``scoped`` filters may be set, else None."""
    chosen = [(name, value) for name in scoped if (value := getattr(filters, name)) is not None]
    if len(chosen) > 1:
        return None
    return chosen[0] if chosen else (NO_FILTER, "")
