"""The journey a new user follows from the README, through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE


def test_staff_take_a_hotline_call_to_a_dispute_and_hand_it_to_the_hr_bureau(api):
    ticket = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "ASSISTANCE",
                                               "summary": "unpaid wages"})
    assert ticket.status_code == 201
    tid = ticket.json()["id"]
    assert api.post("staff", f"/complaints/{tid}/dispatch", {"to_org": "调解中心"}).status_code == 200
    assert api.post("staff", f"/complaints/{tid}/sign-for").status_code == 200
    converted = api.post("staff", f"/complaints/{tid}/convert-to-dispute",
                         {k: v for k, v in DISPUTE.items() if k != "summary"})
    assert converted.status_code == 201
    did = converted.json()["id"]
    assert api.get("staff", f"/complaints/{tid}").json()["dispute_id"] == did
    handoff = api.post("staff", f"/disputes/{did}/request-handoff", ARBITRATION_HANDOFF)
    assert handoff.status_code == 200
    hid = handoff.json()["data"]["handoff_id"]

    # The HR partner sees it and accepts it.
    seen = api.get("hr", f"/disputes/{did}")
    assert seen.status_code == 200
    assert seen.json()["claimants"][0]["person"]["name"] == "陈建国"
    accepted = api.post("hr", f"/disputes/{did}/accept-handoff",
                        {"handoff_id": hid, "receiving_case_no": "（2026）区劳人仲案字第0001号"})
    assert accepted.status_code == 200
    state = api.get("staff", f"/disputes/{did}").json()
    assert state["handoffs"][0]["state"] == "ACCEPTED"
    assert state["proceedings"][0]["state"] == "ACTIVE"
    assert {d["rule_id"] for d in state["deadlines"]} >= {"A3", "A8"}

    # The court partner cannot see it: 404, indistinguishable from an absent case.
    for path in (f"/disputes/{did}", f"/disputes/{did}/history"):
        assert api.get("court", path).status_code == 404
    assert api.post("court", f"/disputes/{did}/accept-handoff",
                    {"handoff_id": hid, "receiving_case_no": "x"}).status_code == 404

    # The auditor reads the history and the state as of an earlier version, masked, and cannot change it.
    history = api.get("auditor", f"/disputes/{did}/history").json()
    assert [e["type"] for e in history["events"]][:1] == ["Registered"]
    assert history["events"][0]["data"]["claimants"][0]["person"]["name"] == "陈**"
    assert all(e["actor"]["user_id"] for e in history["events"])
    earlier = api.get("auditor", f"/disputes/{did}", version=1).json()
    assert earlier["version"] == 1 and earlier["handoffs"] == [] and earlier["personal_data"] == "masked"
    assert api.post("auditor", f"/disputes/{did}/assign-caseworker", {"caseworker": "x"}).status_code == 403


def test_state_as_of_a_moment_and_diff_between_versions(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    first = api.get("staff", f"/disputes/{did}").json()
    api.post("staff", f"/disputes/{did}/assign-caseworker", {"caseworker": "centre-li"})
    as_of = api.get("auditor", f"/disputes/{did}", as_of=first["modified_at"]).json()
    assert as_of["version"] == 1 and as_of["caseworker"] is None
    diff = api.get("auditor", f"/disputes/{did}/diff", **{"from": 1, "to": 2}).json()
    assert {"path": "caseworker", "before": None, "after": "centre-li"} in diff["changes"]
    assert [e["type"] for e in diff["events"]] == ["CaseworkerAssigned"]


def test_route_refusal_names_rule_and_article_and_records_nothing(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    head = api.head()
    refused = api.post("staff", f"/disputes/{did}/request-handoff", {
        **ARBITRATION_HANDOFF, "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院"})
    assert refused.status_code == 409
    assert refused.json()["detail"]["rule"] == "arbitration_precedes_litigation"
    assert "劳动争议调解仲裁法" in refused.json()["detail"]["article"]
    assert api.head() == head


def test_staff_override_of_an_overridable_rule_is_recorded_for_auditors(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    override = api.post("staff", f"/disputes/{did}/request-handoff", {
        **ARBITRATION_HANDOFF, "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院",
        "override_reason": "court-originated case referred back by the court"})
    assert override.status_code == 200
    types = [e["type"] for e in api.get("auditor", f"/disputes/{did}/history").json()["events"]]
    assert "RouteRuleOverridden" in types


def test_staff_open_and_accept_a_union_mediation_through_the_api(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    opened = api.post("staff", f"/disputes/{did}/open-proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": "2026-03-02", "consent": {"worker": True, "employer": True}})
    assert opened.status_code == 200, opened.json()
    pid = opened.json()["data"]["proceeding_id"]
    assert api.post("staff", f"/disputes/{did}/accept-proceeding", {"proceeding_id": pid}).status_code == 200
    forged = api.post("staff", f"/disputes/{did}/open-proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": "2026-03-02", "consent": {"worker": True, "employer": True}, "_handoff_id": "x"})
    assert forged.status_code == 422


def test_risk_flags_can_be_lowered_and_claims_withdrawn_without_sending_empty_lists(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    raised = api.post("staff", f"/disputes/{did}/change-risk-flags", {"add": ["MEDIA_ATTENTION"], "reason": "媒体关注"})
    assert raised.status_code == 200, raised.text
    lowered = api.post("staff", f"/disputes/{did}/change-risk-flags", {"remove": ["MEDIA_ATTENTION"], "reason": "已回应"})
    assert lowered.status_code == 200, lowered.text
    assert api.get("staff", f"/disputes/{did}").json()["risk_flags"] == []
    added = api.post("staff", f"/disputes/{did}/amend-claims",
                     {"add": [{"kind": "OVERTIME", "amount_cny": "3000"}], "on": "2026-03-02"})
    assert added.status_code == 200, added.text
    claims = api.get("staff", f"/disputes/{did}").json()["claims"]
    withdrawn = api.post("staff", f"/disputes/{did}/amend-claims",
                         {"remove": [claims[0]["claim_id"]], "on": "2026-03-02"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert len(api.get("staff", f"/disputes/{did}").json()["claims"]) == 1


def test_a_partner_extends_only_its_own_tiers_periods(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    mediation = api.post("staff", f"/disputes/{did}/open-proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": "2026-03-02", "consent": {"worker": True, "employer": True}}).json()["data"]["proceeding_id"]
    assert api.post("staff", f"/disputes/{did}/accept-proceeding", {"proceeding_id": mediation}).status_code == 200
    hid = api.post("staff", f"/disputes/{did}/request-handoff", ARBITRATION_HANDOFF).json()["data"]["handoff_id"]
    assert api.post("hr", f"/disputes/{did}/accept-handoff",
                    {"handoff_id": hid, "receiving_case_no": "（2026）区劳人仲案字第0002号"}).status_code == 200
    deadlines = api.get("staff", f"/disputes/{did}").json()["deadlines"]
    award = next(d for d in deadlines if d["rule_id"] == "A8")
    extended = api.post("hr", f"/disputes/{did}/deadlines/{award['deadline_id']}/extend",
                        {"extension": 15, "approver": "仲裁委主任"})
    assert extended.status_code == 200, extended.text
    others = [d for d in deadlines if d["subject_id"] not in {award["subject_id"], hid}]
    assert others, "the dispute has a period that is not the HR bureau's"
    head = api.head()
    refused = api.post("hr", f"/disputes/{did}/deadlines/{others[0]['deadline_id']}/extend",
                       {"extension": 1, "approver": "仲裁委主任"})
    assert refused.status_code == 403 and api.head() == head
