"""How fast the read models catch up from empty, against a bare baseline on the same database.

    .venv/bin/python -m bench.projection_catchup                  # ≈50k events, SQLite and PostgreSQL
    .venv/bin/python -m bench.projection_catchup --events 20000 --stores sqlite

1. **Events.** A simulated district, day by day: each morning the deadline clock's check runs on
   every live case (yellow warnings, misses, lapses, 督办), then new disputes and 12351 tickets
   arrive and the cases under way take their next steps — mediation, handoffs to the arbitration
   commission and the court, awards served, suits, resolutions, replies and call-backs. Every step
   is a command of the real aggregates, with the application's deadline policy and personal data
   sealed through the vault as in production; each day is saved through ``Application.save`` in
   one transaction, so the log interleaves cases as it does in production. Stops at the first day
   that reaches ``--events``.
2. **Baseline**, per store: read the notifications in batches of ``--batch-size`` and insert one
   row per event into a scratch table, one transaction per batch, on the same database.
3. **Views**: every view of ``dispute_engine.bootstrap.all_views()`` plus the caseload and
   timeliness views, each alone and all together, caught up from empty by a ``Follower`` with the
   same batch size; then all of them rebuilt together beside their live generations
   (``Follower.rebuild``, the old generations dropped at the end). Rates are log events per second
   (every notification up to the head, whatever its topic); the median of ``--runs`` runs is
   reported, with its ratio to the baseline.
4. Writes the figures and the machine they were measured on to ``--output``.

PostgreSQL is the server at ``--postgres-url``, else ``TEST_POSTGRES_URL``, else ``DATABASE_URL``; the
benchmark works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from time import perf_counter
from typing import Any

import psycopg
import structlog
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, inspect, text

from dispute_engine.bootstrap import all_views
from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import LOCAL_ZONE, FixedClock
from dispute_engine.config import PostgresLocation, Settings
from dispute_engine.vault import open_vault
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.sequence import YearlySequence
from domain.values import SYSTEM_ACTOR, Actor, Agency, Role, parse_intake
from projections.base import Projection
from projections.bulk import bulk_upsert
from projections.caseload import CaseloadView
from projections.engine import WRITE, create_read_model_engine
from projections.follower import DEFAULT_BUILD_BATCH_SIZE, Follower
from projections.log import NotificationLog
from projections.timeliness import TimelinessView

DEFAULT_EVENTS = 50_000
DEFAULT_BATCH = DEFAULT_BUILD_BATCH_SIZE  # every measurement here builds a generation from empty
DEFAULT_RUNS = 3
GOAL = 15_000  # log events per second, per view, on both stores
FIRST_DAY = date(2025, 3, 3)

STAFF = Actor("centre-bench", Role.STAFF, Agency.UNION)
HR = Actor("hr-bench", Role.PARTNER, Agency.HR)
COURT = Actor("court-bench", Role.PARTNER, Agency.COURT)
JUSTICE = Actor("justice-bench", Role.PARTNER, Agency.JUSTICE)
STREETS = ("城关街道", "东城街道", "西关街道", "南湖街道", "北苑街道", "新华街道", "滨河街道", "高新街道")
INDUSTRIES = ("制造业", "建筑业", "批发和零售业", "住宿和餐饮业", "交通运输、仓储和邮政业", None)
CASE_TYPES = ("WAGE_ARREARS", "TERMINATION", "WORK_INJURY", "SOCIAL_INSURANCE", "NEW_EMPLOYMENT_FORM")
CENTRE = "区总工会劳资纠纷快处快结调解中心"


def _document(doc_type: str, title: str) -> dict[str, Any]:
    return {"doc_type": doc_type, "title": title, "sha256": uuid.uuid5(uuid.NAMESPACE_URL, title).hex * 2}


# --------------------------------------------------------------------------- the simulated district


@dataclass
class District:
    """Cases under way, each driven by a generator that yields how many days to wait for its next step."""

    app: DisputeEngine
    rng: random.Random
    today: date = FIRST_DAY
    live: list[Any] = field(default_factory=list)
    agenda: list[tuple[date, int, Any, Iterator[int]]] = field(default_factory=list)
    touched: dict[int, Any] = field(default_factory=dict)
    sequences: dict[tuple[str, int], YearlySequence] = field(default_factory=dict)
    order: Iterator[int] = field(default_factory=itertools.count)
    refused: int = 0

    @property
    def policy(self) -> Any:
        return self.app.policy

    def touch(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self.touched[id(aggregate)] = aggregate

    def number(self, series: str, template: str) -> str:
        key = (series, self.today.year)
        if key not in self.sequences:
            self.sequences[key] = YearlySequence.start(series, self.today.year)
        sequence = self.sequences[key]
        self.touch(sequence)
        return template.format(year=self.today.year, seq=sequence.issue(series))

    def start(self, aggregate: Any, life: Iterator[int]) -> None:
        self.live.append(aggregate)
        self.touch(aggregate)
        self._schedule(aggregate, life, 0)

    def _schedule(self, aggregate: Any, life: Iterator[int], days: int) -> None:
        heapq.heappush(self.agenda, (self.today + timedelta(days=days), next(self.order), aggregate, life))

    def run_day(self, disputes: int, tickets: int) -> None:
        self._tick()
        for _ in range(disputes):
            dispute = self.register()
            self.start(dispute, dispute_life(self, dispute))
        for _ in range(tickets):
            ticket = self.receive_ticket()
            self.start(ticket, ticket_life(self, ticket))
        while self.agenda and self.agenda[0][0] <= self.today:
            _, _, aggregate, life = heapq.heappop(self.agenda)
            try:
                wait = next(life)
            except StopIteration:
                continue
            except DomainError:
                self.refused += 1
                continue
            finally:
                self.touch(aggregate)
            self._schedule(aggregate, life, wait)
        self.app.save(*self.touched.values())
        self.touched.clear()
        self.today += timedelta(days=1)

    def _tick(self) -> None:
        """The deadline clock's morning check, on every live case."""
        still_live = []
        for case in self.live:
            for record in case.deadlines:
                if record["status"] != "OPEN":
                    continue
                due = record["due_date"] < self.today.isoformat()
                yellow = record["yellow_on"] <= self.today.isoformat() and record["warned"] is None
                if (due or yellow) and self._check(case, record["deadline_id"]):
                    self.touch(case)
            if _is_live(case):
                still_live.append(case)
        self.live = still_live

    def _check(self, case: Any, deadline_id: str) -> bool:
        try:
            return case.check_deadline(deadline_id, self.today, actor=SYSTEM_ACTOR, policy=self.policy)
        except DomainError:
            self.refused += 1
            return False

    def register(self, complaint_id: str | None = None, origin: str = "WALK_IN") -> Dispute:
        rng = self.rng
        workers = 12 if rng.random() < 0.06 else rng.choice((1, 1, 1, 2, 3))
        intake = parse_intake({
            "origin": origin if complaint_id else rng.choice(("WALK_IN", "WALK_IN", "ONLINE", "COURT_REFERRAL")),
            "summary": "拖欠工资",
            "received_on": self.today.isoformat(),
            "claimants": [{"kind": "WORKER", "person": {"name": f"工人{i}"}, "is_migrant_worker": rng.random() < 0.4}
                          for i in range(workers)],
            "respondents": [{"organisation": {"name": f"企业{rng.randint(1, 400)}有限公司"}}],
            "claims": [{"kind": "WAGE", "amount_cny": f"{rng.randint(20, 600) * 100}.00"}],
            "case_types": rng.sample(CASE_TYPES, rng.choice((1, 1, 2))),
            "risk_flags": ["GROUP_INCIDENT_RISK"] if workers >= 10 else [],
            "workplace": {"street": rng.choice(STREETS), "industry": rng.choice(INDUSTRIES)},
        }, default_received_on=self.today, new_party_id=lambda: uuid.uuid4().hex[:12])
        number = self.number("case", "（{year}）区工调字第{seq:05d}号")
        return Dispute.register(intake, case_number=number, actor=STAFF, complaint_id=complaint_id,
                                protect=self.app.protect)

    def receive_ticket(self) -> HotlineComplaint:
        rng = self.rng
        ticket = HotlineComplaint.receive({
            "channel": rng.choice(("PHONE_12351", "PHONE_12351", "ONLINE_DIGITAL_UNION", "APP")),
            "caller": {"name": "来电职工", "phone": f"139{rng.randint(0, 99_999_999):08d}"}
            if rng.random() < 0.7 else {"anonymous": True},
            "category": rng.choice(("CONSULTATION", "CONSULTATION", "ASSISTANCE", "COMPLAINT_PETITION")),
            "complexity": rng.choice(("GENERAL", "GENERAL", "GENERAL", "DIFFICULT", "ESPECIALLY_COMPLEX")),
            "summary": "咨询欠薪问题",
            "street": rng.choice(STREETS),
        }, received_at=datetime.combine(self.today, time(10), LOCAL_ZONE).astimezone(UTC), received_on=self.today,
            after_hours=False, actor=STAFF, protect=self.app.protect)
        ticket.register(self.number("ticket", "12351-{year}-{seq:06d}"), actor=STAFF)
        return ticket


def _is_live(case: Any) -> bool:
    finished = case.stage != "OPEN" if isinstance(case, Dispute) else case.state in ("CLOSED", "MERGED")
    return not finished or any(record["status"] == "OPEN" for record in case.deadlines)


def dispute_life(district: District, dispute: Dispute) -> Iterator[int]:
    """Mediation at the centre (or elsewhere); on failure arbitration; sometimes a suit after the award."""
    rng, policy = district.rng, district.policy
    dispute.assign_caseworker(f"centre-{rng.randint(1, 12)}", actor=STAFF)
    org_type, org_name = rng.choice((("UNION_MEDIATION_CENTRE", CENTRE),) * 3 + (
        ("ENTERPRISE_MEDIATION_COMMITTEE", "企业劳动争议调解委员会"),
        ("TOWNSHIP_STREET_LABOUR_MEDIATION", "街道劳动争议调解中心")))
    mediation = dispute.open_proceeding(kind="MEDIATION", org_type=org_type, org_name=org_name,
                                        received_on=district.today, consent={"worker": True, "employer": True},
                                        policy=policy, actor=STAFF)
    yield rng.randint(0, 2)
    dispute.accept_proceeding(mediation, on=district.today, case_no=dispute.case_number, policy=policy, actor=STAFF)
    yield rng.randint(1, 5)
    dispute.hold_mediation_session(mediation, mode=rng.choice(("IN_PERSON", "VIDEO")), on=district.today, actor=STAFF)
    fate = rng.random()
    if fate < 0.6:
        yield rng.randint(0, 9)
        dispute.conclude_proceeding(mediation, outcome="AGREEMENT_SIGNED", on=district.today,
                                    performance_due=district.today + timedelta(days=15), policy=policy, actor=STAFF)
        yield rng.randint(3, 20)
        yield from _resolve(district, dispute)
        return
    if fate < 0.85:
        yield rng.randint(2, 10)
        dispute.conclude_proceeding(mediation, outcome="FAILED", on=district.today, policy=policy, actor=STAFF)
    else:
        yield 17  # no agreement: the clock lapses the mediation after its 15 days (LDMAL art. 14)
    yield rng.randint(1, 4)
    handoff, arbitration = dispute.request_handoff(
        kind="ARBITRATION", org_type="ARBITRATION_COMMISSION", org_name="区劳动人事争议仲裁委员会",
        reason="PREVIOUS_TIER_FAILED", dossier=[_document("APPLICATION", "仲裁申请书")], on=district.today,
        policy=policy, actor=STAFF)
    yield rng.randint(0, 3)
    dispute.receive_handoff(handoff, on=district.today, policy=policy, actor=HR)
    yield rng.randint(1, 6)
    if rng.random() < 0.1:
        dispute.reject_handoff(handoff, reason="NO_JURISDICTION", legal_basis="劳动争议调解仲裁法第二十一条",
                               advice_to_party="向有管辖权的仲裁委员会申请", on=district.today, policy=policy, actor=HR)
        yield rng.randint(5, 30)
        dispute.close(reason="UNRESOLVED_TERMINAL", on=district.today, actor=STAFF)
        return
    dispute.accept_handoff(handoff, receiving_case_no=f"仲案{rng.randint(1, 9999)}号", on=district.today,
                           policy=policy, actor=HR)
    yield rng.randint(20, 55)
    award = rng.choice(("AWARD_FINAL", "AWARD_NON_FINAL", "ARB_MEDIATION_STATEMENT"))
    dispute.conclude_proceeding(arbitration, outcome=award, on=district.today,
                                amounts_awarded_cny=f"{rng.randint(10, 400) * 100}.00", policy=policy, actor=HR)
    if award == "ARB_MEDIATION_STATEMENT":
        yield rng.randint(5, 30)
        yield from _resolve(district, dispute)
        return
    yield rng.randint(1, 5)
    served = "ARB_AWARD_FINAL" if award == "AWARD_FINAL" else "ARB_AWARD_NON_FINAL"
    for side in ("WORKER", "EMPLOYER"):
        dispute.record_service(arbitration, doc_type=served, party_side=side, method="DIRECT",
                               served_on=district.today, policy=policy, actor=HR)
    if rng.random() < 0.7:
        yield rng.randint(16, 40)  # nobody sues: the challenge windows expire (the clock records it)
        yield from _resolve(district, dispute)
        return
    yield rng.randint(3, 12)
    suit, litigation = dispute.request_handoff(
        kind="LITIGATION_FIRST", org_type="BASIC_COURT", org_name="区人民法院", applicant="WORKER",
        reason="STATUTORY_ROUTE", channel="SYSTEM_ZONG_DUI_ZONG", dossier=[_document("COMPLAINT", "起诉状")],
        on=district.today, policy=policy, actor=STAFF)
    yield rng.randint(1, 7)
    dispute.accept_handoff(suit, receiving_case_no=f"民初{rng.randint(1, 9999)}号", on=district.today,
                           policy=policy, actor=COURT)
    yield rng.randint(30, 120)
    dispute.conclude_proceeding(litigation, outcome=rng.choice(("JUDGMENT", "COURT_MEDIATION_STATEMENT")),
                                on=district.today, policy=policy, actor=COURT)
    yield rng.randint(10, 40)
    yield from _resolve(district, dispute)


def _resolve(district: District, dispute: Dispute) -> Iterator[int]:
    rng = district.rng
    amount = f"{rng.randint(5, 400) * 100}.00" if rng.random() < 0.8 else None
    dispute.resolve(how="协议或裁判已履行", amount_recovered_cny=amount, on=district.today, actor=STAFF)
    yield rng.randint(0, 5)
    dispute.close(reason="RESOLVED", on=district.today, actor=STAFF)


def ticket_life(district: District, ticket: HotlineComplaint) -> Iterator[int]:
    """Answered on the call, or dispatched, handled, checked and called back; some become disputes."""
    rng, policy = district.rng, district.policy
    if ticket.category == "CONSULTATION" and rng.random() < 0.6:
        ticket.answer_on_call("告知维权途径", actor=STAFF)
        yield 0
        ticket.close(on=district.today, policy=policy, actor=STAFF)
        return
    ticket.dispatch(to_org=rng.choice(STREETS) + "工会", level="STREET", on=district.today, policy=policy, actor=STAFF)
    yield rng.choice((0, 0, 1, 1, 2, 4))
    ticket.sign_for(on=district.today, policy=policy, actor=STAFF)
    if rng.random() < 0.15:
        yield rng.randint(0, 2)
        dispute = district.register(complaint_id=str(ticket.id), origin="HOTLINE")
        ticket.convert_to_dispute(str(dispute.id), on=district.today, policy=policy, actor=STAFF)
        district.start(dispute, dispute_life(district, dispute))
    yield rng.randint(1, 12)
    if rng.random() < 0.1:
        ticket.refer_out(target="INSPECTION", advice="向劳动保障监察投诉", on=district.today, policy=policy,
                         actor=STAFF)
    else:
        amount = f"{rng.randint(5, 200) * 100}.00" if rng.random() < 0.4 else None
        ticket.submit_reply(text="已协调企业支付", outcome="RESOLVED", amount_recovered_cny=amount,
                            on=district.today, policy=policy, actor=STAFF)
    yield 0
    ticket.check_quality(passed=True, policy=policy, actor=STAFF)
    yield rng.randint(0, 3)
    satisfaction = rng.choice(("SATISFIED", "SATISFIED", "SATISFIED", "BASICALLY", "UNSATISFIED"))
    ticket.complete_callback(satisfaction=satisfaction, on=district.today, policy=policy, actor=STAFF)


def make_events(app: DisputeEngine, target: int, seed: int) -> tuple[int, int, int]:
    """Simulate days until the log holds ``target`` events: (events, days, refused steps)."""
    district = District(app, random.Random(seed))
    days = 0
    while (app.recorder.max_notification_id() or 0) < target:
        district.run_day(disputes=district.rng.randint(6, 14), tickets=district.rng.randint(10, 22))
        days += 1
    return app.recorder.max_notification_id() or 0, days, district.refused


# --------------------------------------------------------------------------- measuring


def event_tables(app: DisputeEngine) -> set[str]:
    recorders = [app.recorder] + ([app.snapshots.recorder] if app.snapshots else [])
    return {recorder.events_table_name.split(".")[-1] for recorder in recorders}


def drop_read_models(app: DisputeEngine, engine: Engine) -> None:
    """Remove every view table and the follower's bookkeeping; the events and snapshots stay."""
    keep = event_tables(app)
    with engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            quote = connection.dialect.identifier_preparer.quote
            for name in inspect(connection).get_table_names():
                if name not in keep:
                    connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)}"))


def baseline(app: DisputeEngine, engine: Engine, batch_size: int) -> float:
    """Seconds to SELECT every notification and INSERT one row each, a transaction per batch.

    The rows go in with the bulk statement the views use (:func:`projections.bulk.bulk_upsert`),
    so the ratio measures the views' own work, not a difference in insert method.
    """
    scratch = Table("bench_scratch", MetaData(), Column("notification_id", BigInteger, primary_key=True),
                    Column("originator_id", String(36), nullable=False), Column("topic", String(200), nullable=False))
    drop_read_models(app, engine)
    with engine.begin() as connection:
        scratch.create(connection)
    log = NotificationLog.of(app)
    head = log.head()
    started = perf_counter()
    position = 0
    while position < head:
        notifications = log.read(position, batch_size, head)
        with engine.connect() as connection:
            connection.execution_options(**WRITE)
            with connection.begin():
                bulk_upsert(connection, scratch, [(n.id, str(n.originator_id), n.topic) for n in notifications],
                            columns=["notification_id", "originator_id", "topic"], key=["notification_id"])
        position = notifications[-1].id
    return perf_counter() - started


def catch_up(app: DisputeEngine, engine: Engine, views: list[Projection], batch_size: int) -> tuple[float, int]:
    """Seconds for a new follower to bring ``views`` from empty to the head, and the events it handled."""
    drop_read_models(app, engine)
    follower = Follower(app, views, engine, batch_size=batch_size, build_batch_size=batch_size)
    started = perf_counter()
    handled = follower.run_once()
    return perf_counter() - started, handled


def rebuild(app: DisputeEngine, engine: Engine, views: list[Projection], batch_size: int) -> tuple[float, int]:
    """Seconds to rebuild ``views`` together beside their live generations, and the events handled.

    The live generations are built first, untimed.
    """
    catch_up(app, engine, views, batch_size)
    follower = Follower(app, views, engine, batch_size=batch_size, build_batch_size=batch_size)
    started = perf_counter()
    handled = follower.rebuild(*views)
    return perf_counter() - started, handled


@dataclass
class Measured:
    name: str
    seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    """Per run: the baseline's seconds over this view's, both measured in that run."""
    handled: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 1.0


@dataclass
class StoreResult:
    store: str
    version: str
    events: int
    days: int
    generation_seconds: float
    baseline: Measured
    views: list[Measured]
    load: tuple[float, float]
    """The 1-minute load average when the measurements started and when they ended."""


def views_to_measure() -> list[Projection]:
    views = list(all_views())
    names = {view.name for view in views}
    views += [view for view in (CaseloadView(), TimelinessView()) if view.name not in names]
    return views


def measure_store(store: str, settings: Settings, events: int, batch_size: int, runs: int, seed: int,
                  say: Callable[[str], None]) -> StoreResult:
    clock = FixedClock()
    clock.set_local(FIRST_DAY)
    vault = open_vault(settings)  # personal data is sealed per person, as in production
    app = DisputeEngine(settings, clock, vault)
    engine = create_read_model_engine(settings)
    try:
        started = perf_counter()
        made, days, refused = make_events(app, events, seed)
        generation = perf_counter() - started
        say(f"{store}: {made} events over {days} simulated days in {generation:.1f} s ({refused} steps refused)")
        views = views_to_measure()
        choices = [(partial(catch_up, views=[view]), view.name) for view in views] + [
            (partial(catch_up, views=views), "all views together"),
            (partial(rebuild, views=views), "all views rebuilt beside live ones"),
        ]
        base = Measured("baseline", handled=made)
        measured = [Measured(name) for _, name in choices]
        load = os.getloadavg()[0]
        # Each run measures the baseline and then every view, so that each ratio compares
        # measurements taken moments apart (the machine may be shared).
        for run in range(runs):
            base.seconds.append(baseline(app, engine, batch_size))
            for (measure, _), result in zip(choices, measured, strict=True):
                seconds, result.handled = measure(app, engine, batch_size=batch_size)
                result.seconds.append(seconds)
                result.ratios.append(base.seconds[-1] / seconds)
            say(f"{store}: run {run + 1}: baseline {made / base.seconds[-1]:,.0f} events/s; "
                + "; ".join(f"{m.name} {made / m.seconds[-1]:,.0f}" for m in measured))
        drop_read_models(app, engine)
        return StoreResult(store, store_version(engine), made, days, generation, base, measured,
                           (load, os.getloadavg()[0]))
    finally:
        engine.dispose()
        app.close()
        vault.close()


def store_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            return f"SQLite {connection.exec_driver_sql('select sqlite_version()').scalar()}"
        return f"PostgreSQL {connection.exec_driver_sql('show server_version').scalar()}"


# --------------------------------------------------------------------------- stores


def sqlite_settings() -> Iterator[Settings]:
    directory = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        yield Settings(data_dir=directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def postgres_settings(url: str) -> Iterator[Settings]:
    location = PostgresLocation.from_url(url, "the PostgreSQL URL")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    connect = {"host": location.host, "port": location.port, "dbname": location.dbname, "user": location.user,
               "password": location.password or None, "autocommit": True}
    with psycopg.connect(**connect) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    directory = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        yield Settings(data_dir=directory, postgres=location, postgres_schema=schema)
    finally:
        with psycopg.connect(**connect) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(directory, ignore_errors=True)


# --------------------------------------------------------------------------- the report


def machine() -> list[tuple[str, str]]:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    memory = next((line.split()[1] for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), "")
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} logical cores"),
        ("memory", f"{int(memory) / 1024 / 1024:.1f} GiB" if memory else "unknown"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("libraries", ", ".join(f"{name} {version(name)}" for name in ("eventsourcing", "SQLAlchemy", "psycopg"))
         + f"; sqlite3 module on SQLite {sqlite3.sqlite_version}"),
        ("load average when the report was written (1/5/15 min)", load),
        ("shared", "other engineers' test suites ran on the same machine and database server meanwhile"),
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


NOTES_HEADING = "## Profiling notes"


def report(results: list[StoreResult], batch_size: int, runs: int, notes: str) -> str:
    lines = [
        "# Read-model catch-up benchmark",
        "",
        "Written by `bench/projection_catchup.py` (the method is in its docstring; the section",
        f"*{NOTES_HEADING[3:]}* is kept when the file is rewritten). Each view is built from empty by one",
        f"`Follower` with a batch size of {batch_size}, then all views together; the last row rebuilds all",
        "views together beside their live generations (`Follower.rebuild`) and drops the old ones. Rates",
        "are **log events per second**: every notification up to the head, whatever its topic, over the",
        "time the views took to reach the head.",
        "The baseline reads the same notifications in the same batches and inserts one row per event into",
        "a scratch table (with the bulk statement the views use), one transaction per batch, on the same",
        f"database: what any view must at least cost. Each of the {runs} runs measures the baseline and then",
        "every view; the table gives the median seconds and the median of the per-run ratios.",
        f"Goal: {GOAL:,} events/s for every view on both stores.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in machine()),
        "",
    ]
    for result in results:
        rate = result.events / result.baseline.median
        lines += [
            f"## {result.version}",
            "",
            f"{result.events:,} events from {result.days} simulated days, generated in "
            f"{result.generation_seconds:.0f} s. Baseline: {rate:,.0f} events/s "
            f"({result.baseline.median:.2f} s). Load average (1 min) {result.load[0]:.1f} when the runs "
            f"started, {result.load[1]:.1f} when they ended.",
            "",
            "| view | events handled | seconds (median) | events/s | × baseline | goal |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for measured in result.views:
            per_second = result.events / measured.median
            lines.append(
                f"| {measured.name} | {measured.handled:,} | {measured.median:.2f} | {per_second:,.0f} | "
                f"{measured.ratio:.2f} | {'met' if per_second >= GOAL else 'missed'} |"
            )
        lines.append("")
    if notes:
        lines += [notes.rstrip(), ""]
    return "\n".join(lines)


def kept_notes(path: Path) -> str:
    """The hand-written profiling section of an earlier report, if any."""
    if not path.exists():
        return ""
    text_ = path.read_text(encoding="utf-8")
    start = text_.find(NOTES_HEADING)
    return text_[start:] if start >= 0 else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="events to generate (about)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--stores", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--output", default="docs/benchmarks-projections.md", help="report file ('-': none)")
    options = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = []
    for store in options.stores.split(","):
        if store == "sqlite":
            stores = sqlite_settings()
        elif store == "postgres":
            if not options.postgres_url:
                parser.error("postgres: give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
            stores = postgres_settings(options.postgres_url)
        else:
            parser.error(f"unknown store {store!r}")
        for settings in stores:
            results.append(measure_store(store, settings, options.events, options.batch_size, options.runs,
                                         options.seed, print))
    if options.output == "-":
        print(report(results, options.batch_size, options.runs, ""))
        return
    output = Path(options.output)
    text_ = report(results, options.batch_size, options.runs, kept_notes(output))
    output.write_text(text_, encoding="utf-8")
    print(text_)


if __name__ == "__main__":
    main()
