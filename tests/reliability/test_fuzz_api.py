"""Schemathesis fuzzing of the API against its own ``/openapi.json``, in-process, for every role, on both stores.

What must hold for every generated request:

- no server error (5xx);
- the response conforms to the schema (status code documented, content type, body, headers);
- an invalid input (schemathesis' negative mode) is answered 4xx;
- every 4xx (and 5xx) records nothing: the event log head is unchanged;
- the views can follow everything that was recorded.

Each operation is fuzzed with real path ids (a complaint and a dispute created first, the dispute handed to the
HR bureau so a partner sees it) and with random ones, in positive and negative mode; ``FUZZ_EXAMPLES`` cases
per operation, role, mode and id kind. A stateful run (schemathesis' state machine over the links it infers)
follows for staff. The ``/ui/`` HTML pages have no JSON schema: they get random path segments and queries and
must not answer 5xx.

Two profiles, the same checks:

- CI (the default): 2 examples per operation, role, mode and id kind; every role is fuzzed on one of the two
  stores, the pairing alternating from one day to the next (``FUZZ_ROTATION=N`` picks one), so two consecutive
  days cover every role on both; the stateful run on both stores. About two minutes on two cores.
- full, the issue's (``FUZZ_PROFILE=full .venv/bin/pytest tests/reliability/test_fuzz_api.py -s``): 100
  examples per operation, role, mode and id kind — at least 200 cases per operation and role wherever the
  operation's input space holds that many — every role on both stores, a longer stateful run. Hours.

The figures (cases sent, cases per operation, 5xx, schema violations, invalid input accepted, events recorded
on an error) are printed per role (``-s``).

The schema is read from the running app and requests go through schemathesis' ASGI client, not entered: the
``api`` fixture owns the app's lifespan (``from_asgi`` would start a second one, only shut down at interpreter
exit, closing the engine again after the fixture did).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from urllib.parse import parse_qsl, quote, urlsplit

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.stateful.state_machine import StepOutput
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE, Api, api  # noqa: F401 - `api` is the fixture
from tests.conftest import STORES

FULL = os.environ.get("FUZZ_PROFILE") == "full"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100" if FULL else "2"))
STATEFUL_RUNS = int(os.environ.get("FUZZ_STATEFUL_RUNS", "25" if FULL else "2"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "50" if FULL else "10"))
CASES_PER_OPERATION = 200  # the figure, per operation and role, for the full profile
ROLES = ("staff", "hr", "court", "justice", "auditor", "admin", "anonymous")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
COMPLAINT = {"caller": {"name": "陈建国", "phone": "13800138000"}, "category": "ASSISTANCE", "summary": "三个月工资未发"}


def store_role_pairs() -> list[tuple[str, str]]:
    """Full: every role on every store. CI: every role on one store, the pairing alternating daily."""
    if FULL:
        return [(store, role) for store in STORES for role in ROLES]
    shift = int(os.environ.get("FUZZ_ROTATION") or date.today().toordinal())
    return [(STORES[(index + shift) % len(STORES)], role) for index, role in enumerate(ROLES)]


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    per_operation: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    found: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {
        "5xx": [], "schema": [], "invalid accepted": [], "recorded on error": [], "views": []})

    def add(self, kind: str, signature: str, text: str) -> None:
        self.found[kind].append((signature, text))

    def report(self, title: str) -> str:
        counts = sorted(self.per_operation.values()) or [0]
        return (f"{title}: operations fuzzed={len(self.operations)} cases sent={self.cases} cases per operation "
                f"min={counts[0]} median={median(counts):g} max={counts[-1]} "
                f"5xx found={len(self.found['5xx'])} schema violations found={len(self.found['schema'])} "
                f"invalid accepted={len(self.found['invalid accepted'])} "
                f"recorded on error={len(self.found['recorded on error'])} views stopped={len(self.found['views'])} "
                f"statuses={dict(sorted(self.statuses.items()))}")

    def short_operations(self, target: int) -> str:
        """The operations that got fewer than ``target`` cases: their input space holds fewer."""
        short = sorted((count, label) for label, count in self.per_operation.items() if count < target)
        return ", ".join(f"{label} ({count})" for count, label in short) or "none"

    def problems(self) -> list[str]:
        return [text for items in self.found.values() for _, text in items]

    def distinct(self) -> dict[str, str]:
        """One example per (kind, operation, status, failed checks): the first one met."""
        found: dict[str, str] = {}
        for kind, items in self.found.items():
            for signature, text in items:
                found.setdefault(f"{kind}: {signature}", text)
        return found


def _settings(examples: int) -> hypothesis.settings:
    return hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                               phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected
                               suppress_health_check=list(HealthCheck))


def _load_schema(api: Api):
    schema = schemathesis.openapi.from_dict(api.client.get("/openapi.json").json())
    schema.app = api.app  # the ASGI transport: requests reach the app in-process
    schema.location = "/openapi.json"
    return schema


def _describe(case, response) -> str:
    text = response.content.decode("utf-8", "replace")
    body = text if len(text) <= 400 else text[:400] + "…"
    return (f"{case.method} {case.formatted_path} path={case.path_parameters} query={case.query} "
            f"headers={ {k: v for k, v in (case.headers or {}).items() if k.lower() != 'authorization'} } "
            f"body={case.body!r} -> {response.status_code} {body}")


def _send(api: Api, session, tally: Tally, case, role: str):
    if isinstance(case.query, dict) and "after" in case.query:
        _views_follow(api, tally)  # as the views do in a running server: ``?after=`` waits for them
    before = api.head()
    label = case.operation.label
    tally.cases += 1
    tally.operations.add(label)
    tally.per_operation[label] += 1
    try:
        response = case.call(session=session, headers=api.headers[role])
    except Exception as error:  # noqa: BLE001 - the app raised past its handlers: the client got a 500
        tally.statuses[500] += 1
        tally.add("5xx", f"{label} -> raised {type(error).__name__}",
                  f"[{role}] {case.method} {case.formatted_path} query={case.query} body={case.body!r}: "
                  f"{type(error).__name__}: {error}")
        if api.head() != before:
            tally.add("recorded on error", f"{label} -> raised", f"[{role}] {case.method} {case.formatted_path}")
        return None
    after = api.head()
    status = response.status_code
    tally.statuses[status] += 1
    what = f"[{role}] {_describe(case, response)}"
    if status >= 500:
        tally.add("5xx", f"{label} -> {status}", what)
    if status >= 400 and after != before:
        tally.add("recorded on error", f"{label} -> {status}", f"{what} (head {before} -> {after})")
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    if negative and status < 400 and not _wire_query_is_valid(case, response):
        try:
            case.validate_response(response, checks=[negative_data_rejection])
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - failures come as exceptions
            tally.add("invalid accepted", f"{label} -> {status}", f"{what}: {_first_line(failure)}")
    try:
        case.validate_response(response, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - a FailureGroup of the failed checks
        names = sorted({type(e).__name__ for e in getattr(failure, "exceptions", [failure])}
                       - {"ServerError"})
        if names:
            tally.add("schema", f"{label} -> {status} {'+'.join(names)}", f"{what}: {_first_line(failure)}")
    return response


def _views_follow(api: Api, tally: Tally) -> None:
    """Run the views over what was recorded; that they cannot is a finding (an event they cannot hold)."""
    try:
        api.engine.follower().run_once()
    except Exception as error:  # noqa: BLE001 - whatever stops the views
        tally.add("views", f"views stopped: {type(error).__name__}", f"{type(error).__name__}: {_first_line(error)}")


def _wire_query_is_valid(case, response) -> bool:
    """Whether a negative case whose only invalid part is its query reached the server as a valid query string.

    schemathesis judges the values it generated; some put something valid on the wire — an empty object puts
    nothing, ``{"": "null"}`` an empty string, a one-item list for a string the item. The server can only
    judge what it received: each value read as a strict reader takes it (digits as a whole number, ``true``
    and ``false`` as booleans), one value for a scalar, no undeclared name, every required one present."""
    others = [location for location in ParameterLocation if location is not ParameterLocation.QUERY]
    if any(case.meta.is_negative_at(location) for location in others):
        return False
    received: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(response.request.url).query, keep_blank_values=True):
        received.setdefault(name, []).append(value)
    parameters = {parameter.name: parameter for parameter in case.operation.query}
    if set(received) - set(parameters):
        return False
    for name, parameter in parameters.items():
        values = received.get(name)
        if values is None:
            if parameter.is_required:
                return False
        elif _is_array(parameter.definition.get("schema", {})):
            if not parameter.is_valid(values):
                return False
        elif len(values) != 1 or not any(parameter.is_valid(reading) for reading in _readings(values[0])):
            return False
    return True


def _is_array(schema: dict) -> bool:
    return schema.get("type") == "array" or any(option.get("type") == "array" for option in schema.get("anyOf", []))


def _readings(text: str) -> list[object]:
    """What a strict reader may take a query value for."""
    readings: list[object] = [text]
    if re.fullmatch(r"[+-]?\d+", text):
        readings.append(int(text))
    if text in ("true", "false"):
        readings.append(text == "true")
    return readings


def _first_line(failure: BaseException) -> str:
    return " | ".join(line.strip() for line in str(failure).strip().splitlines()[:6] if line.strip())


def _seed(api: Api) -> dict[str, str]:
    complaint = api.post("staff", "/complaints", COMPLAINT)
    assert complaint.status_code == 201, complaint.text
    dispute = api.post("staff", "/disputes", DISPUTE)
    assert dispute.status_code == 201, dispute.text
    ids = {"complaint_id": complaint.json()["id"], "dispute_id": dispute.json()["id"]}
    handoff = api.post("staff", f"/disputes/{ids['dispute_id']}/request-handoff", ARBITRATION_HANDOFF)
    assert handoff.status_code == 200, handoff.text
    api.engine.follower().run_once()  # the fixture runs no background views: build them once
    return ids


@pytest.fixture(autouse=True)
def _short_read_your_writes_wait(monkeypatch) -> None:
    """``?after=N`` beyond what the views hold waits two seconds before its 503; keep the fuzzing fast."""
    import api.routers.lists

    monkeypatch.setattr(api.routers.lists, "READ_YOUR_WRITES_TIMEOUT", 0.05)


def _fuzz_operation(api: Api, session, tally: Tally, operation, role: str, ids: dict[str, str],
                    target: int = 0) -> None:
    """``EXAMPLES`` cases per mode and id kind; then, while the operation has had fewer than ``target``, more
    rounds of those whose input space is not yet exhausted (a round that generates fewer cases than asked)."""
    names = {parameter.name for parameter in operation.path_parameters}
    real = {name: value for name, value in ids.items() if name in names}
    open_variants = [(mode, path_parameters) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                     for path_parameters in ([None, real] if real else [None])]
    label = operation.label
    for _ in range(10):
        for variant in list(open_variants):
            mode, path_parameters = variant
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            before = tally.per_operation[label]

            @_settings(EXAMPLES)
            @hypothesis.given(case=strategy)
            def run(case) -> None:
                _send(api, session, tally, case, role)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                pass
            if tally.per_operation[label] - before < EXAMPLES:
                open_variants.remove(variant)
        if not open_variants or tally.per_operation[label] >= target:
            return


def _fail_on(tally: Tally, title: str) -> None:
    print(tally.report(title))
    problems = tally.problems()
    distinct = tally.distinct()
    for signature, example in distinct.items():
        print(f"  {signature}\n      e.g. {example}")
    assert not problems, f"{len(problems)} problem(s) of {len(distinct)} kind(s): {sorted(distinct)}"


@pytest.mark.parametrize(("store", "role"), store_role_pairs())
def test_every_operation_survives_fuzzing(api: Api, store: str, role: str) -> None:
    ids = _seed(api)
    schema = _load_schema(api)
    session = asgi.get_client(api.app)
    tally = Tally()
    for result in schema.get_all_operations():
        _fuzz_operation(api, session, tally, result.ok(), role, ids, CASES_PER_OPERATION if FULL else 0)
    _views_follow(api, tally)
    if FULL:
        print(f"fuzz {store} {role}: operations under {CASES_PER_OPERATION} cases: "
              f"{tally.short_operations(CASES_PER_OPERATION)}")
    _fail_on(tally, f"fuzz {store} {role} ({EXAMPLES} examples per operation, mode and id kind)")


def _ui_paths(app) -> list[str]:
    from starlette.routing import Route

    def flat(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from flat(route.original_router.routes)
            else:
                yield route

    return sorted({route.path for route in flat(app.routes) if isinstance(route, Route) and route.path.startswith("/ui")
                   and "GET" in (route.methods or ())})


SEGMENT = st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=20).filter(lambda s: s not in (".", "..")),
                    st.sampled_from(["0", "-1", "%00", "null", "' OR 1=1 --", "a" * 300]))
QUERY = st.lists(st.tuples(st.sampled_from(["version", "as_of", "q", "status", "page", "limit", "offset", "cursor",
                                            "order", "from", "to", "format", "period_from", "period_to", "next"]),
                           st.text(max_size=30)), max_size=4)  # pairs: a name may come twice


@pytest.mark.parametrize("role", ROLES)
def test_ui_pages_never_answer_5xx(api: Api, role: str) -> None:
    from tests.ui.conftest import HTML, sign_in

    ids = _seed(api)
    paths = _ui_paths(api.app)
    assert paths, "no /ui/ routes found"
    if role != "anonymous":
        sign_in(api.client, f"u-{role}")  # the pages are read with the UI's session cookie, as a browser does
    tally = Tally()
    for template in paths:
        names = re.findall(r"{([^}:]+)(?::[^}]*)?}", template)

        @_settings(max(EXAMPLES * 2, 4))
        @hypothesis.given(segments=st.fixed_dictionaries({name: st.one_of(SEGMENT, st.just(ids.get(name, "x")))
                                                           for name in names}), query=QUERY)
        def run(segments, query) -> None:
            path = re.sub(r"{([^}:]+)(?::[^}]*)?}", lambda m: quote(segments[m.group(1)], safe=""), template)  # noqa: B023
            before = api.head()
            response = api.client.get(path, params=query, headers=HTML, follow_redirects=False)
            tally.cases += 1
            tally.operations.add(f"GET {template}")
            tally.per_operation[f"GET {template}"] += 1
            tally.statuses[response.status_code] += 1
            what = f"[{role}] GET {path} query={query} -> {response.status_code} {response.text[:200]}"
            if response.status_code >= 500:
                tally.add("5xx", f"GET {template} -> {response.status_code}", what)  # noqa: B023
            if api.head() != before:
                tally.add("recorded on error", f"GET {template}", f"{what} (a GET recorded events)")  # noqa: B023

        run()
    _fail_on(tally, f"ui {role}")


class AppRaised(Exception):
    """The app raised instead of answering; the step is in the tally as a 5xx."""


def test_stateful_run_as_staff(api: Api, store: str) -> None:
    _seed(api)
    schema = _load_schema(api)
    session = asgi.get_client(api.app)
    tally = Tally()

    class Machine(schema.as_state_machine()):
        def step(self, input):
            self.before_call(input.case)
            response = _send(api, session, tally, input.case, "staff")  # sends and checks, as the fuzzing does
            if response is None:
                raise AppRaised  # recorded in the tally; this run of the machine cannot go on
            self.after_call(response, input.case)
            return StepOutput(response, input.case)

    try:
        Machine.run(settings=hypothesis.settings(_settings(STATEFUL_RUNS), stateful_step_count=STATEFUL_STEPS))
    except AppRaised:
        pass
    _views_follow(api, tally)
    _fail_on(tally, f"stateful {store} staff ({STATEFUL_RUNS} runs of at most {STATEFUL_STEPS} steps)")


# Minimal reproductions of what the fuzzing found (kept failing until the app or its schema is fixed).

def _check(api: Api, case, role: str = "staff") -> None:
    tally = Tally()
    _send(api, asgi.get_client(api.app), tally, case, role)
    _fail_on(tally, f"reproduction {case.method} {case.path}")


def test_token_422_matches_its_documented_schema(api: Api) -> None:
    """POST /auth/token without a password: 422 documented as FastAPI's HTTPValidationError (detail: array),
    answered in the app's own error shape (detail: object)."""
    schema = _load_schema(api)
    case = schema["/auth/token"]["POST"].Case(body={"username": "u-staff"},
                                              media_type="application/x-www-form-urlencoded")
    _check(api, case, "anonymous")


def test_a_body_that_is_not_json_is_a_documented_status(api: Api) -> None:
    """POST a command with a body that is not JSON: 400 "There was an error parsing the body", a status the
    schema does not document (documented: 200, 401, 403, 404, 409, 412, 413, 422)."""
    ids = _seed(api)
    schema = _load_schema(api)
    case = schema["/disputes/{dispute_id}/close"]["POST"].Case(path_parameters={"dispute_id": ids["dispute_id"]},
                                                                body=b"\xff", media_type="application/json")
    _check(api, case)


def test_a_log_position_beyond_the_head_is_not_a_server_error(api: Api) -> None:
    """GET a list with ``?after=`` a position the log has not reached (and no write is coming): 503
    "view_behind" after the wait, where a 4xx (or the current page) is expected."""
    _seed(api)
    schema = _load_schema(api)
    case = schema["/disputes"]["GET"].Case(query={"after": api.head() + 1000})
    _check(api, case)


def test_a_scalar_query_parameter_given_twice_is_refused(api: Api) -> None:
    """GET a list with ``?limit=1&limit=2`` (schemathesis' negative mode sends a scalar as an array): 200 with
    one of the values taken, where the request is ambiguous; now 422 naming ``limit``."""
    _seed(api)
    schema = _load_schema(api)
    case = schema["/disputes"]["GET"].Case(query={"limit": [1, 2]})
    response = case.call(session=asgi.get_client(api.app), headers=api.headers["staff"])
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["field"] == "limit"
    _check(api, case)


def test_an_offset_beyond_64_bits_is_not_a_server_error(api: Api) -> None:
    """GET the personal-data access log with an ``offset`` of 20 digits: 500 (OverflowError binding it in SQL);
    now 422 naming ``offset``."""
    schema = _load_schema(api)
    case = schema["/audit/personal-data-access"]["GET"].Case(query={"offset": 2**64})
    _check(api, case, "auditor")


def test_a_nul_character_in_a_query_is_not_a_server_error(api: Api) -> None:
    """GET a list with a NUL character in a filter (``?kind=%00``): 500 on PostgreSQL (DataError: a string
    literal cannot contain NUL); now 422 naming ``kind``."""
    _seed(api)
    schema = _load_schema(api)
    case = schema["/disputes"]["GET"].Case(query={"kind": ["\x00"]})
    _check(api, case, "justice")


def test_a_nul_character_in_a_name_does_not_stop_the_views(api: Api) -> None:
    """POST a dispute whose employer's name holds a NUL character: 201 and recorded, then on PostgreSQL the
    views stop at that event (DataError: unsupported Unicode escape sequence) and every list answers 503.
    Expected: 422 naming the field, or a value the views can hold."""
    schema = _load_schema(api)
    body = {**DISPUTE, "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "恒达\x00家具有限公司"}}]}
    case = schema["/disputes"]["POST"].Case(body=body, media_type="application/json")
    tally = Tally()
    _send(api, asgi.get_client(api.app), tally, case, "staff")
    _views_follow(api, tally)
    _fail_on(tally, "reproduction POST /disputes with a NUL character")


def test_a_huge_amount_is_not_a_server_error(api: Api) -> None:
    """POST amend-claims with ``amount_cny`` a JSON number of 114 digits (1.14e113): 500 (decimal.InvalidOperation
    rounding it to cents), where 422 naming ``add[0].amount_cny`` is expected."""
    ids = _seed(api)
    schema = _load_schema(api)
    case = schema["/disputes/{dispute_id}/amend-claims"]["POST"].Case(
        path_parameters={"dispute_id": ids["dispute_id"]}, media_type="application/json",
        body={"add": [{"kind": "WAGE", "amount_cny": 1.1418684179032363e+113}]})
    _check(api, case)


def test_a_nul_character_in_a_page_query_is_not_a_server_error(api: Api) -> None:
    """GET the partner inbox page with a NUL character in ``q``: on PostgreSQL a 500 page (DataError: a string
    literal cannot contain NUL), where a 4xx page is expected. The API's routes refuse it (422); the web UI's
    pages read their own query strings."""
    from tests.ui.conftest import HTML, sign_in

    _seed(api)
    sign_in(api.client, "u-court")
    response = api.client.get("/ui/inbox", params={"q": "a\x00b"}, headers=HTML, follow_redirects=False)
    assert response.status_code < 500, response.text[:300]


def test_exports_are_documented_content_types(api: Api) -> None:
    """GET a list with ``?format=csv`` (or ``xlsx``): 200 ``text/csv`` (or the xlsx type), while the schema
    documents only ``application/json`` for every list and view (/disputes, /handoffs, /complaints, /views/…)."""
    _seed(api)
    schema = _load_schema(api)
    case = schema["/handoffs"]["GET"].Case(query={"format": "csv"})
    _check(api, case)
