"""A page's typed query parameter given a value it cannot read (``?version=abc``) answers the UI's error page,
422, naming the parameter in the page's language, with nothing recorded — never the 500 page, never the
API's JSON. On both stores; the API's own answer (JSON, 422) is unchanged."""

from __future__ import annotations

import re
import typing
from datetime import date, datetime
from enum import Enum

import pytest

from api.access import PUBLIC
from api.query_params import _query_fields
from tests.ui.conftest import HTML, USERS, Ui
from tests.ui.test_ui_pages import STAFF, handed_to_hr, permission_of, ui_routes

CLIENT_OF_ROLE = {"staff": "staff", "partner": "hr", "auditor": "auditor", "admin": "admin"}


def problems_named(html: str) -> list[str]:
    """The parameters the error page names, in order."""
    return re.findall(r'<li data-param="([^"]+)"><code>\1</code>', html)


def accesses(ui: Ui, case_id: str) -> int:
    return ui.app.state.runtime.access_log.query(case_id=case_id)[1]


def _base_types(annotation: typing.Any) -> list[typing.Any]:
    """``int | None`` / ``Annotated[…]`` → the types a value must be read as (``NoneType`` left out)."""
    if typing.get_origin(annotation) is typing.Literal:
        return [annotation]
    arguments = typing.get_args(annotation)
    if not arguments:
        return [annotation] if annotation is not type(None) else []
    if typing.get_origin(annotation) is typing.Annotated:
        return _base_types(arguments[0])
    return [t for argument in arguments for t in _base_types(argument)]


def malformed_value(annotation: typing.Any) -> str | None:
    """A value no parameter of this type can read; ``None`` for text, which takes any value."""
    for kind in _base_types(annotation):
        if typing.get_origin(kind) is typing.Literal or (isinstance(kind, type) and issubclass(kind, Enum)):
            return "no-such-choice"
        if kind is bool:
            return "perhaps"
        if isinstance(kind, type) and issubclass(kind, (int, float, date, datetime)):
            return "abc"
    return None


def typed_query_parameters(ui: Ui) -> list[tuple[str, str, str, str]]:
    """(method, path, role's client, parameter) for every typed query parameter a signed-in UI route declares."""
    found = []
    for route in ui_routes(ui.app):
        allowed = permission_of(route)
        if allowed == PUBLIC:
            continue
        client = next(CLIENT_OF_ROLE[role] for role in ("staff", "partner", "auditor", "admin") if role in allowed)
        for name, info in _query_fields(route.dependant):
            if malformed_value(info.annotation) is not None:
                found.append((sorted(route.methods)[0], route.path, client, name))
    return found


def test_every_typed_query_parameter_of_a_page_refuses_a_malformed_value_with_a_422_page(ui):
    dispute_id, _ = handed_to_hr(ui)
    complaint_id = ui.engine.app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                                    "summary": "咨询"}, actor=STAFF).id
    ids = {"dispute_id": dispute_id, "complaint_id": complaint_id, "command": "assign_caseworker"}
    parameters = typed_query_parameters(ui)
    declared = {(path, name) for _, path, _, name in parameters}
    assert {("/ui/cases/{dispute_id}/history", "version"), ("/ui/complaints/{complaint_id}/history", "version"),
            ("/ui/cases/{dispute_id}/diff", "from"), ("/ui/cases/{dispute_id}/diff", "to")} <= declared
    annotations = {(route.path, name): info.annotation for route in ui_routes(ui.app)
                   for name, info in _query_fields(route.dependant)}
    surprises = []
    for method, template, client, name in parameters:
        path = template
        for key, value in ids.items():
            path = path.replace("{" + key + "}", value)
        head, read = ui.head(), accesses(ui, dispute_id) + accesses(ui, complaint_id)
        answer = ui.clients[client].request(method, path, params={name: malformed_value(annotations[template, name])},
                                            headers=HTML, follow_redirects=False,
                                            data={"csrf_token": ui.csrf(client)} if method == "POST" else None)
        if answer.status_code != 422 or problems_named(answer.text) != [name] or "请求参数有误" not in answer.text:
            surprises.append(f"{method} {template} ?{name}=…: {answer.status_code} {problems_named(answer.text)}")
        if ui.head() != head or accesses(ui, dispute_id) + accesses(ui, complaint_id) != read:
            surprises.append(f"{method} {template} ?{name}=…: recorded something")
    assert surprises == []


@pytest.mark.parametrize("value", ["abc", "1.5", "²", "1e3", "9" * 5000])
def test_a_history_version_that_is_not_a_whole_number_is_named_on_a_422_page(ui, value):
    dispute_id, _ = handed_to_hr(ui)
    head, read = ui.head(), accesses(ui, dispute_id)
    answer = ui.get("staff", f"/ui/cases/{dispute_id}/history", params={"version": value})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert problems_named(answer.text) == ["version"]
    assert "请求参数有误" in answer.text and "请填写整数。" in answer.text and "未记录任何信息" in answer.text
    assert "系统出错" not in answer.text
    assert ui.head() == head and accesses(ui, dispute_id) == read  # not even the read of personal data


def test_the_diff_names_every_parameter_it_cannot_read_in_english_too(ui):
    dispute_id, _ = handed_to_hr(ui)
    head = ui.head()
    ui.clients["auditor"].cookies.set("de_lang", "en")
    answer = ui.get("auditor", f"/ui/cases/{dispute_id}/diff?from=first&to=2.5")
    assert answer.status_code == 422
    assert sorted(problems_named(answer.text)) == ["from", "to"]
    assert "Invalid request" in answer.text and "Enter a whole number." in answer.text
    assert "nothing was recorded" in answer.text
    assert ui.head() == head


def test_a_complaints_history_version_is_checked_the_same_way(ui):
    complaint_id = ui.engine.app.receive_complaint({"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                                    "summary": "咨询"}, actor=STAFF).id
    answer = ui.get("staff", f"/ui/complaints/{complaint_id}/history?version=latest")
    assert answer.status_code == 422 and problems_named(answer.text) == ["version"]


def test_blank_or_well_formed_values_still_show_the_page(ui):
    dispute_id, _ = handed_to_hr(ui)
    assert ui.get("auditor", f"/ui/cases/{dispute_id}/diff?from=&to=").status_code == 200  # a cleared field
    assert ui.get("auditor", f"/ui/cases/{dispute_id}/diff?from=1&to=2").status_code == 200
    assert ui.get("auditor", f"/ui/cases/{dispute_id}/history?version=").status_code == 200
    out_of_range = ui.get("auditor", f"/ui/cases/{dispute_id}/history?version=99")
    assert out_of_range.status_code == 422 and "案件当前为第" in out_of_range.text  # beside the field, as before


def test_the_session_and_the_role_are_checked_before_the_parameters(ui):
    dispute_id, _ = handed_to_hr(ui)
    anonymous = ui.get("anonymous", f"/ui/cases/{dispute_id}/history?version=abc")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/ui/login?next=")
    assert ui.get("admin", f"/ui/cases/{dispute_id}/history?version=abc").status_code == 403


def test_an_api_client_on_a_page_gets_the_page_and_the_api_keeps_its_json(ui):
    dispute_id, _ = handed_to_hr(ui)
    auth = ui.app.state.auth
    token = auth.tokens.issue(auth.users.get(USERS["staff"][0])).access_token
    bearer = {"Authorization": f"Bearer {token}"}
    page = ui.clients["anonymous"].get(f"/ui/cases/{dispute_id}/history?version=abc", headers=bearer)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert problems_named(page.text) == ["version"]
    api = ui.clients["anonymous"].get("/disputes?limit=abc", headers=bearer)
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"
    body = api.json()
    assert set(body) == {"code", "message", "detail", "request_id"}
    assert body["code"] == "invalid_input" and body["detail"]["field"] == "limit"
