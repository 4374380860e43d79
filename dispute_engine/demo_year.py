"""A realistic district year, loaded through the application's own commands.

``dispute-engine demo load`` (and later ``serve --demo``) fill an empty store with one year of a
district's 12351 hotline tickets and labour disputes. Nothing is written around the application:
every ticket and case is taken in, advanced, handed off and closed by the same commands the API
and the CLI use, by the staff and partner users who would act in reality.

Time really passes. A :class:`~dispute_engine.clock.FixedClock` moves day by day through the year;
each morning the deadline clock ticks first (as it would just after midnight), then the day's steps
run. Lapsed mediations, overdue acceptances and awards, expired challenge windows and 督办
escalations of late tickets are therefore recorded by the clock, not scripted.

Every person, ID number, phone number and company is synthetic: ID numbers and unified social
credit codes carry correct check characters, mobiles have 11 digits, names come from a small
syllable list. The year is deterministic for a seed: each case and ticket draws from its own
``random.Random`` seeded from the master seed, and steps run in a fixed (day, time, order) sequence,
so the same seed gives the same case numbers and the same path and outcome for every case.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import random
import time as timer
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from dispute_engine.bootstrap import Engine
from dispute_engine.cases import CommandResult
from dispute_engine.clock import FixedClock
from dispute_engine.users import UserStore, generate_password, validate_new_user
from domain.complaint import HotlineComplaint
from domain.deadlines import RuleTable
from domain.dispute import Dispute
from domain.stages import KINDS, ProceedingKind
from domain.values import Actor, Agency, Role, id_number_checksum_ok, uscc_check_character

DEFAULT_SEED = 2024
DEFAULT_YEAR = 2026
FULL_DISPUTES = 500
FULL_TICKETS = 1000
SMALL_DISPUTES = 40
SMALL_TICKETS = 60
CONVERTED_SHARE = 0.30  # of tickets, converted into disputes (转立案)
DUPLICATE_SHARE = 0.02  # of tickets, duplicates merged into an earlier ticket
COLLECTIVE_SHARE = 0.07  # of disputes, ten or more workers (LDMAL art. 7)
# 12 × an assumed local monthly minimum wage of 2,280 CNY: up to this amount an award is final (LDMAL art. 47).
FINAL_AWARD_LIMIT = 12 * 2280
MORNING = 9 * 60 + 30  # minute of the day at which the agencies' steps run

# --------------------------------------------------------------------------- the district (all made up)

DISTRICT = "区"
STREETS = (
    ("城关街道", "chengguan"),
    ("东城街道", "dongcheng"),
    ("西关街道", "xiguan"),
    ("南湖街道", "nanhu"),
    ("北苑街道", "beiyuan"),
    ("新华街道", "xinhua"),
    ("滨河街道", "binhe"),
    ("高新街道", "gaoxin"),
)
ROADS = ("人民路", "解放路", "建设路", "和平街", "工业园路", "创业大道", "滨河路", "站前路", "文化路", "光明巷")
MANUFACTURING = "制造业"
CONSTRUCTION = "建筑业"
RETAIL = "批发和零售业"
CATERING = "住宿和餐饮业"
LOGISTICS = "交通运输、仓储和邮政业"
SOFTWARE = "信息传输、软件和信息技术服务业"
SERVICES = "居民服务、修理和其他服务业"
BUSINESS = "租赁和商务服务业"
TRADES = {
    MANUFACTURING: ("机械制造", "电子科技", "家具", "纺织", "塑胶制品", "食品", "汽车配件"),
    CONSTRUCTION: ("建设工程", "建筑安装工程", "市政工程"),
    RETAIL: ("商贸", "超市", "电器销售"),
    CATERING: ("餐饮管理", "酒店管理", "食品连锁"),
    LOGISTICS: ("物流", "配送服务", "货运"),
    SOFTWARE: ("网络科技", "信息技术", "软件"),
    SERVICES: ("物业服务", "家政服务", "汽车维修服务"),
    BUSINESS: ("人力资源服务", "企业管理咨询", "劳务派遣"),
}
BRAND_FIRST = "恒鑫华宏金博瑞盛嘉永兴德隆安泰丰源达信诚"
BRAND_SECOND = "达源泰远诚瑞盛昌发隆丰辉通宇航邦润峰"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海燕鹏飞俊峰凤梅春雪东林"
# Area codes of the district itself and of the home counties of migrant workers (for ID numbers).
LOCAL_AREAS = ("330102", "330105", "330106")
HOME_AREAS = ("412725", "342422", "511621", "430524", "362427", "522121", "610424", "371321", "421127", "452626")
MOBILE_PREFIXES = tuple(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 176 177 180 181 182 183 185 186 "
    "187 188 189 191 198 199".split()
)
_ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
SEASON = (1.5, 1.1, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.1, 1.4)  # wage arrears peak around the new year

CENTRE = f"{DISTRICT}总工会劳资纠纷快处快结调解中心"
ARBITRATION_COMMISSION = f"{DISTRICT}劳动人事争议仲裁委员会"
INSPECTION = f"{DISTRICT}人力资源和社会保障局劳动保障监察大队"
INJURY_OFFICE = f"{DISTRICT}人力资源和社会保障局工伤保险科"
BASIC_COURT = f"{DISTRICT}人民法院"
INTERMEDIATE_COURT = "市中级人民法院"
LEGAL_AID_CENTRE = f"{DISTRICT}法律援助中心"
UNION_LEGAL_AID = f"{DISTRICT}总工会法律援助工作站"
UNION_AT_COURT = f"{DISTRICT}总工会驻{DISTRICT}人民法院调解工作室"
UNION_NEGOTIATION = f"{DISTRICT}总工会协商指导组"

# --------------------------------------------------------------------------- who acts

HOTLINE = tuple(Actor(f"hotline-{n:02d}", Role.STAFF, Agency.UNION) for n in range(1, 7))
HOTLINE_SUPERVISOR = Actor("hotline-qc", Role.STAFF, Agency.UNION)
CASEWORKERS = tuple(
    Actor(f"centre-{name}", Role.STAFF, Agency.UNION) for name in ("li", "wang", "zhang", "liu", "chen", "yang")
)
STREET_UNION = {street: Actor(f"union-{pinyin}", Role.STAFF, Agency.UNION) for street, pinyin in STREETS}
HR_ARBITRATION = tuple(Actor(f"hr-arb-{name}", Role.PARTNER, Agency.HR) for name in ("wang", "sun", "zhou"))
HR_INSPECTION = Actor("hr-insp-wu", Role.PARTNER, Agency.HR)
HR_INJURY = Actor("hr-injury-zheng", Role.PARTNER, Agency.HR)
HR_STREET_MEDIATION = {street: Actor(f"hr-med-{pinyin}", Role.PARTNER, Agency.HR) for street, pinyin in STREETS}
COURT = tuple(Actor(f"court-{name}", Role.PARTNER, Agency.COURT) for name in ("zhao", "qian"))
APPEAL_COURT = Actor("court-ic-feng", Role.PARTNER, Agency.COURT)
JUSTICE_MEDIATION = tuple(Actor(f"justice-med-{name}", Role.PARTNER, Agency.JUSTICE) for name in ("he", "lu"))
JUSTICE_LEGAL_AID = Actor("justice-aid-lin", Role.PARTNER, Agency.JUSTICE)

# Number series of the receiving organisations (their own case numbers).
EXTERNAL_NUMBERS = {
    "arbitration": "（{year}）{d}劳人仲案字第{n:04d}号",
    "first_instance": "（{year}）{d}0102民初{n}号",
    "appeal": "（{year}）市01民终{n}号",
    "payment_order": "（{year}）{d}0102民督{n}号",
    "confirmation": "（{year}）{d}0102民特{n}号",
    "revocation": "（{year}）市01民特{n}号",
    "enforcement": "（{year}）{d}0102执{n}号",
    "inspection": "{d}人社监察立〔{year}〕{n}号",
    "injury": "{d}人社工伤认〔{year}〕{n}号",
    "peoples_mediation": "{d}人调〔{year}〕{n}号",
    "street_mediation": "{d}劳调〔{year}〕{n}号",
    "legal_aid": "{d}法援〔{year}〕{n}号",
    "review": "（{year}）{d}劳人仲审字第{n:04d}号",
}
EXTERNAL_START = {"first_instance": 1000, "enforcement": 300}


# --------------------------------------------------------------------------- what the loader answers


@dataclass(frozen=True)
class DemoProgress:
    """Reported after each simulated day."""

    day: date
    days_done: int
    days_total: int
    commands: int
    disputes: int
    tickets: int


@dataclass(frozen=True)
class DemoSummary:
    """What the year holds at its end, counted from the cases themselves."""

    seed: int
    year: int
    dispute_ids: tuple[str, ...]
    complaint_ids: tuple[str, ...]
    commands: int
    seconds: float
    disputes_by_status: dict[str, int]
    collective_disputes: int
    case_types: dict[str, int]
    proceedings: dict[tuple[str, str, str], int]
    """(tier, kind, outcome — or the state of a proceeding still open) → count."""
    handoffs: dict[tuple[str, str], int]
    """(receiving agency, state) → count."""
    tickets_by_state: dict[str, int]
    tickets_answered_on_call: int
    tickets_converted: int
    tickets_escalated: int
    tickets_reopened: int
    callbacks: dict[str, int]
    overdue: dict[str, int]
    """rule id → an organisation's deadlines missed (超期) on disputes and tickets, including those met late."""
    windows_lapsed: dict[str, int]
    """rule id → a party's periods that ran out unused (e.g. no suit within 15 days: the award took effect)."""

    @property
    def tiers(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (tier, _, _), n in self.proceedings.items():
            counts[tier] += n
        return dict(counts)


class DemoStoreNotEmpty(Exception):
    """The demo year is loaded into an empty store only: its numbers and clock start on 1 January."""


# --------------------------------------------------------------------------- synthetic people and firms


def synthetic_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def synthetic_id_number(rng: random.Random, area: str, born: date, *, male: bool) -> str:
    """An 18-character resident ID number with a correct check character (GB 11643)."""
    body = f"{area}{born:%Y%m%d}{rng.randrange(500) * 2 + (1 if male else 0):03d}"
    return next(body + check for check in "0123456789X" if id_number_checksum_ok(body + check))


def synthetic_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def synthetic_uscc(rng: random.Random, area: str) -> str:
    """A unified social credit code (enterprise, 91…) whose organisation code and final check characters are right."""
    body = "".join(rng.choice(_ORG_CODE_CHARS) for _ in range(8))
    first17 = "91" + area + body + _organisation_code_check(body)
    return first17 + uscc_check_character(first17)


def _organisation_code_check(body: str) -> str:
    """GB 11714 check character of an organisation code."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _company(rng: random.Random, trade: str, suffix: str = "有限公司") -> dict[str, Any]:
    street = rng.choice(STREETS)[0]
    return {
        "name": rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND) + trade + suffix,
        "uscc": synthetic_uscc(rng, rng.choice(LOCAL_AREAS)),
        "address": f"{DISTRICT}{street}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
    }


def _person(rng: random.Random, year: int, *, migrant: bool, wage: int | None = None) -> dict[str, Any]:
    born = date(year - rng.randint(19, 58), rng.randint(1, 12), rng.randint(1, 28))
    area = rng.choice(HOME_AREAS if migrant else LOCAL_AREAS)
    person = {
        "name": synthetic_name(rng),
        "id_number": synthetic_id_number(rng, area, born, male=rng.random() < 0.68),
        "phone": synthetic_mobile(rng),
    }
    if wage is not None:
        person["monthly_wage_cny"] = _cny(wage)
    return person


def _cny(amount: float | int) -> str:
    return f"{round(amount):d}.00"


# --------------------------------------------------------------------------- plans


def _spread(rng: random.Random, n: int, weights: Mapping[str, float]) -> list[str]:
    """``n`` labels in the given proportions, each at least once when ``n`` allows, in random order."""
    labels = list(weights)
    total = sum(weights.values())
    counts = {label: (1 if n >= len(labels) else 0) for label in labels}
    remaining = n - sum(counts.values())
    wanted = {label: max(0.0, weights[label] / total * n - counts[label]) for label in labels}
    for label in labels:
        extra = min(remaining, int(wanted[label]))
        counts[label] += extra
        remaining -= extra
    for label in sorted(labels, key=lambda k: wanted[k] - int(wanted[k]), reverse=True):
        if remaining <= 0:
            break
        counts[label] += 1
        remaining -= 1
    result = [label for label in labels for _ in range(counts[label])]
    rng.shuffle(result)
    return result


# A dispute's route through the tiers, and how long it takes roughly (days) when all goes its way.
ROUTES = {
    "negotiation": (0.08, 60),
    "centre_mediation": (0.30, 60),
    "enterprise_mediation": (0.07, 60),
    "peoples_mediation": (0.13, 60),
    "street_mediation": (0.11, 60),
    "direct_arbitration": (0.12, 110),
    "inspection": (0.07, 120),
    "court_referral": (0.04, 150),
    "litigation": (0.08, 210),
}
LONG_ROUTES = ("court_referral", "litigation")
CASE_TYPES = {
    "WAGE_ARREARS": 0.30,
    "WAGE_ARREARS_CONSTRUCTION": 0.12,
    "WORK_INJURY": 0.11,
    "NEW_EMPLOYMENT_FORM": 0.12,
    "DISPATCH": 0.08,
    "TERMINATION": 0.21,
    "SOCIAL_INSURANCE": 0.06,
}
TICKET_TWISTS = {
    "none": 0.60,
    "late_sign": 0.06,
    "returned": 0.04,
    "extension": 0.06,
    "late_reply": 0.08,
    "qc_fail": 0.04,
    "late_callback": 0.05,
    "unsatisfied": 0.05,
    "refer": 0.02,
}


@dataclass
class _Case:
    """One dispute of the year: its plan, its own random stream, and what the store gave back."""

    index: int
    rng: random.Random
    start: date
    route: str
    case_type: str
    collective: bool
    from_ticket: bool
    force: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    number: str = ""
    intake: dict[str, Any] = field(default_factory=dict)
    total: int = 0
    caseworker: Actor = CASEWORKERS[0]
    side_tracks: int = 0
    documents: int = 0
    performance_due: date | None = None
    override_reason: str | None = None  # a court-originated case passes 先裁后审 on the record

    def pick(self, key: str, weights: Mapping[str, float]) -> str:
        if key in self.force:
            return self.force[key]
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    @property
    def street(self) -> str:
        return self.intake["workplace"]["street"]

    @property
    def employer(self) -> str:
        return self.intake["respondents"][-1]["organisation"]["name"]

    def has_claim(self, *kinds: str) -> bool:
        return any(claim["kind"] in kinds for claim in self.intake["claims"])


@dataclass
class _Ticket:
    index: int
    rng: random.Random
    start: date
    minute: int
    flow: str  # answered | dispatched | converted | duplicate
    category: str = "ASSISTANCE"
    twist: str = "none"
    case: _Case | None = None
    original: _Ticket | None = None
    id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- the year


class _Year:
    def __init__(
        self,
        engine: Engine,
        *,
        seed: int,
        year: int,
        disputes: int,
        tickets: int,
        progress: Callable[[DemoProgress], None] | None,
    ) -> None:
        self.engine = engine
        self.app = engine.app
        self.clock: FixedClock = engine.clock  # type: ignore[assignment]
        self.policy = self.app.policy
        self.calendar = self.policy.calendar
        self.seed = seed
        self.year = year
        self.first = date(year, 1, 1)
        self.last = date(year, 12, 31)
        self.progress = progress
        self.rng = random.Random(f"dispute-engine demo year {seed}")
        self.queue: list[tuple[date, int, int, Iterator[int]]] = []
        self.order = itertools.count()
        self.today = self.first
        self.minute = MORNING
        self.commands = 0
        self.numbers: Counter[str] = Counter()
        self.cases: list[_Case] = []
        self.tickets: list[_Ticket] = []
        self._plan(disputes, tickets)

    # ------------------------------------------------------------------ planning

    def _stream(self) -> random.Random:
        return random.Random(self.rng.getrandbits(64))

    def _start_day(self, rng: random.Random, latest: date | None = None, *, workday: bool = True) -> date:
        latest = min(latest or self.last, self.last)
        while True:
            month = rng.choices(range(1, 13), weights=SEASON)[0]
            day = date(self.year, month, 1) + timedelta(days=rng.randrange(31))
            if day.month == month and day <= latest and not (workday and self.calendar.is_rest_day(day)):
                return day

    def _plan(self, n_disputes: int, n_tickets: int) -> None:
        converted = min(round(n_tickets * CONVERTED_SHARE), n_disputes)
        routes = _spread(self.rng, n_disputes, {name: weight for name, (weight, _) in ROUTES.items()})
        types = _spread(self.rng, n_disputes, CASE_TYPES)
        collective = set(self.rng.sample(range(n_disputes), max(1, round(n_disputes * COLLECTIVE_SHARE))))
        # Court referrals reach the centre from the court, never through the hotline.
        hotline = [i for i in range(n_disputes) if routes[i] != "court_referral"]
        from_ticket = set(self.rng.sample(hotline, min(converted, len(hotline))))
        for index in range(n_disputes):
            rng = self._stream()
            route = routes[index]
            case_type = types[index]
            if index in collective and case_type not in ("WAGE_ARREARS", "WAGE_ARREARS_CONSTRUCTION"):
                case_type = "WAGE_ARREARS_CONSTRUCTION"
            # Long routes start early enough to reach the court; most others finish within the year.
            length = ROUTES[route][1]
            latest = self.last - timedelta(days=length) if route in LONG_ROUTES or rng.random() < 0.85 else None
            case = _Case(
                index, rng, self._start_day(rng, latest), route, case_type, index in collective, index in from_ticket
            )
            if route == "litigation":
                case.force.update(
                    {
                        "mediation": "FAILED",
                        "arbitration": "accept",
                        "award": "award",
                        "challenge": "suit",
                        "trial": "JUDGMENT",
                    }
                )
            self.cases.append(case)
        duplicates = round(n_tickets * DUPLICATE_SHARE) if n_tickets >= 20 else 0
        regular = n_tickets - len(from_ticket) - duplicates
        index = itertools.count()
        for case in self.cases:
            if case.from_ticket:
                rng = self._stream()
                self.tickets.append(
                    _Ticket(next(index), rng, case.start, rng.randint(8 * 60, 17 * 60), "converted", case=case)
                )
        planned: list[_Ticket] = []
        for _ in range(regular):
            rng = self._stream()
            start = self._start_day(rng, workday=False)
            minute = rng.randint(0, 24 * 60 - 1) if rng.random() < 0.16 else rng.randint(8 * 60 + 30, 17 * 60 + 29)
            category = rng.choices(TICKET_CATEGORIES, weights=(48, 27, 13, 8, 4))[0]
            answered = (
                category == "CONSULTATION" and rng.random() < 0.85 or category == "SUGGESTION" and rng.random() < 0.5
            )
            planned.append(
                _Ticket(next(index), rng, start, minute, "answered" if answered else "dispatched", category=category)
            )
        dispatched = [t for t in planned if t.flow == "dispatched"]
        for ticket, twist in zip(dispatched, _spread(self.rng, len(dispatched), TICKET_TWISTS), strict=True):
            ticket.twist = twist
        self.tickets.extend(planned)
        originals = [
            t for t in dispatched if t.twist in ("none", "late_reply") and t.start < self.last - timedelta(days=10)
        ]
        for original in self.rng.sample(originals, min(duplicates, len(originals))):
            rng = self._stream()
            start = original.start + timedelta(days=rng.choice((0, 1)))
            minute = min(original.minute + rng.randint(5, 240), 24 * 60 - 1) if start == original.start else MORNING
            self.tickets.append(_Ticket(next(index), rng, start, minute, "duplicate", original=original))
        for case in self.cases:
            if not case.from_ticket:
                self._spawn(self._dispute_story(case), case.start, MORNING + case.rng.randint(0, 360))
        for ticket in self.tickets:
            self._spawn(self._ticket_story(ticket), ticket.start, ticket.minute)

    # ------------------------------------------------------------------ scheduling

    def _spawn(self, story: Iterator[int], day: date, minute: int = MORNING) -> None:
        heapq.heappush(self.queue, (day, min(minute, 24 * 60 - 1), next(self.order), story))

    def run(self) -> None:
        ticker = self.engine.deadline_clock()
        total = (self.last - self.first).days + 1
        day = self.first
        while day <= self.last:
            # The clock ticks first, as it would just after midnight: yesterday's misses are today's facts.
            self.clock.set_local(day, time(0, 5))
            ticker.tick(day)
            while self.queue and self.queue[0][0] == day:
                _, minute, _, story = heapq.heappop(self.queue)
                self.today, self.minute = day, minute
                self.clock.set_local(day, time(minute // 60, minute % 60))
                self._resume(story)
            if self.progress is not None:
                self.progress(
                    DemoProgress(
                        day,
                        (day - self.first).days + 1,
                        total,
                        self.commands,
                        sum(1 for c in self.cases if c.id),
                        sum(1 for t in self.tickets if t.id),
                    )
                )
            day += timedelta(days=1)

    def _resume(self, story: Iterator[int]) -> None:
        try:
            wait = next(story)
        except StopIteration:
            return
        if wait < 0:
            raise ValueError("a story cannot wait a negative number of days")
        day = self.today + timedelta(days=wait)
        if day <= self.last:  # what would happen after 31 December stays open, as at any year's end
            self._spawn(story, day, self.minute + 1 if wait == 0 else MORNING)

    def later(self, days: int) -> int:
        """Days to wait for the first working day on or after ``days`` from today (agencies work on working days)."""
        return (self.calendar.roll_forward(self.today + timedelta(days=days)) - self.today).days

    def workdays(self, n: int) -> int:
        """Days to wait for the ``n``-th working day after today."""
        return (self.calendar.add_working_days(self.today, n) - self.today).days

    def until(self, day: date) -> int:
        return max(0, (day - self.today).days)

    def due(self, rule_id: str, start: date, *, extension: int = 0, suspended_days: int = 0) -> date:
        return self.policy.compute(rule_id, start, extension=extension, suspended_days=suspended_days).due_date

    def number(self, series: str) -> str:
        self.numbers[series] += 1
        return EXTERNAL_NUMBERS[series].format(
            year=self.year, d=DISTRICT, n=EXTERNAL_START.get(series, 0) + self.numbers[series]
        )

    # ------------------------------------------------------------------ commands

    def do(self, case: _Case, command: str, arguments: dict[str, Any], actor: Actor) -> CommandResult:
        self.commands += 1
        return self.app.dispute_command(case.id, command, arguments, actor=actor)

    def ticket(self, ticket: _Ticket, command: str, arguments: dict[str, Any], actor: Actor) -> CommandResult:
        self.commands += 1
        return self.app.complaint_command(ticket.id, command, arguments, actor=actor)

    def doc(self, case: _Case, doc_type: str, title: str) -> dict[str, Any]:
        case.documents += 1
        digest = hashlib.sha256(f"{self.seed}|{case.index}|{case.documents}|{doc_type}|{title}".encode()).hexdigest()
        return {
            "doc_type": doc_type,
            "title": title,
            "sha256": digest,
            "pages": case.rng.randint(1, 12),
            "issued_on": self.today.isoformat(),
        }

    def handoff(
        self,
        case: _Case,
        kind: str,
        org_type: str,
        org_name: str,
        reason: str,
        dossier: list[dict[str, Any]],
        *,
        applicant: str = "WORKER",
        consent: dict[str, bool] | None = None,
        override_reason: str | None = None,
    ) -> tuple[str, str]:
        arguments: dict[str, Any] = {
            "kind": kind,
            "org_type": org_type,
            "org_name": org_name,
            "applicant": applicant,
            "reason": reason,
            "channel": case.rng.choice(("ONLINE", "ONLINE", "SYSTEM_ZONG_DUI_ZONG", "PAPER")),
            "dossier": dossier,
        }
        if consent is not None:
            arguments["consent"] = consent
        if override_reason is not None:
            arguments["override_reason"] = override_reason
        result = self.do(case, "request_handoff", arguments, case.caseworker)
        return result.data["handoff_id"], result.data["proceeding_id"]

    def open(
        self,
        case: _Case,
        kind: str,
        org_type: str,
        org_name: str,
        actor: Actor,
        *,
        applicant: str = "WORKER",
        consent: dict[str, bool] | None = None,
    ) -> str:
        arguments: dict[str, Any] = {
            "kind": kind,
            "org_type": org_type,
            "org_name": org_name,
            "applicant": applicant,
            "received_on": self.today.isoformat(),
        }
        if consent is not None:
            arguments["consent"] = consent
        return self.do(case, "open_proceeding", arguments, actor).data["proceeding_id"]

    def conclude(
        self,
        case: _Case,
        proceeding_id: str,
        outcome: str,
        actor: Actor,
        *,
        documents: list[dict[str, Any]] | None = None,
        amount: int | None = None,
        performance_due: date | None = None,
    ) -> None:
        arguments: dict[str, Any] = {"proceeding_id": proceeding_id, "outcome": outcome}
        if documents:
            arguments["documents"] = documents
        if amount is not None:
            arguments["amounts_awarded_cny"] = _cny(amount)
        if performance_due is not None:
            arguments["performance_due"] = performance_due.isoformat()
        self.do(case, "conclude_proceeding", arguments, actor)

    def serve(self, case: _Case, proceeding_id: str, doc_type: str, actor: Actor) -> None:
        for side in ("WORKER", "EMPLOYER"):
            self.do(
                case,
                "record_service",
                {
                    "proceeding_id": proceeding_id,
                    "doc_type": doc_type,
                    "party_side": side,
                    "method": case.rng.choice(("DIRECT", "DIRECT", "POST", "ELECTRONIC")),
                    "served_on": self.today.isoformat(),
                },
                actor,
            )

    # ------------------------------------------------------------------ a dispute's intake

    def _prepare(self, case: _Case) -> None:
        """Draw the parties, claims and facts of a dispute (once, from the case's own stream)."""
        rng = case.rng
        year = self.year
        street = rng.choice(STREETS)[0]
        kind = case.case_type
        workers = rng.randint(10, 38) if case.collective else 1
        migrant = kind in ("WAGE_ARREARS_CONSTRUCTION", "NEW_EMPLOYMENT_FORM") or rng.random() < 0.35
        form = "STANDARD"
        case_types = [kind]
        risk_flags: list[str] = []
        if kind == "WAGE_ARREARS_CONSTRUCTION":
            industry = CONSTRUCTION
            contractor = _company(rng, rng.choice(TRADES[CONSTRUCTION]), "集团有限公司")
            subcontractor = _company(rng, "建筑劳务")
            respondents = [
                {"kind": "GENERAL_CONTRACTOR", "organisation": contractor},
                {"kind": "EMPLOYER", "organisation": subcontractor},
            ]
            wage = rng.randint(260, 420) * 26
            owed = rng.randint(40, 160) * wage // 26
            claims = [
                {
                    "kind": "WAGE",
                    "amount_cny": _cny(owed * workers),
                    "period_from": f"{year - 1}-{rng.randint(3, 9):02d}-01",
                    "period_to": f"{year - 1}-12-31",
                }
            ]
            summary = (
                f"{workers}名农民工在建筑工地务工，工程完工后劳务分包单位拖欠工资"
                if workers > 1
                else "建筑工地务工人员被拖欠工资"
            )
            case_types.append("WAGE_ARREARS")
        elif kind == "WORK_INJURY":
            industry = rng.choice((MANUFACTURING, CONSTRUCTION, LOGISTICS))
            respondents = [{"kind": "EMPLOYER", "organisation": _company(rng, rng.choice(TRADES[industry]))}]
            wage = rng.randint(3800, 8000)
            claims = [
                {"kind": "INJURY_MEDICAL", "amount_cny": _cny(rng.randint(8, 90) * 1000)},
                {"kind": "INJURY_BENEFITS", "amount_cny": _cny(rng.randint(20, 260) * 1000)},
            ]
            summary = "工作中受伤，单位未缴纳工伤保险，要求支付医疗费和工伤保险待遇"
        elif kind == "NEW_EMPLOYMENT_FORM":
            industry = LOGISTICS
            platform = _company(rng, "网络科技")
            partner = _company(rng, rng.choice(("配送服务", "物流", "人力资源服务")))
            respondents = [
                {"kind": "PLATFORM", "organisation": platform},
                {"kind": "PLATFORM_PARTNER", "organisation": partner},
            ]
            form = rng.choice(("NEW_FORM_INCOMPLETE", "NEW_FORM_INCOMPLETE", "NEW_FORM_LABOUR_RELATION"))
            wage = rng.randint(5000, 9500)
            claims = [{"kind": "CONFIRM_RELATION"}, {"kind": "WAGE", "amount_cny": _cny(rng.randint(2, 18) * 1000)}]
            summary = "外卖骑手被合作商扣发配送费并解除合作，要求确认劳动关系、支付报酬"
            if rng.random() < 0.35:
                claims.append({"kind": "INJURY_MEDICAL", "amount_cny": _cny(rng.randint(5, 60) * 1000)})
                summary = "外卖骑手配送途中受伤，平台与合作商互相推诿，要求支付医疗费"
        elif kind == "DISPATCH":
            industry = rng.choice((MANUFACTURING, SERVICES, LOGISTICS))
            respondents = [
                {"kind": "DISPATCH_AGENCY", "organisation": _company(rng, "劳务派遣")},
                {"kind": "USER_UNIT", "organisation": _company(rng, rng.choice(TRADES[industry]))},
            ]
            form = "DISPATCHED"
            wage = rng.randint(3600, 6500)
            claims = [
                {"kind": "OVERTIME", "amount_cny": _cny(rng.randint(3, 20) * 1000)},
                {"kind": "SOCIAL_INSURANCE", "is_labour_standard_matter": True},
            ]
            summary = "被派遣劳动者加班费未足额支付、社会保险未缴纳，派遣单位与用工单位互相推诿"
        elif kind == "TERMINATION":
            industry = rng.choice((MANUFACTURING, RETAIL, CATERING, SOFTWARE, SERVICES))
            respondents = [{"kind": "EMPLOYER", "organisation": _company(rng, rng.choice(TRADES[industry]))}]
            wage = rng.randint(4000, 16000)
            years = rng.randint(1, 12)
            claims = [{"kind": "ILLEGAL_TERMINATION_DAMAGES", "amount_cny": _cny(2 * years * wage)}]
            if rng.random() < 0.3:
                claims.append({"kind": "DOUBLE_WAGE", "amount_cny": _cny(rng.randint(2, 11) * wage)})
            summary = "用人单位以末位淘汰为由解除劳动合同，劳动者要求支付违法解除赔偿金"
        elif kind == "SOCIAL_INSURANCE":
            industry = rng.choice((MANUFACTURING, CATERING, RETAIL))
            respondents = [{"kind": "EMPLOYER", "organisation": _company(rng, rng.choice(TRADES[industry]))}]
            wage = rng.randint(3500, 7000)
            claims = [
                {"kind": "SOCIAL_INSURANCE", "is_labour_standard_matter": True},
                {"kind": "SEVERANCE", "amount_cny": _cny(rng.randint(1, 8) * wage)},
            ]
            summary = "用人单位未依法缴纳社会保险费，劳动者被迫解除劳动合同并要求经济补偿"
        else:  # WAGE_ARREARS
            industry = rng.choice((MANUFACTURING, CATERING, RETAIL, SERVICES, SOFTWARE))
            respondents = [{"kind": "EMPLOYER", "organisation": _company(rng, rng.choice(TRADES[industry]))}]
            wage = rng.randint(3600, 9000)
            months = rng.randint(1, 6)
            claims = [{"kind": "WAGE", "amount_cny": _cny(months * wage * workers)}]
            if rng.random() < 0.3:
                claims.append({"kind": "OVERTIME", "amount_cny": _cny(rng.randint(1, 8) * 1000 * workers)})
            summary = (
                f"{workers}名职工被拖欠{months}个月工资，企业经营困难停产"
                if workers > 1
                else f"被拖欠{months}个月工资，多次催要未果"
            )
        if case.collective:
            risk_flags.append("GROUP_INCIDENT_RISK")
            if rng.random() < 0.3:
                risk_flags.append("MEDIA_ATTENTION")
        claimants = [
            {
                "kind": "WORKER",
                "person": _person(rng, year, migrant=migrant, wage=wage),
                "is_migrant_worker": migrant,
                "employment_form": form,
            }
            for _ in range(workers)
        ]
        started = case.start - timedelta(days=rng.randint(120, 9 * 365))
        ongoing = kind in ("WAGE_ARREARS", "DISPATCH", "WORK_INJURY") and rng.random() < 0.5
        employment = {"started_on": started.isoformat(), "ongoing": ongoing}
        if not ongoing:
            employment["ended_on"] = (case.start - timedelta(days=rng.randint(5, 90))).isoformat()
        case.intake = {
            "summary": summary,
            "claimants": claimants,
            "respondents": respondents,
            "claims": claims,
            "case_types": case_types,
            "risk_flags": risk_flags,
            "workplace": {"street": street, "industry": industry},
            "employment": employment,
        }
        case.total = sum(int(c["amount_cny"].split(".")[0]) for c in claims if c.get("amount_cny"))
        case.caseworker = rng.choice(CASEWORKERS)

    def _origin(self, case: _Case) -> str:
        if case.route == "court_referral":
            return "COURT_REFERRAL"
        return case.rng.choices(
            ("WALK_IN", "ONLINE", "UNION_OUTREACH", "PETITION_REFERRAL", "INSPECTION_REFERRAL"),
            weights=(55, 25, 8, 5, 4 if case.route != "inspection" else 0),
        )[0]

    # ------------------------------------------------------------------ a dispute's year

    def _dispute_story(self, case: _Case) -> Iterator[int]:
        if case.id is None:
            self._prepare(case)
            result = self.app.register_dispute({**case.intake, "origin": self._origin(case)}, actor=case.caseworker)
            self.commands += 1
            case.id, case.number = result.id, result.data["case_number"]
        self.do(case, "assign_caseworker", {"caseworker": case.caseworker.user_id}, case.caseworker)
        if (
            case.intake["claimants"][0]["is_migrant_worker"]
            and case.has_claim("WAGE", "INJURY_MEDICAL")
            and case.chance(0.3)
        ):
            self._side_track(case, self._legal_aid(case))
        route = case.route
        if route == "negotiation":
            outcome = yield from self._negotiate(case)
        elif route == "inspection":
            outcome = yield from self._inspect(case)
        elif route == "court_referral":
            yield from self._court_referral(case)
            return
        elif route == "direct_arbitration":
            outcome = "DIRECT"
        else:
            outcome = "MEDIATE"
        if outcome == "MEDIATE":
            org = {
                "enterprise_mediation": "ENTERPRISE_MEDIATION_COMMITTEE",
                "peoples_mediation": "PEOPLES_MEDIATION_COMMITTEE",
                "street_mediation": "TOWNSHIP_STREET_LABOUR_MEDIATION",
            }.get(route, "UNION_MEDIATION_CENTRE")
            outcome = yield from self._mediate(case, org)
        if outcome == "AGREEMENT":
            yield from self._after_agreement(case)
        elif outcome == "RESOLVED":
            yield from self._resolve(case, "经劳动保障监察责令支付，企业已足额支付", case.total)
        elif outcome != "CLOSED":
            yield from self._arbitrate(case, after=outcome)

    def _side_track(self, case: _Case, story: Iterator[int]) -> None:
        case.side_tracks += 1

        def tracked() -> Iterator[int]:
            yield from story
            case.side_tracks -= 1

        self._spawn(tracked(), self.today, self.minute + 1)

    def _legal_aid(self, case: _Case) -> Iterator[int]:
        """法律援助: migrant workers claiming pay or injury damages need no means test (法律援助法 art. 42)."""
        rng = case.rng
        yield self.later(rng.randint(0, 3))
        if rng.random() < 0.7:
            handoff, proceeding = self.handoff(
                case,
                "LEGAL_AID",
                "LEGAL_AID_CENTRE",
                LEGAL_AID_CENTRE,
                "PARTY_APPLICATION",
                [self.doc(case, "APPLICATION", "法律援助申请表"), self.doc(case, "ID_PROOF", "身份证复印件")],
            )
            yield self.later(rng.randint(0, 2))
            self.do(case, "receive_handoff", {"handoff_id": handoff}, JUSTICE_LEGAL_AID)
            yield self.later(rng.randint(1, 4))
            self.do(
                case,
                "accept_handoff",
                {
                    "handoff_id": handoff,
                    "receiving_case_no": self.number("legal_aid"),
                    "assignee": JUSTICE_LEGAL_AID.user_id,
                },
                JUSTICE_LEGAL_AID,
            )
            actor = JUSTICE_LEGAL_AID
        else:
            proceeding = self.open(case, "LEGAL_AID", "UNION_LEGAL_AID_STATION", UNION_LEGAL_AID, case.caseworker)
            yield self.later(rng.randint(0, 2))
            self.do(case, "accept_proceeding", {"proceeding_id": proceeding}, case.caseworker)
            actor = case.caseworker
        yield self.later(rng.randint(1, 3))
        granted = rng.random() < 0.92
        self.conclude(
            case,
            proceeding,
            "GRANTED" if granted else "REFUSED",
            actor,
            documents=[self.doc(case, "LEGAL_AID_DECISION", "给予法律援助决定书" if granted else "不予法律援助决定书")],
        )

    def _negotiate(self, case: _Case) -> Iterator[int]:
        """协商, with the union's assistance; the outcome decides whether mediation or arbitration follows."""
        rng = case.rng
        assisted = rng.random() < 0.7
        proceeding = self.open(
            case,
            "NEGOTIATION",
            "UNION_NEGOTIATION_ASSIST" if assisted else "PARTIES",
            UNION_NEGOTIATION if assisted else "劳动者与用人单位",
            case.caseworker,
        )
        yield self.later(rng.randint(0, 2))
        self.do(case, "accept_proceeding", {"proceeding_id": proceeding}, case.caseworker)
        yield self.later(rng.randint(3, 12))
        outcome = case.pick("negotiation", {"SETTLED": 0.45, "FAILED": 0.35, "NO_RESPONSE": 0.20})
        documents = [self.doc(case, "SETTLEMENT_AGREEMENT", "和解协议书")] if outcome == "SETTLED" else None
        self.conclude(case, proceeding, outcome, case.caseworker, documents=documents)
        if outcome == "SETTLED":
            yield self.later(rng.randint(3, 20))
            yield from self._resolve(case, "和解协议已履行", case.total * rng.uniform(0.6, 1.0))
            return "CLOSED"
        yield self.later(rng.randint(1, 7))
        return "MEDIATE" if rng.random() < 0.5 else "DIRECT"

    def _inspect(self, case: _Case) -> Iterator[int]:
        """劳动保障监察: a complaint to the HR bureau's inspectorate before any dispute channel opens."""
        rng = case.rng
        handoff, proceeding = self.handoff(
            case,
            "LABOUR_INSPECTION",
            "LABOUR_INSPECTION",
            INSPECTION,
            "PARTY_APPLICATION",
            [
                self.doc(case, "INSPECTION_COMPLAINT", "劳动保障监察投诉书"),
                self.doc(case, "ID_PROOF", "身份证复印件"),
                self.doc(case, "EMPLOYMENT_EVIDENCE", "工资条及考勤记录"),
            ],
        )
        yield self.later(rng.randint(0, 1))
        self.do(case, "receive_handoff", {"handoff_id": handoff}, HR_INSPECTION)
        late_acceptance = rng.random() < 0.08
        yield self.workdays(rng.randint(6, 8)) if late_acceptance else self.workdays(rng.randint(1, 4))
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("inspection"), "assignee": HR_INSPECTION.user_id},
            HR_INSPECTION,
        )
        long_investigation = rng.random() < 0.08
        yield self.workdays(rng.randint(62, 75) if long_investigation else rng.randint(12, 45))
        outcome = case.pick(
            "inspection",
            {
                "ORDER_TO_PAY": 0.45,
                "PENALTY": 0.10,
                "REFERRED_TO_POLICE": 0.05,
                "CASE_CLOSED": 0.12,
                "REFERRED_TO_DISPUTE_CHANNEL": 0.28,
            },
        )
        self.conclude(
            case,
            proceeding,
            outcome,
            HR_INSPECTION,
            documents=[self.doc(case, "INSPECTION_DECISION", "劳动保障监察处理决定书")],
        )
        if outcome == "REFERRED_TO_POLICE":
            self.do(
                case,
                "change_risk_flags",
                {
                    "add": ["CRIMINAL_REFUSAL_TO_PAY", "EMPLOYER_ABSCONDED"],
                    "remove": [],
                    "reason": "涉嫌拒不支付劳动报酬罪，已移送公安机关",
                },
                case.caseworker,
            )
        yield self.later(rng.randint(2, 10))
        if outcome in ("ORDER_TO_PAY", "PENALTY") and rng.random() < 0.75:
            return "RESOLVED"
        return "MEDIATE" if rng.random() < 0.4 else "DIRECT"

    def _mediate(self, case: _Case, org_type: str) -> Iterator[int]:
        """调解 at one of four kinds of organisation; returns AGREEMENT, FAILED, LAPSED, DECLINED or REJECTED."""
        rng = case.rng
        consent = {"worker": True, "employer": True}
        street = case.street
        if org_type in ("UNION_MEDIATION_CENTRE", "ENTERPRISE_MEDIATION_COMMITTEE"):
            name = CENTRE if org_type == "UNION_MEDIATION_CENTRE" else f"{case.employer}劳动争议调解委员会"
            proceeding = self.open(case, "MEDIATION", org_type, name, case.caseworker, consent=consent)
            received = self.today
            actor = case.caseworker
            if rng.random() < 0.07 and "mediation" not in case.force:
                yield self.later(rng.randint(1, 3))
                self.do(
                    case, "decline_proceeding_by_party", {"proceeding_id": proceeding, "party_side": "EMPLOYER"}, actor
                )
                return "DECLINED"
            yield self.later(rng.choice((0, 1, 1, 2)))
            self.do(
                case,
                "accept_proceeding",
                {"proceeding_id": proceeding, "case_no": case.number, "assignee": actor.user_id},
                actor,
            )
        else:
            justice = org_type == "PEOPLES_MEDIATION_COMMITTEE"
            name = f"{street}人民调解委员会" if justice else f"{street}劳动争议调解中心"
            actor = rng.choice(JUSTICE_MEDIATION) if justice else HR_STREET_MEDIATION[street]
            handoff, proceeding = self.handoff(
                case,
                "MEDIATION",
                org_type,
                name,
                "PARTY_APPLICATION",
                [self.doc(case, "APPLICATION", "调解申请书"), self.doc(case, "ID_PROOF", "身份证复印件")],
                consent=consent,
            )
            yield self.later(rng.choice((0, 1, 1, 2)))
            self.do(case, "receive_handoff", {"handoff_id": handoff}, actor)
            received = self.today
            if rng.random() < 0.05 and "mediation" not in case.force:
                yield self.later(rng.randint(1, 2))
                self.do(
                    case,
                    "reject_handoff",
                    {
                        "handoff_id": handoff,
                        "reason": "PARTY_REFUSED",
                        "legal_basis": "人民调解法 第17条",
                        "advice_to_party": "被申请人明确拒绝调解，可依法申请劳动仲裁",
                    },
                    actor,
                )
                return "REJECTED"
            yield self.later(rng.randint(0, 2))
            self.do(
                case,
                "accept_handoff",
                {
                    "handoff_id": handoff,
                    "receiving_case_no": self.number("peoples_mediation" if justice else "street_mediation"),
                    "assignee": actor.user_id,
                },
                actor,
            )
        self.do(case, "assign_mediator", {"proceeding_id": proceeding, "mediator": actor.user_id}, actor)
        m3_due = self.due("M3", received)
        fate = case.pick("mediation", {"AGREEMENT": 0.58, "FAILED": 0.22, "LAPSED": 0.20})
        quick = org_type == "UNION_MEDIATION_CENTRE"  # 快处快结: the centre aims at a few working days (F1)
        last_day = m3_due if fate != "LAPSED" else m3_due - timedelta(days=2)
        end = min(received + timedelta(days=rng.randint(2, 8) if quick else rng.randint(4, 14)), last_day)
        for _ in range(rng.randint(1, 3)):
            session = self.calendar.roll_forward(self.today + timedelta(days=rng.randint(0, 4)))
            if session > end:
                break
            yield self.until(session)
            self.do(
                case,
                "hold_mediation_session",
                {"proceeding_id": proceeding, "mode": rng.choice(("IN_PERSON", "VIDEO")), "on": self.today.isoformat()},
                actor,
            )
        if fate == "LAPSED":
            # No agreement within 15 days of receipt (LDMAL art. 14): the deadline clock lapses the mediation.
            yield self.until(m3_due + timedelta(days=1))
            return "LAPSED"
        yield self.until(max(end, self.today))
        if fate == "AGREEMENT":
            due = self.today + timedelta(days=rng.randint(7, 30))
            self.conclude(
                case,
                proceeding,
                "AGREEMENT_SIGNED",
                actor,
                amount=case.total * rng.uniform(0.55, 0.95),
                documents=[self.doc(case, "MEDIATION_AGREEMENT", "调解协议书")],
                performance_due=due,
            )
            case.performance_due = due
            return "AGREEMENT"
        self.conclude(
            case,
            proceeding,
            "FAILED",
            actor,
            documents=[self.doc(case, "MEDIATION_TERMINATION_NOTICE", "终止调解通知书")],
        )
        return "FAILED"

    def _after_agreement(self, case: _Case) -> Iterator[int]:
        """调解协议: performed; confirmed by the court (司法确认); reviewed (仲裁审查); or defaulted."""
        rng = case.rng
        due = case.performance_due or self.today
        follow = rng.choices(("performed", "confirmation", "review", "defaulted"), weights=(62, 10, 7, 21))[0]
        if follow == "performed":
            yield self.until(due - timedelta(days=rng.randint(0, 5)))
            yield from self._resolve(case, "调解协议已履行", case.total * rng.uniform(0.55, 0.95))
            return
        if follow in ("confirmation", "review"):
            yield self.later(rng.randint(2, 20))  # within 30 days of the agreement (M8)
            court = follow == "confirmation"
            handoff, proceeding = self.handoff(
                case,
                "JUDICIAL_CONFIRMATION" if court else "ARBITRAL_REVIEW",
                "BASIC_COURT" if court else "ARBITRATION_COMMISSION",
                BASIC_COURT if court else ARBITRATION_COMMISSION,
                "AGREEMENT_FOLLOW_UP",
                [
                    self.doc(case, "APPLICATION", "司法确认申请书" if court else "仲裁审查申请书"),
                    self.doc(case, "MEDIATION_AGREEMENT", "调解协议书"),
                    self.doc(case, "ID_PROOF", "双方身份证明"),
                ],
                applicant="BOTH",
            )
            actor = rng.choice(COURT) if court else rng.choice(HR_ARBITRATION)
            yield self.later(rng.randint(1, 4))
            self.do(
                case,
                "accept_handoff",
                {
                    "handoff_id": handoff,
                    "receiving_case_no": self.number("confirmation" if court else "review"),
                    "assignee": actor.user_id,
                },
                actor,
            )
            yield self.later(rng.randint(3, 20))  # M9: 30 days
            if court:
                valid = rng.random() < 0.95
                self.conclude(
                    case,
                    proceeding,
                    "CONFIRMED_VALID" if valid else "RULED_INVALID",
                    actor,
                    documents=[self.doc(case, "JUDICIAL_CONFIRMATION_RULING", "民事裁定书（司法确认）")],
                )
            else:
                valid = True
                self.conclude(
                    case,
                    proceeding,
                    "MEDIATION_STATEMENT_ISSUED",
                    actor,
                    documents=[self.doc(case, "ARB_REVIEW_MEDIATION_STATEMENT", "仲裁调解书")],
                )
            yield self.later(rng.randint(5, 25))
            if valid:
                yield from self._resolve(case, "调解协议经确认后履行", case.total * rng.uniform(0.55, 0.95))
            else:
                yield from self._arbitrate(case, after="FAILED")
            return
        yield self.until(due + timedelta(days=rng.randint(3, 15)))
        if (
            case.has_claim("WAGE", "INJURY_MEDICAL", "INJURY_BENEFITS", "ILLEGAL_TERMINATION_DAMAGES", "SEVERANCE")
            and rng.random() < 0.6
        ):
            yield from self._payment_order(case)
        else:
            yield from self._arbitrate(case, after="DEFAULTED")

    def _payment_order(self, case: _Case) -> Iterator[int]:
        """支付令 on a defaulted agreement (LDMAL art. 16)."""
        rng = case.rng
        yield self.later(0)
        handoff, proceeding = self.handoff(
            case,
            "PAYMENT_ORDER",
            "BASIC_COURT",
            BASIC_COURT,
            "AGREEMENT_FOLLOW_UP",
            [self.doc(case, "APPLICATION", "支付令申请书"), self.doc(case, "MEDIATION_AGREEMENT", "调解协议书")],
        )
        judge = rng.choice(COURT)
        yield self.later(rng.randint(0, 1))
        self.do(case, "receive_handoff", {"handoff_id": handoff}, judge)
        yield self.later(rng.randint(1, 3))  # P1: 5 days
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("payment_order"), "assignee": judge.user_id},
            judge,
        )
        yield self.later(rng.randint(5, 12))  # P2: 15 days
        outcome = rng.choices(("ORDER_ISSUED_PAID", "ORDER_ENFORCEABLE", "OBJECTION_UPHELD"), weights=(55, 25, 20))[0]
        self.conclude(case, proceeding, outcome, judge, documents=[self.doc(case, "PAYMENT_ORDER", "支付令")])
        yield self.later(rng.randint(3, 20))
        if outcome == "ORDER_ISSUED_PAID":
            yield from self._resolve(case, "支付令送达后用人单位已支付", case.total * rng.uniform(0.6, 0.95))
        elif outcome == "ORDER_ENFORCEABLE":
            yield from self._enforce(case)
        else:
            yield from self._litigate(case, "WORKER", [self.doc(case, "PAYMENT_ORDER", "支付令及异议书")])

    def _arbitrate(self, case: _Case, *, after: str) -> Iterator[int]:
        """仲裁 at the HR bureau's commission: handed off, received, accepted (or not), awarded (or not)."""
        rng = case.rng
        yield self.later(rng.randint(0, 4))
        dossier = [
            self.doc(case, "APPLICATION", "劳动仲裁申请书"),
            self.doc(case, "ID_PROOF", "身份证复印件"),
            self.doc(case, "EVIDENCE_LIST", "证据清单"),
        ]
        if after in ("FAILED", "LAPSED", "DECLINED", "REJECTED"):
            dossier.append(self.doc(case, "MEDIATION_TERMINATION_NOTICE", "终止调解通知书"))
        if case.collective:
            dossier.append(self.doc(case, "REPRESENTATIVE_ELECTION_RECORD", "推举代表名单"))
        handoff, proceeding = self.handoff(
            case,
            "ARBITRATION",
            "ARBITRATION_COMMISSION",
            ARBITRATION_COMMISSION,
            "PARTY_APPLICATION" if after == "DIRECT" else "PREVIOUS_TIER_FAILED",
            dossier,
        )
        clerk = rng.choice(HR_ARBITRATION)
        yield self.later(rng.randint(0, 2))
        self.do(case, "receive_handoff", {"handoff_id": handoff}, clerk)
        received = self.today
        decision = case.pick("arbitration", {"accept": 0.80, "supplement": 0.10, "reject": 0.06, "overdue": 0.04})
        if decision == "supplement":
            yield self.workdays(rng.randint(1, 3))
            self.do(
                case,
                "return_handoff_for_supplement",
                {
                    "handoff_id": handoff,
                    "missing": rng.sample(
                        [
                            "劳动关系证明材料",
                            "被申请人工商登记信息",
                            "仲裁申请书副本（按被申请人人数）",
                            "证据原件核对",
                        ],
                        2,
                    ),
                },
                clerk,
            )
            yield self.later(rng.randint(2, 8))
            self.do(
                case,
                "resubmit_handoff",
                {
                    "handoff_id": handoff,
                    "added": [
                        self.doc(case, "EMPLOYMENT_EVIDENCE", "劳动关系证明材料"),
                        self.doc(case, "EMPLOYER_REGISTRATION", "企业信用信息公示报告"),
                    ],
                },
                case.caseworker,
            )
            received = self.today  # A2: the receipt date resets when the materials are complete
        elif decision == "reject":
            yield self.workdays(rng.randint(1, 4))
            reason = rng.choice(("OUT_OF_SCOPE", "NO_JURISDICTION", "TIME_BARRED_ADVISORY"))
            self.do(
                case,
                "reject_handoff",
                {
                    "handoff_id": handoff,
                    "reason": reason,
                    "legal_basis": "劳动争议调解仲裁法 第29条；劳动人事争议仲裁办案规则 第30条",
                    "advice_to_party": "可就该争议事项向人民法院提起诉讼",
                    "redirect_to_org": "市劳动人事争议仲裁委员会" if reason == "NO_JURISDICTION" else None,
                },
                clerk,
            )
            yield self.later(rng.randint(3, 12))
            if rng.random() < 0.7:
                yield from self._litigate(
                    case, "WORKER", [self.doc(case, "ARB_NON_ACCEPTANCE_NOTICE", "不予受理通知书")]
                )
            else:
                yield from self._close(case, "UNRESOLVED_TERMINAL")
            return
        elif decision == "overdue":
            # No decision within 5 working days (A3): the clock records it; the worker may sue (LDMAL art. 29).
            yield self.until(self.due("A3", received) + timedelta(days=rng.randint(1, 3)))
            yield self.later(rng.randint(1, 8))
            yield from self._litigate(case, "WORKER", [self.doc(case, "ARB_OVERDUE_PROOF", "仲裁申请受理逾期证明")])
            return
        a3_due = self.due("A3", received)
        yield min(self.workdays(rng.randint(1, 4)), self.until(a3_due))
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("arbitration"), "assignee": clerk.user_id},
            clerk,
        )
        accepted = self.today
        suspended = 0
        if case.case_type == "WORK_INJURY" or case.has_claim("INJURY_BENEFITS"):
            suspended = yield from self._injury_determination(case, proceeding, clerk)
        fate = case.pick(
            "award",
            {
                "award": 0.58,
                "statement": 0.20,
                "extended": 0.05,
                "overdue": 0.05,
                "withdrawn": 0.06,
                "deemed_withdrawn": 0.03,
                "no_show": 0.03,
            },
        )
        a8_due = self.due("A8", accepted, suspended_days=suspended)
        if fate == "overdue":
            # No award within 45 days (A8): the clock records it; the worker sues and withdraws the application.
            yield self.until(a8_due + timedelta(days=1))
            yield self.later(rng.randint(1, 10))
            self.do(case, "withdraw_proceeding", {"proceeding_id": proceeding, "withdrawn_by": "WORKER"}, clerk)
            yield from self._litigate(case, "WORKER", [self.doc(case, "ARB_OVERDUE_PROOF", "仲裁逾期未裁决证明")])
            return
        if fate == "extended":
            yield self.until(a8_due - timedelta(days=rng.randint(3, 8)))
            deadline = next(
                d["deadline_id"]
                for d in self.app.load(Dispute, case.id).deadlines
                if d["rule_id"] == "A8" and d["subject_id"] == proceeding
            )
            self.commands += 1
            self.app.extend_deadline(
                Dispute, case.id, deadline, extension=rng.randint(10, 15), approver="仲裁委员会主任", actor=clerk
            )
            a8_due = a8_due + timedelta(days=10)
            fate = "award"
        yield self.until(
            min(
                self.calendar.roll_forward(self.today + timedelta(days=rng.randint(18, 40))), a8_due - timedelta(days=1)
            )
        )
        if fate == "statement":
            self.conclude(
                case,
                proceeding,
                "ARB_MEDIATION_STATEMENT",
                clerk,
                amount=case.total * rng.uniform(0.6, 0.9),
                documents=[self.doc(case, "ARB_MEDIATION_STATEMENT", "仲裁调解书")],
            )
            yield self.later(rng.randint(5, 30))
            yield from self._resolve(case, "仲裁调解书已履行", case.total * rng.uniform(0.6, 0.9))
            return
        if fate == "withdrawn":
            self.do(case, "withdraw_proceeding", {"proceeding_id": proceeding, "withdrawn_by": "WORKER"}, clerk)
            yield self.later(rng.randint(1, 5))
            yield from self._resolve(case, "双方庭外和解，申请人撤回仲裁申请", case.total * rng.uniform(0.4, 0.8))
            return
        if fate == "deemed_withdrawn":
            self.conclude(case, proceeding, "DEEMED_WITHDRAWN", clerk)
            yield self.later(rng.randint(3, 10))
            yield from self._close(case, "WITHDRAWN")
            return
        final = case.total <= FINAL_AWARD_LIMIT and not case.collective
        outcome = "DEFAULT_AWARD" if fate == "no_show" else ("AWARD_FINAL" if final else "AWARD_NON_FINAL")
        doc_type = "ARB_AWARD_FINAL" if final else "ARB_AWARD_NON_FINAL"
        awarded = case.total * rng.uniform(0.5, 1.0)
        self.conclude(
            case, proceeding, outcome, clerk, amount=awarded, documents=[self.doc(case, doc_type, "仲裁裁决书")]
        )
        yield self.later(rng.randint(1, 5))
        self.serve(case, proceeding, doc_type, clerk)
        yield from self._after_award(case, final, awarded)

    def _injury_determination(self, case: _Case, arbitration: str, clerk: Actor) -> Iterator[int]:
        """Arbitration waits for the work-injury determination (办案规则 art. 47): suspended, then resumed."""
        rng = case.rng
        yield self.later(rng.randint(2, 8))
        self.do(
            case,
            "suspend_proceeding",
            {"proceeding_id": arbitration, "ground": "等待工伤认定结论（劳动人事争议仲裁办案规则 第47条）"},
            clerk,
        )
        suspended_on = self.today
        handoff, proceeding = self.handoff(
            case,
            "WORK_INJURY_DETERMINATION",
            "SOCIAL_INSURANCE_ADMIN",
            INJURY_OFFICE,
            "STATUTORY_ROUTE",
            [self.doc(case, "APPLICATION", "工伤认定申请表"), self.doc(case, "EMPLOYMENT_EVIDENCE", "医疗诊断证明")],
            applicant="UNION",
        )
        yield self.later(rng.randint(1, 3))
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("injury"), "assignee": HR_INJURY.user_id},
            HR_INJURY,
        )
        yield self.later(rng.randint(20, 55))  # W2: 60 days
        injured = rng.random() < 0.85
        self.conclude(
            case,
            proceeding,
            "DETERMINED_INJURY" if injured else "NOT_INJURY",
            HR_INJURY,
            documents=[self.doc(case, "WORK_INJURY_DECISION", "认定工伤决定书" if injured else "不予认定工伤决定书")],
        )
        yield self.later(rng.randint(1, 5))
        self.do(case, "resume_proceeding", {"proceeding_id": arbitration}, clerk)
        return (self.today - suspended_on).days

    def _after_award(self, case: _Case, final: bool, awarded: float) -> Iterator[int]:
        """The challenge windows (A11–A13): a suit, a revocation, or the award takes effect."""
        rng = case.rng
        if final:
            challenge = case.pick("challenge", {"none": 0.76, "suit": 0.12, "revocation": 0.12})
        else:
            challenge = case.pick("challenge", {"none": 0.62, "suit": 0.23, "employer_suit": 0.15})
        award_doc = "ARB_AWARD_FINAL" if final else "ARB_AWARD_NON_FINAL"
        if challenge in ("suit", "employer_suit"):
            yield self.later(rng.randint(3, 12))  # within 15 days of service
            dossier = [self.doc(case, award_doc, "仲裁裁决书"), self.doc(case, "SERVICE_RECEIPT", "送达回证")]
            yield from self._litigate(case, "WORKER" if challenge == "suit" else "EMPLOYER", dossier)
            return
        if challenge == "revocation":
            yield from self._revocation(case, awarded)
            return
        # The windows expire (the clock records it) and the award takes effect.
        yield self.until(self.due("A12" if final else "A13", self.today) + timedelta(days=1))
        yield self.later(rng.randint(1, 20))
        if rng.random() < 0.8:
            yield from self._resolve(case, "仲裁裁决生效后已履行", awarded)
        else:
            yield from self._enforce(case)

    def _revocation(self, case: _Case, awarded: float) -> Iterator[int]:
        """The employer applies to the intermediate court to revoke a final award (LDMAL art. 49)."""
        rng = case.rng
        yield self.later(rng.randint(5, 25))  # within 30 days (A12)
        judge = APPEAL_COURT
        proceeding = self.open(
            case, "AWARD_REVOCATION", "INTERMEDIATE_COURT", INTERMEDIATE_COURT, judge, applicant="EMPLOYER"
        )
        yield self.later(rng.randint(1, 6))
        self.do(
            case,
            "accept_proceeding",
            {"proceeding_id": proceeding, "case_no": self.number("revocation"), "assignee": judge.user_id},
            judge,
        )
        yield self.later(rng.randint(20, 55))
        revoked = rng.random() < 0.25
        self.conclude(
            case,
            proceeding,
            "REVOKED" if revoked else "DISMISSED",
            judge,
            documents=[self.doc(case, "COURT_RULING", "民事裁定书")],
        )
        yield self.later(rng.randint(3, 12))
        if revoked:
            yield from self._litigate(case, "WORKER", [self.doc(case, "COURT_RULING", "撤销仲裁裁决裁定书")])
        else:
            yield from self._resolve(case, "撤销申请被驳回，仲裁裁决已履行", awarded)

    def _litigate(self, case: _Case, applicant: str, dossier: list[dict[str, Any]]) -> Iterator[int]:
        """一审 at the basic court; judgments are served and may be appealed."""
        rng = case.rng
        judge = rng.choice(COURT)
        dossier = [self.doc(case, "COMPLAINT", "民事起诉状"), *dossier]
        if applicant == "WORKER":
            handoff, proceeding = self.handoff(
                case,
                "LITIGATION_FIRST",
                "BASIC_COURT",
                BASIC_COURT,
                "STATUTORY_ROUTE",
                dossier,
                override_reason=case.override_reason,
            )
            yield self.later(rng.randint(0, 2))
            self.do(case, "receive_handoff", {"handoff_id": handoff}, judge)
            yield self.later(rng.randint(1, 4))  # L1: 7 days
            self.do(
                case,
                "accept_handoff",
                {"handoff_id": handoff, "receiving_case_no": self.number("first_instance"), "assignee": judge.user_id},
                judge,
            )
        else:  # the employer files at the court itself; the court records the case
            proceeding = self.open(case, "LITIGATION_FIRST", "BASIC_COURT", BASIC_COURT, judge, applicant="EMPLOYER")
            yield self.later(rng.randint(1, 5))
            self.do(
                case,
                "accept_proceeding",
                {"proceeding_id": proceeding, "case_no": self.number("first_instance"), "assignee": judge.user_id},
                judge,
            )
        yield self.later(rng.randint(35, 150) if rng.random() < 0.93 else rng.randint(185, 220))  # L3: 6 months
        outcome = case.pick("trial", {"JUDGMENT": 0.60, "COURT_MEDIATION_STATEMENT": 0.30, "DISMISSED": 0.10})
        case.force.pop("trial", None)
        amount = case.total * rng.uniform(0.5, 1.0)
        doc_type = "COURT_MEDIATION_STATEMENT" if outcome == "COURT_MEDIATION_STATEMENT" else "JUDGMENT"
        self.conclude(
            case,
            proceeding,
            outcome,
            judge,
            amount=None if outcome == "DISMISSED" else amount,
            documents=[self.doc(case, doc_type, "民事调解书" if doc_type != "JUDGMENT" else "民事判决书")],
        )
        if outcome == "COURT_MEDIATION_STATEMENT":
            yield self.later(rng.randint(5, 30))
            yield from self._resolve(case, "法院调解结案并已履行", amount)
            return
        yield self.later(rng.randint(2, 8))
        self.serve(case, proceeding, "JUDGMENT", judge)
        if rng.random() < 0.25:
            yield from self._appeal(case, amount)
            return
        yield self.until(self.due("L6", self.today) + timedelta(days=1))  # the appeal period passes
        if outcome == "DISMISSED":
            yield from self._close(case, "UNRESOLVED_TERMINAL")
        elif rng.random() < 0.8:
            yield from self._resolve(case, "一审判决生效后已履行", amount)
        else:
            yield from self._enforce(case)

    def _appeal(self, case: _Case, amount: float) -> Iterator[int]:
        """上诉 to the intermediate court (CPL art. 171)."""
        rng = case.rng
        yield self.later(rng.randint(3, 12))
        handoff, proceeding = self.handoff(
            case,
            "APPEAL",
            "INTERMEDIATE_COURT",
            INTERMEDIATE_COURT,
            "STATUTORY_ROUTE",
            [self.doc(case, "COMPLAINT", "民事上诉状"), self.doc(case, "JUDGMENT", "一审民事判决书")],
        )
        yield self.later(rng.randint(2, 10))
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("appeal"), "assignee": APPEAL_COURT.user_id},
            APPEAL_COURT,
        )
        yield self.later(rng.randint(30, 85))  # L7: 3 months
        outcome = rng.choices(("FINAL_JUDGMENT", "COURT_MEDIATION_STATEMENT", "REMANDED"), weights=(75, 17, 8))[0]
        self.conclude(
            case,
            proceeding,
            outcome,
            APPEAL_COURT,
            documents=[
                self.doc(
                    case,
                    "JUDGMENT" if outcome != "COURT_MEDIATION_STATEMENT" else "COURT_MEDIATION_STATEMENT",
                    "二审民事判决书",
                )
            ],
        )
        yield self.later(rng.randint(5, 25))
        if outcome == "REMANDED":
            yield from self._litigate(case, "WORKER", [self.doc(case, "COURT_RULING", "发回重审裁定书")])
        else:
            yield from self._resolve(case, "二审终审后已履行", amount)

    def _enforce(self, case: _Case) -> Iterator[int]:
        """强制执行 at the basic court."""
        rng = case.rng
        handoff, proceeding = self.handoff(
            case,
            "ENFORCEMENT",
            "BASIC_COURT",
            BASIC_COURT,
            "STATUTORY_ROUTE",
            [self.doc(case, "ENFORCEMENT_APPLICATION", "强制执行申请书")],
        )
        judge = rng.choice(COURT)
        yield self.later(rng.randint(1, 7))
        self.do(
            case,
            "accept_handoff",
            {"handoff_id": handoff, "receiving_case_no": self.number("enforcement"), "assignee": judge.user_id},
            judge,
        )
        yield self.later(rng.randint(30, 90))
        satisfied = rng.random() < 0.75
        self.conclude(case, proceeding, "SATISFIED" if satisfied else "TERMINATED", judge)
        yield self.later(rng.randint(2, 10))
        if satisfied:
            yield from self._resolve(case, "经法院强制执行到位", case.total * rng.uniform(0.5, 1.0))
        else:
            yield from self._close(case, "UNRESOLVED_TERMINAL")

    def _court_referral(self, case: _Case) -> Iterator[int]:
        """A suit the court refers to the union's station for pre-litigation mediation (诉前调解, 委派调解)."""
        rng = case.rng
        actor = case.caseworker
        proceeding = self.open(
            case,
            "PRE_LITIGATION_MEDIATION",
            "UNION_AT_COURT_STATION",
            UNION_AT_COURT,
            actor,
            consent={"worker": True, "employer": True},
        )
        yield self.later(rng.randint(0, 2))
        self.do(case, "accept_proceeding", {"proceeding_id": proceeding, "case_no": case.number}, actor)
        self.do(case, "assign_mediator", {"proceeding_id": proceeding, "mediator": actor.user_id}, actor)
        yield self.later(rng.randint(3, 12))
        self.do(case, "hold_mediation_session", {"proceeding_id": proceeding, "mode": "IN_PERSON"}, actor)
        yield self.later(rng.randint(3, 15))
        if rng.random() < 0.6:
            amount = case.total * rng.uniform(0.55, 0.9)
            self.conclude(
                case,
                proceeding,
                "AGREEMENT",
                actor,
                amount=amount,
                documents=[self.doc(case, "MEDIATION_AGREEMENT", "诉前调解协议书")],
            )
            case.performance_due = self.today + timedelta(days=rng.randint(10, 30))
            yield from self._after_agreement(case)
            return
        self.conclude(
            case,
            proceeding,
            "FAILED",
            actor,
            documents=[self.doc(case, "MEDIATION_TERMINATION_NOTICE", "诉前调解终结书")],
        )
        yield self.later(rng.randint(2, 7))
        case.override_reason = "法院委派诉前调解不成，转立案审理（法院起源案件）"
        yield from self._litigate(case, "WORKER", [])

    def _resolve(self, case: _Case, how: str, amount: float) -> Iterator[int]:
        while case.side_tracks:
            yield 1
        yield self.later(0)
        self.do(case, "resolve", {"how": how, "amount_recovered_cny": _cny(amount)}, case.caseworker)
        yield self.later(case.rng.randint(0, 3))
        self.do(case, "close", {"reason": "RESOLVED"}, case.caseworker)

    def _close(self, case: _Case, reason: str) -> Iterator[int]:
        while case.side_tracks:
            yield 1
        yield self.later(0)
        self.do(case, "close", {"reason": reason}, case.caseworker)

    # ------------------------------------------------------------------ a ticket's life

    def _ticket_data(self, ticket: _Ticket) -> dict[str, Any]:
        rng = ticket.rng
        if ticket.case is not None:
            case = ticket.case
            self._prepare(case)
            worker = case.intake["claimants"][0]["person"]
            return {
                "channel": rng.choices(
                    ("PHONE_12351", "ONLINE_DIGITAL_UNION", "APP", "WALK_IN"), weights=(70, 15, 10, 5)
                )[0],
                "caller": {"name": worker["name"], "phone": worker["phone"], "is_union_member": rng.random() < 0.4},
                "category": rng.choices(("ASSISTANCE", "COMPLAINT_PETITION", "LEGAL_AID"), weights=(55, 30, 15))[0],
                "complexity": "ESPECIALLY_COMPLEX" if case.collective else rng.choice(("GENERAL", "DIFFICULT")),
                "urgency": "URGENT" if case.collective else "NORMAL",
                "summary": case.intake["summary"],
                "subject_employer": case.employer,
                "workers_affected": len(case.intake["claimants"]),
                "amount_cny": _cny(case.total) if case.total else None,
                "street": case.street,
            }
        if ticket.original is not None:  # another worker of the same firm calls about the same matter
            data = dict(ticket.original.data)
            data["caller"] = {"name": synthetic_name(rng), "phone": synthetic_mobile(rng), "is_union_member": False}
            return data
        category = ticket.category
        topic, summary = rng.choice(TICKET_TOPICS[category])
        industry = rng.choice(list(TRADES))
        anonymous = category == "SUGGESTION" and rng.random() < 0.5
        caller: dict[str, Any] = {"anonymous": anonymous, "is_union_member": rng.random() < 0.35}
        if not anonymous:
            caller.update(name=synthetic_name(rng), phone=synthetic_mobile(rng))
        workers = rng.randint(10, 60) if rng.random() < 0.05 and ticket.flow == "dispatched" else 1
        data: dict[str, Any] = {
            "channel": rng.choices(
                (
                    "PHONE_12351",
                    "ONLINE_DIGITAL_UNION",
                    "APP",
                    "WALK_IN",
                    "TRANSFER_FROM_12345",
                    "TRANSFER_FROM_PROVINCE",
                ),
                weights=(68, 12, 8, 3, 7, 2),
            )[0],
            "caller": caller,
            "category": category,
            "complexity": rng.choices(("GENERAL", "DIFFICULT", "ESPECIALLY_COMPLEX"), weights=(72, 22, 6))[0],
            "urgency": "URGENT" if workers > 1 else "NORMAL",
            "summary": summary,
            "street": rng.choice(STREETS)[0],
        }
        if topic:
            data["subject_employer"] = _company(rng, rng.choice(TRADES[industry]))["name"]
            data["workers_affected"] = workers
            if topic == "pay":
                data["amount_cny"] = _cny(rng.randint(2, 40) * 1000 * workers)
        return data

    def _ticket_story(self, ticket: _Ticket) -> Iterator[int]:
        rng = ticket.rng
        operator = rng.choice(HOTLINE)
        ticket.data = self._ticket_data(ticket)
        self.commands += 1
        ticket.id = self.app.receive_complaint(ticket.data, actor=operator).id
        if ticket.original is not None:
            yield self.later(rng.choice((0, 1)))
            self.commands += 1
            self.app.merge_complaint(ticket.id, ticket.original.id, actor=HOTLINE_SUPERVISOR)
            return
        if ticket.flow == "answered":
            self.ticket(ticket, "answer_on_call", {"answer": rng.choice(ANSWERS)}, operator)
            self.ticket(ticket, "close", {}, operator)
            return
        # Registered at once, also after hours; dispatched when the office opens on a working day.
        evening = self.minute >= 17 * 60 + 30
        yield self.later(1) if evening or self.calendar.is_rest_day(self.today) else 0
        if ticket.case is not None and rng.random() < 0.2:
            # Taken straight to the centre and filed there (转立案 from registration): no dispatch.
            caseworker = ticket.case.caseworker
            yield from self._convert(ticket, caseworker)
            yield from self._handle(ticket, operator, first_round=True, handler=caseworker)
            return
        yield from self._handle(ticket, operator, first_round=True)

    def _dispatch(self, ticket: _Ticket, operator: Actor, twist: str) -> Iterator[int]:
        """派单 to the handling union; returns who signs for it there."""
        rng = ticket.rng
        if ticket.case is not None:
            unit, level, handler = CENTRE, "DISTRICT", ticket.case.caseworker
        else:
            street = ticket.data["street"]
            level = rng.choices(("STREET", "DISTRICT", "ENTERPRISE"), weights=(70, 20, 10))[0]
            if level == "ENTERPRISE" and "subject_employer" in ticket.data:
                unit, handler = f"{ticket.data['subject_employer']}工会", STREET_UNION[street]
            elif level == "DISTRICT":
                unit, handler = CENTRE, rng.choice(CASEWORKERS)
            else:
                level, unit, handler = "STREET", f"{street}总工会", STREET_UNION[street]
        if twist == "returned":
            wrong = rng.choice([s for s, _ in STREETS if s != ticket.data["street"]])
            self.ticket(ticket, "dispatch", {"to_org": f"{wrong}总工会", "level": "STREET"}, operator)
            yield self.later(rng.choice((0, 1)))
            self.ticket(
                ticket, "return_by_unit", {"reason": "涉事企业不在本街道辖区，请改派属地工会"}, STREET_UNION[wrong]
            )
            yield 0
        self.ticket(ticket, "dispatch", {"to_org": unit, "level": level}, operator)
        return handler

    def _handle(
        self, ticket: _Ticket, operator: Actor, *, first_round: bool, handler: Actor | None = None
    ) -> Iterator[int]:
        """Dispatch (unless already in handling), sign for, handle, reply, check, call back."""
        rng = ticket.rng
        twist = ticket.twist if first_round else "none"
        extension = 0
        h3_due = None
        if handler is None:
            handler = yield from self._dispatch(ticket, operator, twist)
            if ticket.data.get("urgency") == "URGENT" and first_round and rng.random() < 0.5:
                self.ticket(
                    ticket,
                    "escalate",
                    {"level": "DISTRICT", "reason": "涉及群体性诉求，区总工会督办"},
                    HOTLINE_SUPERVISOR,
                )
            # H2: sign for within one working day; a late unit is escalated (督办) by the clock.
            yield self.workdays(rng.randint(2, 4)) if twist == "late_sign" else self.later(rng.choice((0, 0, 1)))
            self.ticket(ticket, "sign_for", {}, handler)
            signed = self.today
            if ticket.case is not None and ticket.case.id is None:
                yield self.later(rng.randint(0, 2))
                yield from self._convert(ticket, handler)
            yield self.later(rng.randint(0, 2))
            self.ticket(ticket, "add_handling_note", {"note": rng.choice(NOTES)}, handler)
            if twist == "extension":
                yield self.later(rng.randint(1, 3))
                days = rng.randint(5, 10)
                self.ticket(
                    ticket, "request_extension", {"days": days, "reason": "涉及多个部门协调，需延期办理"}, handler
                )
                yield self.later(1)
                granted = rng.random() < 0.9
                self.ticket(ticket, "decide_extension", {"granted": granted}, HOTLINE_SUPERVISOR)
                extension = days if granted else 0
            h3_due = self.due(H3_RULES[ticket.data["complexity"]], signed, extension=extension)
        if h3_due is None:
            yield self.later(rng.randint(1, 3))
        elif twist == "late_reply":
            # H3 passes first: the clock escalates the ticket (督办), then the reply comes in late.
            yield self.until(self.calendar.add_working_days(h3_due, rng.randint(1, 5)))
        else:
            span = max(0, (h3_due - self.today).days)
            yield self.until(min(self.calendar.roll_forward(self.today + timedelta(days=rng.randint(0, span))), h3_due))
        if twist == "refer" or (ticket.case is None and ticket.category == "LEGAL_AID" and rng.random() < 0.6):
            target = (
                "LEGAL_AID"
                if ticket.category == "LEGAL_AID"
                else rng.choice(("INSPECTION", "ARBITRATION", "12345", "COURT"))
            )
            self.ticket(ticket, "refer_out", {"target": target, "advice": REFERRALS[target]}, handler)
        else:
            self._reply(ticket, handler)
        if twist == "qc_fail":
            yield self.later(rng.choice((0, 1)))
            self.ticket(
                ticket,
                "check_quality",
                {"passed": False, "notes": "回复未说明处理结果和依据，退回重办"},
                HOTLINE_SUPERVISOR,
            )
            yield self.later(rng.randint(1, 2))
            self._reply(ticket, handler)
        # H4: quality check, then the call-back within two working days of the reply.
        h4_due = self.due("H4", self.today)
        yield self.later(0)
        self.ticket(ticket, "check_quality", {"passed": True}, HOTLINE_SUPERVISOR)
        if twist == "late_callback":
            yield self.until(self.calendar.add_working_days(h4_due, rng.randint(1, 3)))
        else:
            yield self.until(min(self.calendar.add_working_days(self.today, rng.choice((0, 1, 1, 2))), h4_due))
        if twist == "unsatisfied":
            self.ticket(
                ticket, "complete_callback", {"satisfaction": "UNSATISFIED", "justified_complaint": True}, operator
            )
            yield self.later(1)
            yield from self._handle(ticket, operator, first_round=False)
            return
        satisfaction = rng.choices(("SATISFIED", "BASICALLY", "UNSATISFIED", "UNREACHABLE"), weights=(74, 17, 4, 5))[0]
        attempts = 3 if satisfaction == "UNREACHABLE" else 1
        if ticket.data["caller"].get("anonymous"):
            satisfaction, attempts = "UNREACHABLE", 3
        self.ticket(ticket, "complete_callback", {"satisfaction": satisfaction, "attempts": attempts}, operator)

    def _reply(self, ticket: _Ticket, handler: Actor) -> None:
        rng = ticket.rng
        if ticket.case is not None:
            text = f"已转调解中心立案办理（案号{ticket.case.number}），承办人将与来电人保持联系"
            self.ticket(ticket, "submit_reply", {"text": text, "outcome": "EXPLAINED"}, handler)
            return
        outcome = rng.choices(("RESOLVED", "PARTIALLY", "EXPLAINED"), weights=(55, 15, 30))[0]
        arguments: dict[str, Any] = {"text": REPLIES[outcome], "outcome": outcome}
        if outcome in ("RESOLVED", "PARTIALLY") and ticket.data.get("amount_cny"):
            share = 1.0 if outcome == "RESOLVED" else rng.uniform(0.3, 0.8)
            arguments["amount_recovered_cny"] = _cny(int(ticket.data["amount_cny"].split(".")[0]) * share)
        self.ticket(ticket, "submit_reply", arguments, handler)

    def _convert(self, ticket: _Ticket, actor: Actor) -> Iterator[int]:
        """转立案: the ticket and the new dispute are saved together; the dispute's own year starts now."""
        case = ticket.case
        result = self.app.convert_complaint_to_dispute(ticket.id, case.intake, actor=actor)
        self.commands += 1
        case.id, case.number = result.id, result.data["case_number"]
        case.caseworker = actor if actor in CASEWORKERS else case.caseworker
        self._spawn(self._dispute_story(case), self.today, self.minute + 1)
        yield 0


H3_RULES = {"GENERAL": "H3", "DIFFICULT": "H3D", "ESPECIALLY_COMPLEX": "H3C"}
TICKET_CATEGORIES = ("CONSULTATION", "ASSISTANCE", "COMPLAINT_PETITION", "LEGAL_AID", "SUGGESTION")
TICKET_TOPICS = {
    "CONSULTATION": (
        (None, "咨询试用期内被辞退是否有经济补偿"),
        (None, "咨询加班费计算标准"),
        (None, "咨询未签劳动合同的双倍工资如何主张"),
        (None, "咨询工伤认定需要哪些材料"),
        (None, "咨询产假及生育津贴"),
        ("pay", "咨询离职后工资结算期限"),
    ),
    "ASSISTANCE": (
        ("pay", "企业拖欠工资两个月，请求工会协调"),
        ("pay", "离职后单位拒不结算工资"),
        ("work", "单位未缴纳社会保险，请求帮助"),
        ("pay", "外卖平台扣发配送费"),
    ),
    "COMPLAINT_PETITION": (
        ("pay", "投诉企业长期拖欠工资"),
        ("work", "投诉企业强制加班"),
        ("pay", "工地包工头拖欠农民工工资"),
    ),
    "LEGAL_AID": (("pay", "申请法律援助追讨欠薪"), ("work", "工伤赔偿需要律师代理")),
    "SUGGESTION": ((None, "建议工会开展新就业形态劳动者入会服务"), (None, "建议增设夜间调解服务")),
}
ANSWERS = (
    "已告知劳动合同法相关规定及维权途径",
    "已解释加班费计算标准及举证要求",
    "已告知可向属地工会或劳动仲裁委员会申请调解、仲裁",
    "已告知工伤认定申请时限及所需材料",
)
NOTES = (
    "已联系涉事企业负责人核实情况",
    "已约谈企业人事负责人",
    "已联系来电人了解诉求及证据情况",
    "已会同街道劳动保障所上门核查",
)
REPLIES = {
    "RESOLVED": "经工会协调，企业已支付拖欠款项，来电人诉求已解决",
    "PARTIALLY": "经协调企业已支付部分款项，其余款项约定分期支付",
    "EXPLAINED": "已向来电人解释相关政策及法律规定，告知后续维权途径",
}
REFERRALS = {
    "LEGAL_AID": "已转区法律援助中心，符合农民工免予经济困难审查条件",
    "INSPECTION": "已转区劳动保障监察大队依法查处",
    "ARBITRATION": "已告知向区劳动人事争议仲裁委员会申请仲裁，并指导准备申请材料",
    "12345": "不属于工会职能范围，已转12345政务服务便民热线",
    "COURT": "已告知可向区人民法院提起诉讼",
}


# --------------------------------------------------------------------------- the summary


def summarise(
    engine: Engine,
    dispute_ids: list[str],
    complaint_ids: list[str],
    *,
    seed: int,
    year: int,
    commands: int = 0,
    seconds: float = 0.0,
) -> DemoSummary:
    """Count what the year's cases hold now, one load per case."""
    app = engine.app
    statuses: Counter[str] = Counter()
    case_types: Counter[str] = Counter()
    proceedings: Counter[tuple[str, str, str]] = Counter()
    handoffs: Counter[tuple[str, str]] = Counter()
    missed: Counter[str] = Counter()
    collective = 0
    for dispute_id in dispute_ids:
        dispute = app.load(Dispute, dispute_id)
        statuses[dispute.status] += 1
        collective += bool(dispute.is_collective)
        case_types.update(t for t in dispute.case_types if t != "INDIVIDUAL")
        for proceeding in dispute.proceedings:
            tier = KINDS[ProceedingKind(proceeding["kind"])].tier
            proceedings[(tier, proceeding["kind"], proceeding["outcome"] or proceeding["state"])] += 1
        handoffs.update((h["to_agency"], h["state"]) for h in dispute.handoffs)
        missed.update(d["rule_id"] for d in dispute.deadlines if d["missed_on"] is not None)
    states: Counter[str] = Counter()
    callbacks: Counter[str] = Counter()
    answered = converted = escalated = reopened = 0
    for complaint_id in complaint_ids:
        complaint = app.load(HotlineComplaint, complaint_id)
        states[complaint.state] += 1
        answered += bool(complaint.reply and complaint.reply.get("on_call"))
        converted += complaint.dispute_id is not None
        escalated += bool(complaint.escalations)
        reopened += complaint.reopen_count > 0
        if complaint.callback:
            callbacks[complaint.callback["satisfaction"]] += 1
        missed.update(d["rule_id"] for d in complaint.deadlines if d["missed_on"] is not None)
    rules = app.policy.rules
    return DemoSummary(
        seed=seed,
        year=year,
        dispute_ids=tuple(dispute_ids),
        complaint_ids=tuple(complaint_ids),
        commands=commands,
        seconds=seconds,
        disputes_by_status=dict(statuses),
        collective_disputes=collective,
        case_types=dict(case_types),
        proceedings=dict(proceedings),
        handoffs=dict(handoffs),
        tickets_by_state=dict(states),
        tickets_answered_on_call=answered,
        tickets_converted=converted,
        tickets_escalated=escalated,
        tickets_reopened=reopened,
        callbacks=dict(callbacks),
        overdue={rule: n for rule, n in missed.items() if rules[rule].owner != "PARTY"},
        windows_lapsed={rule: n for rule, n in missed.items() if rules[rule].owner == "PARTY"},
    )


# --------------------------------------------------------------------------- entry points


def load_demo_year(
    engine: Engine,
    *,
    seed: int = DEFAULT_SEED,
    year: int = DEFAULT_YEAR,
    disputes: int = FULL_DISPUTES,
    tickets: int = FULL_TICKETS,
    progress: Callable[[DemoProgress], None] | None = None,
) -> DemoSummary:
    """Load a district year into ``engine``'s empty store and summarise it.

    The engine's clock must be a :class:`FixedClock`: the loader moves it from 1 January to
    31 December of ``year`` and leaves it there.
    """
    if not isinstance(engine.clock, FixedClock):
        raise TypeError("the demo year needs an engine built with a FixedClock (the loader moves time)")
    if disputes < 1 or tickets < 0:
        raise ValueError("at least one dispute and no negative number of tickets")
    if not 2000 <= year <= 2099:
        raise ValueError(f"year {year}: expected 2000 to 2099")
    recorded = engine.app.recorder.max_notification_id() or 0
    if recorded:
        raise DemoStoreNotEmpty(
            f"the store already holds {recorded} events; the demo year is loaded into an empty store only"
        )
    started = timer.perf_counter()
    simulation = _Year(engine, seed=seed, year=year, disputes=disputes, tickets=tickets, progress=progress)
    simulation.run()
    dispute_ids = [c.id for c in simulation.cases if c.id is not None]
    complaint_ids = [t.id for t in simulation.tickets if t.id is not None]
    return summarise(
        engine,
        dispute_ids,
        complaint_ids,
        seed=seed,
        year=year,
        commands=simulation.commands,
        seconds=timer.perf_counter() - started,
    )


DEMO_USERS = (
    ("demo-staff", "staff", None),
    ("demo-court", "partner", "court"),
    ("demo-justice", "partner", "justice"),
    ("demo-hr", "partner", "hr"),
    ("demo-auditor", "auditor", None),
    ("demo-admin", "admin", None),
)


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    agency: str
    password: str | None
    """The generated password, or None when the user already existed (and keeps its own)."""


def create_demo_users(store: UserStore) -> list[DemoUser]:
    """One user per role and partner agency, each with a generated password; existing users are left alone."""
    store.create_tables()
    created = []
    for name, role, agency in DEMO_USERS:
        new = validate_new_user(name, role, agency)
        if store.get(new.name) is not None:
            created.append(DemoUser(new.name, new.role.value, new.agency.value, None))
            continue
        password = generate_password()
        store.create(new, password)
        created.append(DemoUser(new.name, new.role.value, new.agency.value, password))
    return created


# --------------------------------------------------------------------------- printing (the CLI's tables)

TIER_ORDER = ("NEGOTIATION", "MEDIATION", "ARBITRATION", "LITIGATION", "ADMINISTRATIVE")


def print_summary(console: Console, summary: DemoSummary, rules: RuleTable) -> None:
    """The year in a few tables: proceedings by tier and outcome, tickets, deadlines missed."""
    console.print(
        f"[bold]District year {summary.year}[/bold] (seed {summary.seed}): {len(summary.dispute_ids)} disputes "
        f"({summary.collective_disputes} collective) and {len(summary.complaint_ids)} 12351 tickets; "
        f"{summary.commands} commands in {summary.seconds:.1f} s"
    )
    proceedings = Table(title="Proceedings by tier and outcome (state, if still open)", title_justify="left")
    for column in ("tier", "proceeding", "outcome / state", "count"):
        proceedings.add_column(column, justify="right" if column == "count" else "left")
    for (tier, kind, outcome), n in sorted(
        summary.proceedings.items(), key=lambda item: (TIER_ORDER.index(item[0][0]), item[0][1], -item[1])
    ):
        proceedings.add_row(tier, kind, outcome, str(n))
    console.print(proceedings)
    cases = Table(title="Disputes and tickets at the year's end", title_justify="left")
    for column in ("what", "count"):
        cases.add_column(column, justify="right" if column == "count" else "left")
    for status, n in sorted(summary.disputes_by_status.items(), key=lambda item: -item[1]):
        cases.add_row(f"dispute {status}", str(n))
    for case_type, n in sorted(summary.case_types.items(), key=lambda item: -item[1]):
        cases.add_row(f"case type {case_type}", str(n))
    for (agency, state), n in sorted(summary.handoffs.items()):
        cases.add_row(f"handoff to {agency}: {state}", str(n))
    for state, n in sorted(summary.tickets_by_state.items(), key=lambda item: -item[1]):
        cases.add_row(f"ticket {state}", str(n))
    cases.add_row("tickets answered on the call", str(summary.tickets_answered_on_call))
    cases.add_row("tickets converted into disputes (转立案)", str(summary.tickets_converted))
    cases.add_row("tickets escalated (督办)", str(summary.tickets_escalated))
    cases.add_row("tickets reopened after the call-back", str(summary.tickets_reopened))
    for satisfaction, n in sorted(summary.callbacks.items(), key=lambda item: -item[1]):
        cases.add_row(f"call-backs {satisfaction}", str(n))
    console.print(cases)
    deadlines = Table(title="Deadlines missed, recorded by the deadline clock", title_justify="left")
    for column in ("rule", "step", "owner", "missed", "meaning"):
        deadlines.add_column(column, justify="right" if column == "missed" else "left")
    for missed, meaning in ((summary.overdue, "overdue (超期)"), (summary.windows_lapsed, "period passed unused")):
        for rule_id, n in sorted(missed.items(), key=lambda item: -item[1]):
            rule = rules[rule_id]
            deadlines.add_row(rule_id, rule.step_zh, rule.owner, str(n), meaning)
    console.print(deadlines)


def print_credentials(console: Console, users: list[DemoUser]) -> None:
    """The demo users' passwords, shown this once; users that existed keep theirs."""
    table = Table(title="Demo users (passwords are shown only this once)", title_justify="left")
    for column in ("user", "role", "agency", "password"):
        table.add_column(column, no_wrap=True)
    for user in users:
        table.add_row(
            user.name, user.role, user.agency, user.password or "(already exists: skipped, password unchanged)"
        )
    console.print(table)
