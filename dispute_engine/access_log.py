"""Who read unmasked personal data, when, of which case: queried by auditors (PIPL art. 51)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Index, Integer, MetaData, String, Table, func, insert, select

from dispute_engine.clock import Clock
from domain.values import Actor

metadata = MetaData()
personal_data_access = Table(
    "personal_data_access",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("agency", String(16), nullable=False),
    Column("case_kind", String(16), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("what", String(64), nullable=False),
    Index("ix_personal_data_access_case", "case_id", "at"),
    Index("ix_personal_data_access_user", "user_id", "at"),
)


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    user_id: str
    role: str
    agency: str
    case_kind: str
    case_id: str
    what: str


class AccessLog:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        metadata.create_all(engine)

    def record(self, actor: Actor, case_kind: str, case_id: str, what: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(personal_data_access).values(
                at=self.clock.now(), user_id=actor.user_id, role=actor.role.value, agency=actor.agency.value,
                case_kind=case_kind, case_id=case_id, what=what))

    def query(self, *, case_id: str | None = None, user_id: str | None = None, limit: int = 50,
              offset: int = 0) -> tuple[list[AccessEntry], int]:
        conditions: list[Any] = []
        if case_id:
            conditions.append(personal_data_access.c.case_id == case_id)
        if user_id:
            conditions.append(personal_data_access.c.user_id == user_id)
        with self.engine.begin() as connection:
            total = connection.execute(select(func.count()).select_from(personal_data_access).where(*conditions)).scalar_one()
            rows = connection.execute(
                select(personal_data_access).where(*conditions)
                .order_by(personal_data_access.c.at.desc(), personal_data_access.c.id.desc())
                .limit(limit).offset(offset)
            ).all()
        return [AccessEntry(row.at, row.user_id, row.role, row.agency, row.case_kind, row.case_id, row.what)
                for row in rows], total
