"""Lists from the views over HTTP: paging, search, partner scope, read-your-writes, exports."""

from __future__ import annotations

from tests.api.conftest import ARBITRATION_HANDOFF, DISPUTE


def _handed_to_hr(api) -> tuple[str, int]:
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    handoff = api.post("staff", f"/disputes/{did}/request-handoff", ARBITRATION_HANDOFF)
    return did, int(handoff.headers["X-Log-Position"])


def test_a_command_is_in_the_list_once_the_views_reach_its_position(api):
    did, position = _handed_to_hr(api)
    api.engine.follower().run_once()
    page = api.get("staff", "/disputes", after=position).json()
    assert [row["dispute_id"] for row in page["items"]] == [did]
    assert page["total"] == 1 and page["total_exact"] is True and page["next"] is None


def test_a_total_beyond_the_count_limit_is_flagged_not_exact(api, monkeypatch):
    from projections import queries

    _, position = _handed_to_hr(api)
    _handed_to_hr(api)
    api.engine.follower().run_once()
    monkeypatch.setattr(queries, "COUNT_LIMIT", 1)
    for who, path in (("staff", "/disputes"), ("hr", "/disputes"), ("hr", "/handoffs")):
        page = api.get(who, path).json()
        assert (page["total"], page["total_exact"], len(page["items"])) == (1, False, 2), (who, path)


def test_read_your_writes_beyond_the_log_is_422_and_behind_the_log_is_503(api):
    _, position = _handed_to_hr(api)
    beyond = api.get("staff", "/disputes", after=position + 1000)
    assert beyond.status_code == 422 and beyond.json()["detail"]["field"] == "after"
    behind = api.get("staff", "/disputes", after=position)  # no follower has run yet
    assert behind.status_code == 503 and behind.headers["Retry-After"] == "1"


def test_the_hr_inbox_shows_its_handoff_and_the_court_inbox_does_not(api):
    did, position = _handed_to_hr(api)
    api.engine.follower().run_once()
    hr = api.get("hr", "/handoffs", after=position).json()
    assert [row["dispute_id"] for row in hr["items"]] == [did]
    assert api.get("court", "/handoffs").json()["items"] == []
    assert [r["dispute_id"] for r in api.get("hr", "/disputes").json()["items"]] == [did]
    assert api.get("court", "/disputes").json()["total"] == 0


def test_paging_with_the_cursor_returns_every_case_once(api):
    ids = {api.post("staff", "/disputes", DISPUTE).json()["id"] for _ in range(7)}
    api.engine.follower().run_once()
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("staff", "/disputes", **params).json()
        seen += [row["dispute_id"] for row in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)


def test_an_oversized_page_is_422_naming_limit(api):
    response = api.get("staff", "/disputes", limit=501)
    assert response.status_code == 422 and response.json()["detail"]["field"] == "limit"


def test_search_by_employer_and_by_case_number(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.engine.follower().run_once()
    number = api.get("staff", f"/disputes/{did}").json()["case_number"]
    assert api.get("staff", "/disputes", q="恒达").json()["total"] == 1
    assert api.get("staff", "/disputes", q=number).json()["total"] == 1
    assert api.get("staff", "/disputes", q="no such employer").json()["total"] == 0


def test_lists_export_as_csv_and_xlsx(api):
    api.post("staff", "/disputes", DISPUTE)
    api.engine.follower().run_once()
    csv = api.get("staff", "/disputes", format="csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "恒达家具有限公司" in csv.content.decode("utf-8-sig")
    xlsx = api.get("staff", "/disputes", format="xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_partners_cannot_list_hotline_tickets(api):
    assert api.get("hr", "/complaints").status_code == 403
    api.post("staff", "/complaints", {"caller": {"phone": "13800138000"}, "category": "CONSULTATION",
                                      "summary": "question"})
    api.engine.follower().run_once()
    assert api.get("staff", "/complaints").json()["total"] == 1


def test_repeat_claimants_are_found_by_id_number_through_the_blind_index_only(api):
    first = api.post("staff", "/disputes", DISPUTE).json()["id"]
    second = api.post("staff", "/disputes", DISPUTE).json()["id"]
    other = {**DISPUTE, "claimants": [{"person": {"name": "李四", "id_number": "440524188001010014"}}]}
    api.post("staff", "/disputes", other)
    api.engine.follower().run_once()
    found = api.get("staff", "/disputes", party_id_number="11010519491231002x").json()
    assert sorted(row["dispute_id"] for row in found["items"]) == sorted([first, second])
    assert api.get("staff", "/disputes", party_name="陈建国", party_id_number="440524188001010014").json()["total"] == 0
    assert api.get("auditor", "/disputes", party_id_number="11010519491231002X").status_code == 403


def test_an_erased_party_can_no_longer_be_found(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    party_id = api.get("staff", f"/disputes/{did}").json()["claimants"][0]["party_id"]
    api.post("staff", f"/disputes/{did}/parties/{party_id}/erase", {"legal_basis": "个人信息保护法 第47条"})
    api.engine.follower().run_once()
    assert api.get("staff", "/disputes", party_id_number="11010519491231002X").json()["total"] == 0


def test_caseload_and_timeliness_figures_follow_the_commands(api):
    from datetime import date

    did, position = _handed_to_hr(api)
    api.engine.follower().run_once()
    caseload = api.get("staff", "/views/caseload", after=position).json()
    assert (caseload["disputes"]["open"], caseload["disputes"]["closed"]) == (1, 0)
    agencies = next(b for b in caseload["disputes"]["breakdowns"] if b["dimension"] == "agency")["buckets"]
    assert agencies == [{"value": "hr", "open": 1, "closed": 0, "total": 1}]

    hid = api.get("staff", f"/disputes/{did}").json()["handoffs"][0]["handoff_id"]
    api.post("hr", f"/disputes/{did}/receive-handoff", {"handoff_id": hid})
    api.engine.deadline_clock().tick(date(2026, 4, 30))  # acceptance (A3) was never decided
    api.engine.follower().run_once()
    rules = {r["rule_id"]: r for r in api.get("staff", "/views/timeliness").json()["rules"]}
    assert rules["A3"]["missed"] == 1 and rules["A3"]["on_time_rate"] in (0, 0.0)
    csv = api.get("auditor", "/views/timeliness", format="csv")
    assert csv.status_code == 200 and "A3" in csv.content.decode("utf-8-sig")
    assert api.get("hr", "/views/caseload").status_code == 403
