"""Every route declares its permission; each role meets exactly the answer its permission gives."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from api.access import PERMISSION_ATTRIBUTE, PUBLIC
from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE, ROLES, all_routes

OPEN_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def permissions_of(route: APIRoute) -> tuple[str, ...] | str | None:
    found = None
    for dependency in route.dependant.dependencies:
        marker = getattr(dependency.call, PERMISSION_ATTRIBUTE, None)
        if marker is not None:
            found = marker
    return found


def api_routes(app) -> list[APIRoute]:
    routes = all_routes(app)
    assert len(routes) > 60, "the route walk found too few routes to mean anything"
    return routes


def test_no_route_is_left_without_a_declared_permission(api):
    unguarded = [
        f"{sorted(route.methods)} {route.path}"
        for route in api_routes(api.app)
        if route.path not in OPEN_DOCS and route.path != "/auth/token" and permissions_of(route) is None
    ]
    assert unguarded == []


def test_every_route_declares_a_response_model(api):
    untyped = [route.path for route in api_routes(api.app)
               if route.response_model is None and not route.path.startswith("/ui")
               and getattr(route.response_class, "__name__", "") not in ("HTMLResponse", "RedirectResponse")
               and route.path not in ("/", "/metrics", "/disputes/{dispute_id}/documents/{sha256}")]
    assert untyped == []


def _fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


@pytest.fixture
def case_ids(api) -> dict[str, str]:
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.post("staff", f"/disputes/{did}/request-handoff", ARBITRATION_HANDOFF)
    tid = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                            "summary": "question"}).json()["id"]
    return {"dispute_id": did, "complaint_id": tid, "deadline_id": "unknown"}


def test_each_role_against_each_route(api, case_ids):
    """anonymous → 401; a role outside the route's permission → 403; an allowed role is never 401/403."""
    surprises = []
    for route in api_routes(api.app):
        allowed = permissions_of(route)
        if allowed is None or allowed == PUBLIC:
            continue
        path = _fill(route.path, case_ids)
        method = sorted(route.methods)[0]
        for role in [*ROLES, "anonymous"]:
            head = api.head()
            headers = api.headers[role]
            response = api.client.request(method, path, json={} if method == "POST" else None, headers=headers)
            if role == "anonymous":
                expected_ok = response.status_code == 401
            elif (ROLES[role][0]) not in allowed:
                expected_ok = response.status_code == 403
            else:
                expected_ok = response.status_code not in (401, 403)
            if method == "POST" and response.status_code >= 400 and api.head() != head:
                surprises.append(f"{role} {method} {route.path}: {response.status_code} recorded events")
            if not expected_ok:
                surprises.append(f"{role} {method} {route.path}: {response.status_code}")
    assert surprises == []


def test_partner_of_another_agency_gets_404_on_every_case_route(api, case_ids):
    did = case_ids["dispute_id"]
    for path in (f"/disputes/{did}", f"/disputes/{did}/history", f"/disputes/{did}/diff?from=1&to=1"):
        assert api.client.get(path, headers=api.headers["court"]).status_code == 404
        assert api.client.get(path, headers=api.headers["hr"]).status_code == 200


def test_partners_see_no_hotline_tickets(api, case_ids):
    assert api.get("hr", f"/complaints/{case_ids['complaint_id']}").status_code == 404


def test_withdrawn_handoff_before_receipt_hides_the_case_again(api, case_ids):
    did = case_ids["dispute_id"]
    hid = api.get("staff", f"/disputes/{did}").json()["handoffs"][0]["handoff_id"]
    assert api.post("staff", f"/disputes/{did}/withdraw-handoff", {"handoff_id": hid}).status_code == 200
    assert api.get("hr", f"/disputes/{did}").status_code == 404


def test_returned_handoff_stays_visible_read_only_to_its_agency(api, case_ids):
    did = case_ids["dispute_id"]
    hid = api.get("staff", f"/disputes/{did}").json()["handoffs"][0]["handoff_id"]
    rejected = api.post("hr", f"/disputes/{did}/reject-handoff", {
        "handoff_id": hid, "reason": "NO_JURISDICTION", "legal_basis": "劳动争议调解仲裁法 第21条",
        "advice_to_party": "向用人单位所在地仲裁委申请"})
    assert rejected.status_code == 200
    assert api.get("hr", f"/disputes/{did}").status_code == 200


def test_partner_cannot_run_another_tiers_commands(api, case_ids):
    did = case_ids["dispute_id"]
    refused = api.post("hr", f"/disputes/{did}/assign-caseworker", {"caseworker": "x"})
    assert refused.status_code == 403


def test_unauthenticated_and_expired_tokens_are_401(api, case_ids):
    did = case_ids["dispute_id"]
    assert api.client.get(f"/disputes/{did}").status_code == 401
    assert api.client.get(f"/disputes/{did}", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    api.engine.clock.advance(hours=2)
    assert api.get("staff", f"/disputes/{did}").status_code == 401
