"""A small test-only application for the follower: accounts with deposits and withdrawals.

The follower is generic; these stand in for the domain's aggregates. The module is
imported as ``ledger_app`` both by the tests and by the worker subprocess, so the
stored event topics resolve in both.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
)

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from projections.base import Projection, ViewTables, topics_of
from projections.reading import open_view
from projections.tracking import utc
from projections.bulk import upsert


class Account(Aggregate):
    @event("Opened")
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.balance = 0

    @event("Deposited")
    def deposit(self, amount: int) -> None:
        self.balance += amount

    @event("Withdrawn")
    def withdraw(self, amount: int) -> None:
        self.balance -= amount


class Ledger(Application[UUID]):
    name = "Ledger"


@dataclass
class Expected:
    """What the views must show, kept while the events are made."""

    accounts: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    opened: set[str] = field(default_factory=set)

    @property
    def events(self) -> int:
        return sum(count for _, _, count in self.accounts.values())


def record(
    app: Ledger,
    expected: Expected,
    accounts: int,
    events_per_account: int,
    seed: int = 0,
    per_save: int = 100,
) -> None:
    """Open ``accounts`` accounts with ``events_per_account`` events each (Opened included)."""
    rng = random.Random(seed)
    pending: list[Account] = []
    for index in range(accounts):
        account = Account(owner=f"owner-{seed}-{index}")
        for _ in range(events_per_account - 1):
            amount = rng.randint(1, 100)
            if rng.random() < 0.3:
                account.withdraw(amount=amount)
            else:
                account.deposit(amount=amount)
        expected.accounts[str(account.id)] = (account.owner, account.balance, events_per_account)
        expected.opened.add(str(account.id))
        pending.append(account)
        if len(pending) == per_save:
            app.save(*pending)
            pending.clear()
    if pending:
        app.save(*pending)


def add_events(app: Ledger, expected: Expected, account_ids: Sequence[str], seed: int = 1) -> None:
    """One more deposit on each of ``account_ids``."""
    rng = random.Random(seed)
    changed = []
    for account_id in account_ids:
        account = app.repository.get(UUID(account_id))
        account.deposit(amount=rng.randint(1, 100))
        owner, _, count = expected.accounts[account_id]
        expected.accounts[account_id] = (owner, account.balance, count + 1)
        changed.append(account)
    app.save(*changed)


balances_metadata = MetaData()
Table(
    "accounts",
    balances_metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner", String(100), nullable=True),
    Column("balance", BigInteger, nullable=False),
    Column("events", Integer, nullable=False),
)
Table(
    "totals",
    balances_metadata,
    Column("key", Integer, primary_key=True),
    Column("balance", BigInteger, nullable=False),
    Column("events", Integer, nullable=False),
)


class AccountBalances(Projection):
    """Balance and event count per account, plus totals: additive, so double counting shows."""

    name = "account_balances"
    version = 1
    metadata = balances_metadata

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        owners: dict[str, str | None] = {}
        balance: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        for domain_event in events:
            account_id = str(domain_event.originator_id)
            counts[account_id] += 1
            owners.setdefault(account_id, None)
            if isinstance(domain_event, Account.Opened):
                owners[account_id] = domain_event.owner
            elif isinstance(domain_event, Account.Deposited):
                balance[account_id] += domain_event.amount
            elif isinstance(domain_event, Account.Withdrawn):
                balance[account_id] -= domain_event.amount
        rows = [
            {"account_id": account_id, "owner": owners[account_id],
             "balance": balance[account_id], "events": counts[account_id]}
            for account_id in counts
        ]
        upsert(connection, tables.accounts, rows, key=["account_id"], add=["balance", "events"])
        upsert(
            connection, tables.totals,
            [{"key": 1, "balance": sum(balance.values()), "events": len(events)}],
            key=["key"], add=["balance", "events"],
        )


opened_metadata = MetaData()
Table(
    "opened_accounts",
    opened_metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)


class OpenedAccounts(Projection):
    """Only reads ``Account.Opened`` from the log."""

    name = "opened_accounts"
    metadata = opened_metadata
    topics = topics_of(Account.Opened)

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        connection.execute(
            tables.opened_accounts.insert(),
            [
                {"account_id": str(e.originator_id), "owner": e.owner, "opened_at": e.timestamp}
                for e in events
            ],
        )


deposits_metadata = MetaData()
Table(
    "deposits",
    deposits_metadata,
    Column("account_id", String(36), primary_key=True),
    Column("deposits", Integer, nullable=False),
)


class Deposits(Projection):
    """Only reads ``Account.Deposited``: the number of deposits per account."""

    name = "deposits"
    metadata = deposits_metadata
    topics = topics_of(Account.Deposited)

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        counts: dict[str, int] = defaultdict(int)
        for domain_event in events:
            counts[str(domain_event.originator_id)] += 1
        upsert(connection, tables.deposits, [{"account_id": k, "deposits": v} for k, v in counts.items()],
               key=["account_id"], add=["deposits"])


def read_deposits(engine: Engine) -> int:
    """All deposits the view counted."""
    with engine.begin() as connection:
        tables = open_view(connection, Deposits())
        return sum(row.deposits for row in connection.execute(select(tables.deposits)))


@dataclass(frozen=True)
class BalancesSnapshot:
    position: int
    generation: int
    accounts: dict[str, tuple[str, int, int]]
    total_balance: int
    total_events: int


def read_balances(engine: Engine, projection: Projection | None = None) -> BalancesSnapshot:
    """The live account_balances view, read in one transaction as a reader would."""
    with engine.begin() as connection:
        tables = open_view(connection, projection or AccountBalances())
        accounts = {
            row.account_id: (row.owner, row.balance, row.events)
            for row in connection.execute(select(tables.accounts))
        }
        totals = connection.execute(select(tables.totals)).first()
    assert tables.position is not None
    return BalancesSnapshot(
        position=tables.position,
        generation=tables.generation,
        accounts=accounts,
        total_balance=totals.balance if totals else 0,
        total_events=totals.events if totals else 0,
    )


def read_opened(engine: Engine) -> dict[str, tuple[str, datetime]]:
    with engine.begin() as connection:
        tables = open_view(connection, OpenedAccounts())
        return {
            row.account_id: (row.owner, utc(row.opened_at))
            for row in connection.execute(select(tables.opened_accounts))
        }
