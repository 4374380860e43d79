"""The case list, inbox and ticket views on SQLite and PostgreSQL.

Histories are made through the application's own commands. One engine per store serves the whole
module (each example adds its own cases), so the rebuilds replay everything recorded so far.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, select

from tests.conftest import STORES, make_settings
from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.demo import run_story
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.stages import KINDS, ProceedingKind
from domain.values import SYSTEM_ACTOR, Actor, Agency, Role
from projections.cases import CaseListView
from projections.follower import Follower
from projections.inbox import InboxView
from projections.queries import CaseQuery, is_visible, list_partner_cases, visible_dispute_ids
from projections.reading import open_view
from projections.tickets import TicketListView

STAFF = Actor("centre-test", Role.STAFF, Agency.UNION)
PARTNERS = ("court", "justice", "hr")
START = date(2026, 3, 2)
DOCUMENT = {"doc_type": "APPLICATION", "title": "申请书", "sha256": "ab" * 32}


DISPUTE_VIEWS = (CaseListView.name, InboxView.name)
TICKET_VIEWS = (TicketListView.name,)
ALL_VIEWS = DISPUTE_VIEWS + TICKET_VIEWS


@pytest.fixture(scope="module", params=STORES)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One engine per store for the module, with the three views built."""
    for settings in make_settings(request.param, tmp_path_factory.mktemp(request.param)):
        with bootstrap(settings, clock=FixedClock()) as engine:
            try:
                follower(engine).run_once()
                yield engine
            finally:
                _followers.clear()  # they hold the application's recorder


_followers: dict[tuple[int, tuple[str, ...], int], Follower] = {}


def follower(engine: Engine, views: tuple[str, ...] = ALL_VIEWS, batch_size: int = 1000) -> Follower:
    """A follower of ``views``, made once per engine, views and batch size (it prepares its tables once)."""
    key = (id(engine), views, batch_size)
    if key not in _followers:
        chosen = [view for view in (CaseListView(), InboxView(), TicketListView()) if view.name in views]
        _followers[key] = Follower(engine.app, chosen, engine.read_engine, batch_size=batch_size)
    return _followers[key]


def snapshot(engine: Engine, view: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the view, in key order."""
    with engine.read_engine.begin() as connection:
        tables = open_view(connection, view)
        return {
            name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for name, table in tables.items()
        }


def rows_of(engine: Engine, view: Any, table: str, **key: str) -> list[dict[str, Any]]:
    with engine.read_engine.begin() as connection:
        found = open_view(connection, view)[table]
        statement = select(found).where(*(found.c[name] == value for name, value in key.items()))
        return [dict(row) for row in connection.execute(statement).mappings()]


def row_of(engine: Engine, view: Any, table: str, **key: str) -> dict[str, Any]:
    [row] = rows_of(engine, view, table, **key)
    return row


def attempt(action: Any) -> None:
    """Run a command; a refused one records nothing and is part of the history too."""
    try:
        action()
    except DomainError:
        pass


# --------------------------------------------------------------------------- dispute histories

STREETS = ("城关街道", "东城街道", None)
INDUSTRIES = ("制造业", "建筑业", None)
CASE_TYPES = ("WAGE_ARREARS", "TERMINATION", "WORK_INJURY", "SOCIAL_INSURANCE")
RISK_FLAGS = ("GROUP_INCIDENT_RISK", "MEDIA_ATTENTION", "EMPLOYER_ABSCONDED")
EMPLOYERS = ("恒达家具有限公司", "顺通物流有限公司", "华建建设集团有限公司")
HANDOFFS = (  # (kind, org_type, org_name), chosen by the step's number
    ("ARBITRATION", "ARBITRATION_COMMISSION", "区劳动人事争议仲裁委员会"),
    ("MEDIATION", "PEOPLES_MEDIATION_COMMITTEE", "城关街道人民调解委员会"),
    ("LABOUR_INSPECTION", "LABOUR_INSPECTION", "区劳动保障监察大队"),
    ("LEGAL_AID", "LEGAL_AID_CENTRE", "区法律援助中心"),
    ("LITIGATION_FIRST", "BASIC_COURT", "区人民法院"),
)
# Hypothesis draws the first entries most often: the handoff path first, as the inbox is about it;
# repeated names are drawn more often still.
DISPUTE_ACTIONS = (
    "handoff", "receive", "accept_handoff", "return", "resubmit", "reject", "withdraw_handoff", "wait",
    "open_mediation", "accept_proceeding", "conclude", "serve", "handoff", "receive", "accept_handoff", "wait",
    "add_party", "amend", "caseworker", "risk", "open_negotiation", "suspend", "resume", "withdraw_proceeding",
    "resolve", "close", "reopen",
)

FOLLOW_NOW = st.sampled_from([True, False, False])
"""Whether the incremental follower catches up after a step (it always does at the end)."""

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2).map(str)

intakes = st.fixed_dictionaries({
    "origin": st.sampled_from(["WALK_IN", "HOTLINE", "ONLINE", "COURT_REFERRAL"]),
    "summary": st.just("拖欠工资"),
    "claimants": st.lists(st.builds(lambda i: {"kind": "WORKER", "person": {"name": f"测试工人{i}"}},
                                    st.integers(1, 99)), min_size=1, max_size=3),
    "respondents": st.lists(st.sampled_from(EMPLOYERS).map(lambda n: {"organisation": {"name": n}}),
                            min_size=1, max_size=2),
    "claims": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["WAGE", "SEVERANCE"]),
                                              "amount_cny": st.one_of(st.none(), amounts)}),
                       min_size=1, max_size=2),
    "case_types": st.lists(st.sampled_from(CASE_TYPES), max_size=2, unique=True),
    "risk_flags": st.lists(st.sampled_from(RISK_FLAGS), max_size=2, unique=True),
    "workplace": st.fixed_dictionaries({"street": st.sampled_from(STREETS),
                                        "industry": st.sampled_from(INDUSTRIES)}),
})


def pick(items: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    return items[n % len(items)] if items else None


def dispute_step(engine: Engine, dispute_id: str, action: str, n: int) -> None:
    app, clock = engine.app, engine.clock
    dispute = app.load(Dispute, dispute_id)
    proceeding = pick(dispute.proceedings, n)
    handoff = pick(dispute.handoffs, n)
    pid = proceeding["proceeding_id"] if proceeding else "none"
    hid = handoff["handoff_id"] if handoff else "none"
    commands: dict[str, tuple[str, dict[str, Any]]] = {
        "caseworker": ("assign_caseworker", {"caseworker": f"centre-{n % 3}"}),
        "risk": ("change_risk_flags", {"add": [RISK_FLAGS[n % 3]], "remove": [RISK_FLAGS[(n + 1) % 3]],
                                       "reason": "风险评估"}),
        "add_party": ("add_party", {"side": ("claimant", "respondent")[n % 2], "party": (
            {"person": {"name": f"测试工人{n}"}}, {"organisation": {"name": EMPLOYERS[n % 3]}})[n % 2]}),
        "amend": ("amend_claims", {"add": [{"kind": "OVERTIME", "amount_cny": f"{n}.50"}],
                                   "remove": [dispute.claims[0]["claim_id"]] if n % 2 else []}),
        "open_mediation": ("open_proceeding", {
            "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "区总工会调解中心",
            "received_on": clock.today(), "consent": {"worker": True, "employer": True}}),
        "open_negotiation": ("open_proceeding", {
            "kind": "NEGOTIATION", "org_type": "PARTIES", "org_name": "双方协商", "received_on": clock.today()}),
        "accept_proceeding": ("accept_proceeding", {"proceeding_id": pid, "case_no": f"工调{n}"}),
        "conclude": ("conclude_proceeding", {
            "proceeding_id": pid,
            "outcome": KINDS[ProceedingKind(proceeding["kind"])].outcomes[n % 2] if proceeding else "FAILED",
            "amounts_awarded_cny": f"{n * 100}.00" if n % 3 else None}),
        "suspend": ("suspend_proceeding", {"proceeding_id": pid, "ground": "当事人申请"}),
        "resume": ("resume_proceeding", {"proceeding_id": pid}),
        "withdraw_proceeding": ("withdraw_proceeding", {"proceeding_id": pid, "withdrawn_by": "WORKER"}),
        "receive": ("receive_handoff", {"handoff_id": hid}),
        "return": ("return_handoff_for_supplement", {"handoff_id": hid, "missing": ["劳动合同", "工资条"]}),
        "resubmit": ("resubmit_handoff", {"handoff_id": hid, "added": [DOCUMENT]}),
        "accept_handoff": ("accept_handoff", {"handoff_id": hid, "receiving_case_no": f"（2026）收案{n}号",
                                              "assignee": "partner-a"}),
        "reject": ("reject_handoff", {"handoff_id": hid, "reason": "NO_JURISDICTION", "legal_basis": "第二十一条",
                                      "advice_to_party": "向有管辖权的机构申请"}),
        "withdraw_handoff": ("withdraw_handoff", {"handoff_id": hid}),
        "serve": ("record_service", {
            "proceeding_id": pid, "party_side": ("WORKER", "EMPLOYER")[n % 2], "method": "DIRECT",
            "doc_type": "ARB_AWARD_FINAL" if proceeding and proceeding["outcome"] == "AWARD_FINAL"
            else "ARB_AWARD_NON_FINAL", "served_on": clock.today()}),
        "resolve": ("resolve", {"how": "协议履行", "amount_recovered_cny": f"{n}.00" if n % 2 else None}),
        "close": ("close", {"reason": "RESOLVED" if dispute.stage == "RESOLVED" else "WITHDRAWN"}),
        "reopen": ("reopen", {"reason": "未履行"}),
    }
    kind, org_type, org_name = HANDOFFS[n % len(HANDOFFS)]
    commands["handoff"] = ("request_handoff", {
        "kind": kind, "org_type": org_type, "org_name": org_name, "reason": "PARTY_APPLICATION",
        "dossier": [DOCUMENT], "consent": {"worker": True, "employer": True}})
    if action == "wait":
        clock.advance(days=n % 12 + 1)
        check_deadlines(engine, Dispute, dispute_id)
        return
    command, arguments = commands[action]
    attempt(lambda: app.dispute_command(dispute_id, command, arguments, actor=STAFF))


def check_deadlines(engine: Engine, kind: type, case_id: str) -> None:
    """What the deadline clock does for one case: record each warning or miss due today."""
    for record in engine.app.load(kind, case_id).deadlines:
        if record["status"] == "OPEN":
            attempt(lambda r=record: engine.app.check_deadline(
                kind, case_id, r["deadline_id"], engine.clock.today(), actor=SYSTEM_ACTOR))


def steps(actions: tuple[str, ...], openings: list[tuple[str, ...]]) -> st.SearchStrategy[list[Any]]:
    """One of the openings, then two to ten steps: (action, a number choosing among items, follow now?)."""
    opening = st.sampled_from(openings).flatmap(
        lambda names: st.tuples(*(st.tuples(st.just(name), st.integers(0, 11), FOLLOW_NOW) for name in names)))
    step = st.tuples(st.sampled_from(actions), st.integers(0, 11), FOLLOW_NOW)
    return st.tuples(opening, st.lists(step, min_size=2, max_size=10)).map(lambda s: [*s[0], *s[1]])


dispute_histories = st.tuples(intakes, steps(DISPUTE_ACTIONS, [("handoff",)]), st.integers(1, 5))


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=dispute_histories)
def test_case_list_and_inbox_followed_incrementally_equal_them_rebuilt(shared, history):
    intake, actions, batch_size = history
    engine = shared
    engine.clock.set_local(START)
    incremental = follower(engine, DISPUTE_VIEWS, batch_size)
    dispute_id = engine.app.register_dispute(intake, actor=STAFF).id
    for action, n, follow_now in actions:
        dispute_step(engine, dispute_id, action, n)
        if follow_now:
            incremental.run_once()
    incremental.run_once()
    followed = {view.name: snapshot(engine, view) for view in (CaseListView(), InboxView())}

    rebuilder = follower(engine, DISPUTE_VIEWS)
    for view in (CaseListView(), InboxView()):
        rebuilder.rebuild(view.name)
        assert snapshot(engine, view) == followed[view.name]
    dispute = engine.app.load(Dispute, dispute_id)
    row = row_of(engine, CaseListView(), "cases", dispute_id=dispute_id)
    assert (row["status"], row["stage"], row["version"]) == (dispute.status, dispute.stage, dispute.version)
    resolution = dispute.resolution or {}
    assert row["recovered_cny"] == resolution.get("amount_recovered_cny")
    claimed = [c["amount_cny"] for c in dispute.claims if c["amount_cny"] is not None]
    assert row["claimed_cny"] == (sum(claimed, Decimal("0.00")) if claimed else None)
    assert (row["caseworker"], row["risk_flags"]) == (dispute.caseworker, ",".join(dispute.risk_flags))
    employers = [r["organisation"]["name"] for r in dispute.respondents if r["organisation"]]
    assert (row["claimant_count"], row["respondents"]) == (len(dispute.claimants), "; ".join(employers))
    for handoff in dispute.handoffs:
        inbox_row = row_of(engine, InboxView(), "inbox", dispute_id=dispute_id, handoff_id=handoff["handoff_id"])
        assert (inbox_row["state"], inbox_row["received_on"]) == (handoff["state"], handoff["received_on"])
    with engine.read_engine.begin() as connection:
        for agency in PARTNERS:
            assert is_visible(connection, agency, dispute_id) == dispute.visible_to_agency(agency)


# --------------------------------------------------------------------------- ticket histories

TICKET_ACTIONS = (  # the usual path first (drawn most often), then the detours
    "dispatch", "sign_for", "submit_reply", "check_quality", "complete_callback", "wait", "escalate",
    "request_extension", "decide_extension", "add_handling_note", "refer_out", "return_by_unit", "answer_on_call",
    "close", "convert", "merge", "wait",
)

calls = st.fixed_dictionaries({
    "channel": st.sampled_from(["PHONE_12351", "APP", "WALK_IN"]),
    "caller": st.sampled_from([{"anonymous": True}, {"name": "测试来电人", "phone": "13912345678"}]),
    "category": st.sampled_from(["CONSULTATION", "ASSISTANCE", "COMPLAINT_PETITION"]),
    "complexity": st.sampled_from(["GENERAL", "DIFFICULT", "ESPECIALLY_COMPLEX"]),
    "urgency": st.sampled_from(["NORMAL", "URGENT"]),
    "summary": st.just("咨询工资问题"),
    "subject_employer": st.sampled_from([*EMPLOYERS, None]),
    "street": st.sampled_from(STREETS),
})


def ticket_step(engine: Engine, complaint_id: str, action: str, n: int) -> None:
    app = engine.app
    arguments: dict[str, dict[str, Any]] = {
        "dispatch": {"to_org": ("城关街道工会", "区总工会调解中心")[n % 2]},
        "sign_for": {},
        "return_by_unit": {"reason": "不属本单位"},
        "request_extension": {"days": n % 5 + 1, "reason": "需调查"},
        "decide_extension": {"granted": bool(n % 2)},
        "add_handling_note": {"note": "已联系单位"},
        "refer_out": {"target": "INSPECTION", "advice": "向劳动监察投诉"},
        "submit_reply": {"text": "已协调支付", "outcome": "RESOLVED"},
        "check_quality": {"passed": bool(n % 3), "notes": "回复不完整"},
        "complete_callback": {"satisfaction": ("SATISFIED", "UNSATISFIED")[n % 2], "justified_complaint": True},
        "escalate": {"reason": "群众催办"},
        "answer_on_call": {"answer": "告知维权途径"},
        "close": {},
    }
    if action == "wait":
        engine.clock.advance(days=n % 6 + 1)
        check_deadlines(engine, HotlineComplaint, complaint_id)
    elif action == "convert":
        attempt(lambda: app.convert_complaint_to_dispute(complaint_id, {
            "claimants": [{"person": {"name": "测试来电人"}}],
            "respondents": [{"organisation": {"name": EMPLOYERS[n % 3]}}],
            "claims": [{"kind": "WAGE"}]}, actor=STAFF))
    elif action == "merge":
        into = app.receive_complaint({"caller": {"anonymous": True}, "category": "CONSULTATION",
                                      "summary": "同一事项"}, actor=STAFF)
        attempt(lambda: app.merge_complaint(complaint_id, into.id, actor=STAFF))
    else:
        attempt(lambda: app.complaint_command(complaint_id, action, arguments[action], actor=STAFF))


TICKET_OPENINGS = [("dispatch", "sign_for"), ("dispatch", "sign_for", "submit_reply"), ("dispatch",),
                   ("answer_on_call",)]
ticket_histories = st.tuples(calls, steps(TICKET_ACTIONS, TICKET_OPENINGS), st.integers(1, 5))


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=ticket_histories)
def test_ticket_list_followed_incrementally_equals_it_rebuilt(shared, history):
    call, actions, batch_size = history
    engine = shared
    engine.clock.set_local(START)
    incremental = follower(engine, TICKET_VIEWS, batch_size)
    complaint_id = engine.app.receive_complaint(call, actor=STAFF).id
    for action, n, follow_now in actions:
        ticket_step(engine, complaint_id, action, n)
        if follow_now:
            incremental.run_once()
    incremental.run_once()
    followed = snapshot(engine, TicketListView())

    follower(engine, TICKET_VIEWS).rebuild(TicketListView.name)

    assert snapshot(engine, TicketListView()) == followed
    complaint = engine.app.load(HotlineComplaint, complaint_id)
    row = row_of(engine, TicketListView(), "tickets", complaint_id=complaint_id)
    assert (row["state"], row["version"], row["ticket_no"]) == (complaint.state, complaint.version, complaint.ticket_no)
    assert (row["escalation_count"], row["reopen_count"]) == (len(complaint.escalations), complaint.reopen_count)
    assert (row["handling_org"], row["dispute_id"]) == (complaint.handling_org, complaint.dispute_id)


# --------------------------------------------------------------------------- visibility


def handed_to_justice_mediation(engine: Engine) -> tuple[str, str]:
    """A dispute handed to the justice bureau's people's mediation committee: (dispute id, handoff id)."""
    engine.clock.set_local(START)
    dispute_id = engine.app.register_dispute({
        "summary": "拖欠工资", "claimants": [{"person": {"name": "测试工人"}}],
        "respondents": [{"organisation": {"name": EMPLOYERS[0]}}], "claims": [{"kind": "WAGE"}],
    }, actor=STAFF).id
    handoff = engine.app.dispute_command(dispute_id, "request_handoff", {
        "kind": "MEDIATION", "org_type": "PEOPLES_MEDIATION_COMMITTEE", "org_name": "人民调解委员会",
        "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT], "consent": {"worker": True, "employer": True},
    }, actor=STAFF)
    return dispute_id, handoff.data["handoff_id"]


def visible(engine: Engine, dispute_id: str, agency: str = "justice") -> tuple[bool, bool, bool]:
    """The rule three ways: is_visible, visible_dispute_ids and the partner's case list."""
    follower(engine).run_once()
    with engine.read_engine.begin() as connection:
        listed = list_partner_cases(connection, agency, CaseQuery(dispute_ids=[dispute_id])).items
        return (
            is_visible(connection, agency, dispute_id),
            dispute_id in visible_dispute_ids(connection, agency),
            [row["dispute_id"] for row in listed] == [dispute_id],
        )


def handoff_step(engine: Engine, dispute_id: str, command: str, **arguments: Any) -> None:
    engine.app.dispute_command(dispute_id, command, arguments, actor=STAFF)


def test_requested_handoff_makes_the_case_visible_to_the_receiving_agency_only(shared):
    dispute_id, _ = handed_to_justice_mediation(shared)

    assert visible(shared, dispute_id, "justice") == (True, True, True)
    assert visible(shared, dispute_id, "court") == (False, False, False)


def test_case_stays_visible_after_a_return_for_supplement(shared):
    dispute_id, handoff_id = handed_to_justice_mediation(shared)
    handoff_step(shared, dispute_id, "return_handoff_for_supplement", handoff_id=handoff_id, missing=["劳动合同"])

    assert visible(shared, dispute_id) == (True, True, True)


def test_case_stays_visible_after_a_rejection(shared):
    dispute_id, handoff_id = handed_to_justice_mediation(shared)
    handoff_step(shared, dispute_id, "reject_handoff", handoff_id=handoff_id, reason="OUT_OF_SCOPE",
                 legal_basis="人民调解法第十八条", advice_to_party="申请劳动仲裁")

    assert visible(shared, dispute_id) == (True, True, True)


def test_handoff_withdrawn_before_receipt_hides_the_case(shared):
    dispute_id, handoff_id = handed_to_justice_mediation(shared)
    handoff_step(shared, dispute_id, "withdraw_handoff", handoff_id=handoff_id)

    assert visible(shared, dispute_id) == (False, False, False)


def test_handoff_withdrawn_after_receipt_leaves_the_case_visible(shared):
    dispute_id, handoff_id = handed_to_justice_mediation(shared)
    handoff_step(shared, dispute_id, "receive_handoff", handoff_id=handoff_id)
    handoff_step(shared, dispute_id, "withdraw_handoff", handoff_id=handoff_id)

    assert visible(shared, dispute_id) == (True, True, True)


def test_a_second_live_handoff_keeps_the_case_visible_when_the_first_is_withdrawn_unreceived(shared):
    dispute_id, first = handed_to_justice_mediation(shared)
    handoff_step(shared, dispute_id, "withdraw_handoff", handoff_id=first)
    handoff_step(shared, dispute_id, "request_handoff", kind="LEGAL_AID", org_type="LEGAL_AID_CENTRE",
                 org_name="区法律援助中心", reason="PARTY_APPLICATION", dossier=[DOCUMENT])

    assert visible(shared, dispute_id) == (True, True, True)


# --------------------------------------------------------------------------- the story, and personal data

SEEDED = {"claimant name": "陈建国", "ID number": "11010519491231002X", "phone": "13800138000",
          "bank account": "6222020200112233445"}


def test_story_appears_in_the_three_lists(shared):
    shared.clock.set_local(START)
    story = run_story(shared)
    follower(shared).run_once()

    case = row_of(shared, CaseListView(), "cases", dispute_id=story.dispute_id)
    inbox = rows_of(shared, InboxView(), "inbox", dispute_id=story.dispute_id)
    ticket = row_of(shared, TicketListView(), "tickets", complaint_id=story.complaint_id)

    assert (case["status"], case["current_kind"], case["current_agency"]) == ("CLOSED", "LITIGATION_FIRST", "court")
    assert (case["claimed_cny"], case["awarded_cny"], case["recovered_cny"]) == (Decimal("18600.00"),) * 3
    assert (case["respondents"], case["complaint_ids"]) == ("恒达家具有限公司", story.complaint_id)
    assert (case["red_count"], case["yellow_count"]) == (0, 0)  # a closed case has nothing left to do on time
    handed = [(row["to_agency"], row["state"], row["receiving_case_no"]) for row in inbox]
    assert sorted(handed) == [("court", "ACCEPTED", "（2026）区0102民初1733号"),
                              ("hr", "ACCEPTED", "（2026）区劳人仲案字第0412号")]
    assert (ticket["dispute_id"], ticket["subject_employer"]) == (story.dispute_id, "恒达家具有限公司")


def test_no_personal_data_reaches_any_list_table(shared):
    shared.clock.set_local(START)
    run_story(shared)
    shared.app.register_dispute({
        "summary": "拖欠工资",
        "claimants": [{"person": {"name": SEEDED["claimant name"], "id_number": SEEDED["ID number"],
                                  "phone": SEEDED["phone"], "bank_account": SEEDED["bank account"],
                                  "monthly_wage_cny": "7300.00"}}],
        "respondents": [{"organisation": {"name": "恒达家具有限公司"}}], "claims": [{"kind": "WAGE"}],
    }, actor=STAFF)
    follower(shared).run_once()

    texts = []
    with shared.read_engine.begin() as connection:
        for view in (CaseListView(), InboxView(), TicketListView()):
            for table in open_view(connection, view).values():
                columns = [c for c in table.columns if isinstance(c.type, String | Text)]
                for row in connection.execute(select(*columns)):
                    texts.extend(value for value in row if value)

    assert any("恒达家具有限公司" in text for text in texts)  # the scan sees the rows
    for what, secret in SEEDED.items():
        assert not [text for text in texts if secret in text], f"the {what} is stored in a view"
