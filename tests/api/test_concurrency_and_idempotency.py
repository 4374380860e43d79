"""ETag / If-Match and Idempotency-Key over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from tests.api.conftest import DISPUTE


def test_responses_carry_the_case_version_as_etag(api):
    created = api.post("staff", "/disputes", DISPUTE)
    assert created.headers["ETag"] == '"1"'
    did = created.json()["id"]
    assert api.get("staff", f"/disputes/{did}").headers["ETag"] == '"1"'


def test_stale_if_match_is_412_with_the_current_version_and_records_nothing(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.post("staff", f"/disputes/{did}/assign-caseworker", {"caseworker": "a"})
    head = api.head()
    stale = api.post("staff", f"/disputes/{did}/assign-caseworker", {"caseworker": "b"}, **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["detail"] == {"expected": 1, "current": 2}
    assert api.head() == head
    fresh = api.post("staff", f"/disputes/{did}/assign-caseworker", {"caseworker": "b"}, **{"If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'


def test_expected_version_in_the_body_works_like_if_match(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    stale = api.post("staff", f"/disputes/{did}/assign-caseworker", {"caseworker": "b", "expected_version": 5})
    assert stale.status_code == 412


def test_repeat_with_the_same_key_returns_the_original_response_and_records_nothing(api):
    first = api.post("staff", "/disputes", DISPUTE, **{"Idempotency-Key": "intake-1"})
    head = api.head()
    again = api.post("staff", "/disputes", DISPUTE, **{"Idempotency-Key": "intake-1"})
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.head() == head


def test_same_key_with_a_different_body_is_422_and_records_nothing(api):
    api.post("staff", "/disputes", DISPUTE, **{"Idempotency-Key": "intake-2"})
    head = api.head()
    other = api.post("staff", "/disputes", {**DISPUTE, "summary": "something else"}, **{"Idempotency-Key": "intake-2"})
    assert other.status_code == 422
    assert other.json()["detail"]["field"] == "Idempotency-Key"
    assert api.head() == head


def test_keys_are_scoped_per_user(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.post("staff", f"/disputes/{did}/request-handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PARTY_APPLICATION",
        "dossier": [{"doc_type": "APPLICATION", "title": "申请书", "sha256": "a" * 64}]},
        **{"Idempotency-Key": "k"})
    hid = api.get("staff", f"/disputes/{did}").json()["handoffs"][0]["handoff_id"]
    received = api.post("hr", f"/disputes/{did}/receive-handoff", {"handoff_id": hid}, **{"Idempotency-Key": "k"})
    assert received.status_code == 200 and "Idempotent-Replayed" not in received.headers


def test_concurrent_repeats_of_one_key_record_one_dispute(api):
    results = []

    def send() -> None:
        results.append(api.post("staff", "/disputes", DISPUTE, **{"Idempotency-Key": "race"}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    assert len(list(api.engine.app.iter_aggregate_ids())) == 1


def test_concurrent_commands_without_if_match_are_all_applied(api):
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]

    def send(n: int) -> None:
        for i in range(5):
            assert api.post("staff", f"/disputes/{did}/assign-caseworker",
                            {"caseworker": f"w{n}-{i}"}).status_code == 200

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert api.get("staff", f"/disputes/{did}").json()["version"] == 21
