"""Timers that act: the deadline clock on a moved clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, timedelta

import pytest

from dispute_engine.cases import DisputeEngine
from dispute_engine.demo import HOTLINE_OPERATOR, HR_CLERK, MEDIATOR_STAFF
from domain.calendar import YearSchedule
from domain.clocks import DeadlinePolicy
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute

START = date(2026, 3, 2)  # a Monday, in a year the calendar covers


def _doc(title: str) -> dict:
    return {"doc_type": "APPLICATION", "title": title, "sha256": hashlib.sha256(title.encode()).hexdigest()}


def _dispute(app: DisputeEngine) -> str:
    return app.register_dispute({
        "origin": "WALK_IN", "summary": "wage arrears", "received_on": START.isoformat(),
        "claimants": [{"kind": "WORKER", "person": {"name": "王五"}}],
        "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "某某公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "5000"}],
    }, actor=MEDIATOR_STAFF).id


def _deadline(app: DisputeEngine, dispute_id: str, rule_id: str) -> dict:
    return next(d for d in app.load(Dispute, dispute_id).deadlines if d["rule_id"] == rule_id)


@pytest.fixture
def at_start(engine):
    engine.clock.set_local(START)
    return engine


def _mediation(app: DisputeEngine, dispute_id: str, org_type: str = "UNION_MEDIATION_CENTRE") -> str:
    opened = app.dispute_command(dispute_id, "open_proceeding", {
        "kind": "MEDIATION", "org_type": org_type, "org_name": "调解中心",
        "received_on": START.isoformat(), "consent": {"worker": True, "employer": True},
    }, actor=MEDIATOR_STAFF)
    pid = opened.data["proceeding_id"]
    app.dispute_command(dispute_id, "accept_proceeding", {"proceeding_id": pid}, actor=MEDIATOR_STAFF)
    return pid


def test_opening_a_mediation_records_its_statutory_deadline_with_versions(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    _mediation(app, dispute_id)
    m3 = _deadline(app, dispute_id, "M3")
    assert m3["due_date"] == "2026-03-17"  # 15 calendar days after 2 March, a Tuesday
    assert m3["calendar_version"] == app.policy.calendar.version
    assert m3["rule_version"] == app.policy.rules["M3"].version
    assert m3["provisional"] is False
    assert "第14条" in m3["source"]


def test_mediation_lapses_by_itself_once_the_clock_passes_m3(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    pid = _mediation(app, dispute_id)
    clock = at_start.deadline_clock()
    clock.tick(date(2026, 3, 17))  # the due date itself: not yet overdue
    assert app.load(Dispute, dispute_id).proceeding(pid)["state"] == "ACTIVE"
    report = clock.tick(date(2026, 3, 18))
    dispute = app.load(Dispute, dispute_id)
    assert report.recorded == 1
    assert dispute.proceeding(pid)["state"] == "LAPSED"
    assert dispute.proceeding(pid)["outcome"] == "LAPSED_15D"
    assert _deadline(app, dispute_id, "M3")["status"] == "MISSED"
    assert dispute.suggested_next_tiers() == ["ARBITRATION"]
    history = [h.type for h in app.history(dispute_id)]
    assert history[-2:] == ["DeadlineMissed", "ProceedingLapsed"]
    assert history[-1] == "ProceedingLapsed" and app.history(dispute_id)[-1].actor["role"] == "system"
    # Arbitration can now be opened.
    app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PREVIOUS_TIER_FAILED", "dossier": [_doc("仲裁申请书")],
    }, actor=MEDIATOR_STAFF)
    assert app.load(Dispute, dispute_id).proceedings[-1]["kind"] == "ARBITRATION"


def test_running_the_clock_twice_records_nothing_new(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    _mediation(app, dispute_id)
    clock = at_start.deadline_clock()
    clock.tick(date(2026, 3, 20))
    head = app.recorder.max_notification_id()
    again = clock.tick(date(2026, 3, 20))
    assert again.recorded == 0
    assert app.recorder.max_notification_id() == head


def test_yellow_warning_is_recorded_once_after_eighty_percent_of_the_period(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    _mediation(app, dispute_id, "ENTERPRISE_MEDIATION_COMMITTEE")  # M3 is its only clock
    m3 = _deadline(app, dispute_id, "M3")
    yellow_on = date.fromisoformat(m3["yellow_on"])
    assert yellow_on == START + timedelta(days=12)  # 80 % of 15 days
    clock = at_start.deadline_clock()
    assert clock.tick(yellow_on - timedelta(days=1)).recorded == 0
    assert clock.tick(yellow_on).recorded == 1
    assert clock.tick(yellow_on + timedelta(days=1)).recorded == 0
    assert _deadline(app, dispute_id, "M3")["warned"] == "YELLOW"


def test_acceptance_overdue_opens_the_court_route(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PARTY_APPLICATION", "dossier": [_doc("仲裁申请书")],
    }, actor=MEDIATOR_STAFF)
    app.dispute_command(dispute_id, "receive_handoff", {"handoff_id": handoff.data["handoff_id"]}, actor=HR_CLERK)
    a3 = _deadline(app, dispute_id, "A3")
    assert a3["due_date"] == "2026-03-09"  # 5 working days after Monday 2 March
    at_start.deadline_clock().tick(date(2026, 3, 10))
    dispute = app.load(Dispute, dispute_id)
    assert dispute.proceeding(handoff.data["proceeding_id"])["state"] == "ACCEPTANCE_OVERDUE"
    assert dispute.suggested_next_tiers() == ["LITIGATION_FIRST"]
    app.dispute_command(dispute_id, "request_handoff", {
        "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区法院",
        "reason": "STATUTORY_ROUTE", "dossier": [_doc("起诉状")],
    }, actor=MEDIATOR_STAFF)
    assert not any(h.type == "RouteRuleOverridden" for h in app.history(dispute_id))


def test_award_overdue_lets_the_party_sue_and_extension_moves_it(at_start):
    app = at_start.app
    dispute_id = _dispute(app)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PARTY_APPLICATION", "dossier": [_doc("仲裁申请书")],
    }, actor=MEDIATOR_STAFF)
    app.dispute_command(dispute_id, "accept_handoff", {"handoff_id": handoff.data["handoff_id"],
                                                       "receiving_case_no": "仲案1"}, actor=HR_CLERK)
    a8 = _deadline(app, dispute_id, "A8")
    assert a8["due_date"] == "2026-04-16"  # 45 days after 2 March
    app.extend_deadline(Dispute, dispute_id, a8["deadline_id"], extension=15, approver="仲裁委主任", actor=HR_CLERK)
    assert _deadline(app, dispute_id, "A8")["due_date"] == "2026-05-06"  # 1 May holiday rolls past 5 May
    at_start.deadline_clock().tick(date(2026, 5, 7))
    dispute = app.load(Dispute, dispute_id)
    assert dispute.proceeding(handoff.data["proceeding_id"])["award_overdue"] is True
    assert dispute.suggested_next_tiers() == ["LITIGATION_FIRST"]


def test_hotline_ticket_not_signed_for_in_time_is_escalated(at_start):
    app = at_start.app
    ticket = app.receive_complaint({"category": "ASSISTANCE", "summary": "wages",
                                    "caller": {"phone": "13800138000"}}, actor=HOTLINE_OPERATOR)
    app.complaint_command(ticket.id, "dispatch", {"to_org": "街道工会"}, actor=HOTLINE_OPERATOR)
    at_start.deadline_clock().tick(date(2026, 3, 4))  # H2: one working day, due 3 March
    complaint = app.load(HotlineComplaint, ticket.id)
    assert complaint.state == "DISPATCHED"
    assert [e["level"] for e in complaint.escalations] == ["DISTRICT"]
    assert complaint.deadlines[0]["status"] == "MISSED"


def test_replay_keeps_recorded_deadlines_when_the_calendar_changes_until_adopted(settings, clock):
    from dispute_engine.bootstrap import bootstrap

    clock.set_local(START)
    with bootstrap(settings, clock=clock) as engine:
        dispute_id = _dispute(engine.app)
        _mediation(engine.app, dispute_id, "ENTERPRISE_MEDIATION_COMMITTEE")  # M3 is its only clock
        before = _deadline(engine.app, dispute_id, "M3")
    # A revised schedule makes the due date (17 March 2026) a rest day.
    with bootstrap(settings, clock=clock) as engine:
        base = engine.app.policy
        revised_year = YearSchedule(
            year=2026,
            rest_days=frozenset(d for d in _rest_days(base, 2026)) | {date(2026, 3, 17)},
            workdays=frozenset(_workdays(base, 2026)),
            source="test: a revised notice",
        )
        engine.app.policy = DeadlinePolicy(base.calendar.with_years([revised_year]), base.rules)
        assert _deadline(engine.app, dispute_id, "M3") == before  # replay never recomputes
        moved = engine.app.adopt_policy(Dispute, dispute_id, actor=MEDIATOR_STAFF)
        after = _deadline(engine.app, dispute_id, "M3")
        assert moved.data == {"moved": 1}
        assert after["due_date"] == "2026-03-18"
        assert after["calendar_version"] != before["calendar_version"]
        assert engine.app.history(dispute_id)[-1].data["reason"] == "CALENDAR_UPDATE"


def _rest_days(policy: DeadlinePolicy, year: int):
    day = date(year, 1, 1)
    while day.year == year:
        if policy.calendar.is_rest_day(day) and day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def _workdays(policy: DeadlinePolicy, year: int):
    day = date(year, 1, 1)
    while day.year == year:
        if policy.calendar.is_workday(day) and day.weekday() >= 5:
            yield day
        day += timedelta(days=1)
