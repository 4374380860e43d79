"""Every route × every principal × every case state a partner agency meets: 0 unexpected 2xx.

tests/api/test_access.py proves that each role meets its route's permission (anonymous 401, outside the role
403, inside never 401/403) on one case handed to the HR bureau. This adds the dimensions it leaves out:

- expired tokens, of every role: 401 on every route that is not public;
- the case's state for each partner agency — handed to it, handed to another agency, never handed, handed and
  withdrawn before receipt: no 2xx on any route of a case the agency does not see, API and web UI alike. Its
  own commands are sent with well-formed bodies naming the case's real handoff and proceeding (and a deadline,
  a party, an uploaded document its dossier cites), so that only visibility stands between the request and a 2xx;
- its lists (JSON, CSV, the UI's pages) show nothing of a case it does not see;
- no principal outside a route's permission gets a 2xx, whatever the case.

Both stores (the ``api`` fixture).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from api.access import PARTNER_HANDOFF_COMMANDS, PARTNER_PROCEEDING_COMMANDS, PERMISSION_ATTRIBUTE, PUBLIC
from tests.api.conftest import (  # noqa: F401 - `api` is the fixture
    ARBITRATION_HANDOFF,
    DISPUTE,
    ROLES,
    Api,
    all_routes,
    api,
)

PARTNERS = ("hr", "court", "justice")
HANDOFFS = {
    "hr": ARBITRATION_HANDOFF,
    "court": {**ARBITRATION_HANDOFF, "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院",
              "override_reason": "court-originated case referred back by the court"},
    "justice": {**ARBITRATION_HANDOFF, "kind": "LEGAL_AID", "org_type": "LEGAL_AID_CENTRE", "org_name": "区法律援助中心"},
}


@dataclass
class Case:
    """One dispute in a known state, with the ids its routes need."""

    key: str
    visible_to: str | None  # the partner agency that sees it, if any
    dispute_id: str
    case_number: str
    handoff_id: str = "none"
    proceeding_id: str = "none"
    sha256: str = "0" * 64
    deadline_id: str = "unknown"
    party_id: str = "unknown"


def _register(api: Api) -> dict:
    registered = api.post("staff", "/disputes", DISPUTE)
    assert registered.status_code == 201, registered.text
    return registered.json()


def _upload(api: Api, title: str) -> str:
    """A PDF uploaded by staff; its SHA-256, to cite in a dossier."""
    uploaded = api.client.post("/documents", files={"file": (title, f"%PDF-1.4 {title}".encode(), "application/pdf")},
                               headers=api.headers["staff"])
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["sha256"]


def _case(api: Api, key: str, agency: str | None, visible: bool, withdraw: bool = False) -> Case:
    did = _register(api)["id"]
    case = Case(key, agency if visible else None, did, "")
    if agency is not None:
        cited = {"doc_type": "APPLICATION", "title": key, "sha256": _upload(api, key)}
        handoff = {**HANDOFFS[agency], "dossier": [cited]}
        requested = api.post("staff", f"/disputes/{did}/request-handoff", handoff)
        assert requested.status_code == 200, requested.text
        case.handoff_id = requested.json()["data"]["handoff_id"]
        case.proceeding_id = requested.json()["data"].get("proceeding_id") or "none"
        case.sha256 = handoff["dossier"][0]["sha256"]
        if withdraw:
            withdrawn = api.post("staff", f"/disputes/{did}/withdraw-handoff", {"handoff_id": case.handoff_id})
            assert withdrawn.status_code == 200, withdrawn.text
    state = api.get("staff", f"/disputes/{did}").json()
    case.case_number = state["case_number"]
    case.party_id = state["claimants"][0]["party_id"]
    case.deadline_id = next((d["deadline_id"] for d in state["deadlines"]), "unknown")
    return case


@pytest.fixture
def cases(api: Api) -> list[Case]:
    made = [_case(api, f"handed to {agency}", agency, True) for agency in PARTNERS]
    made.append(_case(api, "never handed", None, False))
    made.append(_case(api, "handed to hr, withdrawn before receipt", "hr", False, withdraw=True))
    api.engine.follower().run_once()  # the fixture runs no background views: build them once
    return made


@pytest.fixture
def complaint_id(api: Api) -> str:
    received = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                                 "summary": "question"})
    assert received.status_code == 201, received.text
    return received.json()["id"]


@pytest.fixture
def expired(api: Api) -> dict[str, dict[str, str]]:
    """A token of every role that has expired; the fixture's own tokens are issued afresh after it."""
    auth = api.app.state.auth

    def bearer(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.tokens.issue(auth.users.get(f'u-{name}')).access_token}"}

    old = {f"expired {name}": bearer(name) for name in ROLES}
    api.engine.clock.advance(minutes=auth.tokens.minutes + 1)
    api.headers.update({name: bearer(name) for name in ROLES})
    return old


def permissions_of(route) -> tuple[str, ...] | str | None:
    found = None
    for dependency in route.dependant.dependencies:
        found = getattr(dependency.call, PERMISSION_ATTRIBUTE, found)
    return found


def command_body(route, case: Case) -> dict:
    """A well-formed body for the partner commands and the other case commands; ``{}`` for the rest."""
    name = route.name
    ids = {"handoff_id": case.handoff_id, "proceeding_id": case.proceeding_id}
    bodies = {
        "receive_handoff": {"handoff_id": ids["handoff_id"]},
        "accept_handoff": {"handoff_id": ids["handoff_id"], "receiving_case_no": "（2026）仲案字第1号"},
        "reject_handoff": {"handoff_id": ids["handoff_id"], "reason": "NO_JURISDICTION", "legal_basis": "第21条",
                           "advice_to_party": "向有管辖权的机构申请"},
        "return_handoff_for_supplement": {"handoff_id": ids["handoff_id"], "missing": ["身份证明"]},
        "accept_proceeding": {"proceeding_id": ids["proceeding_id"]},
        "assign_mediator": {"proceeding_id": ids["proceeding_id"], "mediator": "m-1"},
        "conclude_proceeding": {"proceeding_id": ids["proceeding_id"], "outcome": "AWARD_NON_FINAL"},
        "hold_mediation_session": {"proceeding_id": ids["proceeding_id"], "mode": "IN_PERSON"},
        "record_service": {"proceeding_id": ids["proceeding_id"], "doc_type": "ARB_AWARD_NON_FINAL",
                           "party_side": "WORKER", "method": "DIRECT", "served_on": "2026-03-02"},
        "reject_proceeding": {"proceeding_id": ids["proceeding_id"], "reason": "NO_JURISDICTION",
                              "legal_basis": "第21条"},
        "resume_proceeding": {"proceeding_id": ids["proceeding_id"]},
        "return_proceeding_for_supplement": {"proceeding_id": ids["proceeding_id"], "missing": ["证据"]},
        "suspend_proceeding": {"proceeding_id": ids["proceeding_id"], "ground": "当事人申请"},
        "withdraw_proceeding": {"proceeding_id": ids["proceeding_id"], "withdrawn_by": "WORKER"},
    }
    assert set(bodies) == PARTNER_HANDOFF_COMMANDS | PARTNER_PROCEEDING_COMMANDS, "a partner command has no body here"
    if name in bodies:
        return bodies[name]
    if route.path.endswith("/extend"):
        return {"extension": 1, "approver": "主任"}
    if route.path.endswith("/erase"):
        return {"legal_basis": "个人信息保护法 第47条"}
    return {}


def fill(path: str, case: Case | None, complaint_id: str) -> str:
    values = {"complaint_id": complaint_id, "language": "en", "name": "ui.css", "command": "receive_handoff"}
    if case is not None:
        values |= {"dispute_id": case.dispute_id, "sha256": case.sha256, "deadline_id": case.deadline_id,
                   "party_id": case.party_id}
    return re.sub(r"{([^}:]+)(?::[^}]*)?}", lambda m: values[m.group(1)], path)


def _role(principal: str) -> str:
    return ROLES[principal][0] if principal in ROLES else principal


def may_succeed(permission, path: str, principal: str, case: Case | None) -> bool:
    """Whether a 2xx is allowed at all for this principal on this route and case."""
    if permission == PUBLIC:
        return True
    if principal == "anonymous" or principal.startswith("expired"):
        return False
    if _role(principal) not in permission:
        return False
    if _role(principal) == "partner":
        if "{complaint_id}" in path:
            return False  # 12351 tickets are the union's
        if case is not None and case.visible_to != principal:
            return False
    return True


def test_no_principal_gets_a_2xx_it_should_not_on_any_route_and_case(api: Api, cases: list[Case], complaint_id: str,
                                                                     expired: dict[str, dict[str, str]]) -> None:
    headers = {**api.headers, **expired}
    routes = [route for route in all_routes(api.app) if route.path != "/auth/token"]
    assert len(routes) > 80, "the route walk found too few routes to mean anything"
    surprises: list[str] = []
    answered = 0
    allowed_2xx = 0
    for route in routes:
        permission = permissions_of(route)
        on_a_case = "{dispute_id}" in route.path
        for method in sorted(route.methods - {"HEAD"}):
            for principal, sent_headers in headers.items():
                for case in cases if on_a_case else [None]:
                    allowed = may_succeed(permission, route.path, principal, case)
                    path = fill(route.path, case, complaint_id)
                    if method == "GET":
                        response = api.client.get(path, headers=sent_headers, follow_redirects=False)
                    elif not allowed and case is not None:  # a well-formed command: only visibility refuses it
                        body = command_body(route, case)
                        if route.path.startswith("/ui"):
                            response = api.client.post(path, data=body, headers=sent_headers,
                                                       follow_redirects=False)
                        else:
                            response = api.client.post(path, json=body, headers=sent_headers)
                    elif allowed:
                        continue  # a command its principal may run: not part of what is checked here
                    else:
                        response = api.client.request(method, path, json={}, headers=sent_headers,
                                                      follow_redirects=False)
                    answered += 1
                    ok = 200 <= response.status_code < 300
                    where = f"{principal} {method} {route.path} [{case.key if case else '-'}]"
                    if ok and not allowed:
                        surprises.append(f"{where}: {response.status_code} {response.text[:150]}")
                    if principal.startswith("expired") and permission != PUBLIC and response.status_code != 401:
                        surprises.append(f"{where}: {response.status_code}, expected 401 for an expired token")
                    allowed_2xx += ok and allowed
    print(f"authorization matrix: {answered} requests, {allowed_2xx} allowed 2xx, {len(surprises)} unexpected")
    assert surprises == []
    assert allowed_2xx > 100, "too few answers were 2xx for the matrix to mean anything"


def test_each_partner_reads_the_case_handed_to_it(api: Api, cases: list[Case]) -> None:
    """The positive side of the matrix: visibility is not refused across the board."""
    for case in cases:
        if case.visible_to is None:
            continue
        for path in (f"/disputes/{case.dispute_id}", f"/disputes/{case.dispute_id}/history",
                     f"/disputes/{case.dispute_id}/documents/{case.sha256}", f"/ui/cases/{case.dispute_id}"):
            assert api.client.get(path, headers=api.headers[case.visible_to]).status_code == 200, (case.key, path)


def test_a_partners_lists_show_nothing_of_a_case_it_does_not_see(api: Api, cases: list[Case]) -> None:
    surprises = []
    for partner in PARTNERS:
        hidden = [case for case in cases if case.visible_to != partner]
        seen = [case for case in cases if case.visible_to == partner]
        for path in ("/disputes?limit=500", "/handoffs?limit=500", "/disputes?format=csv", "/handoffs?format=csv",
                     "/ui/", "/ui/inbox"):
            response = api.client.get(path, headers=api.headers[partner])
            assert response.status_code == 200, (partner, path, response.text[:200])
            for case in hidden:
                if case.dispute_id in response.text or case.case_number in response.text:
                    surprises.append(f"{partner} {path}: shows {case.key}")
        listed = api.get(partner, "/handoffs", limit=500).json()["items"]
        if {item["dispute_id"] for item in listed} != {case.dispute_id for case in seen}:
            surprises.append(f"{partner} /handoffs: {[item['dispute_id'] for item in listed]}")
    assert surprises == []
