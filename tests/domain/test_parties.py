"""Parties added after intake, and representatives of collective disputes."""

from __future__ import annotations

from helpers import DAY, HR_PARTNER, STAFF, accepted, after, document, intake_form, names, refused, registered, worker

from domain.errors import CommandNotAllowed, InvalidInput


def _collective(n: int = 12):
    return registered(intake_form(claimants=[worker(i) for i in range(n)]))


def test_adding_a_respondent_records_it_on_the_dispute():
    history = registered()
    new = accepted(history.events, lambda d: d.add_party(
        side="respondent", party={"kind": "PLATFORM_PARTNER", "organisation": {"name": "Rider Partner Co"}},
        on=DAY, actor=STAFF))
    assert names(new) == ["PartyAdded"]
    assert [r["kind"] for r in after(history.events, new).respondents] == ["EMPLOYER", "PLATFORM_PARTNER"]


def test_adding_a_party_restarts_the_award_clock_of_an_open_arbitration():
    history = registered()
    handoff_id, _ = history.do(lambda d: d.request_handoff(
        kind="ARBITRATION", org_type="ARBITRATION_COMMISSION", org_name="仲裁委", reason="PARTY_APPLICATION",
        dossier=[document()], on=DAY, actor=STAFF))
    history.do(lambda d: d.accept_handoff(handoff_id, receiving_case_no="仲1", on=DAY, actor=HR_PARTNER))
    before = next(x for x in history.state.deadlines if x["rule_id"] == "A8")
    new = accepted(history.events, lambda d: d.add_party(
        side="respondent", party={"kind": "DISPATCH_AGENCY", "organisation": {"name": "Dispatch Co"}},
        on="2025-03-20", actor=STAFF))
    restarted = next(x for x in after(history.events, new).deadlines if x["rule_id"] == "A8")
    assert [type(e).__name__ for e in new] == ["PartyAdded", "DeadlineRecomputed"]
    assert new[1].reason == "RESTART"
    assert restarted["start"] == "2025-03-20" and restarted["due_date"] > before["due_date"]


def test_an_added_party_is_validated_naming_its_fields():
    error = refused(registered().events, lambda d: d.add_party(
        side="claimant", party={"kind": "WORKER", "person": {"name": "x", "id_number": "110105194912310021"}},
        on=DAY, actor=STAFF), InvalidInput)
    assert error.field == "party.person.id_number"


def test_collective_dispute_elects_three_to_five_arbitration_representatives():
    history = _collective()
    ids = [c["party_id"] for c in history.state.claimants[:3]]
    new = accepted(history.events, lambda d: d.elect_representatives(
        party_ids=ids, scope="ARBITRATION", on=DAY, actor=STAFF))
    assert after(history.events, new).representatives[0]["party_ids"] == ids


def test_two_arbitration_representatives_are_too_few():
    history = _collective()
    ids = [c["party_id"] for c in history.state.claimants[:2]]
    error = refused(history.events, lambda d: d.elect_representatives(
        party_ids=ids, scope="ARBITRATION", on=DAY, actor=STAFF), InvalidInput)
    assert error.field == "party_ids"


def test_representatives_must_be_claimants_of_the_dispute():
    history = _collective()
    error = refused(history.events, lambda d: d.elect_representatives(
        party_ids=["nobody", "x", "y"], scope="ARBITRATION", on=DAY, actor=STAFF), InvalidInput)
    assert error.field == "party_ids[0]"


def test_an_individual_dispute_elects_no_representatives():
    history = registered()
    refused(history.events, lambda d: d.elect_representatives(
        party_ids=[history.state.claimants[0]["party_id"]], scope="MEDIATION", on=DAY, actor=STAFF),
        CommandNotAllowed)
