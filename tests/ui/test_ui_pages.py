"""The pages over HTTP, on both stores: sign-in and sessions, CSRF, roles and visibility, masking, every
form's refusal beside its field with nothing recorded, languages, static files."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from api.access import PERMISSION_ATTRIBUTE, PUBLIC
from api.ui.i18n import LOCAL_ZONE
from domain.dispute import Dispute
from domain.values import Actor, Agency, Role
from tests.ui.conftest import HTML, PASSWORD, USERS, Ui, sign_in

STAFF = Actor("u-staff", Role.STAFF, Agency.UNION)
HR = Actor("u-hr", Role.PARTNER, Agency.HR)
DISPUTE = {
    "summary": "三个月工资未发",
    "claimants": [{"kind": "WORKER", "person": {"name": "陈建国", "id_number": "11010519491231002X",
                                                "phone": "13800138000"}}],
    "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "恒达家具有限公司"}}],
    "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}],
    "workplace": {"street": "城关街道"},
}
INTAKE_FORM = {
    "summary": "三个月工资未发", "origin": "WALK_IN", "claimants[0].kind": "WORKER",
    "claimants[0].person.name": "陈建国", "claimants[0].person.id_number": "11010519491231002X",
    "respondents[0].kind": "EMPLOYER", "respondents[0].organisation.name": "恒达家具有限公司",
    "claims[0].kind": "WAGE", "claims[0].amount_cny": "18600",
}


def doc(title: str) -> dict[str, str]:
    return {"doc_type": "APPLICATION", "title": title, "sha256": hashlib.sha256(title.encode()).hexdigest()}


def handed_to_hr(ui: Ui) -> tuple[str, str]:
    """A dispute handed to the HR bureau's arbitration commission: (dispute id, handoff id)."""
    app = ui.engine.app
    dispute_id = app.register_dispute(DISPUTE, actor=STAFF).id
    result = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
        "reason": "PARTY_APPLICATION", "dossier": [doc("仲裁申请书")]}, actor=STAFF)
    return dispute_id, result.data["handoff_id"]


def error_beside(html: str, field: str, command: str | None = None, key: str | None = None) -> str | None:
    """The message shown beside ``field`` (its ``data-field`` block, in ``command``'s form if given, or in
    the form of the action whose element id is ``key`` when a command has several)."""
    if key is not None:
        html = html.split(f'id="{key}"', 1)[1].split('<div class="action"', 1)[0]
    elif command is not None:
        html = html.split(f'data-command="{command}"', 1)[1].split('<div class="action"', 1)[0]
    block = re.search(rf'data-field="{re.escape(field)}".*?(?=<div class="field|<fieldset class="group|</form>)', html,
                      re.S)
    if block is None:
        return None
    found = re.search(r'class="field-error"[^>]*>([^<]+)<', block.group(0))
    return found.group(1) if found else None


# --------------------------------------------------------------------------- sessions


def test_a_browser_without_a_session_is_sent_to_the_sign_in_page(ui):
    answer = ui.get("anonymous", "/ui/queue?tab=due")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2Fqueue%3Ftab%3Ddue"


def test_an_api_client_without_a_session_gets_401(ui):
    assert ui.clients["anonymous"].get("/ui/queue").status_code == 401


def test_the_root_redirects_to_the_ui(ui):
    answer = ui.clients["anonymous"].get("/", follow_redirects=False)
    assert answer.headers["location"] == "/ui/"


def test_the_session_cookie_is_httponly_lax_and_scoped_to_the_ui(ui):
    client = ui.clients["anonymous"]
    page = client.get("/ui/login", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/ui/login", data={"username": "u-staff", "password": PASSWORD, "csrf_token": token},
                         headers=HTML, follow_redirects=False)
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("de_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(ui):
    from fastapi.testclient import TestClient

    client = TestClient(ui.app, base_url="https://testserver")
    page = client.get("/ui/login", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/ui/login", data={"username": "u-staff", "password": PASSWORD, "csrf_token": token},
                         headers=HTML, follow_redirects=False)
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("de_session="))
    assert "Secure" in cookie


def test_a_wrong_password_is_told_beside_the_password_field(ui):
    client = ui.clients["anonymous"]
    page = client.get("/ui/login", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/ui/login", data={"username": "u-staff", "password": "wrong", "csrf_token": token},
                         headers=HTML)
    assert answer.status_code == 401
    assert error_beside(answer.text, "password") == "用户名或密码不正确。"
    assert "de_session=" not in answer.headers.get("set-cookie", "")


def test_sign_in_without_the_forms_token_is_refused(ui):
    answer = ui.clients["anonymous"].post("/ui/login", data={"username": "u-staff", "password": PASSWORD},
                                          headers=HTML, follow_redirects=False)
    assert answer.status_code == 403


def test_signing_out_ends_the_session(ui):
    answer = ui.post("staff", "/ui/logout", {})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/login"
    assert ui.get("staff", "/ui/queue").status_code == 303


def test_an_expired_session_asks_to_sign_in_again(ui):
    ui.engine.clock.advance(hours=1)
    answer = ui.get("staff", "/ui/queue")
    assert answer.status_code == 303 and "expired=1" in answer.headers["location"]


def test_a_session_past_half_its_life_is_renewed(ui):
    ui.engine.clock.advance(minutes=20)
    answer = ui.get("staff", "/ui/disputes/new")
    assert answer.status_code == 200 and "de_session=" in answer.headers.get("set-cookie", "")
    ui.engine.clock.advance(minutes=20)
    assert ui.get("staff", "/ui/disputes/new").status_code == 200


# --------------------------------------------------------------------------- CSRF and roles


def test_a_post_without_the_csrf_token_is_403_and_records_nothing(ui):
    head = ui.head()
    answer = ui.post("staff", "/ui/disputes/new", INTAKE_FORM, csrf=False)
    assert answer.status_code == 403
    assert ui.head() == head


def test_a_post_with_another_sessions_csrf_token_is_403(ui):
    foreign = ui.csrf("auditor")
    head = ui.head()
    answer = ui.post("staff", "/ui/disputes/new", {**INTAKE_FORM, "csrf_token": foreign}, csrf=False)
    assert answer.status_code == 403 and ui.head() == head


def test_each_role_lands_on_its_own_home_page(ui):
    assert ui.get("staff", "/ui/").headers["location"] == "/ui/queue"
    assert ui.get("hr", "/ui/").headers["location"] == "/ui/inbox"
    assert ui.get("auditor", "/ui/").headers["location"] == "/ui/audit"
    assert ui.get("admin", "/ui/").status_code == 200


@pytest.mark.parametrize(("role", "path"), [("hr", "/ui/queue"), ("auditor", "/ui/disputes/new"),
                                            ("staff", "/ui/inbox"), ("court", "/ui/dashboard")])
def test_a_role_outside_a_pages_permission_gets_a_403_page(ui, role, path):
    answer = ui.get(role, path)
    assert answer.status_code == 403 and "无权操作" in answer.text


def ui_routes(app) -> list:
    """The UI's APIRoutes. FastAPI 0.165 keeps included routers as ``_IncludedRouter`` entries in
    ``app.routes``, so walk into them."""
    from fastapi.routing import APIRoute

    def flat(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from flat(route.original_router.routes)
            else:
                yield route

    return [r for r in flat(app.routes)
            if isinstance(r, APIRoute) and r.path.startswith("/ui")]


def permission_of(route) -> tuple[str, ...] | str | None:
    found = None
    for dependency in route.dependant.dependencies:
        found = getattr(dependency.call, PERMISSION_ATTRIBUTE, None) or found
    return found


def test_every_ui_route_declares_its_permission_and_a_response_model(ui):
    routes = ui_routes(ui.app)
    assert len(routes) > 20
    assert [r.path for r in routes if permission_of(r) is None] == []
    assert [r.path for r in routes if r.response_model is None] == []
    public = sorted({r.path for r in routes if permission_of(r) == PUBLIC})
    assert public == ["/ui/lang/{language}", "/ui/login", "/ui/static/{name}"]


def test_each_role_against_each_ui_route(ui):
    """As tests/api/test_access.py does for the API: anonymous 401, a role outside 403, an allowed role
    never 401/403, and a refused POST records nothing."""
    dispute_id, _ = handed_to_hr(ui)
    ticket = ui.engine.app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                              "summary": "咨询"}, actor=STAFF)
    ids = {"dispute_id": dispute_id, "complaint_id": ticket.id, "command": "assign_caseworker"}
    auth = ui.app.state.auth
    bearer = {role: {"Authorization": f"Bearer {auth.tokens.issue(auth.users.get(user)).access_token}"}
              for role, (user, _, _) in USERS.items()}
    bearer["anonymous"] = {}
    roles = {role: kind for role, (_, kind, _) in USERS.items()}
    surprises = []
    for route in ui_routes(ui.app):
        allowed = permission_of(route)
        if allowed == PUBLIC:
            continue
        path = route.path
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        method = sorted(route.methods)[0]
        for role, headers in bearer.items():
            head = ui.head()
            answer = ui.clients["anonymous"].request(method, path, headers=headers, follow_redirects=False,
                                                     data={} if method == "POST" else None)
            if role == "anonymous":
                expected = answer.status_code == 401
            elif roles[role] not in allowed:
                expected = answer.status_code == 403
            else:
                expected = answer.status_code not in (401, 403)
            if method == "POST" and answer.status_code >= 400 and ui.head() != head:
                surprises.append(f"{role} {method} {route.path}: {answer.status_code} recorded events")
            if not expected:
                surprises.append(f"{role} {method} {route.path}: {answer.status_code}")
    assert surprises == []


def test_another_agencys_partner_gets_the_404_page_for_a_case_not_handed_to_it(ui):
    dispute_id, _ = handed_to_hr(ui)
    for path in (f"/ui/cases/{dispute_id}", f"/ui/cases/{dispute_id}/history", f"/ui/cases/{dispute_id}/diff"):
        assert ui.get("court", path).status_code == 404
        assert ui.get("hr", path).status_code == 200
    answer = ui.get("court", f"/ui/cases/{dispute_id}")
    assert "案件不存在，或您所在单位无权查看。" in answer.text


def test_partners_see_no_hotline_tickets(ui):
    ticket = ui.engine.app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                              "summary": "咨询"}, actor=STAFF)
    assert ui.get("hr", f"/ui/complaints/{ticket.id}").status_code == 404


def test_auditors_read_masked_personal_data_and_get_no_forms(ui):
    dispute_id, _ = handed_to_hr(ui)
    audited = ui.get("auditor", f"/ui/cases/{dispute_id}")
    assert "陈**" in audited.text and "陈建国" not in audited.text
    assert "110105********002X" in audited.text
    assert "<form method=\"post\" action=\"/ui/cases/" not in audited.text
    assert "陈建国" in ui.get("staff", f"/ui/cases/{dispute_id}").text
    assert "陈建国" in ui.get("hr", f"/ui/cases/{dispute_id}").text


def test_a_partner_is_offered_only_its_own_handoffs_steps(ui):
    dispute_id, _ = handed_to_hr(ui)
    offered = set(re.findall(r'data-command="([a-z_]+)"', ui.get("hr", f"/ui/cases/{dispute_id}").text))
    assert offered == {"receive_handoff", "return_handoff_for_supplement", "accept_handoff", "reject_handoff"}
    staff = set(re.findall(r'data-command="([a-z_]+)"', ui.get("staff", f"/ui/cases/{dispute_id}").text))
    assert "withdraw_handoff" in staff and "accept_handoff" not in staff


# --------------------------------------------------------------------------- forms refuse bad input


def test_dispute_intake_with_a_bad_id_number_says_so_beside_it_and_records_nothing(ui):
    head = ui.head()
    answer = ui.post("staff", "/ui/disputes/new",
                     {**INTAKE_FORM, "claimants[0].person.id_number": "110105194912310021"})
    assert answer.status_code == 422
    assert error_beside(answer.text, "claimants[0].person.id_number") == "身份证号码无效（校验位不符）。"
    assert 'value="110105194912310021"' in answer.text  # what was typed stays
    assert ui.head() == head


def test_dispute_intake_lists_every_missing_required_field_at_once(ui):
    head = ui.head()
    answer = ui.post("staff", "/ui/disputes/new", {"origin": "WALK_IN"})
    assert answer.status_code == 422
    for field in ("summary", "claimants[0].person.name", "respondents[0].organisation.name", "claims[0].kind"):
        assert error_beside(answer.text, field) == "此项必填。"
    assert ui.head() == head


def test_dispute_intake_registers_and_shows_the_case(ui):
    answer = ui.post("staff", "/ui/disputes/new", {**INTAKE_FORM, "form_id": "f1"})
    assert answer.status_code == 303
    case = ui.get("staff", answer.headers["location"])
    assert "已完成：登记受理" in case.text and "¥18,600.00" in case.text and "2026年3月2日" in case.text


def test_an_intake_sent_twice_registers_one_dispute(ui):
    first = ui.post("staff", "/ui/disputes/new", {**INTAKE_FORM, "form_id": "same-form"})
    head = ui.head()
    again = ui.post("staff", "/ui/disputes/new", {**INTAKE_FORM, "form_id": "same-form"})
    assert again.headers["location"] == first.headers["location"]
    assert ui.head() == head


def test_complaint_intake_with_a_bad_phone_says_so_beside_it(ui):
    head = ui.head()
    answer = ui.post("staff", "/ui/complaints/new", {"category": "ASSISTANCE", "summary": "欠薪求助",
                                                    "caller.phone": "12345"})
    assert answer.status_code == 422
    assert error_beside(answer.text, "caller.phone") == "请填写 11 位手机号码或带区号的固定电话。"
    assert ui.head() == head


def test_free_text_with_a_phone_number_is_refused_beside_it(ui):
    head = ui.head()
    answer = ui.post("staff", "/ui/disputes/new", {**INTAKE_FORM, "summary": "请回电 13800138000"})
    assert answer.status_code == 422
    assert error_beside(answer.text, "summary") == "此处不得填写身份证号或手机号，请填入当事人或来电人栏目。"
    assert ui.head() == head


@pytest.mark.parametrize(("role", "command", "form", "field", "message"), [
    ("staff", "assign_caseworker", {"caseworker": ""}, "caseworker", "此项必填。"),
    ("staff", "request_handoff", {"kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
                                  "reason": "PARTY_APPLICATION", "dossier[0].doc_type": "APPLICATION",
                                  "dossier[0].title": "申请书", "dossier[0].sha256": "xyz", "on": "2026-03-02"},
     "dossier[0].sha256", "应为 64 位十六进制的 SHA-256 摘要。"),
    ("staff", "request_handoff", {"kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
                                  "reason": "PARTY_APPLICATION", "on": "2026-03-02"},
     "dossier[0].doc_type", "移送至少须附申请书。"),
    ("staff", "open_proceeding", {"kind": "MEDIATION", "org_type": "BASIC_COURT", "org_name": "法院",
                                  "received_on": "2026-03-02"}, "org_type", "该类机构不办理此类程序。"),
    ("staff", "open_proceeding", {"kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
                                  "received_on": "2026-02-01"}, "received_on", "早于案件受理日期（2026-03-02）。"),
    ("hr", "accept_handoff", {"receiving_case_no": "", "on": "2026-03-02"}, "receiving_case_no", "此项必填。"),
    ("hr", "accept_handoff", {"receiving_case_no": "（2026）劳人仲字1号", "on": "2026-02-28"}, "on",
     "早于移送日期（2026-03-02）。"),
    ("hr", "return_handoff_for_supplement", {"missing": "", "on": "2026-03-02"}, "missing", "此项必填。"),
    ("hr", "reject_handoff", {"reason": "NO_JURISDICTION", "legal_basis": "", "advice_to_party": "向有管辖权的仲裁委申请",
                              "on": "2026-03-02"}, "legal_basis", "此项必填。"),
    ("staff", "change_risk_flags", {"reason": "工人聚集"}, "add", "内容没有变化。"),
    ("staff", "change_risk_flags", {"add": "GROUP_INCIDENT_RISK", "reason": ""}, "reason", "此项必填。"),
    ("staff", "amend_claims", {"add[0].kind": "OVERTIME", "add[0].amount_cny": "1.234", "on": "2026-03-02"},
     "add[0].amount_cny", "金额最多保留两位小数（分）。"),
    ("staff", "amend_claims", {"on": "2026-03-02"}, "add[0].kind", "请撤回或新增至少一项请求事项。"),
    ("staff", "add_party", {"side": "claimant", "party.kind": "WORKER", "party.person.name": "李四",
                            "party.person.id_number": "110105194912310021", "on": "2026-03-02"},
     "party.person.id_number", "身份证号码无效（校验位不符）。"),
    ("staff", "add_party", {"side": "respondent", "party.kind": "EMPLOYER", "party.organisation.name": "",
                            "on": "2026-03-02"}, "party.organisation.name", "此项必填。"),
])
def test_every_case_form_refuses_bad_input_beside_the_field_and_records_nothing(ui, role, command, form, field,
                                                                                message):
    dispute_id, handoff_id = handed_to_hr(ui)
    subject = {"handoff_id": handoff_id} if "handoff" in command and command != "request_handoff" else {}
    head = ui.head()
    answer = ui.post(role, f"/ui/cases/{dispute_id}/actions/{command}", {**form, **subject})
    assert answer.status_code == 422, answer.text[:400]
    side = form.get("side")
    assert error_beside(answer.text, field, command, f"action-{command}-{side}" if side else None) == message
    assert ui.head() == head


def test_a_refused_route_names_its_article_and_records_nothing(ui):
    dispute_id = ui.engine.app.register_dispute(DISPUTE, actor=STAFF).id
    head = ui.head()
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/request_handoff", {
        "kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院", "reason": "PARTY_APPLICATION",
        "dossier[0].doc_type": "COMPLAINT", "dossier[0].title": "起诉状", "dossier[0].sha256": "a" * 64,
        "on": "2026-03-02"})
    assert answer.status_code == 409
    assert "程序规则不允许：劳动争议须先经仲裁方可起诉（先裁后审）" in answer.text
    assert "劳动争议调解仲裁法 第5条" in answer.text
    assert ui.head() == head


def test_a_form_from_an_older_version_of_the_case_is_refused(ui):
    dispute_id, _ = handed_to_hr(ui)
    head = ui.head()
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/assign_caseworker",
                     {"caseworker": "u-staff", "version": "1"})
    assert answer.status_code == 412 and "请刷新后重试" in answer.text
    assert ui.head() == head


def test_a_step_the_stage_tables_do_not_offer_now_is_refused(ui):
    dispute_id, handoff_id = handed_to_hr(ui)
    head = ui.head()
    answer = ui.post("hr", f"/ui/cases/{dispute_id}/actions/resubmit_handoff",
                     {"handoff_id": handoff_id, "on": "2026-03-02"})
    assert answer.status_code == 409 and ui.head() == head


def offered(html: str) -> set[str]:
    return set(re.findall(r'data-command="([a-z_]+)"', html))


def collective(ui: Ui, workers: int = 4) -> str:
    """A collective dispute (performance of a collective contract) with ``workers`` claimants."""
    names = ["王一", "王二", "王三", "王四", "王五", "王六"][:workers]
    return ui.engine.app.register_dispute({
        **DISPUTE, "case_types": ["COLLECTIVE_CONTRACT_PERFORMANCE"],
        "claimants": [{"kind": "WORKER", "person": {"name": name}} for name in names]}, actor=STAFF).id


def test_staff_keep_the_case_record_while_it_is_open_and_nobody_else_is_offered_to(ui):
    dispute_id, _ = handed_to_hr(ui)
    record = {"change_risk_flags", "amend_claims", "add_party"}
    assert record <= offered(ui.get("staff", f"/ui/cases/{dispute_id}").text)
    assert not record & offered(ui.get("hr", f"/ui/cases/{dispute_id}").text)
    assert not offered(ui.get("auditor", f"/ui/cases/{dispute_id}").text)
    closed = ui.engine.app.register_dispute(DISPUTE, actor=STAFF).id
    ui.engine.app.dispute_command(closed, "close", {"reason": "WITHDRAWN"}, actor=STAFF)
    assert offered(ui.get("staff", f"/ui/cases/{closed}").text) == {"reopen"}


def test_a_partner_posting_a_staff_command_is_refused_and_nothing_is_recorded(ui):
    dispute_id, _ = handed_to_hr(ui)
    head = ui.head()
    answer = ui.post("hr", f"/ui/cases/{dispute_id}/actions/change_risk_flags",
                     {"add": "MEDIA_ATTENTION", "reason": "舆情"})
    assert answer.status_code == 409 and ui.head() == head


def test_risk_flags_are_raised_and_lowered_with_a_reason(ui):
    dispute_id = ui.engine.app.register_dispute({**DISPUTE, "risk_flags": ["MINOR"]}, actor=STAFF).id
    page = ui.get("staff", f"/ui/cases/{dispute_id}").text
    form = page.split('data-command="change_risk_flags"', 1)[1].split('<div class="action"', 1)[0]
    assert 'name="add" value="MINOR"' not in form and 'name="remove" value="MINOR"' in form
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/change_risk_flags",
                     {"add": "GROUP_INCIDENT_RISK", "remove": "MINOR", "reason": "三十余名工人聚集讨薪"})
    assert answer.status_code == 303
    assert ui.engine.app.load(Dispute, dispute_id).risk_flags == ["GROUP_INCIDENT_RISK"]
    page = ui.get("staff", answer.headers["location"]).text
    assert "已完成：调整风险标识" in page and "群体性事件风险" in page


def test_claims_are_amended_and_a_withdrawal_names_the_claim_by_its_kind_and_amount(ui):
    dispute_id, _ = handed_to_hr(ui)
    page = ui.get("staff", f"/ui/cases/{dispute_id}").text
    form = page.split('data-command="amend_claims"', 1)[1].split('<div class="action"', 1)[0]
    assert "拖欠工资 ¥18,600.00" in form
    head = ui.head()
    [claim_id] = re.findall(r'name="remove" value="([^"]+)"', form)
    kept = ui.post("staff", f"/ui/cases/{dispute_id}/actions/amend_claims", {"remove": claim_id, "on": "2026-03-02"})
    assert kept.status_code == 422 and ui.head() == head
    assert error_beside(kept.text, "remove", "amend_claims") == "案件至少须保留一项请求事项。"
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/amend_claims", {
        "remove": claim_id, "add[1].kind": "OVERTIME", "add[1].amount_cny": "3200", "on": "2026-03-02"})
    assert answer.status_code == 303
    claims = ui.get("staff", answer.headers["location"]).text.split('id="h-claims"', 1)[1].split("</section>", 1)[0]
    assert "加班费" in claims and "¥3,200.00" in claims and "拖欠工资" not in claims


def test_a_party_is_added_on_the_side_its_form_is_for(ui):
    dispute_id, _ = handed_to_hr(ui)
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/add_party", {
        "side": "respondent", "party.kind": "GENERAL_CONTRACTOR", "party.organisation.name": "鸿运建设集团有限公司",
        "on": "2026-03-02"})
    assert answer.status_code == 303
    parties = ui.get("staff", answer.headers["location"]).text.split('id="h-parties"', 1)[1].split("</section>", 1)[0]
    assert "施工总承包单位" in parties and "鸿运建设集团有限公司" in parties


def test_a_side_no_form_is_for_is_refused(ui):
    dispute_id, _ = handed_to_hr(ui)
    head = ui.head()
    answer = ui.post("staff", f"/ui/cases/{dispute_id}/actions/add_party", {
        "side": "witness", "party.organisation.name": "某公司", "on": "2026-03-02"})
    assert answer.status_code == 409 and ui.head() == head


def test_representatives_are_elected_only_in_a_collective_dispute(ui):
    individual, _ = handed_to_hr(ui)
    assert "elect_representatives" not in offered(ui.get("staff", f"/ui/cases/{individual}").text)
    dispute_id = collective(ui)
    page = ui.get("staff", f"/ui/cases/{dispute_id}").text
    form = page.split('data-command="elect_representatives"', 1)[1].split('<div class="action"', 1)[0]
    choices = dict((name, value) for value, name in re.findall(
        r'name="party_ids" value="([^"]+)"[^>]*> ([^<]+)</label>', form))
    assert sorted(choices) == ["王一", "王三", "王二", "王四"]
    head = ui.head()
    two = ui.post("staff", f"/ui/cases/{dispute_id}/actions/elect_representatives", {
        "scope": "ARBITRATION", "party_ids": [choices["王一"], choices["王二"]], "on": "2026-03-02"})
    assert two.status_code == 422 and ui.head() == head
    assert error_beside(two.text, "party_ids", "elect_representatives") == "请推选 3 至 5 名代表人。"
    three = ui.post("staff", f"/ui/cases/{dispute_id}/actions/elect_representatives", {
        "scope": "ARBITRATION", "party_ids": [choices["王一"], choices["王二"], choices["王三"]], "on": "2026-03-02"})
    assert three.status_code == 303
    parties = ui.get("staff", three.headers["location"]).text.split('id="h-parties"', 1)[1].split("</section>", 1)[0]
    assert parties.count("代表人（仲裁）") == 3


def accepted_by_hr(ui: Ui) -> str:
    """A dispute whose arbitration the HR bureau accepted: its award period (A8, 45 days, +15 with the
    chair's approval) is running."""
    dispute_id, handoff_id = handed_to_hr(ui)
    ui.engine.app.dispute_command(dispute_id, "accept_handoff", {
        "handoff_id": handoff_id, "receiving_case_no": "（2026）区劳人仲案字第1号"}, actor=HR)
    return dispute_id


def extension_forms(html: str) -> list[str]:
    return re.findall(r'id="action-extend_deadline-([^"]+)"', html)


def test_only_a_deadline_whose_rule_allows_an_extension_is_offered_one(ui):
    dispute_id, _ = handed_to_hr(ui)
    assert extension_forms(ui.get("staff", f"/ui/cases/{dispute_id}").text) == []
    dispute_id = accepted_by_hr(ui)
    page = ui.get("staff", f"/ui/cases/{dispute_id}").text
    [a8] = [d["deadline_id"] for d in ui.engine.app.load(Dispute, dispute_id).deadlines
            if d["rule_id"] == "A8" and d["status"] == "OPEN"]
    assert extension_forms(page) == [a8]
    assert "最多还可延长 15日。" in page
    assert extension_forms(ui.get("hr", f"/ui/cases/{dispute_id}").text) == []


def test_an_extension_over_the_rules_cap_is_refused_beside_it_and_one_within_moves_the_due_date(ui):
    dispute_id = accepted_by_hr(ui)
    [a8] = [d for d in ui.engine.app.load(Dispute, dispute_id).deadlines if d["rule_id"] == "A8"]
    path = f"/ui/cases/{dispute_id}/actions/extend_deadline"
    head = ui.head()
    over = ui.post("staff", path, {"deadline_id": a8["deadline_id"], "extension": "16", "approver": "仲裁委主任张明"})
    assert over.status_code == 422 and ui.head() == head
    assert error_beside(over.text, "extension", "extend_deadline") == "该期限合计最多可延长 15 日（本次延长后合计 16 日）。"
    words = ui.post("staff", path, {"deadline_id": a8["deadline_id"], "extension": "十五", "approver": "张明"})
    assert error_beside(words.text, "extension", "extend_deadline") == "请填写大于零的整数。"
    assert ui.head() == head
    done = ui.post("staff", path, {"deadline_id": a8["deadline_id"], "extension": "10", "approver": "仲裁委主任张明"})
    assert done.status_code == 303
    [moved] = [d for d in ui.engine.app.load(Dispute, dispute_id).deadlines if d["deadline_id"] == a8["deadline_id"]]
    assert moved["due_date"] > a8["due_date"]
    assert "最多还可延长 5日。" in ui.get("staff", done.headers["location"]).text


def test_a_ticket_is_merged_into_another_by_its_ticket_number(ui):
    app = ui.engine.app
    first = app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "ASSISTANCE",
                                   "summary": "欠薪"}, actor=STAFF)
    duplicate = app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "ASSISTANCE",
                                       "summary": "再次来电反映欠薪"}, actor=STAFF)
    ui.catch_up()
    assert "merge" in offered(ui.get("staff", f"/ui/complaints/{duplicate.id}").text)
    path = f"/ui/complaints/{duplicate.id}/actions/merge"
    head = ui.head()
    unknown = ui.post("staff", path, {"into": "12351-2026-999999"})
    assert unknown.status_code == 422 and error_beside(unknown.text, "into", "merge") == "没有此工单号的工单。"
    itself = ui.post("staff", path, {"into": duplicate.data["ticket_no"]})
    assert itself.status_code == 422 and error_beside(itself.text, "into", "merge") == "工单不能并入其自身。"
    assert ui.head() == head
    merged = ui.post("staff", path, {"into": first.data["ticket_no"]})
    assert merged.status_code == 303
    page = ui.get("staff", merged.headers["location"]).text
    assert "已完成：合并工单" in page and "已合并" in page and f'href="/ui/complaints/{first.id}"' in page
    assert offered(page) == set()


def test_the_list_tabs_keep_the_search(ui):
    for role, path in (("staff", "/ui/queue"), ("staff", "/ui/tickets"), ("hr", "/ui/inbox")):
        page = ui.get(role, f"{path}?tab=all&q=%E6%81%92%E8%BE%BE").text
        assert f'href="{path}?tab=overdue&q=%E6%81%92%E8%BE%BE"' in page


def test_htmx_gets_the_form_back_with_its_errors_and_a_redirect_on_success(ui):
    dispute_id, handoff_id = handed_to_hr(ui)
    htmx = {"HX-Request": "true", "X-CSRF-Token": ui.csrf("hr")}
    client = ui.clients["hr"]
    refused = client.post(f"/ui/cases/{dispute_id}/actions/accept_handoff",
                          data={"handoff_id": handoff_id, "receiving_case_no": "", "on": "2026-03-02"}, headers=htmx)
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<div class="action"')
    accepted = client.post(f"/ui/cases/{dispute_id}/actions/accept_handoff",
                           data={"handoff_id": handoff_id, "receiving_case_no": "（2026）区劳人仲案字第1号",
                                 "on": "2026-03-02"}, headers=htmx)
    assert accepted.status_code == 204
    assert accepted.headers["HX-Redirect"] == f"/ui/cases/{dispute_id}?done=accept_handoff"


# --------------------------------------------------------------------------- pages


def test_the_case_page_shows_deadlines_with_their_article_and_flags_unverified_rules(ui):
    dispute_id, handoff_id = handed_to_hr(ui)
    ui.engine.app.dispute_command(dispute_id, "accept_handoff", {"handoff_id": handoff_id,
                                                                 "receiving_case_no": "（2026）区劳人仲案字第1号"}, actor=HR)
    page = ui.get("staff", f"/ui/cases/{dispute_id}").text
    assert 'data-rule="A8"' in page and "劳动争议调解仲裁法" in page
    ticket = ui.engine.app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "ASSISTANCE",
                                              "summary": "欠薪"}, actor=STAFF)
    ui.engine.app.complaint_command(ticket.id, "dispatch", {"to_org": "区总工会调解中心"}, actor=STAFF)
    flagged = ui.get("staff", f"/ui/complaints/{ticket.id}").text
    assert 'data-rule="H2"' in flagged and "[P]" in flagged and "未核实：上线前须核对" in flagged


def test_the_case_page_draws_the_stage_diagram_with_the_current_state(ui):
    dispute_id, _ = handed_to_hr(ui)
    page = ui.get("hr", f"/ui/cases/{dispute_id}").text
    assert 'class="stage-diagram' in page and 'data-current="REQUESTED"' in page
    fragment = ui.get("hr", f"/ui/cases/{dispute_id}/diagram?of=dispute")
    assert fragment.status_code == 200 and 'data-current="OPEN"' in fragment.text


def test_the_work_queue_lists_my_cases_with_their_lights(ui):
    dispute_id, _ = handed_to_hr(ui)
    ui.engine.app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": "u-staff"}, actor=STAFF)
    ui.catch_up()
    page = ui.get("staff", "/ui/queue?tab=mine").text
    assert "（2026）区工调字第0001号" in page and "恒达家具有限公司" in page and "¥18,600.00" in page
    assert "正常" in page


def test_lists_the_views_have_not_built_yet_say_so(ui):
    for role, path in (("staff", "/ui/queue"), ("staff", "/ui/dashboard"), ("hr", "/ui/inbox"),
                       ("auditor", "/ui/audit")):
        answer = ui.get(role, path)
        assert answer.status_code == 200 and "列表正在生成，请稍后刷新。" in answer.text


def test_the_partner_inbox_lists_the_handoff(ui):
    handed_to_hr(ui)
    ui.catch_up()
    assert "（2026）区工调字第0001号" in ui.get("hr", "/ui/inbox?tab=new").text
    assert "（2026）区工调字第0001号" not in ui.get("court", "/ui/inbox?tab=all").text


def test_history_shows_the_state_as_of_an_earlier_version(ui):
    dispute_id, _ = handed_to_hr(ui)
    page = ui.get("auditor", f"/ui/cases/{dispute_id}/history?version=1")
    assert page.status_code == 200
    as_of = page.text.split('id="as-of"', 1)[1].split("</section>", 1)[0]
    assert "第 1 版时的案件状态" in as_of and "as-of-no-handoffs" in as_of and "陈**" in as_of
    latest = ui.get("auditor", f"/ui/cases/{dispute_id}/history").text.split('id="as-of"', 1)[1]
    assert "as-of-handoffs" in latest.split("</section>", 1)[0]


def test_history_as_of_a_recorded_moment(ui):
    dispute_id = ui.engine.app.register_dispute(DISPUTE, actor=STAFF).id
    registered = ui.engine.app.history(dispute_id)[0].recorded_at
    ui.engine.app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": "centre-li"}, actor=STAFF)
    moment = (registered.astimezone(LOCAL_ZONE).replace(microsecond=0) + timedelta(seconds=1)).replace(tzinfo=None)
    # Both events may fall in the same second: the version is the last one recorded by then.
    page = ui.get("auditor", f"/ui/cases/{dispute_id}/history?as_of={moment.isoformat()}")
    assert page.status_code == 200 and re.search(r'id="as-of"[^>]*data-version="[12]"', page.text)
    too_early = ui.get("auditor", f"/ui/cases/{dispute_id}/history?as_of=2020-01-01T00:00")
    assert too_early.status_code == 422 and error_beside(too_early.text, "as_of")


def test_the_diff_shows_what_changed_who_and_why(ui):
    dispute_id = ui.engine.app.register_dispute(DISPUTE, actor=STAFF).id
    ui.engine.app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": "centre-li"}, actor=STAFF)
    page = ui.get("auditor", f"/ui/cases/{dispute_id}/diff?from=1&to=2").text
    assert "caseworker" in page and "centre-li" in page and "指定承办人" in page and "u-staff" in page
    bad = ui.get("auditor", f"/ui/cases/{dispute_id}/diff?from=2&to=9")
    assert bad.status_code == 422 and error_beside(bad.text, "to")


def test_back_dated_entries_are_marked(ui):
    ui.engine.clock.current = datetime.now(UTC)  # recording times are the store's, i.e. now
    today = ui.engine.clock.today()
    sign_in(ui.clients["auditor"], "u-auditor")
    dispute_id = ui.engine.app.register_dispute(
        {**DISPUTE, "received_on": (today - timedelta(days=3)).isoformat()}, actor=STAFF).id
    ui.engine.app.dispute_command(dispute_id, "assign_caseworker", {"caseworker": "centre-li"}, actor=STAFF)
    rows = re.findall(r'<tr class="([^"]*)" id="v(\d)"', ui.get("auditor", f"/ui/cases/{dispute_id}/history").text)
    assert {version: "back-dated" in css for css, version in rows} == {"1": True, "2": False}


def test_the_dashboard_draws_its_charts(ui):
    handed_to_hr(ui)
    ui.catch_up()
    page = ui.get("staff", "/ui/dashboard")
    assert page.status_code == 200 and page.text.count('class="chart"') == 5
    filtered = ui.get("auditor", "/ui/dashboard?agency=hr&case_type=INDIVIDUAL&period_from=2026-01&period_to=2026-03")
    assert filtered.status_code == 200
    bad = ui.get("staff", "/ui/dashboard?period_from=2026-05&period_to=2026-03")
    assert bad.status_code == 422 and error_beside(bad.text, "period_to")


def test_english_by_the_switch_or_by_accept_language(ui):
    switched = ui.clients["staff"].get("/ui/lang/en?next=/ui/disputes/new", headers=HTML)
    assert switched.status_code == 200 and "Take a dispute in" in switched.text and 'lang="en"' in switched.text
    anonymous = ui.clients["anonymous"].get("/ui/login", headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"})
    assert "User name" in anonymous.text
    assert "用户名" in ui.clients["anonymous"].get("/ui/login", headers=HTML).text


def test_the_language_switch_never_redirects_off_site(ui):
    answer = ui.get("anonymous", "/ui/lang/en?next=https://example.org/")
    assert answer.headers["location"] == "/ui/"


def test_pages_carry_security_headers(ui):
    headers = ui.get("staff", "/ui/disputes/new").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"


def test_static_files_are_served_from_the_package_with_validators(ui):
    client = ui.clients["anonymous"]
    css = client.get("/ui/static/ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/ui.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304
    htmx = client.get("/ui/static/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:40]
    for name in ("missing.css", "..%2Fi18n.py", "VENDORED.md"):
        assert client.get(f"/ui/static/{name}").status_code == 404
