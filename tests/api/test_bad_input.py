"""Bad input on every command: 422 naming the field, and nothing recorded."""

from __future__ import annotations

from fastapi.routing import APIRoute

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE, all_routes


def _post_routes(app) -> list[APIRoute]:
    routes = [r for r in all_routes(app) if "POST" in r.methods and r.path not in ("/auth/token", "/documents")
              and not r.path.startswith("/ui")]
    assert len(routes) > 40, "the route walk found too few commands to mean anything"
    return routes


def test_every_command_rejects_an_unknown_field_by_name_and_records_nothing(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    tid = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                            "summary": "q"}).json()["id"]
    failures = []
    for route in _post_routes(api.app):
        path = route.path.replace("{dispute_id}", did).replace("{complaint_id}", tid).replace("{deadline_id}", "x")
        head = api.head()
        response = api.post("staff", path, {"no_such_field": 1})
        body = response.json()
        if response.status_code != 422 or api.head() != head:
            failures.append(f"{route.path}: {response.status_code}")
        elif body["code"] != "invalid_input" or not body["detail"]["field"]:
            failures.append(f"{route.path}: {body}")
    assert failures == []


def test_every_command_with_required_fields_names_the_first_missing_one(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    tid = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                            "summary": "q"}).json()["id"]
    failures = []
    for route in _post_routes(api.app):
        path = route.path.replace("{dispute_id}", did).replace("{complaint_id}", tid).replace("{deadline_id}", "x")
        head = api.head()
        response = api.post("staff", path, {})
        if response.status_code == 422:
            if not response.json()["detail"]["field"] or api.head() != head:
                failures.append(f"{route.path}: {response.json()}")
        elif api.head() != head and response.status_code >= 400:
            failures.append(f"{route.path}: {response.status_code} recorded events")
    assert failures == []


def test_domain_validation_names_nested_fields(api):
    bad = {**DISPUTE, "claimants": [{"person": {"name": "x", "id_number": "110105194912310021"}}]}
    response = api.post("staff", "/disputes", bad)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "claimants[0].person.id_number"


def test_wrong_types_and_enums_name_the_field(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    wrong = api.post("staff", f"/disputes/{did}/request-handoff", {**ARBITRATION_HANDOFF, "kind": "DUEL"})
    assert wrong.status_code == 422 and wrong.json()["detail"]["field"] == "kind"
    date = api.post("staff", f"/disputes/{did}/request-handoff", {**ARBITRATION_HANDOFF, "on": "2026-13-01"})
    assert date.status_code == 422 and date.json()["detail"]["field"] == "on"
    early = api.post("staff", f"/disputes/{did}/request-handoff", {**ARBITRATION_HANDOFF, "on": "2020-01-01"})
    assert early.status_code == 422 and early.json()["detail"]["field"] == "on"


def test_body_over_one_mebibyte_is_413(api):
    response = api.client.post("/disputes", content=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                               headers={**api.headers["staff"], "content-type": "application/json"})
    assert response.status_code == 413


def test_malformed_json_is_422(api):
    response = api.client.post("/disputes", content=b"{not json", headers={**api.headers["staff"],
                                                                         "content-type": "application/json"})
    assert response.status_code == 422


def test_errors_carry_no_personal_data_and_no_stack_trace(api):
    bad = {**DISPUTE, "claimants": [{"person": {"name": "陈建国", "id_number": "110105194912310021",
                                                "phone": "13800138000"}}]}
    text = api.post("staff", "/disputes", bad).text
    assert "110105194912310021" not in text and "陈建国" not in text and "Traceback" not in text


def test_merging_into_an_unknown_or_closed_ticket_names_into_and_records_nothing(api):
    new = {"caller": {"phone": "13800138000"}, "category": "CONSULTATION", "summary": "q"}
    tid = api.post("staff", "/complaints", new).json()["id"]
    other = api.post("staff", "/complaints", new).json()["id"]
    assert api.post("staff", f"/complaints/{other}/merge", {"into": tid}).status_code == 200
    for into in ("00000000-0000-4000-8000-000000000000", other):  # unknown; merged, so it carries no case
        head = api.head()
        response = api.post("staff", f"/complaints/{tid}/merge", {"into": into})
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["field"] == "into"
        assert api.head() == head
