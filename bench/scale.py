"""The dashboards and lists with a million cases, the server's memory, and a rebuild of a million events.

    .venv/bin/python -m bench.scale                                    # full profile: 1,000,000 cases and events
    .venv/bin/python -m bench.scale --quick                            # 100,000 cases, 100,000 events
    .venv/bin/python -m bench.scale --cases 200000 --stores sqlite --only queries
    .venv/bin/python -m bench.scale --rebuild-events 1000000 --only rebuild --runs 3

**Queries** (``measure_queries``), per store:

1. A fresh store. The real follower builds every view of ``all_views()`` on the empty log, so each
   view has its tracking and registry rows and its generation-1 tables, live at position 0.
2. The tables read by the caseload and timeliness dashboards, the case list and the partner inbox
   (``cases``, ``case_tags``, ``inbox``, the four ``caseload_*`` counters, the six
   ``timeliness_*`` counters, and the views' roll-ups summed from those counters by the views' own
   functions) are **bulk-filled with synthetic rows of the real shape**: ``--cases``
   disputes and as many 12351 tickets. The views' own bookkeeping tables (per-case state, open
   deadlines, claims, proceedings) stay empty; nothing reads them on these paths. Loading 10–20M
   events through the application instead is an overnight run. Each dispute is drawn from one model
   (:class:`District`) that writes its list row, its tags, its handoffs and its contributions to
   every counter from the same attributes, so the figures agree with the lists. Indexes are
   dropped before the load and created afterwards as declared. SQLite gets ``executemany`` and no
   ``ANALYZE`` (the application never runs one); PostgreSQL gets ``COPY``, then ``VACUUM ANALYZE``
   (the job autovacuum does after a bulk insert).
3. The real API (``api.app.create_app``, background threads off) runs under uvicorn in a child
   process on 127.0.0.1. A staff user and a partner (HR bureau) user get bearer tokens.
4. Every probe (a dashboard with a common filter, a page of the case list or of the inbox) is
   requested ``--repetitions`` times over one keep-alive connection, round robin over the probes,
   after one warm-up round; p50 and p95 per probe. A probe stops repeating once its requests have
   taken ``PROBE_BUDGET`` seconds (after at least ``MIN_REPETITIONS``), so a slow one bounds the run.
5. **Baseline**, same run and database: the SQL statements the same read function executes
   (captured in-process with a cursor hook), executed directly with ``sqlite3`` / ``psycopg`` on a
   connection of their own, the same number of times, inside one transaction each like the API.
   Ratio = HTTP p50 / bare p50.
6. The server's resident memory (``VmRSS``, and the peak ``VmHWM``) from ``/proc`` after the probes.

**Rebuild** (``measure_rebuild``), per store:

1. A template log from the simulated district of :mod:`bench.projection_catchup` (real commands,
   deadline policy, personal data sealed through the vault), about ``TEMPLATE_EVENTS`` events.
2. Copies of the template until the log holds ``--rebuild-events``: every stored event is copied
   with a new originator id, the ids of the template's aggregates rewritten wherever the state
   names them as a whole JSON string (sealed personal data keeps its subject, so it still opens),
   and appended through the recorder's own ``insert_events``. Dates stay those of the template.
3. Each run: the baseline of :func:`bench.projection_catchup.baseline` (read every notification in
   batches, one row per event into a scratch table), then every view of ``all_views()`` built from
   empty by one ``Follower`` (``run_once``). Median of ``--runs`` runs.

PostgreSQL is ``--postgres-url``, else ``TEST_POSTGRES_URL``, else ``DATABASE_URL``; every measurement
works in a schema of its own and drops it afterwards. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import logging
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import structlog
from sqlalchemy import Engine, Table, event

from bench.http_commands import free_port
from bench.projection_catchup import (
    baseline,
    catch_up,
    machine,
    make_events,
    postgres_settings,
    sqlite_settings,
    store_version,
)
from dispute_engine.bootstrap import all_views
from dispute_engine.clock import FixedClock
from dispute_engine.config import PostgresLocation, Settings
from domain.dispute import CHALLENGE_WINDOWS
from domain.stages import KINDS, STATUS_PRECEDENCE
from projections import caseload, dashboards, queries, timeliness
from projections.caseload import Tally
from projections.engine import WRITE, create_read_model_engine
from projections.follower import DEFAULT_BUILD_BATCH_SIZE, Follower
from projections.reading import open_view
from projections.rollups import roll_up_counters

TODAY = date(2026, 3, 2)
YEARS = 5
DEFAULT_CASES = 1_000_000
DEFAULT_REBUILD_EVENTS = 1_000_000
DEFAULT_REPETITIONS = 20
DEFAULT_RUNS = 3
DEFAULT_BATCH = DEFAULT_BUILD_BATCH_SIZE  # the rebuild builds every view from empty
TEMPLATE_EVENTS = 20_000
CHUNK = 20_000
PROBE_BUDGET = 20.0
MIN_REPETITIONS = 3
GOAL_P95_MS = 100.0
GOAL_RSS_MIB = 300.0
GOAL_REBUILD_SECONDS = 90.0
GOAL_REBUILD_EVENTS = 1_000_000
PARTNER_AGENCY = "hr"
LISTS = ("/disputes", "/handoffs")
PROFILES = {
    "quick": {"cases": 100_000, "rebuild_events": 100_000, "repetitions": 10},
    "full": {"cases": DEFAULT_CASES, "rebuild_events": DEFAULT_REBUILD_EVENTS, "repetitions": DEFAULT_REPETITIONS},
}

# --------------------------------------------------------------------------- the synthetic district

STREETS = tuple(f"{name}街道" for name in (
    "城关", "东城", "西关", "南湖", "北苑", "新华", "滨河", "高新", "东湖", "西湖", "江南", "江北", "长安", "永宁",
    "和平", "建设", "解放", "人民", "光明", "文化", "中山", "鼓楼", "新城", "金桥", "花园", "桃源", "龙泉", "青山",
    "白云", "红星", "胜利", "朝阳", "太平", "兴隆", "望江", "临江",
))
INDUSTRIES = ("制造业", "建筑业", "批发和零售业", "住宿和餐饮业", "交通运输、仓储和邮政业",
              "信息传输、软件和信息技术服务业", "居民服务、修理和其他服务业", "租赁和商务服务业")
TRADES = ("机械制造", "电子科技", "家具", "纺织", "塑胶制品", "食品", "汽车配件", "建设工程", "建筑安装工程",
          "市政工程", "商贸", "超市", "电器销售", "餐饮管理", "酒店管理", "物流", "配送服务", "网络科技",
          "物业服务", "家政服务", "人力资源服务", "劳务派遣", "建筑劳务")
BRANDS = "恒鑫华宏金博瑞盛嘉永兴德隆安泰丰源达信诚远昌发辉通宇航邦润峰"
ORIGINS = (("HOTLINE", 60), ("WALK_IN", 22), ("ONLINE", 9), ("COURT_REFERRAL", 4), ("UNION_OUTREACH", 2),
           ("INSPECTION_REFERRAL", 2), ("PETITION_REFERRAL", 1))
INDIVIDUAL_TYPES = ((("WAGE_ARREARS",), 30), (("TERMINATION",), 19),
                    (("WAGE_ARREARS_CONSTRUCTION", "WAGE_ARREARS"), 11), (("NEW_EMPLOYMENT_FORM",), 11),
                    (("WORK_INJURY",), 10), (("DISPATCH",), 8), (("SOCIAL_INSURANCE",), 6),
                    (("CONFIRM_RELATION",), 3), (("TERMINATION", "SOCIAL_INSURANCE"), 2))
COLLECTIVE_TYPES = ((("WAGE_ARREARS_CONSTRUCTION", "WAGE_ARREARS", "COLLECTIVE_COMMON_CLAIM"), 7),
                    (("WAGE_ARREARS", "COLLECTIVE_COMMON_CLAIM"), 3))
COLLECTIVE_SHARE = 0.07
SEASON = (1.5, 1.1, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.1, 1.4)  # wage arrears peak around the new year
GROWTH = 1.08  # intake grows by this factor a year

CENTRE = "区总工会劳资纠纷快处快结调解中心"
ARBITRATION_COMMISSION = "区劳动人事争议仲裁委员会"
BASIC_COURT = "区人民法院"
INTERMEDIATE_COURT = "市中级人民法院"
UNION_AT_COURT = "区总工会驻区人民法院调解工作室"
UNION_NEGOTIATION = "区总工会协商指导组"
INSPECTION = "区人力资源和社会保障局劳动保障监察大队"
INJURY_OFFICE = "区人力资源和社会保障局工伤保险科"
LEGAL_AID_CENTRE = "区法律援助中心"
UNION_LEGAL_AID = "区总工会法律援助工作站"

# Calendar days of each rule the model computes (working days × 7/5, months × 30.4).
LIMITS = {"M3": 15, "F1": 7, "M8": 30, "M9": 30, "P1": 5, "P2": 15, "A3": 7, "A8": 45, "A11": 15, "A12": 30,
          "A13": 15, "L1": 7, "L3": 182, "L6": 15, "L7": 91, "I1": 7, "I2": 84, "LA1": 7,
          "H2": 2, "H3": 7, "H3D": 21, "H3C": 42, "H4": 3}
PARTY_RULES = frozenset({"M8", "A11", "A12", "A13", "L6"})
ACCEPTANCE_RULES = frozenset({"A3", "L1", "I1", "P1", "LA1"})  # started by the receipt, met by the acceptance
# rule -> which date starts it and which meets it: start, received, decided (accepted), end (concluded).
STEP_RULES = {
    "MEDIATION": (("M3", "decided", "end"),),
    "ARBITRATION": (("A3", "received", "decided"), ("A8", "decided", "end")),
    "LITIGATION_FIRST": (("L1", "received", "decided"), ("L3", "decided", "end")),
    "APPEAL": (("L7", "decided", "end"),),
    "JUDICIAL_CONFIRMATION": (("M9", "decided", "end"),),
    "PAYMENT_ORDER": (("P1", "received", "decided"), ("P2", "decided", "end")),
    "LABOUR_INSPECTION": (("I1", "received", "decided"), ("I2", "decided", "end")),
    "LEGAL_AID": (("LA1", "received", "end"),),
}
STATUSES = ("open", "at_risk", "missed", "on_time", "late", "cancelled")
HEADLINE_ORDER = tuple(kind.value for kind, _ in STATUS_PRECEDENCE)
PRECEDENCE = {kind: rank for rank, kind in enumerate(
    HEADLINE_ORDER + tuple(kind.value for kind in KINDS if kind.value not in HEADLINE_ORDER))}
STATUS_OF_KIND = {kind.value: status for kind, status in STATUS_PRECEDENCE}
ADJUDICATION = frozenset({"ARBITRATION", "AWARD_REVOCATION", "LITIGATION_FIRST", "APPEAL"})
OPEN_STATES = frozenset({"REQUESTED", "AWAITING_SUPPLEMENT", "ACTIVE", "SUSPENDED"})
SUCCESS = frozenset({"SETTLED", "AGREEMENT_SIGNED", "ARB_MEDIATION_STATEMENT", "AWARD_FINAL", "AWARD_NON_FINAL",
                     "DEFAULT_AWARD", "JUDGMENT", "COURT_MEDIATION_STATEMENT", "FINAL_JUDGMENT", "SATISFIED",
                     "ORDER_TO_PAY", "CONFIRMED_VALID", "ORDER_ISSUED_PAID", "MEDIATION_STATEMENT_ISSUED", "REVOKED"})
RECEIVING_NUMBERS = {
    "ARBITRATION": "（{y}）区劳人仲案字第{n:05d}号", "LITIGATION_FIRST": "（{y}）区0102民初{n}号",
    "APPEAL": "（{y}）市01民终{n}号", "ENFORCEMENT": "（{y}）区0102执{n}号", "JUDICIAL_CONFIRMATION": "（{y}）区0102民特{n}号",
    "PAYMENT_ORDER": "（{y}）区0102民督{n}号", "AWARD_REVOCATION": "（{y}）市01民特{n}号",
}
ASSIGNEES = {"hr": ("hr-arb-wang", "hr-arb-sun", "hr-arb-zhou", "hr-med-1", "hr-insp-wu"),
             "court": ("court-zhao", "court-qian", "court-ic-feng"), "justice": ("justice-med-he", "justice-aid-lin")}
MEDIATION_ENDINGS = (("AGREEMENT_SIGNED", "CONCLUDED", 50), ("FAILED", "CONCLUDED", 30), ("LAPSED_15D", "LAPSED", 13),
                     ("DECLINED_BY_PARTY", "DECLINED", 5), ("WITHDRAWN", "WITHDRAWN", 2))
ARBITRATION_ENDINGS = (("AWARD_NON_FINAL", "CONCLUDED", 35), ("AWARD_FINAL", "CONCLUDED", 22),
                       ("ARB_MEDIATION_STATEMENT", "CONCLUDED", 20), ("WITHDRAWN", "WITHDRAWN", 8),
                       ("NON_ACCEPTED", "REJECTED", 5), ("ACCEPTANCE_OVERDUE", "ACCEPTANCE_OVERDUE", 3),
                       ("DEFAULT_AWARD", "CONCLUDED", 3), ("DEEMED_WITHDRAWN", "CONCLUDED", 1))


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    values = [value for value, _ in pairs]
    return values, list(itertools.accumulate(weight for _, weight in pairs))


def month_of(day: date) -> str:
    return day.replace(day=1).isoformat()


def week_of(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


class Step:
    """One proceeding of a synthetic dispute, with its dates and how it ends."""

    __slots__ = ("kind", "org_type", "org_name", "agency", "reason", "start", "received", "decided", "end",
                 "end_state", "outcome", "proceeding_id", "handoff_id", "case_no")

    def __init__(self, kind: str, org_type: str, org_name: str, agency: str, reason: str | None, start: date,
                 length: int, ending: tuple[str, str], rng: random.Random) -> None:
        self.kind, self.org_type, self.org_name, self.agency, self.reason = kind, org_type, org_name, agency, reason
        self.start = start
        self.received = start + timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3))) if reason else start
        self.outcome, self.end_state = ending
        accepted = self.end_state not in ("REJECTED", "ACCEPTANCE_OVERDUE")
        decide = rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 8)) if accepted else rng.randint(2, 12)
        self.decided = self.received + timedelta(days=decide) if reason else start
        self.end = max(self.decided + timedelta(days=1), start + timedelta(days=length))
        self.proceeding_id = f"{rng.getrandbits(48):012x}"
        self.handoff_id = f"{rng.getrandbits(48):012x}" if reason else None
        self.case_no: str | None = None

    def state_on(self, day: date) -> str:
        """The proceeding's state on ``day`` (it has started)."""
        if self.end < day or (self.end_state in ("REJECTED", "ACCEPTANCE_OVERDUE") and self.decided < day):
            return self.end_state
        return "REQUESTED" if self.reason and day <= self.decided else "ACTIVE"


@dataclass
class Counters:
    """The dashboards' counter rows, summed per key, in each table's primary-key order."""

    headline: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    profile: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    dispute_counts: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    ticket_counts: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    deadline_counts: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 6))
    days_used: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0]))
    handoff_days: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0]))
    mediations: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0]))
    amounts: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    satisfaction: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0]))

    TABLES = {
        "caseload_headline": "headline", "caseload_profile": "profile", "caseload_dispute_counts": "dispute_counts",
        "caseload_ticket_counts": "ticket_counts", "timeliness_deadline_counts": "deadline_counts",
        "timeliness_days_used": "days_used", "timeliness_handoff_days": "handoff_days",
        "timeliness_mediations": "mediations", "timeliness_amounts": "amounts",
        "timeliness_satisfaction": "satisfaction",
    }

    # Each counter table's roll-up, summed from its rows by the views' own functions.
    ROLLUPS = {
        **{f"caseload_{name}": (f"caseload_{target}", explode) for name, (target, explode) in caseload.ROLLUPS.items()},
        **{f"timeliness_{name}": (f"timeliness_{target}", explode)
           for name, (target, explode) in timeliness.ROLLUPS.items()},
    }

    def rows(self, table: str) -> list[tuple]:
        return [(*key, *values) for key, values in getattr(self, self.TABLES[table]).items()]

    def rollup_rows(self, tables: dict[str, Table]) -> dict[str, list[tuple]]:
        tallies: dict[str, Tally] = defaultdict(Tally)
        for name in self.ROLLUPS:
            tallies[name].changes = getattr(self, self.TABLES[name])
        roll_up_counters(tallies, self.ROLLUPS, tables.__getitem__)
        return {target: [(*key, *change) for key, change in tallies[target].changes.items() if any(change)]
                for target in dict.fromkeys(target for target, _ in self.ROLLUPS.values())}


@dataclass
class Chunk:
    cases: list[tuple] = field(default_factory=list)
    case_tags: list[tuple] = field(default_factory=list)
    inbox: list[tuple] = field(default_factory=list)


CASE_COLUMNS = (
    "dispute_id", "case_number", "status", "stage", "origin", "received_on", "street", "industry", "case_types",
    "risk_flags", "is_collective", "claimant_count", "caseworker", "current_kind", "current_state",
    "current_org_type", "current_org_name", "current_agency", "claimed_cny", "awarded_cny", "recovered_cny",
    "respondents", "complaint_ids", "version", "updated_at", "red_count", "yellow_count", "search_text",
)
TAG_COLUMNS = ("dispute_id", "kind", "tag", "received_on")
INBOX_COLUMNS = (
    "dispute_id", "handoff_id", "proceeding_id", "case_number", "respondents", "from_agency", "to_agency", "kind",
    "org_type", "org_name", "reason", "state", "requested_on", "received_on", "decided_on", "missing",
    "receiving_case_no", "assignee", "rejection_reason", "due_on", "warning", "overdue", "updated_at", "search_text",
)


class District:
    """A district of ``YEARS`` years of intake up to ``TODAY``, one dispute or ticket at a time.

    Distributions follow the demo year (``dispute-engine demo load``) where it has them — origins,
    case types, collective share, risk flags, mediation and arbitration outcomes, handoff reasons —
    scaled out to 36 streets, ≈50 centre caseworkers over the years plus a mediator per street,
    thousands of employers (enterprise committees are named after them), seasonal intake growing 8 %
    a year. A case's path, dates and deadlines decide its list row, its handoffs and every counter it
    contributes to, as the views would record them on ``TODAY``.
    """

    def __init__(self, seed: int, timestamp_suffix: str) -> None:
        self.rng = random.Random(seed)
        self.suffix = timestamp_suffix  # '' on SQLite (naive UTC text), '+00' on PostgreSQL
        self.counters = Counters()
        first = date(TODAY.year - YEARS, TODAY.month, 1)
        days = [first + timedelta(days=n) for n in range((TODAY - first).days)]
        weights = [GROWTH ** ((d - first).days / 365) * SEASON[d.month - 1] * (0.35 if d.weekday() >= 5 else 1.0)
                   for d in days]
        self.days, self.day_weights = days, list(itertools.accumulate(weights))
        street_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(STREETS))]
        self.street_weights = list(itertools.accumulate(street_weights))
        self.companies = [f"{a}{b}{trade}有限公司" for trade in TRADES for a in BRANDS for b in BRANDS if a != b]
        self.rng.shuffle(self.companies)
        self.company_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(self.companies))))
        self.origins = _weighted(ORIGINS)
        self.individual_types = _weighted(INDIVIDUAL_TYPES)
        self.collective_types = _weighted(COLLECTIVE_TYPES)
        self.mediation_endings = _weighted([((o, s), w) for o, s, w in MEDIATION_ENDINGS])
        self.arbitration_endings = _weighted([((o, s), w) for o, s, w in ARBITRATION_ENDINGS])
        self.sequences: dict[tuple[str, int], int] = defaultdict(int)

    # -- drawing ------------------------------------------------------------------

    def _pick(self, table: tuple[list[Any], list[float]]) -> Any:
        values, cumulative = table
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _day(self) -> date:
        return self.days[bisect.bisect(self.day_weights, self.rng.random() * self.day_weights[-1])]

    def _street(self) -> str | None:
        if self.rng.random() < 0.03:
            return None
        return STREETS[bisect.bisect(self.street_weights, self.rng.random() * self.street_weights[-1])]

    def _company(self) -> str:
        return self.companies[bisect.bisect(self.company_weights, self.rng.random() * self.company_weights[-1])]

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _number(self, series: str, year: int) -> int:
        self.sequences[(series, year)] += 1
        return self.sequences[(series, year)]

    def _stamp(self, day: date) -> str:
        seconds = self.rng.randint(0, 10 * 3600)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        return f"{day.isoformat()} {clock}.000000{self.suffix}"

    # -- disputes -------------------------------------------------------------------

    def disputes(self, count: int, chunk: int = CHUNK) -> Iterator[Chunk]:
        """Disputes in the order they were received, as the views would have inserted their rows."""
        current = Chunk()
        for received in sorted(self._day() for _ in range(count)):
            self._dispute(current, received)
            if len(current.cases) >= chunk:
                yield current
                current = Chunk()
        if current.cases:
            yield current

    def _mediation(self, street: str | None, company: str, start: date) -> Step:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            where = ("UNION_MEDIATION_CENTRE", CENTRE, "union", None)
        elif r < 0.73:
            where = ("TOWNSHIP_STREET_LABOUR_MEDIATION", f"{street or STREETS[0]}劳动争议调解中心", "hr",
                     "PARTY_APPLICATION")
        elif r < 0.87:
            where = ("PEOPLES_MEDIATION_COMMITTEE", f"{street or STREETS[0]}人民调解委员会", "justice",
                     "PARTY_APPLICATION")
        elif r < 0.97:
            where = ("ENTERPRISE_MEDIATION_COMMITTEE", f"{company}劳动争议调解委员会", "union", None)
        else:
            where = ("UNION_AT_COURT_STATION", UNION_AT_COURT, "union", None)
        ending = self._pick(self.mediation_endings)
        if where[3] and rng.random() < 0.03:
            ending = ("NON_ACCEPTED", "REJECTED")
        length = rng.randint(16, 22) if ending[1] == "LAPSED" else min(rng.randint(2, 14), rng.randint(2, 17))
        return Step("MEDIATION", where[0], where[1], where[2], where[3], start, length, ending, rng)

    def _plan(self, street: str | None, company: str, received: date) -> list[Step]:
        """The proceedings the dispute goes through (some may start after ``TODAY``)."""
        rng = self.rng
        steps: list[Step] = []
        start = received + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))

        def add(kind: str, org_type: str, org_name: str, agency: str, reason: str | None, length: int,
                ending: tuple[str, str]) -> Step:
            nonlocal start
            step = Step(kind, org_type, org_name, agency, reason, start, length, ending, rng)
            steps.append(step)
            start = step.end + timedelta(days=rng.randint(1, 10))
            return step

        r = rng.random()
        if r < 0.05:
            settled = rng.random() < 0.6
            org = ("UNION_NEGOTIATION_ASSIST", UNION_NEGOTIATION) if rng.random() < 0.75 else ("PARTIES", "劳动者与用人单位")
            add("NEGOTIATION", *org, "union", None, rng.randint(3, 20),
                ("SETTLED", "CONCLUDED") if settled else ("FAILED", "CONCLUDED"))
            if settled:
                return steps
            mediate = rng.random() < 0.5
        elif r < 0.08:
            add("LABOUR_INSPECTION", "LABOUR_INSPECTION", INSPECTION, "hr", "PARTY_APPLICATION", rng.randint(20, 90),
                (rng.choice(("ORDER_TO_PAY", "ORDER_TO_PAY", "PENALTY", "REFERRED_TO_DISPUTE_CHANNEL")), "CONCLUDED"))
            return steps
        elif r < 0.11:
            add("WORK_INJURY_DETERMINATION", "SOCIAL_INSURANCE_ADMIN", INJURY_OFFICE, "hr", "STATUTORY_ROUTE",
                rng.randint(20, 60),
                (rng.choice(("DETERMINED_INJURY", "DETERMINED_INJURY", "NOT_INJURY")), "CONCLUDED"))
            if rng.random() < 0.5:
                return steps
            mediate = False
        else:
            mediate = r >= 0.19  # else straight to arbitration
        if mediate:
            mediation = self._mediation(street, company, start)
            steps.append(mediation)
            start = mediation.end + timedelta(days=rng.randint(1, 10))
            if mediation.outcome == "AGREEMENT_SIGNED":
                f = rng.random()
                if f < 0.055:
                    add("JUDICIAL_CONFIRMATION", "BASIC_COURT", BASIC_COURT, "court", "AGREEMENT_FOLLOW_UP",
                        rng.randint(8, 30), ("CONFIRMED_VALID", "CONCLUDED"))
                elif f < 0.085:
                    add("PAYMENT_ORDER", "BASIC_COURT", BASIC_COURT, "court", "AGREEMENT_FOLLOW_UP",
                        rng.randint(10, 20), ("ORDER_ISSUED_PAID", "CONCLUDED"))
                elif f < 0.10:
                    add("ARBITRAL_REVIEW", "ARBITRATION_COMMISSION", ARBITRATION_COMMISSION, "hr",
                        "AGREEMENT_FOLLOW_UP", rng.randint(5, 15), ("MEDIATION_STATEMENT_ISSUED", "CONCLUDED"))
                return steps
            if mediation.outcome == "WITHDRAWN" or rng.random() < 0.25:
                return steps
        if rng.random() < 0.15:
            aid = ("LEGAL_AID_CENTRE", LEGAL_AID_CENTRE, "justice", "PARTY_APPLICATION") if rng.random() < 0.7 else (
                "UNION_LEGAL_AID_STATION", UNION_LEGAL_AID, "union", None)
            add("LEGAL_AID", *aid, rng.randint(3, 10), ("GRANTED", "CONCLUDED") if rng.random() < 0.93
                else ("REFUSED", "CONCLUDED"))
        reason = "PREVIOUS_TIER_FAILED" if steps else "PARTY_APPLICATION"
        ending = self._pick(self.arbitration_endings)
        arbitration = add("ARBITRATION", "ARBITRATION_COMMISSION", ARBITRATION_COMMISSION, "hr", reason,
                          min(rng.randint(20, 70), rng.randint(25, 95)), ending)
        sue = {"AWARD_NON_FINAL": 0.45, "DEFAULT_AWARD": 0.3, "NON_ACCEPTED": 0.6, "ACCEPTANCE_OVERDUE": 0.6,
               "AWARD_FINAL": 0.12}.get(arbitration.outcome, 0.0)
        if rng.random() >= sue:
            return steps
        if arbitration.outcome == "AWARD_FINAL" and rng.random() < 0.5:
            add("AWARD_REVOCATION", "INTERMEDIATE_COURT", INTERMEDIATE_COURT, "court", "STATUTORY_ROUTE",
                rng.randint(30, 60), (rng.choice(("DISMISSED", "DISMISSED", "REVOKED")), "CONCLUDED"))
            return steps
        trial = add("LITIGATION_FIRST", "BASIC_COURT", BASIC_COURT, "court", "STATUTORY_ROUTE",
                    min(rng.randint(40, 200), rng.randint(50, 220)),
                    (rng.choice(("JUDGMENT",) * 7 + ("COURT_MEDIATION_STATEMENT",) * 2 + ("DISMISSED",)), "CONCLUDED"))
        if trial.outcome == "JUDGMENT" and rng.random() < 0.15:
            add("APPEAL", "INTERMEDIATE_COURT", INTERMEDIATE_COURT, "court", "STATUTORY_ROUTE", rng.randint(30, 100),
                (rng.choice(("FINAL_JUDGMENT",) * 16 + ("COURT_MEDIATION_STATEMENT",) * 3 + ("REMANDED",)),
                 "CONCLUDED"))
        if trial.outcome != "DISMISSED" and rng.random() < 0.25:
            add("ENFORCEMENT", "BASIC_COURT", BASIC_COURT, "court", "STATUTORY_ROUTE", rng.randint(30, 180),
                ("SATISFIED", "CONCLUDED") if rng.random() < 0.8 else ("TERMINATED", "CONCLUDED"))
        return steps

    def _deadlines(self, steps: list[Step]) -> list[tuple[str, Step, date, date | None, date | None]]:
        """(rule, step it belongs to, start, met on, cancelled on) of every deadline computed before ``TODAY``."""
        found: list[tuple[str, Step, date, date | None, date | None]] = []
        for index, step in enumerate(steps):
            if step.start >= TODAY:
                break
            accepted = step.end_state not in ("REJECTED", "ACCEPTANCE_OVERDUE")
            dates = {"start": step.start, "received": step.received, "decided": step.decided, "end": step.end}
            ended_early = step.end_state in ("LAPSED", "WITHDRAWN", "DECLINED")
            for rule, starts, meets in STEP_RULES.get(step.kind, ()):
                if rule not in ACCEPTANCE_RULES and not accepted:
                    continue
                never_met = (ended_early and meets == "end") or step.end_state == "ACCEPTANCE_OVERDUE"
                met = None if never_met else dates[meets]
                cancelled = step.end if step.end_state in ("WITHDRAWN", "DECLINED") else None
                found.append((rule, step, dates[starts], met, cancelled))
            if step.kind == "MEDIATION" and step.org_type == "UNION_MEDIATION_CENTRE":
                met = None if ended_early else step.end
                found.append(("F1", step, step.start, met, step.end if step.end_state == "WITHDRAWN" else None))
            following = steps[index + 1] if index + 1 < len(steps) else None
            window = {"AGREEMENT_SIGNED": "M8", "AWARD_NON_FINAL": "A13", "DEFAULT_AWARD": "A13",
                      "AWARD_FINAL": "A11", "JUDGMENT": "L6"}.get(step.outcome)
            if window is not None:
                used = following is not None and following.kind in (
                    "JUDICIAL_CONFIRMATION", "LITIGATION_FIRST", "APPEAL", "AWARD_REVOCATION")
                found.append((window, step, step.end, following.start if used else None, None))
                if step.outcome == "AWARD_FINAL":
                    revoked = following is not None and following.kind == "AWARD_REVOCATION"
                    found.append(("A12", step, step.end, following.start if revoked else None, None))
        return [d for d in found if d[2] < TODAY]

    @staticmethod
    def _status(rule: str, start: date, met: date | None, cancelled: date | None) -> tuple[str, int | None]:
        limit = LIMITS[rule]
        if met is not None and met < TODAY:
            days = (met - start).days
            return ("on_time" if days <= limit else "late"), days
        if cancelled is not None and cancelled < TODAY:
            return "cancelled", None
        elapsed = (TODAY - start).days
        if elapsed > limit:
            return "missed", None
        return ("at_risk" if elapsed >= 0.8 * limit else "open"), None

    def _dispute(self, chunk: Chunk, received: date) -> None:
        rng = self.rng
        counters = self.counters
        dispute_id = self._id()
        street = self._street()
        industry = rng.choice(INDUSTRIES) if rng.random() < 0.93 else None
        collective = rng.random() < COLLECTIVE_SHARE
        if collective:
            case_types = self._pick(self.collective_types)
            flags = ["GROUP_INCIDENT_RISK"] if rng.random() < 0.8 else []
            if flags and rng.random() < 0.2:
                flags.append("MEDIA_ATTENTION")
            claimants = rng.randint(10, 40)
        else:
            case_types = ("INDIVIDUAL", *self._pick(self.individual_types))
            r = rng.random()
            flags = ([] if r > 0.02 else ["EMPLOYER_ABSCONDED"] if r > 0.006 else
                     ["CRIMINAL_REFUSAL_TO_PAY", "EMPLOYER_ABSCONDED"])
            claimants = 1 if rng.random() < 0.9 else rng.randint(2, 5)
        origin = self._pick(self.origins)
        company = self._company()
        respondents = [company] + ([self._company()] if rng.random() < 0.08 else [])
        year_index = received.year - TODAY.year + YEARS
        steps = self._plan(street, company, received)
        started = [s for s in steps if s.start < TODAY]
        mediated_in_street = any(s.org_type in ("TOWNSHIP_STREET_LABOUR_MEDIATION", "ENTERPRISE_MEDIATION_COMMITTEE")
                                 for s in started)
        if (TODAY - received).days < 2 or rng.random() < 0.03:
            caseworker = None
        elif mediated_in_street and street is not None:
            caseworker = f"union-s{STREETS.index(street) + 1:02d}"
        else:
            caseworker = f"centre-{year_index * 8 + rng.randrange(12):02d}"
        claimed = sum(rng.randint(30, 600) * 10_000 for _ in range(min(claimants, 3))) * max(1, claimants // 3)

        # Where the case stands on TODAY.
        finished = bool(steps) and len(started) == len(steps) and steps[-1].end < TODAY
        last = steps[-1] if steps else None
        resolved = last is not None and last.outcome in SUCCESS
        end_of_work = last.end if last else received
        resolve_on = end_of_work + timedelta(days=rng.randint(0, 7))
        close_on = resolve_on + timedelta(days=rng.randint(0, 20))
        if finished and close_on < TODAY:
            stage = "CLOSED"
        elif finished and resolved and resolve_on < TODAY:
            stage = "RESOLVED"
        else:
            stage = "OPEN"
        is_open = stage == "OPEN"
        opened = [(s, s.state_on(TODAY)) for s in started]
        open_now = [(s, state) for s, state in opened if state in OPEN_STATES]

        # Deadlines, lights and the timeliness counters.
        types_key = " ".join(sorted(case_types))
        street_key = street or ""
        red = yellow = 0
        challenge_open = False
        acceptance: dict[str, tuple[str, date]] = {}
        for rule, step, start, met, cancelled in self._deadlines(steps):
            status, days = self._status(rule, start, met, cancelled)
            agency, org_type = ("party", "") if rule in PARTY_RULES else (step.agency, step.org_type)
            key = (rule, types_key, month_of(start), agency, org_type, street_key)
            counters.deadline_counts[key][STATUSES.index(status)] += 1
            if days is not None:
                counters.days_used[(*key, days)][0] += 1
            challenge_open = challenge_open or (rule in CHALLENGE_WINDOWS and status in ("open", "at_risk"))
            if is_open and status == "missed" and step.state_on(TODAY) in OPEN_STATES:
                red += 1
            elif is_open and status == "at_risk":
                yellow += 1
            if rule in ACCEPTANCE_RULES and step.handoff_id and status in ("open", "at_risk", "missed"):
                acceptance[step.handoff_id] = (status, start + timedelta(days=LIMITS[rule]))
        for step, state in opened:
            if step.kind == "MEDIATION" and state not in OPEN_STATES:
                on = step.decided if state == "REJECTED" else step.end
                counters.mediations[(types_key, month_of(on), step.agency, step.org_type, street_key,
                                     step.outcome)][0] += 1
        if resolved and stage != "OPEN":
            recovered = claimed * rng.randint(40, 100) // 100
            amounts = counters.amounts[("dispute", types_key, month_of(resolve_on), street_key)]
            amounts[0] += recovered
            amounts[1] += 1
        else:
            recovered = None

        # The caseload counters.
        if open_now:
            head = min(reversed(open_now), key=lambda p: PRECEDENCE[p[0].kind])[0]
        elif opened:
            head = min(reversed(opened), key=lambda p: PRECEDENCE[p[0].kind])[0]
        else:
            head = None
        agency, kind, organisation = (head.agency, head.kind, head.org_name) if head else ("union", "", "")
        status_pair = (1, 0) if is_open else (0, 1)
        month, week = month_of(received), week_of(received)
        collective_key = "COLLECTIVE" if collective else "INDIVIDUAL"
        for table, key in (
            (counters.headline, (types_key, month, week, agency, street_key, kind, organisation)),
            (counters.profile, (types_key, month, agency, street_key, industry or "", origin, collective_key)),
            (counters.dispute_counts, (types_key, "caseworker", month, agency, street_key, caseworker or "")),
            *((counters.dispute_counts, (types_key, "risk_flag", month, agency, street_key, flag)) for flag in flags),
        ):
            table[key][0] += status_pair[0]
            table[key][1] += status_pair[1]
        if not is_open:
            closure = ("UNRESOLVED" if not resolved else
                       "ADJUDICATED" if any(s.kind in ADJUDICATION for s in started) else "MEDIATION_TIER")
            counters.dispute_counts[(types_key, "closure", month, agency, street_key, closure)][1] += 1

        # The list row, its tags and its handoffs.
        number = f"（{received.year}）区工调字第{self._number('case', received.year):05d}号"
        joined_respondents = "; ".join(respondents)
        for step, state in opened:
            template = RECEIVING_NUMBERS.get(step.kind)
            if template and state not in ("REQUESTED", "REJECTED", "ACCEPTANCE_OVERDUE"):
                step.case_no = template.format(y=step.decided.year, n=self._number(step.kind, step.decided.year))
        if open_now:
            current = min(reversed(open_now), key=lambda p: (PRECEDENCE[p[0].kind]
                                                              if p[0].kind in STATUS_OF_KIND else len(PRECEDENCE)))
        else:
            current = opened[-1] if opened else None
        if not is_open:
            status = stage
        else:
            senior = [STATUS_OF_KIND[s.kind] for s, _ in sorted(open_now, key=lambda p: PRECEDENCE[p[0].kind])
                      if s.kind in STATUS_OF_KIND]
            status = senior[0] if senior else ("AWAITING_CHALLENGE" if challenge_open else "INTAKE")
        awarded = next((claimed * rng.randint(50, 100) // 100 for s, st in reversed(opened)
                        if st == "CONCLUDED" and s.outcome.startswith(("AWARD", "DEFAULT_AWARD", "JUDGMENT",
                                                                        "FINAL_JUDGMENT"))), None)
        last_activity = min(TODAY - timedelta(days=1), max([received, *(s.end if s.end < TODAY else s.decided
                                                                        for s in started)]))
        updated_at = self._stamp(last_activity)
        numbers = [s.case_no for s, _ in opened if s.case_no]
        search = "\n".join(dict.fromkeys(p.lower() for p in (number, *numbers, joined_respondents) if p))
        cur, cur_state = current if current else (None, None)
        chunk.cases.append((
            dispute_id, number, status, stage, origin, received.isoformat(), street, industry, ",".join(case_types),
            ",".join(flags), collective, claimants, caseworker, cur.kind if cur else None, cur_state,
            cur.org_type if cur else None, cur.org_name if cur else None, cur.agency if cur else None, claimed,
            awarded, recovered, joined_respondents, self._id() if origin == "HOTLINE" else "",
            5 + 6 * len(started) + rng.randint(0, 4), updated_at, red, yellow, search,
        ))
        chunk.case_tags.extend((dispute_id, "case_type", t, received.isoformat()) for t in case_types)
        chunk.case_tags.extend((dispute_id, "risk_flag", f, received.isoformat()) for f in flags)
        for step, state in opened:
            if step.handoff_id is None:
                continue
            self._handoff(chunk, counters, dispute_id, number, joined_respondents, step, state, types_key,
                          street_key, acceptance.get(step.handoff_id), is_open)

    def _handoff(self, chunk: Chunk, counters: Counters, dispute_id: str, number: str, respondents: str, step: Step,
                 state: str, types_key: str, street_key: str, clock: tuple[str, date] | None, case_open: bool) -> None:
        rng = self.rng
        received = step.received if step.received < TODAY else None
        decided = step.decided if step.decided < TODAY and step.end_state != "ACCEPTANCE_OVERDUE" else None
        missing = None
        if received is None:
            handoff_state = "REQUESTED"
        elif decided is None:
            handoff_state = "RECEIVED"
            if rng.random() < 0.05:
                handoff_state, missing = "RETURNED", "劳动合同复印件\n工资欠条"
        elif step.end_state == "REJECTED":
            handoff_state = "REJECTED"
        elif step.end_state == "WITHDRAWN" and step.end < TODAY and rng.random() < 0.3:
            handoff_state = "WITHDRAWN"
        else:
            handoff_state = "ACCEPTED"
        if handoff_state in ("ACCEPTED", "REJECTED") and decided is not None:
            counters.handoff_days[(step.agency, types_key, month_of(step.start), street_key,
                                   (step.received - step.start).days, (decided - step.received).days)][0] += 1
        warning = due_on = None
        if clock is not None and handoff_state in ("RECEIVED", "RETURNED"):
            status, due = clock
            warning = {"missed": "RED", "at_risk": "YELLOW"}.get(status)
            due_on = due.isoformat() if status != "missed" else None
        accepted = handoff_state == "ACCEPTED"
        search = "\n".join(dict.fromkeys(p.lower() for p in (number, step.case_no if accepted else None,
                                                             step.org_name, respondents) if p))
        chunk.inbox.append((
            dispute_id, step.handoff_id, step.proceeding_id, number, respondents, "union", step.agency, step.kind,
            step.org_type, step.org_name, step.reason, handoff_state, step.start.isoformat(),
            received.isoformat() if received else None,
            decided.isoformat() if decided and handoff_state in ("ACCEPTED", "REJECTED", "WITHDRAWN") else None,
            missing, step.case_no if accepted else None,
            rng.choice(ASSIGNEES[step.agency]) if accepted and step.agency in ASSIGNEES else None,
            rng.choice(("NO_JURISDICTION", "OUT_OF_SCOPE", "TIME_BARRED_ADVISORY", "PARTY_REFUSED"))
            if handoff_state == "REJECTED" else None,
            due_on, warning, warning == "RED", self._stamp(min(TODAY - timedelta(days=1), decided or received
                                                                or step.start)), search,
        ))

    # -- 12351 tickets --------------------------------------------------------------

    def tickets(self, count: int) -> None:
        for received in sorted(self._day() for _ in range(count)):
            self._ticket(received)

    def _ticket(self, received: date) -> None:
        rng = self.rng
        counters = self.counters
        street = "" if rng.random() < 0.05 else (self._street() or "")
        category = rng.choices(("CONSULTATION", "ASSISTANCE", "COMPLAINT_PETITION"), (45, 35, 20))[0]
        channel = rng.choices(("PHONE_12351", "ONLINE_DIGITAL_UNION", "APP"), (55, 25, 20))[0]
        month = month_of(received)
        if category == "CONSULTATION" and rng.random() < 0.6:
            state = "ANSWERED" if received >= TODAY - timedelta(days=1) else "CLOSED"
        elif rng.random() < 0.02:
            state = "MERGED"
        else:
            state = self._ticket_clocks(received, street)
        counts = counters.ticket_counts[(month, week_of(received), street, category, channel, state)]
        counts[1 if state in ("CLOSED", "MERGED") else 0] += 1

    def _ticket_clocks(self, received: date, street: str) -> str:
        """Dispatch, sign-for, reply and call-back with their H2/H3/H4 clocks; the state on ``TODAY``."""
        rng = self.rng
        counters = self.counters
        dispatched = received + timedelta(days=rng.choice((0, 0, 0, 1)))
        signed = dispatched + timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 3)))
        tier = rng.choices(("H3", "H3D", "H3C"), (75, 20, 5))[0]
        replied = signed + timedelta(days=min(rng.randint(1, LIMITS[tier] + 3), rng.randint(1, LIMITS[tier] + 6)))
        called = replied + timedelta(days=rng.choice((0, 1, 1, 2, 3, 4)))
        state = "CLOSED"
        for rule, start, met in (("H2", dispatched, signed), (tier, signed, replied), ("H4", replied, called)):
            if start >= TODAY:
                break
            status, days = self._status(rule, start, met, None)
            key = (rule, "", month_of(start), "union", "", street)
            counters.deadline_counts[key][STATUSES.index(status)] += 1
            if days is not None:
                counters.days_used[(*key, days)][0] += 1
        if dispatched >= TODAY:
            return "REGISTERED"
        if signed >= TODAY:
            state = "DISPATCHED"
        elif replied >= TODAY:
            state = "IN_HANDLING"
        elif called >= TODAY:
            state = "AWAITING_CALLBACK"
        if replied < TODAY and rng.random() < 0.4:
            amounts = counters.amounts[("ticket", "", month_of(replied), street)]
            amounts[0] += rng.randint(5, 200) * 10_000
            amounts[1] += 1
        if called < TODAY:
            satisfaction = rng.choices(("SATISFIED", "BASICALLY", "UNSATISFIED"), (60, 25, 15))[0]
            counters.satisfaction[(month_of(called), street, satisfaction)][0] += 1
        return state


# --------------------------------------------------------------------------- filling the views


@dataclass
class Fill:
    cases: int
    tickets: int
    rows: dict[str, int]
    seconds: float


def _postgres_connect(settings: Settings, **options: Any) -> psycopg.Connection:
    pg = settings.postgres
    assert pg is not None
    return psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user, password=pg.password or None,
                           options=f"-c search_path={settings.postgres_schema}", **options)


def sqlite_path(settings: Settings) -> str:
    return settings.sqlalchemy_url().removeprefix("sqlite:///")


class BulkWriter:
    """``executemany`` into SQLite, ``COPY`` into PostgreSQL; ``commit`` after each chunk."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = settings.postgres is not None
        if self.postgres:
            self.connection: Any = _postgres_connect(settings)
        else:
            self.connection = sqlite3.connect(sqlite_path(settings), isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        missing = [c.name for c in table.columns if c.name not in columns and not c.nullable]
        unknown = [c for c in columns if c not in table.c]
        if missing or unknown:
            raise RuntimeError(f"{table.name}: the synthetic rows do not fit the view's table "
                               f"(missing {missing}, unknown {unknown}); update bench/scale.py")
        names = ", ".join(f'"{c}"' for c in columns)
        if self.postgres:
            with self.connection.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.connection.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)

    def commit(self) -> None:
        if self.postgres:
            self.connection.commit()
        else:
            self.connection.execute("COMMIT")
            self.connection.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        if self.postgres:
            self.connection.commit()
        else:
            self.connection.execute("COMMIT")
        self.connection.close()


def fill_views(settings: Settings, read_engine: Engine, cases: int, seed: int,
               say: Callable[[str], None]) -> Fill:
    """Create every view through the follower (empty log), then bulk-fill the tables the probes read."""
    from dispute_engine.bootstrap import bootstrap

    started = time.perf_counter()
    with bootstrap(settings, clock=_clock()) as engine:
        Follower(engine.app, all_views(), engine.read_engine).run_once()
    views = {view.name: view for view in all_views()}
    with read_engine.begin() as connection:
        physical = {name: table for view in ("cases", "inbox", "caseload", "timeliness")
                    for name, table in open_view(connection, views[view]).items()}
    rollups = sorted({target for target, _ in Counters.ROLLUPS.values()})
    filled = ["cases", "case_tags", "inbox", *Counters.TABLES, *rollups]
    _drop_indexes(read_engine, [physical[name] for name in filled])
    district = District(seed, "+00" if settings.postgres else "")
    writer = BulkWriter(settings)
    rows: dict[str, int] = defaultdict(int)
    try:
        done = 0
        for chunk in district.disputes(cases):
            for name, columns, batch in (("cases", CASE_COLUMNS, chunk.cases),
                                         ("case_tags", TAG_COLUMNS, chunk.case_tags),
                                         ("inbox", INBOX_COLUMNS, chunk.inbox)):
                writer.write(physical[name], columns, batch)
                rows[name] += len(batch)
            writer.commit()
            done += len(chunk.cases)
            if done % 200_000 < CHUNK:
                say(f"  {done:,} disputes written ({time.perf_counter() - started:.0f} s)")
        district.tickets(cases)
        for name in Counters.TABLES:
            table = physical[name]
            batch = district.counters.rows(name)
            writer.write(table, [c.name for c in table.columns], batch)
            rows[name] = len(batch)
        for name, batch in district.counters.rollup_rows(physical).items():
            table = physical[name]
            writer.write(table, [c.name for c in table.columns], batch)
            rows[name] = len(batch)
    finally:
        writer.close()
    _create_indexes(read_engine, [physical[name] for name in filled])
    if settings.postgres:
        with _postgres_connect(settings, autocommit=True) as connection:
            for name in filled:
                connection.execute(f'VACUUM ANALYZE "{physical[name].name}"')
    return Fill(cases, cases, dict(rows), time.perf_counter() - started)


def _drop_indexes(engine: Engine, tables: Iterable[Table]) -> None:
    with engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            for table in tables:
                for index in table.indexes:
                    index.drop(connection)


def _create_indexes(engine: Engine, tables: Iterable[Table]) -> None:
    with engine.connect() as connection:
        connection.execution_options(**WRITE)
        with connection.begin():
            for table in tables:
                for index in table.indexes:
                    index.create(connection)


def _clock() -> FixedClock:
    clock = FixedClock()
    clock.set_local(TODAY)
    return clock


# --------------------------------------------------------------------------- the probes


@dataclass(frozen=True)
class Probe:
    name: str
    who: str  # staff | partner
    path: str
    params: tuple[tuple[str, str], ...]
    read: Callable[[Engine], Any]
    """The read function the route calls, with the same arguments (for the bare-SQL baseline)."""


def probes(district_street: str) -> list[Probe]:
    year_ago = TODAY.replace(year=TODAY.year - 1, day=1)
    middle = TODAY - timedelta(days=YEARS * 365 // 2)
    cursor = queries._encode_cursor("-received_on", [middle, "8"])
    dashboard_filters: list[tuple[str, dict[str, Any]]] = [
        ("no filter", {}),
        ("last 12 months", {"period_from": year_ago, "period_to": TODAY}),
        ("last 12 months, one street", {"period_from": year_ago, "period_to": TODAY, "street": district_street}),
        ("agency hr", {"agency": "hr"}),
        ("case type WAGE_ARREARS", {"case_type": "WAGE_ARREARS"}),
        # Two of agency, street and case type: the caseload reads its counter tables, not a roll-up.
        ("agency hr, case type WAGE_ARREARS", {"agency": "hr", "case_type": "WAGE_ARREARS"}),
    ]
    found: list[Probe] = []
    for view, read in (("caseload", dashboards.caseload), ("timeliness", dashboards.timeliness)):
        for label, filters in dashboard_filters:
            params = tuple((k, v.isoformat() if isinstance(v, date) else v) for k, v in filters.items())
            found.append(Probe(f"{view}: {label}", "staff", f"/views/{view}", params,
                               lambda engine, read=read, filters=filters: read(engine, **filters)))
    cases = [
        ("cases: first page", (), {}),
        ("cases: open queue (stage OPEN)", (("stage", "OPEN"),), {"stage": "OPEN"}),
        ("cases: my open cases", (("stage", "OPEN"), ("caseworker", "centre-40")),
         {"stage": "OPEN", "caseworker": "centre-40"}),
        ("cases: open and overdue", (("stage", "OPEN"), ("overdue", "true")), {"stage": "OPEN", "overdue": True}),
        ("cases: in arbitration, one street", (("status", "IN_ARBITRATION"), ("street", district_street)),
         {"status": "IN_ARBITRATION", "street": district_street}),
        ("cases: case type and received since", (("case_type", "WORK_INJURY"), ("received_from", year_ago.isoformat())),
         {"case_type": "WORK_INJURY", "received_from": year_ago}),
        ("cases: search an employer", (("q", "恒鑫"),), {"q": "恒鑫"}),
        ("cases: deep page (cursor, middle of the list)", (("cursor", cursor),), {"cursor": cursor}),
        ("cases: deep page (offset 10,000)", (("offset", "10000"),), {"offset": 10000}),
    ]
    for name, params, arguments in cases:
        found.append(Probe(name, "staff", "/disputes", params,
                           lambda engine, a=arguments: queries.list_cases(engine, queries.CaseQuery(**a))))
    found += [
        Probe("partner cases: first page", "partner", "/disputes", (),
              lambda engine: queries.list_partner_cases(engine, PARTNER_AGENCY, queries.CaseQuery())),
        Probe("partner inbox: first page", "partner", "/handoffs", (),
              lambda engine: queries.list_partner_inbox(engine, PARTNER_AGENCY, queries.InboxQuery())),
        Probe("partner inbox: new (requested, received)", "partner", "/handoffs",
              (("state", "REQUESTED"), ("state", "RECEIVED")),
              lambda engine: queries.list_partner_inbox(
                  engine, PARTNER_AGENCY, queries.InboxQuery(state=("REQUESTED", "RECEIVED")))),
        Probe("partner inbox: overdue", "partner", "/handoffs", (("overdue", "true"),),
              lambda engine: queries.list_partner_inbox(engine, PARTNER_AGENCY, queries.InboxQuery(overdue=True))),
    ]
    return found


def capture_sql(engine: Engine, read: Callable[[Engine], Any]) -> list[tuple[str, Any]]:
    """The statements ``read`` sends to the driver, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def hook(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        read(engine)
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return seen


class BareSql:
    """Executes captured statements with the bare driver, one transaction per execution."""

    def __init__(self, settings: Settings) -> None:
        self.postgres = settings.postgres is not None
        if self.postgres:
            self.connection: Any = _postgres_connect(settings)
        else:
            self.connection = sqlite3.connect(sqlite_path(settings), isolation_level=None)

    def seconds(self, statements: Sequence[tuple[str, Any]]) -> float:
        started = time.perf_counter()
        if self.postgres:
            with self.connection.cursor() as cursor:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    if cursor.description is not None:
                        cursor.fetchall()
            self.connection.rollback()
        else:
            cursor = self.connection.cursor()
            cursor.execute("BEGIN")
            for statement, parameters in statements:
                cursor.execute(statement, parameters).fetchall()
            cursor.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


# --------------------------------------------------------------------------- the server (child process)


def serve(port: int, data_dir: str, postgres_url: str | None, schema: str | None) -> None:
    import uvicorn

    from api.app import create_app

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if postgres_url:
        settings = Settings(data_dir=Path(data_dir), postgres=PostgresLocation.from_url(postgres_url),
                            postgres_schema=schema or "public")
    else:
        settings = Settings(data_dir=Path(data_dir))
    app = create_app(settings, clock=_clock(), background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of process ``pid`` in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@dataclass
class ProbeResult:
    probe: Probe
    http_ms: list[float]
    bare_ms: list[float]
    statements: int
    total: int | None
    """``total`` of a list page (how many rows matched)."""
    total_exact: bool = True
    """False when more rows matched than the list counts (``total`` is its count limit)."""

    def pct(self, values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    @property
    def p50(self) -> float:
        return statistics.median(self.http_ms)

    @property
    def p95(self) -> float:
        return self.pct(self.http_ms, 0.95)

    @property
    def bare(self) -> float:
        return statistics.median(self.bare_ms)


@dataclass
class QueryResult:
    store: str
    version: str
    fill: Fill
    probes: list[ProbeResult]
    budget: float
    rss_idle: float
    rss_after: float
    rss_peak: float
    repetitions: int
    load: tuple[float, float]


def measure_queries(store: str, settings: Settings, cases: int, repetitions: int, seed: int,
                    say: Callable[[str], None], budget: float = PROBE_BUDGET) -> QueryResult:
    """``budget``: seconds of requests after which a probe stops repeating (once it has ``MIN_REPETITIONS``)."""
    import httpx

    from api.auth import build_auth
    from dispute_engine.users import validate_new_user

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    read_engine = create_read_model_engine(settings)
    child = None
    bare = None
    try:
        say(f"{store}: filling the views with {cases:,} disputes and {cases:,} tickets")
        fill = fill_views(settings, read_engine, cases, seed, say)
        say(f"{store}: filled in {fill.seconds:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in fill.rows.items()))
        auth = build_auth(settings, read_engine, _clock())
        headers = {}
        for who, (role, agency) in {"staff": ("staff", None), "partner": ("partner", PARTNER_AGENCY)}.items():
            user = auth.users.create(validate_new_user(f"scale-{who}", role, agency), "bench password 0123456789")
            headers[who] = {"Authorization": f"Bearer {auth.tokens.issue(user).access_token}"}
        port = free_port()
        command = [sys.executable, "-m", "bench.scale", "--serve", str(port), "--data-dir", str(settings.data_dir),
                   "--postgres-url", ""]  # the SQLite store's server must not take TEST_POSTGRES_URL as its default
        if settings.postgres is not None:
            pg = settings.postgres
            secret = f":{pg.password}" if pg.password else ""
            command += ["--postgres-url", f"postgresql://{pg.user}{secret}@{pg.host}:{pg.port}/{pg.dbname}",
                        "--schema", settings.postgres_schema]
        child = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent,
                                 env={**os.environ, "DISPUTE_ENGINE_DATA": str(settings.data_dir)})
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, child)
        rss_idle = memory_mib(child.pid)[0]
        chosen = probes(STREETS[0])
        statements = {p.name: capture_sql(read_engine, p.read) for p in chosen}
        bare = BareSql(settings)
        results = {p.name: ProbeResult(p, [], [], len(statements[p.name]), None) for p in chosen}
        load = os.getloadavg()[0]
        with httpx.Client(base_url=base, timeout=300.0) as client:
            for round_ in range(repetitions + 1):
                for probe in chosen:
                    result = results[probe.name]
                    if len(result.http_ms) >= MIN_REPETITIONS and sum(result.http_ms) > budget * 1000:
                        continue  # a slow probe: enough samples within its time budget
                    started = time.perf_counter()
                    response = client.get(probe.path, params=probe.params, headers=headers[probe.who])
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{probe.name}: {response.status_code} {response.text[:300]}")
                    bare_ms = bare.seconds(statements[probe.name]) * 1000
                    if round_ == 0:  # the warm-up round
                        result.total = response.json()["total"] if probe.path in LISTS else None
                        result.total_exact = response.json().get("total_exact", True)
                    else:
                        result.http_ms.append(elapsed)
                        result.bare_ms.append(bare_ms)
                say(f"{store}: round {round_ + 1}/{repetitions + 1} done")
        rss_after, rss_peak = memory_mib(child.pid)
        return QueryResult(store, store_version(read_engine), fill, list(results.values()), budget, rss_idle,
                           rss_after, rss_peak, repetitions, (load, os.getloadavg()[0]))
    finally:
        if bare is not None:
            bare.close()
        if child is not None:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        read_engine.dispose()


def _wait_healthy(base: str, child: subprocess.Popen[Any]) -> None:
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if child.poll() is not None:
            raise RuntimeError("the server exited at start-up")
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 60 s")


# --------------------------------------------------------------------------- rebuild


UUID_STRING = re.compile(rb'"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


@dataclass
class RebuildResult:
    store: str
    version: str
    events: int
    template_events: int
    copies: int
    generation_seconds: float
    baseline_seconds: list[float]
    seconds: list[float]
    handled: int
    load: tuple[float, float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float:
        return statistics.median(b / s for b, s in zip(self.baseline_seconds, self.seconds, strict=True))


def copy_template(app: Any, template_head: int, target: int, say: Callable[[str], None]) -> int:
    """Append copies of notifications 1..``template_head`` with new aggregate ids until the log holds ``target``."""
    from eventsourcing.persistence import StoredEvent

    template = []
    position = 0
    while position < template_head:
        page = app.recorder.select_notifications(start=position + 1, limit=10_000, stop=template_head)
        if not page:
            break
        template.extend(page)
        position = page[-1].id
    originals = {n.originator_id for n in template}
    copies = 0
    head = app.recorder.max_notification_id() or 0
    while head < target:
        copies += 1
        mapping = {original: uuid.uuid5(original, f"scale-copy-{copies}") for original in originals}
        text = {str(old).encode(): str(new).encode() for old, new in mapping.items()}

        def rename(match: re.Match[bytes]) -> bytes:
            found = text.get(match.group(1))
            return b'"' + found + b'"' if found is not None else match.group(0)

        remaining = target - head
        batch = [StoredEvent(originator_id=mapping[n.originator_id], originator_version=n.originator_version,
                             topic=n.topic, state=UUID_STRING.sub(rename, n.state))
                 for n in template[:remaining]]
        for start in range(0, len(batch), 5000):
            app.recorder.insert_events(batch[start:start + 5000])
        head = app.recorder.max_notification_id() or 0
        if copies % 10 == 0:
            say(f"  {head:,} events")
    return copies


def measure_rebuild(store: str, settings: Settings, events: int, runs: int, seed: int,
                    say: Callable[[str], None], batch_size: int = DEFAULT_BATCH) -> RebuildResult:
    """Seconds for one follower to build every view of ``all_views()`` from empty over ``events`` events."""
    from dispute_engine.cases import DisputeEngine
    from dispute_engine.vault import open_vault

    from bench.projection_catchup import FIRST_DAY

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock = FixedClock()
    clock.set_local(FIRST_DAY)
    vault = open_vault(settings)
    app = DisputeEngine(settings, clock, vault)
    engine = create_read_model_engine(settings)
    try:
        started = time.perf_counter()
        template, _, _ = make_events(app, min(TEMPLATE_EVENTS, events), seed)
        copies = copy_template(app, template, events, say)
        head = app.recorder.max_notification_id() or 0
        generation = time.perf_counter() - started
        say(f"{store}: {head:,} events ({template:,} simulated, {copies} copies) in {generation:.0f} s")
        sample = app.recorder.select_notifications(start=max(1, head - 50), limit=50)
        for notification in sample:
            app.mapper.to_domain_event(notification)
        load = os.getloadavg()[0]
        base_seconds, seconds = [], []
        handled = 0
        for run in range(runs):
            base_seconds.append(baseline(app, engine, batch_size))
            elapsed, handled = catch_up(app, engine, all_views(), batch_size)
            seconds.append(elapsed)
            say(f"{store}: rebuild run {run + 1}: baseline {head / base_seconds[-1]:,.0f} events/s; all views "
                f"{elapsed:.1f} s = {head / elapsed:,.0f} events/s")
        return RebuildResult(store, store_version(engine), head, template, copies, generation, base_seconds, seconds,
                             handled, (load, os.getloadavg()[0]))
    finally:
        engine.dispose()
        app.close()
        vault.close()


# --------------------------------------------------------------------------- the report


def _goal(met: bool) -> str:
    return "met" if met else "**missed**"


def queries_section(results: list[QueryResult]) -> str:
    if not results:
        return ""
    first = results[0]
    lines = [
        "## Dashboards and lists at scale (`bench/scale.py`)",
        "",
        f"The view tables are **bulk-filled with synthetic rows of the real shape** ({first.fill.cases:,} disputes "
        f"and {first.fill.tickets:,} 12351 tickets over {YEARS} years up to {TODAY}, 36 streets), not loaded "
        "through the application; the method and the distributions are in the module's docstring. The real "
        "API (uvicorn, background threads off) answers over HTTP on 127.0.0.1, a staff user for the "
        "dashboards and the case list, a partner (HR bureau) for its case list and inbox. "
        f"p50 and p95 over up to {first.repetitions} requests per probe (n: fewer for a probe whose requests "
        f"took over {first.budget:.0f} s), round robin, after one warm-up round. "
        "Baseline: the same SQL statements the read function sends, executed with the bare driver in the "
        "same run; × baseline = HTTP p50 / bare p50. "
        f"Goals: p95 < {GOAL_P95_MS:.0f} ms at 1M cases; server RSS < {GOAL_RSS_MIB:.0f} MiB.",
        "",
    ]
    for r in results:
        rows = ", ".join(f"`{k}` {v:,}" for k, v in r.fill.rows.items())
        at_goal_size = r.fill.cases >= 1_000_000
        lines += [
            f"**{r.version}** — {r.fill.cases:,} disputes; rows: {rows}; filled in {r.fill.seconds:.0f} s; "
            f"load 1-min {r.load[0]:.1f} → {r.load[1]:.1f}.",
            "",
            "| probe | rows matched | n | p50 ms | p95 ms | bare SQL ms | × baseline | statements | p95 goal |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for p in r.probes:
            goal = _goal(p.p95 < GOAL_P95_MS) if at_goal_size else ("(met)" if p.p95 < GOAL_P95_MS else "(missed)")
            total = f"{p.total:,}{'' if p.total_exact else '+'}" if p.total is not None else "—"
            lines.append(f"| {p.probe.name} | {total} | {len(p.http_ms)} | {p.p50:.1f} | {p.p95:.1f} | {p.bare:.1f} | "
                         f"{p.p50 / p.bare if p.bare else 0:.2f} | {p.statements} | {goal} |")
        rss_goal = _goal(r.rss_after < GOAL_RSS_MIB) if at_goal_size else (
            "(met)" if r.rss_after < GOAL_RSS_MIB else "(missed)")
        lines += [
            "",
            f"Server memory: {r.rss_idle:.0f} MiB RSS after start-up, {r.rss_after:.0f} MiB after the probes "
            f"(peak {r.rss_peak:.0f} MiB) — goal < {GOAL_RSS_MIB:.0f} MiB {rss_goal}.",
            "",
        ]
    if results and results[0].fill.cases < 1_000_000:
        lines += ["Goals in parentheses: measured below the 1M cases they are set for.", ""]
    return "\n".join(lines)


def rebuild_section(results: list[RebuildResult], runs: int, batch_size: int = DEFAULT_BATCH) -> str:
    if not results:
        return ""
    lines = [
        "## Rebuild of every view (`bench/scale.py`)",
        "",
        "Events: a simulated district run through the real commands (the template, "
        f"≈{TEMPLATE_EVENTS:,} events), then copies of it with new aggregate ids appended through the "
        "recorder until the log holds the count below (dates stay the template's). Every view of "
        f"`all_views()` built from empty by one `Follower` (batch {batch_size}). Baseline: the same "
        "notifications read in the same batches and inserted one row per event into a scratch table, same "
        f"run. Median of {runs} runs. Goal: {GOAL_REBUILD_EVENTS:,} events in < {GOAL_REBUILD_SECONDS:.0f} s.",
        "",
        "| store | events | copies of the template | seconds (median) | events/s | baseline events/s | "
        "× baseline | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        rate = r.events / r.median
        needed = GOAL_REBUILD_EVENTS / GOAL_REBUILD_SECONDS
        goal = _goal(rate >= needed) + ("" if r.events >= GOAL_REBUILD_EVENTS else " (rate; fewer events)")
        lines.append(f"| {r.version} | {r.events:,} | {r.copies} | {r.median:.1f} | {rate:,.0f} | "
                     f"{r.events / statistics.median(r.baseline_seconds):,.0f} | {r.ratio:.2f} | {goal} |")
    lines.append("")
    return "\n".join(lines)


def stores(names: str, postgres_url: str | None) -> Iterator[tuple[str, Settings]]:
    for store in names.split(","):
        if store == "sqlite":
            yield from ((store, s) for s in sqlite_settings())
        elif store == "postgres":
            if not postgres_url:
                raise SystemExit("postgres: give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
            yield from ((store, s) for s in postgres_settings(postgres_url))
        else:
            raise SystemExit(f"unknown store {store!r}")


def run(*, cases: int = DEFAULT_CASES, rebuild_events: int = DEFAULT_REBUILD_EVENTS,
        repetitions: int = DEFAULT_REPETITIONS, runs: int = DEFAULT_RUNS, store_names: str = "sqlite,postgres",
        postgres_url: str | None = None, only: Sequence[str] = ("queries", "rebuild"), seed: int = 2024,
        say: Callable[[str], None] = print) -> str:
    """Run the benchmark with these profile parameters; return its markdown sections."""
    query_results: list[QueryResult] = []
    rebuild_results: list[RebuildResult] = []
    if "queries" in only:
        for store, settings in stores(store_names, postgres_url):
            query_results.append(measure_queries(store, settings, cases, repetitions, seed, say))
    if "rebuild" in only:
        for store, settings in stores(store_names, postgres_url):
            rebuild_results.append(measure_rebuild(store, settings, rebuild_events, runs, seed, say))
    return "\n".join(filter(None, (queries_section(query_results), rebuild_section(rebuild_results, runs))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the quick profile (100,000 cases and events)")
    parser.add_argument("--cases", type=int, help="synthetic disputes (and as many tickets) in the views")
    parser.add_argument("--rebuild-events", type=int, help="events in the log for the rebuild")
    parser.add_argument("--repetitions", type=int, help="requests per probe")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="rebuild runs")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", default="queries,rebuild", help="comma-separated: queries, rebuild")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--output", default="-", help="write the markdown here ('-': print only)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.serve, options.data_dir, options.postgres_url, options.schema)
        return
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    profile = PROFILES["quick" if options.quick else "full"]
    started = time.perf_counter()
    text = run(cases=options.cases or profile["cases"],
               rebuild_events=options.rebuild_events or profile["rebuild_events"],
               repetitions=options.repetitions or profile["repetitions"], runs=options.runs,
               store_names=options.stores, postgres_url=options.postgres_url, only=options.only.split(","),
               seed=options.seed)
    minutes = (time.perf_counter() - started) / 60
    machine_lines = ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in machine())]
    report = "\n".join([text, f"Took {minutes:.1f} min.", "", *machine_lines, ""])
    if options.output != "-":
        Path(options.output).write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
