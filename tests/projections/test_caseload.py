"""The caseload view on SQLite and PostgreSQL, through the application's own commands.

Each hypothesis example writes a small random history — disputes and 12351 tickets moved by
random commands, with the deadline clock ticking — in a street of its own, following the view
at random points with a random batch size. The view followed that way must equal the view
rebuilt from scratch, and its figures for that street must equal a count made here from the
aggregates themselves. One engine per store serves the module and its clock only moves on.

The history driver (``run_history`` and its strategy ``histories``) is shared with
test_timeliness.py.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.timers import DeadlineClock
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.stages import KINDS, OPEN_PROCEEDING_STATES, STATUS_PRECEDENCE, ProceedingKind
from domain.values import Actor, Agency, Role
from projections import dashboards
from projections.caseload import CaseloadView
from projections.follower import Follower
from projections.reading import open_view
from tests.conftest import STORES, make_settings

STAFF = Actor("centre-test", Role.STAFF, Agency.UNION)
DOCUMENT = {"doc_type": "APPLICATION", "title": "申请书", "sha256": "cd" * 32}
FIRST_DAY = date(2024, 1, 2)
STREETS = itertools.count(1)


def new_street() -> str:
    """Every history gets a street of its own: filtering by it isolates the history's cases."""
    return f"测试街道{next(STREETS)}"


@dataclass
class World:
    """The module's engine, its clock (which only ever moves forward) and its deadline clock."""

    engine: Engine
    clock: FixedClock
    deadline_clock: DeadlineClock


def make_world(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for settings in make_settings(store, tmp_path_factory.mktemp(store)):
        clock = FixedClock()
        clock.set_local(FIRST_DAY)
        with bootstrap(settings, clock=clock) as engine:
            yield World(engine, clock, engine.deadline_clock())


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from make_world(request.param, tmp_path_factory)


def attempt(action: Any) -> Any:
    """Run a command; a refused one records nothing and is part of the history too."""
    try:
        return action()
    except DomainError:
        return None


# --------------------------------------------------------------------------- random histories

CASE_TYPES = ("WAGE_ARREARS", "TERMINATION", "WORK_INJURY", "NEW_EMPLOYMENT_FORM")
RISK_FLAGS = ("GROUP_INCIDENT_RISK", "MEDIA_ATTENTION", "EMPLOYER_ABSCONDED")
MEDIATION_ORGS = (
    ("UNION_MEDIATION_CENTRE", "区总工会劳资纠纷快处快结调解中心"),
    ("UNION_MEDIATION_CENTRE", "区总工会劳资纠纷快处快结调解中心"),
    ("ENTERPRISE_MEDIATION_COMMITTEE", "企业劳动争议调解委员会"),
    ("PEOPLES_MEDIATION_COMMITTEE", "街道人民调解委员会"),
)
HANDOFFS = (
    ("ARBITRATION", "ARBITRATION_COMMISSION", "区劳动人事争议仲裁委员会"),
    ("MEDIATION", "PEOPLES_MEDIATION_COMMITTEE", "司法所人民调解委员会"),
    ("LITIGATION_FIRST", "BASIC_COURT", "区人民法院"),
    ("LEGAL_AID", "LEGAL_AID_CENTRE", "区法律援助中心"),
)
SERVED = {"AWARD_FINAL": "ARB_AWARD_FINAL", "AWARD_NON_FINAL": "ARB_AWARD_NON_FINAL",
          "AWARD_MIXED": "ARB_AWARD_NON_FINAL", "DEFAULT_AWARD": "ARB_AWARD_NON_FINAL", "JUDGMENT": "JUDGMENT"}

intakes = st.fixed_dictionaries({
    "origin": st.sampled_from(["WALK_IN", "HOTLINE", "ONLINE", "COURT_REFERRAL"]),
    "summary": st.just("拖欠工资"),
    "workers": st.sampled_from([1, 1, 2, 10]),
    "case_types": st.lists(st.sampled_from(CASE_TYPES), max_size=2, unique=True),
    "risk_flags": st.lists(st.sampled_from(RISK_FLAGS), max_size=2, unique=True),
    "industry": st.sampled_from(["制造业", "建筑业", None]),
})

calls = st.fixed_dictionaries({
    "channel": st.sampled_from(["PHONE_12351", "APP", "WALK_IN"]),
    "caller": st.just({"anonymous": True}),
    "category": st.sampled_from(["CONSULTATION", "ASSISTANCE", "COMPLAINT_PETITION"]),
    "complexity": st.sampled_from(["GENERAL", "DIFFICULT", "ESPECIALLY_COMPLEX"]),
    "summary": st.just("咨询工资问题"),
})

# A step moves a dispute (mostly what is under way, sometimes opening something new, rarely ending or
# reopening the case), a ticket, or the clock; ``case`` and ``n`` choose the case and the command among
# those its stage tables allow now; ``follow`` follows the log right after the step.
TARGETS = ("progress", "progress", "progress", "opening", "opening", "ending", "ticket", "ticket", "ticket",
           "ticket", "wait", "wait")
steps = st.tuples(st.sampled_from(TARGETS), st.integers(0, 3), st.integers(0, 40), st.booleans())


@dataclass(frozen=True)
class HistoryPlan:
    intakes: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    steps: list[tuple[str, int, int, bool]]
    batch_size: int


histories = st.builds(
    HistoryPlan,
    intakes=st.lists(intakes, min_size=1, max_size=2),
    calls=st.lists(calls, max_size=2),
    steps=st.lists(steps, min_size=3, max_size=16),
    batch_size=st.integers(1, 9),
)


@dataclass
class History:
    """The cases one history made, all in its own street, and the day it started."""

    street: str
    started_on: date
    disputes: list[str] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)


def intake_form(intake: dict[str, Any], street: str) -> dict[str, Any]:
    return {
        "origin": intake["origin"], "summary": intake["summary"],
        "claimants": [{"kind": "WORKER", "person": {"name": f"测试工人{i}"}} for i in range(intake["workers"])],
        "respondents": [{"organisation": {"name": "恒达家具有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "5000.00"}],
        "case_types": intake["case_types"], "risk_flags": intake["risk_flags"],
        "workplace": {"street": street, "industry": intake["industry"]},
    }


def run_history(world: World, plan: HistoryPlan, follower: Follower) -> History:
    """Make the planned history through the application, following the view when a step says so."""
    engine, clock = world.engine, world.clock
    history = History(street=new_street(), started_on=clock.today())
    for intake in plan.intakes:
        history.disputes.append(engine.app.register_dispute(intake_form(intake, history.street), actor=STAFF).id)
    for call in plan.calls:
        history.tickets.append(engine.app.receive_complaint({**call, "street": history.street}, actor=STAFF).id)
    for target, case, n, follow_now in plan.steps:
        if target == "wait":
            clock.advance(days=n % 6 + 1)
            world.deadline_clock.tick(clock.today())
        elif target == "ticket":
            if history.tickets:
                ticket_step(world, history, history.tickets[case % len(history.tickets)], n)
        else:
            dispute_step(world, history.disputes[case % len(history.disputes)], target, n)
        if follow_now:
            follower.run_once()
    return history


Choice = tuple[str, dict[str, Any]]


def dispute_step(world: World, dispute_id: str, group: str, n: int) -> None:
    """Run one of the commands of ``group`` the dispute's stage tables allow now (chosen by ``n``)."""
    app = world.engine.app
    dispute = app.load(Dispute, dispute_id)
    opening, progress, ending = dispute_choices(dispute, world.clock.today(), n)
    if group == "progress" and progress:
        # Two times in three the natural next step (accept, conclude, receive …), else any allowed one.
        command, arguments = progress[0 if n % 3 else n // 3 % len(progress)]
    else:
        choices = {"opening": opening, "ending": ending}.get(group) or opening
        command, arguments = choices[n % len(choices)]
    attempt(lambda: app.dispute_command(dispute_id, command, arguments, actor=STAFF))


def dispute_choices(dispute: Dispute, today: date, n: int) -> tuple[list[Choice], list[Choice], list[Choice]]:
    """Commands that open or reassign, that move what is under way, that end or reopen the dispute."""
    consent = {"worker": True, "employer": n % 7 != 6}
    org_type, org_name = MEDIATION_ORGS[n % len(MEDIATION_ORGS)]
    choices: list[Choice] = []
    if dispute.stage == "OPEN":
        choices += [
            ("open_proceeding", {"kind": "MEDIATION", "org_type": org_type, "org_name": org_name,
                                 "received_on": today, "consent": consent}),
            ("open_proceeding", {"kind": "NEGOTIATION", "org_type": "PARTIES", "org_name": "双方协商",
                                 "received_on": today}),
        ]
    choices += [
        ("assign_caseworker", {"caseworker": f"centre-{n % 3}"}),
        ("change_risk_flags", {"add": [RISK_FLAGS[n % 3]], "remove": [RISK_FLAGS[(n + 1) % 3]], "reason": "评估"}),
        # Restarts the award clock of an arbitration under way (§1.7).
        ("amend_claims", {"add": [{"kind": "OVERTIME", "amount_cny": f"{n}00.00"}], "remove": [], "on": today}),
    ]
    if dispute.stage == "OPEN":
        kind, to_org_type, to_org_name = HANDOFFS[n // 5 % len(HANDOFFS)]
        handoff = {"kind": kind, "org_type": to_org_type, "org_name": to_org_name, "reason": "PREVIOUS_TIER_FAILED",
                   "dossier": [DOCUMENT], "consent": consent}
        if n % 2:  # staff may pass an overridable route rule with a reason (a court-originated case)
            handoff["override_reason"] = "法院委派"
        choices.append(("request_handoff", handoff))
    opening, choices = choices, []
    allowed = dispute.allowed_actions()
    ending = [{
        "resolve": ("resolve", {"how": "协议履行", "amount_recovered_cny": f"{n * 150}.00" if n % 4 else None}),
        "close": ("close", {"reason": "RESOLVED" if dispute.stage == "RESOLVED" else "WITHDRAWN"}),
        "reopen": ("reopen", {"reason": "未履行"}),
    }[trigger] for trigger in allowed["dispute"]]
    for proceeding in dispute.proceedings:
        pid = proceeding["proceeding_id"]
        outcomes = KINDS[ProceedingKind(proceeding["kind"])].outcomes
        by_trigger = {
            "accept": ("accept_proceeding", {"proceeding_id": pid, "case_no": f"工调{n}"}),
            "reject": ("reject_proceeding", {"proceeding_id": pid, "reason": "OUT_OF_SCOPE",
                                             "legal_basis": "第十八条"}),
            "decline_by_party": ("decline_proceeding_by_party", {"proceeding_id": pid, "party_side": "EMPLOYER"}),
            "suspend": ("suspend_proceeding", {"proceeding_id": pid, "ground": "当事人申请"}),
            "resume": ("resume_proceeding", {"proceeding_id": pid}),
            "conclude": ("conclude_proceeding", {"proceeding_id": pid, "outcome": outcomes[n % len(outcomes)],
                                                 "amounts_awarded_cny": f"{n * 100}.00" if n % 3 else None}),
            "withdraw": ("withdraw_proceeding", {"proceeding_id": pid, "withdrawn_by": "WORKER"}),
            "return_for_supplement": ("return_proceeding_for_supplement", {"proceeding_id": pid, "missing": ["证据"]}),
            "resubmit": ("resubmit_proceeding", {"proceeding_id": pid, "documents": [DOCUMENT]}),
        }
        if proceeding["handoff_id"] and proceeding["state"] in ("REQUESTED", "AWAITING_SUPPLEMENT"):
            continue  # still a handoff: it moves by the handoff's commands
        choices += [by_trigger[trigger] for trigger in allowed["proceedings"].get(pid, []) if trigger in by_trigger]
        if proceeding["state"] == "CONCLUDED" and proceeding["outcome"] in SERVED:
            choices.append(("record_service", {
                "proceeding_id": pid, "doc_type": SERVED[proceeding["outcome"]],
                "party_side": ("WORKER", "EMPLOYER")[n % 2], "method": "DIRECT", "served_on": today}))
    for handoff_id, triggers in allowed["handoffs"].items():
        by_trigger = {
            "receive": ("receive_handoff", {"handoff_id": handoff_id}),
            "return_for_supplement": ("return_handoff_for_supplement", {"handoff_id": handoff_id, "missing": ["合同"]}),
            "resubmit": ("resubmit_handoff", {"handoff_id": handoff_id, "added": [DOCUMENT]}),
            "accept": ("accept_handoff", {"handoff_id": handoff_id, "receiving_case_no": f"（2026）收案{n}号"}),
            "reject": ("reject_handoff", {"handoff_id": handoff_id, "reason": "NO_JURISDICTION",
                                          "legal_basis": "第二十一条", "advice_to_party": "向有管辖权的机构申请"}),
            "withdraw": ("withdraw_handoff", {"handoff_id": handoff_id}),
        }
        if "receive" in triggers:
            triggers = [*triggers, "accept"]  # accepting an unreceived handoff records its receipt first
        choices += [by_trigger[trigger] for trigger in triggers]
    # The commonest next steps first: small choices are drawn most often.
    choices.sort(key=lambda choice: FIRST_CHOICES.get(choice[0], len(FIRST_CHOICES)))
    return opening, choices, ending


FIRST_CHOICES = {"accept_proceeding": 0, "accept_handoff": 0, "conclude_proceeding": 1, "receive_handoff": 2}


def ticket_step(world: World, history: History, complaint_id: str, n: int) -> None:
    """Run one of the commands the ticket's stage table allows now (chosen by ``n``)."""
    app = world.engine.app
    ticket = app.load(HotlineComplaint, complaint_id)
    by_trigger: dict[str, Choice] = {
        "dispatch": ("dispatch", {"to_org": ("城关街道工会", "区总工会调解中心")[n % 2]}),
        "sign_for": ("sign_for", {}),
        "submit_reply": ("submit_reply", {"text": "已协调支付", "outcome": "RESOLVED",
                                          "amount_recovered_cny": f"{n * 80}.00" if n % 4 else None}),
        "pass_quality_check": ("check_quality", {"passed": True}),
        "complete_callback_closed": ("complete_callback", {"satisfaction": ("SATISFIED", "BASICALLY")[n % 2]}),
        "complete_callback_reopened": ("complete_callback", {"satisfaction": "UNSATISFIED",
                                                             "justified_complaint": n % 2 == 0}),
        "answer_on_call": ("answer_on_call", {"answer": "告知维权途径"}),
        "close": ("close", {}),
        "refer_out": ("refer_out", {"target": "INSPECTION", "advice": "向劳动监察投诉"}),
        "request_extension": ("request_extension", {"days": n % 5 + 1, "reason": "需调查"}),
        "decide_extension": ("decide_extension", {"granted": bool(n % 2)}),
        "fail_quality_check": ("check_quality", {"passed": False, "notes": "回复不完整"}),
        "return_by_unit": ("return_by_unit", {"reason": "不属本单位"}),
        "escalate": ("escalate", {"reason": "群众催办"}),
    }
    by_trigger["convert_to_dispute"] = ("convert", {})
    allowed = set(ticket.allowed_actions())
    if ticket.dispute_id is not None:
        allowed.discard("convert_to_dispute")
    # In the order of the ticket's usual course: two times in three the next step of it, else any allowed one.
    choices: list[Choice] = [by_trigger[t] for t in by_trigger if t in allowed]
    if not choices:
        return
    command, arguments = choices[0 if n % 3 else n // 3 % len(choices)]
    if command == "convert":
        converted = attempt(lambda: app.convert_complaint_to_dispute(complaint_id, {
            "claimants": [{"person": {"name": "测试来电人"}}],
            "respondents": [{"organisation": {"name": "顺通物流有限公司"}}],
            "claims": [{"kind": "WAGE"}], "workplace": {"street": history.street},
            "case_types": [CASE_TYPES[n % len(CASE_TYPES)]],
        }, actor=STAFF))
        if converted is not None:
            history.disputes.append(converted.id)
    else:
        attempt(lambda: app.complaint_command(complaint_id, command, arguments, actor=STAFF))


# --------------------------------------------------------------------------- comparing views


def snapshot(engine: Engine, view: Any) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table of the view; counter rows that came back to all zeros are left out."""
    with engine.read_engine.begin() as connection:
        tables = open_view(connection, view)
        found = {}
        for name, table in tables.items():
            values = [c.name for c in table.columns if not c.primary_key]
            found[name] = {
                tuple(row.values()) for row in connection.execute(select(table)).mappings()
                if not all(type(row[c]) is int and row[c] == 0 for c in values)
            }
        return found


def assert_rebuild_equals(engine: Engine, view: Any, followed: dict[str, set[tuple[Any, ...]]]) -> None:
    Follower(engine.app, [view], engine.read_engine).rebuild(view.name)
    rebuilt = snapshot(engine, view)
    for table in followed:
        assert rebuilt[table] == followed[table], table


# --------------------------------------------------------------------------- counting from the aggregates

HEADLINE_ORDER = [kind.value for kind, _ in STATUS_PRECEDENCE]
HEADLINE_ORDER += [kind.value for kind in KINDS if kind.value not in HEADLINE_ORDER]
ADJUDICATION = {"ARBITRATION", "AWARD_REVOCATION", "LITIGATION_FIRST", "APPEAL"}


def headline(dispute: Dispute) -> dict[str, Any] | None:
    """The most senior open proceeding (domain.md §4.6), else the most senior ever opened; the later of equals."""
    candidates = [p for p in dispute.proceedings if p["state"] in OPEN_PROCEEDING_STATES] or dispute.proceedings
    if not candidates:
        return None
    senior = min(HEADLINE_ORDER.index(p["kind"]) for p in candidates)
    return [p for p in candidates if HEADLINE_ORDER.index(p["kind"]) == senior][-1]


def closure(dispute: Dispute) -> str:
    if dispute.resolution is None:
        return "UNRESOLVED"
    if any(p["kind"] in ADJUDICATION for p in dispute.proceedings):
        return "ADJUDICATED"
    return "MEDIATION_TIER"


def in_period(day: date, period: tuple[date, date] | None) -> bool:
    return period is None or period[0].replace(day=1) <= day <= period[1]


def iso_week(day: date) -> str:
    return f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"


@dataclass
class Expected:
    disputes: dict[str, Counter[tuple[str | None, str]]] = field(default_factory=dict)
    tickets: dict[str, Counter[tuple[str | None, str]]] = field(default_factory=dict)
    weeks: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, section: dict[str, Counter[tuple[str | None, str]]], status: str, dimension: str,
            *values: str | None) -> None:
        for value in values:
            section.setdefault(dimension, Counter())[(value or None, status)] += 1


def count_caseload(engine: Engine, history: History, *, agency: str | None, case_type: str | None,
                   period: tuple[date, date] | None) -> Expected:
    expected = Expected()
    for dispute_id in history.disputes:
        dispute = engine.app.load(Dispute, dispute_id)
        head = headline(dispute)
        holder = head["agency"] if head else dispute.registered_by["agency"]
        if (agency and holder != agency) or (case_type and case_type not in dispute.case_types):
            continue
        if not in_period(dispute.received_on, period):
            continue
        status = "open" if dispute.stage == "OPEN" else "closed"

        def add(dimension: str, *values: str | None, status: str = status) -> None:
            expected.add(expected.disputes, status, dimension, *values)

        add("total", None)
        add("tier", KINDS[ProceedingKind(head["kind"])].tier if head else "INTAKE")
        add("kind", head["kind"] if head else None)
        add("agency", holder)
        add("organisation", head["org_name"] if head else None)
        add("caseworker", dispute.caseworker)
        add("case_type", *([case_type] if case_type else dispute.case_types))
        add("street", dispute.workplace["street"])
        add("industry", dispute.workplace["industry"])
        add("origin", dispute.origin)
        add("collective", "COLLECTIVE" if dispute.is_collective else "INDIVIDUAL")
        add("risk_flag", *dispute.risk_flags)
        if status == "closed":
            add("closure", closure(dispute))
        expected.weeks[("disputes", iso_week(dispute.received_on))] += 1
    for complaint_id in history.tickets:
        ticket = engine.app.load(HotlineComplaint, complaint_id)
        if not in_period(ticket.received_on, period):
            continue
        status = "closed" if ticket.state in ("CLOSED", "MERGED") else "open"
        for dimension, value in (("total", None), ("category", ticket.category), ("channel", ticket.channel),
                                 ("state", ticket.state), ("street", ticket.street)):
            expected.add(expected.tickets, status, dimension, value)
        expected.weeks[("tickets", iso_week(ticket.received_on))] += 1
    return expected


def reported(section: dashboards.CaseloadSection) -> dict[str, Counter[tuple[str | None, str]]]:
    found: dict[str, Counter[tuple[str | None, str]]] = {}
    if section.total:
        found["total"] = Counter({(None, "open"): section.open, (None, "closed"): section.closed})
    for breakdown in section.breakdowns:
        for bucket in breakdown.buckets:
            counter = found.setdefault(breakdown.dimension, Counter())
            counter[(bucket.value, "open")] += bucket.open
            counter[(bucket.value, "closed")] += bucket.closed
    return {dimension: +counter for dimension, counter in found.items() if +counter}


def check_caseload(engine: Engine, history: History, *, agency: str | None, case_type: str | None,
                   period: tuple[date, date] | None) -> None:
    figures = dashboards.caseload(
        engine.read_engine, street=history.street, agency=agency, case_type=case_type,
        period_from=period[0] if period else None, period_to=period[1] if period else None,
    )
    expected = count_caseload(engine, history, agency=agency, case_type=case_type, period=period)
    assert reported(figures.disputes) == {d: +c for d, c in expected.disputes.items() if +c}
    assert reported(figures.tickets) == {d: +c for d, c in expected.tickets.items() if +c}
    weeks = Counter()
    for week in figures.intake_per_week:
        weeks[("disputes", week.week)] += week.disputes
        weeks[("tickets", week.week)] += week.tickets
    assert +weeks == expected.weeks
    assert_rollups_agree(dashboards.caseload, engine, history, agency=agency, case_type=case_type, period=period)


def assert_rollups_agree(read: Any, engine: Engine, history: History, *, agency: str | None,
                         case_type: str | None, period: tuple[date, date] | None) -> None:
    """A read answered from the roll-ups equals the same read summed from the counter tables, for every scope.

    The counter tables are checked against the aggregates above (under this history's street); the
    roll-ups, read with one filter or none, over every history in the store, must give the same figures.
    """
    bounds = {"period_from": period[0], "period_to": period[1]} if period else {}
    scoped = [{}, {"street": history.street}, *([{"agency": agency}] if agency else []),
              *([{"case_type": case_type}] if case_type else [])]
    for one in scoped:
        if "agency" in one and read is dashboards.seed_targets:
            continue
        assert read(engine.read_engine, **bounds, **one) == read(engine.read_engine, **bounds, **one, rollups=False)


# --------------------------------------------------------------------------- the tests

# Periods holding whole calendar years, which the roll-ups answer from year rows (and the months around them).
YEAR_PERIODS = ("this year", "last year and this", "from March to next February")


filters = st.tuples(
    st.sampled_from([None, None, "union", "hr", "court", "justice"]),
    st.sampled_from([None, None, "INDIVIDUAL", "WAGE_ARREARS", "TERMINATION"]),
    st.sampled_from(["none", "none", "this month", "last month", *YEAR_PERIODS]),
)


def year_period(history: History, choice: str) -> tuple[date, date]:
    """Each ends on a month's last day, so that a day-exact check agrees with whole months."""
    year = history.started_on.year
    month_end = (history.started_on.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return {
        "this year": (date(year, 1, 1), date(year, 12, 31)),
        "last year and this": (date(year - 1, 1, 1), month_end),
        "from March to next February": (date(year - 1, 3, 3), date(year + 1, 3, 1) - timedelta(days=1)),
    }[choice]


def period_of(history: History, choice: str) -> tuple[date, date] | None:
    if choice == "none":
        return None
    if choice in YEAR_PERIODS:
        return year_period(history, choice)
    first = history.started_on.replace(day=1)
    if choice == "last month":
        first = (first - timedelta(days=1)).replace(day=1)
    return first + timedelta(days=3), (first + timedelta(days=40)).replace(day=1) - timedelta(days=1)


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=histories, chosen=filters)
def test_caseload_followed_incrementally_equals_it_rebuilt_and_counts_the_aggregates(world, plan, chosen):
    engine = world.engine
    follower = Follower(engine.app, [CaseloadView()], engine.read_engine, batch_size=plan.batch_size)
    history = run_history(world, plan, follower)
    follower.run_once()
    followed = snapshot(engine, CaseloadView())

    assert_rebuild_equals(engine, CaseloadView(), followed)
    agency, case_type, period = chosen
    check_caseload(engine, history, agency=agency, case_type=case_type, period=period_of(history, period))


def register(world: World, street: str, **form: Any) -> str:
    intake = {"origin": "WALK_IN", "summary": "拖欠工资", "workers": 1, "case_types": ["WAGE_ARREARS"],
              "risk_flags": [], "industry": "制造业", **form}
    return world.engine.app.register_dispute(intake_form(intake, street), actor=STAFF).id


def tiers(world: World, **filters: Any) -> dict[str | None, tuple[int, int]]:
    Follower(world.engine.app, [CaseloadView()], world.engine.read_engine).run_once()
    figures = dashboards.caseload(world.engine.read_engine, **filters)
    breakdown = next(b for b in figures.disputes.breakdowns if b.dimension == "tier")
    return {bucket.value: (bucket.open, bucket.closed) for bucket in breakdown.buckets}


def test_dispute_moving_to_arbitration_leaves_the_mediation_bucket(world):
    street = new_street()
    app = world.engine.app
    dispute_id = register(world, street)
    app.dispute_command(dispute_id, "open_proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": world.clock.today(), "consent": {"worker": True, "employer": True}}, actor=STAFF)
    before = tiers(world)
    assert tiers(world, street=street) == {"MEDIATION": (1, 0)}

    mediation = app.load(Dispute, dispute_id).proceedings[0]["proceeding_id"]
    app.dispute_command(dispute_id, "accept_proceeding", {"proceeding_id": mediation}, actor=STAFF)
    app.dispute_command(dispute_id, "conclude_proceeding", {"proceeding_id": mediation, "outcome": "FAILED"},
                        actor=STAFF)
    app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PREVIOUS_TIER_FAILED", "dossier": [DOCUMENT]}, actor=STAFF)

    assert tiers(world, street=street) == {"ARBITRATION": (1, 0)}
    after = tiers(world)
    assert after.get("MEDIATION", (0, 0))[0] == before["MEDIATION"][0] - 1
    assert after["ARBITRATION"][0] == before.get("ARBITRATION", (0, 0))[0] + 1
    assert tiers(world, street=street, agency="union") == {}
    assert tiers(world, street=street, agency="hr") == {"ARBITRATION": (1, 0)}


def test_closing_a_dispute_moves_it_from_open_to_closed_at_the_mediation_tier(world):
    street = new_street()
    app = world.engine.app
    dispute_id = register(world, street)
    app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": "centre-wang"}, actor=STAFF)
    assert tiers(world, street=street) == {"INTAKE": (1, 0)}

    app.dispute_command(dispute_id, "resolve", {"how": "和解", "amount_recovered_cny": "3000.00"}, actor=STAFF)
    app.dispute_command(dispute_id, "close", {"reason": "RESOLVED"}, actor=STAFF)

    assert tiers(world, street=street) == {"INTAKE": (0, 1)}
    figures = dashboards.caseload(world.engine.read_engine, street=street)
    by = {b.dimension: {x.value: (x.open, x.closed) for x in b.buckets} for b in figures.disputes.breakdowns}
    assert by["caseworker"] == {"centre-wang": (0, 1)}
    assert by["closure"] == {"MEDIATION_TIER": (0, 1)}


def test_period_selects_whole_months_of_intake_and_weeks_split_at_month_ends(world):
    street = new_street()
    app, clock = world.engine.app, world.clock
    clock.advance(days=40)
    last_day = (clock.today().replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    clock.set_local(last_day)
    register(world, street)
    clock.advance(days=1)
    register(world, street)
    app.receive_complaint({"caller": {"anonymous": True}, "category": "CONSULTATION", "summary": "咨询",
                           "street": street}, actor=STAFF)
    Follower(app, [CaseloadView()], world.engine.read_engine).run_once()

    whole = dashboards.caseload(world.engine.read_engine, street=street)
    first_month = dashboards.caseload(world.engine.read_engine, street=street, period_from=last_day,
                                      period_to=last_day)
    second_month = dashboards.caseload(world.engine.read_engine, street=street, period_from=clock.today(),
                                       period_to=clock.today() + timedelta(days=40))

    assert (whole.disputes.total, first_month.disputes.total, second_month.disputes.total) == (2, 1, 1)
    assert (whole.tickets.total, first_month.tickets.total, second_month.tickets.total) == (1, 0, 1)
    same_week = iso_week(last_day) == iso_week(clock.today())
    assert len(whole.intake_per_week) == (1 if same_week else 2)
    assert sum(w.disputes for w in whole.intake_per_week) == 2
    assert [w.disputes for w in first_month.intake_per_week] == [1]


def test_filters_are_checked_and_named_in_the_error(world):
    with pytest.raises(DomainError, match="agency"):
        dashboards.caseload(world.engine.read_engine, agency="police")
    with pytest.raises(DomainError, match="case_type"):
        dashboards.caseload(world.engine.read_engine, case_type="WAGES")
    with pytest.raises(DomainError, match="period_to"):
        dashboards.caseload(world.engine.read_engine, period_from=date(2026, 3, 1), period_to=date(2026, 2, 1))


def test_caseload_rows_export_every_bucket_with_one_shape(world):
    street = new_street()
    register(world, street, case_types=["WAGE_ARREARS", "TERMINATION"], risk_flags=["MEDIA_ATTENTION"])
    Follower(world.engine.app, [CaseloadView()], world.engine.read_engine).run_once()

    rows = dashboards.caseload(world.engine.read_engine, street=street).as_rows()

    assert {tuple(row) for row in rows} == {("section", "dimension", "value", "open", "closed", "total")}
    assert {"section": "disputes", "dimension": "case_type", "value": "TERMINATION", "open": 1, "closed": 0,
            "total": 1} in rows
    assert {"section": "disputes", "dimension": "risk_flag", "value": "MEDIA_ATTENTION", "open": 1, "closed": 0,
            "total": 1} in rows


def test_rejected_handoff_gives_the_case_back_to_the_mediation_under_way(world):
    street = new_street()
    app = world.engine.app
    dispute_id = register(world, street)
    app.dispute_command(dispute_id, "open_proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": world.clock.today(), "consent": {"worker": True, "employer": True}}, actor=STAFF)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "LABOUR_INSPECTION", "org_type": "LABOUR_INSPECTION", "org_name": "劳动保障监察大队",
        "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT], "override_reason": "欠薪线索"}, actor=STAFF)
    suit = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院",
        "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT], "override_reason": "法院委派"}, actor=STAFF)
    assert tiers(world, street=street) == {"LITIGATION": (1, 0)}

    app.dispute_command(dispute_id, "reject_handoff", {
        "handoff_id": suit.data["handoff_id"], "reason": "NO_JURISDICTION", "legal_basis": "先裁后审",
        "advice_to_party": "先申请仲裁"}, actor=STAFF)
    assert tiers(world, street=street) == {"MEDIATION": (1, 0)}

    app.dispute_command(dispute_id, "withdraw_handoff", {"handoff_id": handoff.data["handoff_id"]}, actor=STAFF)
    assert tiers(world, street=street, agency="union") == {"MEDIATION": (1, 0)}
