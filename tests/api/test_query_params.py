"""Query strings are read as declared: a parameter that takes one value given twice, an undeclared parameter, a
date written as a number, a whole number not written in digits or beyond 64 bits and a NUL character are
refused, 422 naming the parameter, and record nothing.

The parameters are read from ``/openapi.json`` (a scalar: any query parameter whose schema is not an array; a
date: format ``date`` or ``date-time``), not from the code under test, so a route added tomorrow is covered.
"""

from __future__ import annotations

from collections.abc import Iterator

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE

TWO_VALUES = {"integer": ("1", "2"), "boolean": ("true", "false"), "date": ("2026-03-01", "2026-03-02"),
              "date-time": ("2026-03-02T10:00:00+08:00", "2026-03-02T11:00:00+08:00"), "string": ("a", "b")}


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _kind(schema: dict) -> tuple[str, list | None]:
    """(type or format, enum) of a parameter's schema, looking through ``anyOf: [X, null]``."""
    for option in [schema, *schema.get("anyOf", [])]:
        kind = option.get("format") or option.get("type")
        if kind and kind != "null":
            return kind, option.get("enum")
    return "string", None


def scalar_query_parameters(spec: dict) -> list[tuple[str, str, str, tuple[str, str]]]:
    """(method, path, name, two valid values) for every query parameter that takes one value."""
    found = []
    for method, path, operation in _operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or _kind(parameter["schema"])[0] == "array":
                continue
            kind, enum = _kind(parameter["schema"])
            values = tuple(enum[:2]) if enum and len(enum) > 1 else TWO_VALUES.get(kind, TWO_VALUES["string"])
            found.append((method, path, parameter["name"], values))
    return found


def _fill(template: str, ids: dict[str, str]) -> str:
    for placeholder, value in ids.items():
        template = template.replace(placeholder, value)
    return template


def _refused_by_name(api, method: str, path: str, params: list[tuple[str, str]], name: str, role: str) -> str | None:
    """``None`` when the request is answered 422 naming ``name`` and records nothing; else what happened."""
    head = api.head()
    response = api.client.request(method, path, params=params, headers=api.headers[role])
    body = response.json()
    if (response.status_code == 422 and body["code"] == "invalid_input" and body["detail"]["field"] == name
            and body["message"].startswith(f"{name}: ") and api.head() == head):
        return None
    return f"{role} {method} {path} {params}: {response.status_code} {response.text[:200]}"


def _ids(api) -> dict[str, str]:
    dispute = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.post("staff", f"/disputes/{dispute}/request-handoff", ARBITRATION_HANDOFF)
    complaint = api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                                  "summary": "question"}).json()["id"]
    api.engine.follower().run_once()  # the fixture runs no background views: build them once
    return {"{dispute_id}": dispute, "{complaint_id}": complaint}


def test_every_scalar_query_parameter_given_twice_is_refused_by_name_and_records_nothing(api):
    ids = _ids(api)
    parameters = scalar_query_parameters(api.client.get("/openapi.json").json())
    assert len(parameters) > 40, "the schema walk found too few query parameters to mean anything"
    failures = []
    for method, template, name, (first, second) in parameters:
        for role in ("staff", "auditor", "anonymous"):  # the refusal comes before sign-in and role are checked
            failures.append(_refused_by_name(api, method, _fill(template, ids), [(name, first), (name, second)],
                                             name, role))
    assert [failure for failure in failures if failure] == []


def test_each_repeated_scalar_is_named(api):
    response = api.get("staff", "/disputes", limit=["1", "2"], offset=["0", "1"], status=["OPEN", "CLOSED"])
    assert response.status_code == 422
    named = {error["field"] for error in response.json()["detail"]["errors"]}
    assert named == {"limit", "offset"}


def test_the_same_parameter_given_once_is_answered(api):
    _ids(api)
    assert api.get("staff", "/disputes", limit="1").status_code == 200


def test_a_list_parameter_may_be_given_many_times(api):
    _ids(api)
    response = api.client.get("/disputes", params=[("street", "a"), ("street", "b"), ("limit", "5")],
                              headers=api.headers["staff"])
    assert response.status_code == 200, response.text


def test_every_api_operation_refuses_an_undeclared_parameter_by_name(api):
    ids = _ids(api)
    operations = list(_operations(api.client.get("/openapi.json").json()))
    assert len(operations) > 60, "the schema walk found too few operations to mean anything"
    failures = [_refused_by_name(api, method, _fill(path, ids), [("party_phon", "13800138000")], "party_phon", "staff")
                for method, path, _ in operations]
    assert [failure for failure in failures if failure] == []


def test_a_parameter_with_an_empty_name_is_refused(api):
    assert _refused_by_name(api, "GET", "/disputes", [("", "null")], '""', "staff") is None


def test_every_date_written_as_a_number_is_refused_by_name(api):
    ids = _ids(api)
    dates = [(method, path, parameter["name"]) for method, path, operation in
             _operations(api.client.get("/openapi.json").json()) for parameter in operation.get("parameters", [])
             if parameter["in"] == "query" and _kind(parameter["schema"])[0] in ("date", "date-time")]
    assert len(dates) > 8, "the schema walk found too few date parameters to mean anything"
    failures = [_refused_by_name(api, method, _fill(path, ids), [(name, number)], name, "staff")
                for method, path, name in dates for number in ("0", "0.0", "1700000000")]
    assert [failure for failure in failures if failure] == []


def test_every_whole_number_not_in_digits_or_beyond_64_bits_is_refused_by_name(api):
    ids = _ids(api)
    integers = [(method, path, parameter["name"]) for method, path, operation in
                _operations(api.client.get("/openapi.json").json()) for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and _kind(parameter["schema"])[0] == "integer"]
    assert len(integers) > 10, "the schema walk found too few integer parameters to mean anything"
    failures = [_refused_by_name(api, method, _fill(path, ids), [(name, number)], name, "auditor")
                for method, path, name in integers
                for number in (str(2**63), "-" + str(2**63 + 1), "9" * 5000, "1e3", "0.0", "5 ")]
    assert [failure for failure in failures if failure] == []


def test_a_nul_character_in_any_query_value_is_refused_by_name(api):
    ids = _ids(api)
    failures = [_refused_by_name(api, "GET", _fill(path, ids), [(name, "a\x00b")], name, "staff")
                for path, name in (("/disputes", "q"), ("/disputes", "kind"), ("/handoffs", "state"),
                                   ("/complaints", "q"), ("/views/caseload", "street"),
                                   ("/audit/personal-data-access", "user_id"))]
    assert [failure for failure in failures if failure] == []


def test_the_largest_64_bit_number_is_read(api):
    _ids(api)
    assert api.get("auditor", "/audit/personal-data-access", offset=str(2**63 - 1)).status_code == 200


def test_dates_written_as_dates_are_answered(api):
    _ids(api)
    assert api.get("staff", "/disputes", received_from="2026-03-01").status_code == 200
    assert api.get("staff", "/views/caseload", period_from="2026-03-01").status_code == 200


def test_the_web_ui_pages_read_their_own_parameters(api):
    from tests.ui.conftest import HTML

    response = api.client.get("/ui/login", params={"next": "/ui/", "expired": "1"}, headers=HTML)
    assert response.status_code == 200
