"""Yearly number series (案号, 工单号) kept as an aggregate, so numbers are events too.

Intake saves the new case and the series in one transaction: two intakes racing
for the same number conflict on the series' version and one of them retries, so a
number is never issued twice and never skipped.
"""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate

_NAMESPACE = uuid.UUID("6f1f0c52-8c1e-4f4e-9a53-2f1d2b8f0a11")


class YearlySequence(Aggregate):
    class Started(Aggregate.Created):
        series: str
        year: int

        def apply(self, sequence: YearlySequence) -> None:
            sequence.series = self.series
            sequence.year = self.year
            sequence.last = 0

    class NumberIssued(Aggregate.Event):
        number: int
        issued_to: str

        def apply(self, sequence: YearlySequence) -> None:
            sequence.last = self.number

    @staticmethod
    def id_for(series: str, year: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{series}:{year}")

    @classmethod
    def start(cls, series: str, year: int) -> YearlySequence:
        return cls._create(cls.Started, id=cls.id_for(series, year), series=series, year=year)

    def issue(self, issued_to: str) -> int:
        number = self.last + 1
        self.trigger_event(self.NumberIssued, number=number, issued_to=issued_to)
        return number
