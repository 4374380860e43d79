"""The scripted story, end to end through the application, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dispute_engine.bootstrap import bootstrap
from dispute_engine.demo import HR_CLERK, MEDIATOR_STAFF, run_story
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import RouteRefused


def test_story_takes_a_hotline_call_through_mediation_arbitration_and_court(engine):
    result = run_story(engine)
    dispute = engine.app.load(Dispute, result.dispute_id)
    complaint = engine.app.load(HotlineComplaint, result.complaint_id)

    assert complaint.dispute_id == result.dispute_id
    assert dispute.complaint_ids == [result.complaint_id]
    assert [(p["kind"], p["state"], p["outcome"]) for p in dispute.proceedings] == [
        ("MEDIATION", "LAPSED", "LAPSED_15D"),
        ("ARBITRATION", "CONCLUDED", "AWARD_NON_FINAL"),
        ("LITIGATION_FIRST", "CONCLUDED", "JUDGMENT"),
    ]
    assert [h["to_agency"] for h in dispute.handoffs] == ["hr", "court"]
    assert dispute.proceedings[1]["case_no"] == "（2026）区劳人仲案字第0412号"
    assert dispute.proceedings[2]["applicant"] == "EMPLOYER"
    assert dispute.resolution["amount_recovered_cny"] == Decimal("18600.00")
    assert dispute.status == "CLOSED"
    assert dispute.visible_to_agency("hr") and dispute.visible_to_agency("court")
    assert not dispute.visible_to_agency("justice")


def test_story_refuses_the_early_suit_naming_the_rule_and_article(engine):
    result = run_story(engine)
    assert "arbitration_precedes_litigation" in result.refused_early_suit
    assert "劳动争议调解仲裁法" in result.refused_early_suit


def test_refused_command_records_nothing_in_the_store(engine):
    result = run_story(engine)
    app = engine.app
    dispute = app.load(Dispute, result.dispute_id)
    app.dispute_command(dispute.id, "reopen", {"reason": "worker reports the judgment unpaid"}, actor=MEDIATOR_STAFF)
    before = app.recorder.max_notification_id()
    with pytest.raises(RouteRefused) as refusal:
        # A second employer suit while... the first instance concluded: arbitration route is open,
        # so ask for something the rules forbid outright: revocation without a final award.
        app.dispute_command(dispute.id, "request_handoff", {
            "kind": "AWARD_REVOCATION", "org_type": "INTERMEDIATE_COURT", "org_name": "市中级人民法院",
            "applicant": "EMPLOYER", "reason": "STATUTORY_ROUTE",
            "dossier": [{"doc_type": "APPLICATION", "title": "撤销仲裁裁决申请书", "sha256": "a" * 64}],
        }, actor=MEDIATOR_STAFF)
    assert refusal.value.rule_id == "revocation_needs_a_final_award"
    assert app.recorder.max_notification_id() == before


def test_case_numbers_are_issued_in_sequence_per_year(engine):
    first = run_story(engine)
    second = run_story(engine)
    numbers = [engine.app.load(Dispute, r.dispute_id).case_number for r in (first, second)]
    assert numbers == ["（2026）区工调字第0001号", "（2026）区工调字第0002号"]
    tickets = [engine.app.load(HotlineComplaint, r.complaint_id).ticket_no for r in (first, second)]
    assert tickets == ["12351-2026-000001", "12351-2026-000002"]


def test_story_state_survives_reopening_the_store(settings, clock):
    with bootstrap(settings, clock=clock) as engine:
        result = run_story(engine)
        expected = engine.app.load(Dispute, result.dispute_id).__dict__.copy()
    with bootstrap(settings, clock=clock) as reopened:
        assert reopened.app.load(Dispute, result.dispute_id).__dict__ == expected


def test_partner_of_another_agency_cannot_decide_a_handoff(engine):
    result = run_story(engine)
    dispute = engine.app.load(Dispute, result.dispute_id)
    hr_handoff = dispute.handoffs[0]["handoff_id"]
    from domain.errors import NotFound
    from domain.values import Actor, Agency, Role

    court = Actor("court-x", Role.PARTNER, Agency.COURT)
    engine.app.dispute_command(dispute.id, "reopen", {"reason": "re-examination"}, actor=MEDIATOR_STAFF)
    with pytest.raises(NotFound):
        engine.app.dispute_command(dispute.id, "receive_handoff", {"handoff_id": hr_handoff}, actor=court)
    assert HR_CLERK.agency.value == dispute.handoffs[0]["to_agency"]
