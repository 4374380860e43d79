"""A realistic scripted story, run through the application's own commands.

A 12351 call about unpaid wages is converted into a dispute; union mediation
reaches no agreement and lapses at its statutory limit (the deadline clock
records it); the case is handed to the HR bureau's arbitration commission, accepted,
and ends in a non-final award; the employer sues within 15 days; the court
accepts the handoff and gives judgment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dispute_engine.bootstrap import Engine
from dispute_engine.clock import FixedClock
from domain.errors import RouteRefused
from domain.values import Actor, Agency, Role

HOTLINE_OPERATOR = Actor("hotline-01", Role.STAFF, Agency.UNION)
MEDIATOR_STAFF = Actor("centre-li", Role.STAFF, Agency.UNION)
HR_CLERK = Actor("hr-arb-wang", Role.PARTNER, Agency.HR)
COURT_CLERK = Actor("court-zhao", Role.PARTNER, Agency.COURT)


def _doc(doc_type: str, title: str) -> dict[str, Any]:
    return {"doc_type": doc_type, "title": title, "sha256": hashlib.sha256(title.encode()).hexdigest(), "pages": 2}


@dataclass
class StoryResult:
    complaint_id: str
    dispute_id: str
    refused_early_suit: str


def run_story(engine: Engine, start: date = date(2026, 3, 2)) -> StoryResult:
    """Run the story on ``engine``; its clock must be a :class:`FixedClock` (the story moves it)."""
    app, clock = engine.app, engine.clock
    if not isinstance(clock, FixedClock):
        raise TypeError("the story needs a FixedClock to move time")
    clock.set_local(start)

    # Day 0: a worker calls 12351 about three months of unpaid wages.
    ticket = app.receive_complaint(
        {
            "channel": "PHONE_12351",
            "caller": {"name": "陈建国", "phone": "13800138000", "is_union_member": True},
            "category": "ASSISTANCE",
            "complexity": "GENERAL",
            "summary": "Unpaid wages for three months at a furniture factory",
            "subject_employer": "恒达家具有限公司",
            "workers_affected": 1,
            "amount_cny": "18600.00",
            "street": "城关街道",
        },
        actor=HOTLINE_OPERATOR,
    )
    app.complaint_command(ticket.id, "dispatch", {"to_org": "区总工会劳资纠纷快处快结调解中心"}, actor=HOTLINE_OPERATOR)
    app.complaint_command(ticket.id, "sign_for", {}, actor=MEDIATOR_STAFF)

    # The centre converts the ticket into a dispute (atomically with the ticket's record of it).
    dispute = app.convert_complaint_to_dispute(
        ticket.id,
        {
            "claimants": [
                {
                    "kind": "WORKER",
                    "person": {"name": "陈建国", "id_number": "11010519491231002X", "phone": "13800138000",
                               "monthly_wage_cny": "6200.00"},
                    "is_migrant_worker": True,
                    "employment_form": "STANDARD",
                }
            ],
            "respondents": [
                {"kind": "EMPLOYER", "organisation": {"name": "恒达家具有限公司", "uscc": "91110105MA01ABCD26"}}
            ],
            "claims": [{"kind": "WAGE", "amount_cny": "18600.00", "period_from": "2025-12-01",
                        "period_to": "2026-02-28"}],
            "case_types": ["WAGE_ARREARS"],
            "workplace": {"street": "城关街道", "industry": "制造业"},
            "employment": {"started_on": "2024-05-06", "ongoing": True},
        },
        actor=MEDIATOR_STAFF,
    )
    did = dispute.id
    app.dispute_command(did, "assign_caseworker", {"caseworker": "centre-li"}, actor=MEDIATOR_STAFF)

    # A suit now would skip arbitration: the route rule refuses it and records nothing.
    try:
        app.dispute_command(did, "request_handoff", {
            "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院",
            "reason": "PARTY_APPLICATION", "dossier": [_doc("COMPLAINT", "起诉状")],
        }, actor=MEDIATOR_STAFF)
        refused = ""
    except RouteRefused as refusal:
        refused = refusal.message

    # Union mediation with both parties' consent; no agreement is reached.
    mediation = app.dispute_command(did, "open_proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "区总工会劳资纠纷快处快结调解中心",
        "received_on": clock.today(), "consent": {"worker": True, "employer": True},
    }, actor=MEDIATOR_STAFF)
    pid = mediation.data["proceeding_id"]
    app.dispute_command(did, "accept_proceeding", {"proceeding_id": pid, "case_no": dispute.data["case_number"]},
                        actor=MEDIATOR_STAFF)
    app.dispute_command(did, "assign_mediator", {"proceeding_id": pid, "mediator": "centre-li"}, actor=MEDIATOR_STAFF)
    clock.advance(days=4)
    app.dispute_command(did, "hold_mediation_session", {"proceeding_id": pid, "mode": "IN_PERSON", "on": clock.today()},
                        actor=MEDIATOR_STAFF)
    # No agreement within 15 days of receipt (LDMAL art. 14): the deadline clock lapses the mediation.
    clock.set_local(start + timedelta(days=16))
    engine.deadline_clock().tick()

    # Handed to the HR bureau's arbitration commission, which accepts it.
    clock.advance(days=1)
    handoff = app.dispute_command(did, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
        "reason": "PREVIOUS_TIER_FAILED", "channel": "ONLINE",
        "dossier": [_doc("APPLICATION", "仲裁申请书"), _doc("EVIDENCE_LIST", "证据清单"),
                    _doc("MEDIATION_TERMINATION_NOTICE", "终止调解通知书")],
    }, actor=MEDIATOR_STAFF)
    arbitration_handoff = handoff.data["handoff_id"]
    arbitration = handoff.data["proceeding_id"]
    clock.advance(days=1)
    app.dispute_command(did, "receive_handoff", {"handoff_id": arbitration_handoff}, actor=HR_CLERK)
    clock.advance(days=2)
    app.dispute_command(did, "accept_handoff", {
        "handoff_id": arbitration_handoff, "receiving_case_no": "（2026）区劳人仲案字第0412号", "assignee": "hr-arb-wang",
    }, actor=HR_CLERK)

    # A non-final award, served on both parties.
    clock.advance(days=38)
    app.dispute_command(did, "conclude_proceeding", {
        "proceeding_id": arbitration, "outcome": "AWARD_NON_FINAL", "amounts_awarded_cny": "18600.00",
        "documents": [_doc("ARB_AWARD_NON_FINAL", "仲裁裁决书")],
    }, actor=HR_CLERK)
    clock.advance(days=2)
    for side in ("WORKER", "EMPLOYER"):
        app.dispute_command(did, "record_service", {
            "proceeding_id": arbitration, "doc_type": "ARB_AWARD_NON_FINAL", "party_side": side,
            "method": "DIRECT", "served_on": clock.today(),
        }, actor=HR_CLERK)

    # The employer sues within 15 days of service (LDMAL art. 50); the case goes to the court.
    clock.advance(days=10)
    suit = app.dispute_command(did, "request_handoff", {
        "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院", "applicant": "EMPLOYER",
        "reason": "STATUTORY_ROUTE", "channel": "SYSTEM_ZONG_DUI_ZONG",
        "dossier": [_doc("COMPLAINT", "起诉状"), _doc("ARB_AWARD_NON_FINAL", "仲裁裁决书"),
                    _doc("SERVICE_RECEIPT", "送达回证")],
    }, actor=MEDIATOR_STAFF)
    clock.advance(days=3)
    app.dispute_command(did, "accept_handoff", {
        "handoff_id": suit.data["handoff_id"], "receiving_case_no": "（2026）区0102民初1733号", "assignee": "court-zhao",
    }, actor=COURT_CLERK)
    clock.advance(days=64)
    app.dispute_command(did, "conclude_proceeding", {
        "proceeding_id": suit.data["proceeding_id"], "outcome": "JUDGMENT", "amounts_awarded_cny": "18600.00",
        "documents": [_doc("JUDGMENT", "民事判决书")],
    }, actor=COURT_CLERK)
    clock.advance(days=20)
    app.dispute_command(did, "resolve", {"how": "judgment performed", "amount_recovered_cny": "18600.00"},
                        actor=MEDIATOR_STAFF)
    app.dispute_command(did, "close", {"reason": "RESOLVED"}, actor=MEDIATOR_STAFF)
    return StoryResult(complaint_id=ticket.id, dispute_id=did, refused_early_suit=refused)
