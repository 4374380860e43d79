"""Filters, search, paging and partner scope over the list views, on SQLite and PostgreSQL.

One dataset per store for the module, made through the application's commands: twelve disputes
(A–F with routes, seven plain ones for paging) and five 12351 tickets, then the deadline clock
run on 29 March so that some deadlines are yellow and some red.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Index

from tests.conftest import STORES, make_settings
from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from domain.dispute import Dispute
from domain.values import Actor, Agency, Role
from projections.cases import CaseListView
from projections.follower import Follower
from projections.inbox import InboxView
from projections.queries import (
    MAX_LIMIT,
    CaseQuery,
    InboxQuery,
    TicketQuery,
    iter_cases,
    list_cases,
    list_inbox,
    list_partner_cases,
    list_partner_inbox,
    list_tickets,
)
from projections.tickets import TicketListView

STAFF = Actor("centre-test", Role.STAFF, Agency.UNION)
DOCUMENT = {"doc_type": "APPLICATION", "title": "申请书", "sha256": "cd" * 32}
TICK_DAY = date(2026, 3, 29)

DISPUTES: dict[str, dict[str, Any]] = {
    "A": {"received_on": "2026-03-02", "origin": "WALK_IN", "case_types": ["WAGE_ARREARS"],
          "workplace": {"street": "城关街道", "industry": "制造业"}, "respondents": ["恒达家具有限公司"]},
    "B": {"received_on": "2026-03-02", "origin": "HOTLINE", "case_types": ["WAGE_ARREARS_CONSTRUCTION"],
          "risk_flags": ["GROUP_INCIDENT_RISK"], "workplace": {"street": "东城街道", "industry": "建筑业"},
          "respondents": ["华建建设集团有限公司", "顺通劳务派遣有限公司"]},
    "C": {"received_on": "2026-03-05", "origin": "ONLINE", "case_types": ["TERMINATION"],
          "risk_flags": ["MEDIA_ATTENTION"], "workplace": {"street": "城关街道", "industry": "服务业"},
          "respondents": ["顺通物流有限公司"]},
    "D": {"received_on": "2026-03-10", "origin": "WALK_IN", "case_types": ["WAGE_ARREARS"], "workers": 10,
          "risk_flags": ["GROUP_INCIDENT_RISK", "EMPLOYER_ABSCONDED"],
          "workplace": {"street": "城关街道", "industry": "建筑业"}, "respondents": ["华建建设集团有限公司"]},
    "E": {"received_on": "2026-03-15", "origin": "COURT_REFERRAL", "case_types": ["SOCIAL_INSURANCE"],
          "workplace": {"street": "东城街道", "industry": "制造业"}, "respondents": ["恒达家具有限公司"]},
    "F": {"received_on": "2026-03-12", "origin": "WALK_IN", "workplace": {"street": "西城街道"},
          "respondents": ["兴旺餐饮店"]},
    **{
        f"P{i}": {"received_on": day, "origin": "WALK_IN", "respondents": [f"便民商店{i}"]}
        for i, day in enumerate(["2026-03-01", "2026-03-03", "2026-03-03", "2026-03-08", "2026-03-11",
                                 "2026-03-12", "2026-03-14"])
    },
}
PLAIN = {f"P{i}" for i in range(7)}

TICKETS: dict[str, tuple[str, dict[str, Any]]] = {
    "T1": ("2026-03-02", {"channel": "PHONE_12351", "category": "CONSULTATION", "street": "城关街道",
                          "subject_employer": "恒达家具有限公司"}),
    "T2": ("2026-03-05", {"channel": "APP", "category": "ASSISTANCE", "complexity": "DIFFICULT", "urgency": "URGENT",
                          "street": "东城街道", "subject_employer": "顺通物流有限公司"}),
    "T3": ("2026-03-10", {"channel": "WALK_IN", "category": "COMPLAINT_PETITION"}),
    "T4": ("2026-03-12", {"channel": "PHONE_12351", "category": "ASSISTANCE", "street": "城关街道"}),
    "T5": ("2026-03-14", {"channel": "PHONE_12351", "category": "ASSISTANCE", "street": "东城街道",
                          "subject_employer": "华建建设集团有限公司"}),
}


@dataclass
class Dataset:
    engine: Engine
    ids: dict[str, str]  # letter -> dispute or complaint id
    numbers: dict[str, str]  # letter -> case or ticket number

    def names(self, items: list[dict[str, Any]], key: str = "dispute_id") -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[item[key]] for item in items]


def command(engine: Engine, dispute_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return engine.app.dispute_command(dispute_id, name, arguments, actor=STAFF).data


def handoff(engine: Engine, dispute_id: str, kind: str, org_type: str, org_name: str) -> str:
    return command(engine, dispute_id, "request_handoff", kind=kind, org_type=org_type, org_name=org_name,
                   reason="PARTY_APPLICATION", dossier=[DOCUMENT], consent={"worker": True, "employer": True},
                   )["handoff_id"]


def build(engine: Engine) -> Dataset:
    app, clock = engine.app, engine.clock
    ids: dict[str, str] = {}
    numbers: dict[str, str] = {}
    for letter, (day, call) in TICKETS.items():
        clock.set_local(date.fromisoformat(day))
        ticket = app.receive_complaint({"caller": {"anonymous": True}, "summary": "工资问题", **call}, actor=STAFF)
        ids[letter], numbers[letter] = ticket.id, ticket.data["ticket_no"]
    app.complaint_command(ids["T1"], "answer_on_call", {"answer": "告知维权途径"}, actor=STAFF)
    app.complaint_command(ids["T1"], "close", {"on": "2026-03-02"}, actor=STAFF)
    app.complaint_command(ids["T2"], "dispatch", {"to_org": "东城街道工会", "on": "2026-03-05"}, actor=STAFF)
    app.complaint_command(ids["T3"], "dispatch", {"to_org": "区总工会调解中心", "on": "2026-03-10"}, actor=STAFF)
    app.complaint_command(ids["T3"], "sign_for", {"on": "2026-03-10"}, actor=STAFF)

    clock.set_local(date(2026, 3, 16))
    for letter, spec in DISPUTES.items():
        result = app.register_dispute({
            "summary": "劳动争议", "received_on": spec["received_on"], "origin": spec["origin"],
            "claimants": [{"person": {"name": f"测试工人{i}"}} for i in range(spec.get("workers", 1))],
            "respondents": [{"organisation": {"name": name}} for name in spec["respondents"]],
            "claims": [{"kind": "WAGE", "amount_cny": "1000.00"}],
            "case_types": spec.get("case_types", []), "risk_flags": spec.get("risk_flags", []),
            "workplace": spec.get("workplace"),
        }, actor=STAFF)
        ids[letter], numbers[letter] = result.id, result.data["case_number"]
    a, b, c, d, e, f = (ids[x] for x in "ABCDEF")
    command(engine, a, "assign_caseworker", caseworker="centre-a")
    mediation = command(engine, a, "open_proceeding", kind="MEDIATION", org_type="UNION_MEDIATION_CENTRE",
                        org_name="区总工会调解中心", received_on="2026-03-16",
                        consent={"worker": True, "employer": True})["proceeding_id"]
    command(engine, a, "accept_proceeding", proceeding_id=mediation, case_no="工调受字第7号")
    command(engine, b, "assign_caseworker", caseworker="centre-b")
    arbitration = handoff(engine, b, "ARBITRATION", "ARBITRATION_COMMISSION", "区劳动人事争议仲裁委员会")
    command(engine, b, "accept_handoff", handoff_id=arbitration, receiving_case_no="（2026）区劳人仲案字第0088号")
    withdrawn = handoff(engine, c, "MEDIATION", "PEOPLES_MEDIATION_COMMITTEE", "城关街道人民调解委员会")
    command(engine, c, "withdraw_handoff", handoff_id=withdrawn)
    handoff(engine, d, "ARBITRATION", "ARBITRATION_COMMISSION", "区劳动人事争议仲裁委员会")
    command(engine, e, "resolve", how="当事人和解", amount_recovered_cny="800.00")
    command(engine, e, "close", reason="RESOLVED")
    inspection = handoff(engine, f, "LABOUR_INSPECTION", "LABOUR_INSPECTION", "区劳动保障监察大队")
    command(engine, f, "receive_handoff", handoff_id=inspection)

    clock.set_local(date(2026, 3, 23))
    app.complaint_command(ids["T5"], "dispatch", {"to_org": "东城街道工会"}, actor=STAFF)
    app.complaint_command(ids["T5"], "sign_for", {}, actor=STAFF)
    clock.set_local(TICK_DAY)
    engine.deadline_clock().tick()
    Follower(app, [CaseListView(), InboxView(), TicketListView()], engine.read_engine).run_once()
    return Dataset(engine, ids, numbers)


@pytest.fixture(scope="module", params=STORES)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dataset]:
    for settings in make_settings(request.param, tmp_path_factory.mktemp(request.param)):
        with bootstrap(settings, clock=FixedClock()) as engine:
            yield build(engine)


def newest_first(data: Dataset, letters: set[str]) -> list[str]:
    """The letters in the lists' default order: received_on, then id, descending."""
    return sorted(letters, key=lambda x: (DISPUTES[x]["received_on"], data.ids[x]), reverse=True)


def cases(data: Dataset, **filters: Any) -> list[str]:
    page = list_cases(data.engine.read_engine, CaseQuery(limit=MAX_LIMIT, **filters))
    assert page.total == len(page.items) and page.next is None
    return data.names(page.items)


ALL_DISPUTES = set(DISPUTES)


# --------------------------------------------------------------------------- cases


def test_case_list_is_newest_first_by_default(data):
    assert cases(data) == newest_first(data, ALL_DISPUTES)


def test_case_list_oldest_first_on_request(data):
    assert cases(data, order="received_on") == newest_first(data, ALL_DISPUTES)[::-1]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"status": "IN_ARBITRATION"}, {"B", "D"}),
    ({"status": ["IN_ARBITRATION", "CLOSED"]}, {"B", "D", "E"}),
    ({"status": "IN_MEDIATION"}, {"A"}),
    ({"stage": "CLOSED"}, {"E"}),
    ({"origin": "HOTLINE"}, {"B"}),
    ({"street": "城关街道"}, {"A", "C", "D"}),
    ({"industry": "建筑业"}, {"B", "D"}),
    ({"case_type": "WAGE_ARREARS"}, {"A", "D"}),
    ({"case_type": ["TERMINATION", "SOCIAL_INSURANCE"]}, {"C", "E"}),
    ({"case_type": "COLLECTIVE_COMMON_CLAIM"}, {"D"}),
    ({"risk_flag": "GROUP_INCIDENT_RISK"}, {"B", "D"}),
    ({"risk_flag": "EMPLOYER_ABSCONDED"}, {"D"}),
    ({"collective": True}, {"D"}),
    ({"collective": False}, ALL_DISPUTES - {"D"}),
    ({"caseworker": "centre-a"}, {"A"}),
    ({"agency": "hr"}, {"B", "D", "F"}),
    ({"agency": "justice"}, {"C"}),
    ({"kind": "MEDIATION"}, {"A", "C"}),
    ({"received_from": date(2026, 3, 5), "received_to": "2026-03-11"}, {"C", "D", "P3", "P4"}),
    ({"overdue": True}, {"A", "F"}),
    ({"due_soon": True}, {"A"}),
    ({"street": "城关街道", "status": "IN_ARBITRATION"}, {"D"}),
])
def test_case_list_filter(data, filters, expected):
    assert cases(data, **filters) == newest_first(data, expected)


def test_case_list_filter_by_dispute_ids(data):
    wanted = [data.ids["C"], data.ids["P2"]]
    assert cases(data, dispute_ids=wanted) == newest_first(data, {"C", "P2"})


def test_an_empty_list_of_values_matches_nothing(data):
    assert cases(data, dispute_ids=[]) == []
    assert cases(data, case_type=[]) == []


@pytest.mark.parametrize(("q", "expected"), [
    ("华建", {"B", "D"}),
    ("顺通", {"B", "C"}),
    ("劳人仲案字第0088", {"B"}),
    ("工调受字第7号", {"A"}),
    ("%", set()),
    ("_", set()),
])
def test_case_list_search(data, q, expected):
    assert cases(data, q=q) == newest_first(data, expected)


def test_case_list_search_by_case_number_prefix_and_substring(data):
    number = data.numbers["E"]
    assert cases(data, q=number[:4]) == newest_first(data, ALL_DISPUTES)
    assert cases(data, q=number[-6:]) == ["E"]


def test_case_list_items_carry_no_search_column(data):
    [item] = list_cases(data.engine.read_engine, CaseQuery(dispute_ids=data.ids["A"])).items
    dispute = data.engine.app.load(Dispute, data.ids["A"])
    assert "search_text" not in item
    assert (item["case_number"], item["version"]) == (data.numbers["A"], dispute.version)
    assert item["caseworker"] == "centre-a"
    assert item["updated_at"].utcoffset() == timedelta(0)


def test_partner_sees_only_the_cases_handed_to_it(data):
    hr = list_partner_cases(data.engine.read_engine, "hr", CaseQuery())
    assert data.names(hr.items) == newest_first(data, {"B", "D", "F"})
    assert hr.total == 3
    assert list_partner_cases(data.engine.read_engine, Agency.JUSTICE).items == []  # C was withdrawn unreceived
    filtered = list_partner_cases(data.engine.read_engine, "hr", CaseQuery(status="IN_ARBITRATION", q="华建"))
    assert data.names(filtered.items) == newest_first(data, {"B", "D"})
    assert filtered.total == 2


def test_total_is_exact_up_to_the_count_limit_then_flagged(data, monkeypatch):
    from projections import queries

    engine = data.engine.read_engine
    assert list_cases(engine, CaseQuery(limit=1)).total_exact
    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    page = list_cases(engine, CaseQuery(limit=1))
    assert (page.total, page.total_exact, len(page.items)) == (3, False, 1)
    hr = list_partner_cases(engine, "hr", CaseQuery(limit=1))
    assert (hr.total, hr.total_exact) == (3, True)  # exactly the limit is still exact
    inbox = list_partner_inbox(engine, "hr", InboxQuery(limit=1))
    assert (inbox.total, inbox.total_exact) == (3, True)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 2)
    assert (list_partner_cases(engine, "hr", CaseQuery(limit=1)).total_exact,
            list_partner_inbox(engine, "hr", InboxQuery(limit=1)).total_exact) == (False, False)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 1)
    for filters in ({"case_type": "WAGE_ARREARS"}, {"case_type": ["WAGE_ARREARS", "TERMINATION"],
                                                    "received_from": "2026-03-02"}):
        capped = list_cases(engine, CaseQuery(limit=1, **filters))
        assert (capped.total, capped.total_exact) == (1, False)


@pytest.mark.parametrize("filters", [
    {"case_type": ["INDIVIDUAL", "WAGE_ARREARS"]},
    {"case_type": ["INDIVIDUAL", "WAGE_ARREARS"], "received_from": "2026-03-05"},
    {"case_type": "WAGE_ARREARS", "received_from": "2026-03-05", "received_to": "2026-03-10"},
    {"risk_flag": ["GROUP_INCIDENT_RISK", "EMPLOYER_ABSCONDED"], "received_to": "2026-03-10"},
    {"case_type": "WAGE_ARREARS", "risk_flag": "GROUP_INCIDENT_RISK", "received_from": "2026-03-02"},
])
def test_a_case_with_several_matching_tags_is_counted_once(data, filters):
    # cases() checks that total counts the items: a tag filter in a period is counted from the tags.
    names = cases(data, **filters)
    assert len(names) == len(set(names)) > 0


def test_reads_can_share_the_callers_transaction(data):
    with data.engine.read_engine.begin() as connection:
        everything = list_cases(connection, CaseQuery(limit=MAX_LIMIT))
        inbox = list_partner_inbox(connection, "hr")
    assert everything.total == len(DISPUTES)
    assert inbox.total == 3


# --------------------------------------------------------------------------- paging


@pytest.mark.parametrize("order", ["-received_on", "received_on"])
def test_paging_by_cursor_returns_every_row_once_in_order(data, order):
    seen, cursor, totals = [], None, set()
    while True:
        page = list_cases(data.engine.read_engine, CaseQuery(limit=5, cursor=cursor, order=order))
        seen += data.names(page.items)
        totals.add(page.total)
        if page.next is None:
            break
        cursor = page.next
    expected = newest_first(data, ALL_DISPUTES)
    assert seen == (expected if order.startswith("-") else expected[::-1])
    assert totals == {len(DISPUTES)}


def test_paging_by_cursor_under_a_filter(data):
    first = list_cases(data.engine.read_engine, CaseQuery(limit=1, street="城关街道"))
    second = list_cases(data.engine.read_engine, CaseQuery(limit=5, street="城关街道", cursor=first.next))
    assert data.names(first.items + second.items) == newest_first(data, {"A", "C", "D"})
    assert second.next is None


def test_paging_by_offset(data):
    page = list_cases(data.engine.read_engine, CaseQuery(limit=4, offset=4))
    assert data.names(page.items) == newest_first(data, ALL_DISPUTES)[4:8]
    rest = list_cases(data.engine.read_engine, CaseQuery(limit=MAX_LIMIT, cursor=page.next))
    assert data.names(rest.items) == newest_first(data, ALL_DISPUTES)[8:]


def test_iterating_a_list_for_export_yields_every_row(data):
    rows = list(iter_cases(data.engine.read_engine, CaseQuery(limit=2, street="城关街道")))
    assert data.names(rows) == newest_first(data, {"A", "C", "D"})
    assert data.names(list(iter_cases(data.engine.read_engine, agency="hr"))) == newest_first(data, {"B", "D", "F"})


@pytest.mark.parametrize("limit", [501, 0, -1, True, 2.5])
def test_limit_outside_1_to_500_is_refused_naming_limit(limit):
    with pytest.raises(ValueError, match=r"^limit: "):
        CaseQuery(limit=limit)


@pytest.mark.parametrize(("arguments", "field"), [
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"cursor": "W10"}, "cursor"),
    ({"offset": -1}, "offset"),
    ({"offset": 2, "cursor": "x"}, "offset"),
    ({"order": "status"}, "order"),
    ({"received_from": "1 March"}, "received_from"),
])
def test_malformed_paging_and_filters_are_refused_naming_the_field(arguments, field):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        CaseQuery(**arguments)


def test_cursor_of_one_order_is_refused_for_another(data):
    page = list_cases(data.engine.read_engine, CaseQuery(limit=1))
    with pytest.raises(ValueError, match=r"^cursor: "):
        CaseQuery(cursor=page.next, order="received_on")
    with pytest.raises(ValueError, match=r"^cursor: "):
        InboxQuery(cursor=page.next)


# --------------------------------------------------------------------------- inbox


def inbox(data: Dataset, agency: str | None = None, **filters: Any) -> list[str]:
    query = InboxQuery(limit=MAX_LIMIT, **filters)
    source = data.engine.read_engine
    page = list_inbox(source, query) if agency is None else list_partner_inbox(source, agency, query)
    assert page.total == len(page.items)
    return data.names(page.items)


def test_staff_inbox_lists_every_handoff_newest_first(data):
    assert sorted(inbox(data)) == ["B", "C", "D", "F"]
    assert inbox(data, state="WITHDRAWN") == ["C"]


def test_partner_inbox_lists_what_was_handed_to_it_without_unreceived_withdrawals(data):
    assert sorted(inbox(data, "hr")) == ["B", "D", "F"]
    assert inbox(data, "justice") == []
    assert sorted(inbox(data, to_agency="justice")) == ["C"]  # staff still see the withdrawal


@pytest.mark.parametrize(("filters", "expected"), [
    ({"state": "ACCEPTED"}, ["B"]),
    ({"state": ["REQUESTED", "RECEIVED"]}, ["D", "F"]),
    ({"kind": "LABOUR_INSPECTION"}, ["F"]),
    ({"overdue": True}, ["F"]),
    ({"due_soon": True}, []),
    ({"q": "华建"}, ["B", "D"]),
    ({"q": "劳人仲案字第0088"}, ["B"]),
])
def test_partner_inbox_filter(data, filters, expected):
    assert sorted(inbox(data, "hr", **filters)) == expected


def test_inbox_row_shows_the_acceptance_deadline(data):
    [row] = list_partner_inbox(data.engine.read_engine, "hr", InboxQuery(kind="LABOUR_INSPECTION")).items
    assert (row["state"], row["warning"], row["overdue"], row["due_on"]) == ("RECEIVED", "RED", True, None)
    assert (row["case_number"], row["org_name"], row["from_agency"]) == (data.numbers["F"], "区劳动保障监察大队", "union")


# --------------------------------------------------------------------------- tickets


def tickets(data: Dataset, **filters: Any) -> list[str]:
    page = list_tickets(data.engine.read_engine, TicketQuery(limit=MAX_LIMIT, **filters))
    assert page.total == len(page.items)
    return data.names(page.items, key="complaint_id")


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["T5", "T4", "T3", "T2", "T1"]),
    ({"order": "received_on"}, ["T1", "T2", "T3", "T4", "T5"]),
    ({"state": "CLOSED"}, ["T1"]),
    ({"state": "IN_HANDLING"}, ["T5", "T3"]),
    ({"channel": "PHONE_12351"}, ["T5", "T4", "T1"]),
    ({"category": "ASSISTANCE"}, ["T5", "T4", "T2"]),
    ({"complexity": "DIFFICULT"}, ["T2"]),
    ({"urgency": "URGENT"}, ["T2"]),
    ({"street": "东城街道"}, ["T5", "T2"]),
    ({"handling_org": "东城街道工会"}, ["T5", "T2"]),
    ({"received_from": date(2026, 3, 5), "received_to": date(2026, 3, 12)}, ["T4", "T3", "T2"]),
    ({"overdue": True}, ["T3", "T2"]),
    ({"due_soon": True}, ["T5"]),
    ({"escalated": True}, ["T3", "T2"]),
    ({"q": "顺通"}, ["T2"]),
])
def test_ticket_list_filter(data, filters, expected):
    assert tickets(data, **filters) == expected


def test_ticket_list_search_by_ticket_number(data):
    assert tickets(data, q=data.numbers["T3"]) == ["T3"]
    assert tickets(data, q=data.numbers["T3"][-3:]) == ["T3"]


# --------------------------------------------------------------------------- indexes


@pytest.mark.parametrize(("view", "table", "columns"), [
    (CaseListView, "cases", ["received_on", "status", "stage", "origin", "street", "industry", "is_collective",
                             "caseworker", "current_agency", "current_kind"]),
    (CaseListView, "case_tags", ["kind"]),
    (InboxView, "inbox", ["requested_on", "to_agency", "from_agency", "state", "kind", "warning"]),
    (TicketListView, "tickets", ["received_on", "state", "channel", "category", "complexity", "urgency",
                                 "street", "handling_org"]),
])
def test_every_filter_column_leads_an_index(view, table, columns):
    leading = {index.columns[0].name for index in view.metadata.tables[table].indexes}
    assert set(columns) <= leading


@pytest.mark.parametrize(("view", "table", "flags"), [
    (CaseListView, "cases", ["red_count", "yellow_count"]),
    (TicketListView, "tickets", ["red_count", "yellow_count", "escalation_count"]),
])
def test_light_filters_have_partial_indexes_in_list_order(view, table, flags):
    partial = {
        str(index.dialect_options["postgresql"]["where"]): [c.name for c in index.columns]
        for index in view.metadata.tables[table].indexes
        if isinstance(index, Index) and index.dialect_options["postgresql"]["where"] is not None
    }
    assert sorted(partial) == sorted(f"{flag} > 0" for flag in flags)
    assert all(columns[0] == "received_on" for columns in partial.values())
