"""Personal data: sealed per person at rest, masked by role, logged when read, erasable."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.api.conftest import DISPUTE

ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"
NAME = "陈建国"


def _raw_bytes(api) -> bytes:
    """Every byte of the event store and the views, as stored."""
    settings = api.engine.settings
    if settings.postgres is None:
        return b"".join(p.read_bytes() for p in Path(settings.data_dir).glob("dispute-engine.sqlite*"))
    pg = settings.postgres
    chunks = []
    with psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user) as conn:
        tables = conn.execute("select table_name from information_schema.tables where table_schema = %s",
                              (settings.postgres_schema,)).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'select * from "{settings.postgres_schema}"."{table}"'):
                chunks.append(repr(row).encode())
                chunks.extend(value for value in row if isinstance(value, bytes))
    return b"".join(chunks)


def _seed(api) -> tuple[str, str]:
    did = api.post("staff", "/disputes", DISPUTE).json()["id"]
    tid = api.post("staff", "/complaints", {"caller": {"name": NAME, "phone": PHONE}, "category": "ASSISTANCE",
                                            "summary": "unpaid wages"}).json()["id"]
    api.engine.follower().run_once()
    return did, tid


def test_seeded_id_numbers_phones_and_names_never_appear_in_the_stored_bytes(api):
    _seed(api)
    raw = _raw_bytes(api)
    assert raw, "read nothing"
    for secret in (ID_NUMBER, PHONE, NAME):
        assert secret.encode() not in raw


def test_staff_see_personal_data_in_full_and_auditors_masked(api):
    did, tid = _seed(api)
    assert api.get("staff", f"/disputes/{did}").json()["claimants"][0]["person"]["id_number"] == ID_NUMBER
    masked = api.get("auditor", f"/disputes/{did}").json()["claimants"][0]["person"]
    assert masked["id_number"] == "110105********002X" and masked["phone"] == "138****8000" and masked["name"] == "陈**"
    assert api.get("auditor", f"/complaints/{tid}").json()["caller"]["person"]["phone"] == "138****8000"


def test_every_unmasked_read_is_in_the_access_log(api):
    did, _ = _seed(api)
    api.get("staff", f"/disputes/{did}")
    api.get("staff", f"/disputes/{did}/history")
    api.get("auditor", f"/disputes/{did}")  # masked: not an access to personal data
    log = api.get("auditor", "/audit/personal-data-access", case_id=did).json()
    assert [(e["user_id"], e["what"]) for e in log["items"]] == [("u-staff", "history"), ("u-staff", "state")]
    assert api.get("staff", "/audit/personal-data-access").status_code == 403


def test_erasure_makes_the_data_unreadable_and_records_an_event_without_personal_data(api):
    did, _ = _seed(api)
    party_id = api.get("staff", f"/disputes/{did}").json()["claimants"][0]["party_id"]
    erased = api.post("staff", f"/disputes/{did}/parties/{party_id}/erase",
                      {"legal_basis": "个人信息保护法 第47条; request 2026-001"})
    assert erased.status_code == 200
    person = api.get("staff", f"/disputes/{did}").json()["claimants"][0]["person"]
    assert person["erased"] is True and person["name"] is None and person["id_number"] is None
    history = api.get("staff", f"/disputes/{did}/history").json()["events"]
    assert history[0]["data"]["claimants"][0]["person"]["erased"] is True
    assert history[-1]["type"] == "PersonalDataErased"
    assert ID_NUMBER not in str(history) and NAME not in str(history)
    again = api.post("staff", f"/disputes/{did}/parties/{party_id}/erase", {"legal_basis": "again"})
    assert again.status_code == 200 and api.get("staff", f"/disputes/{did}").json()["version"] == 2


def test_free_text_with_an_id_number_or_phone_is_refused_naming_the_field(api):
    response = api.post("staff", "/disputes", {**DISPUTE, "summary": f"worker {PHONE} called"})
    assert response.status_code == 422 and response.json()["detail"]["field"] == "summary"


def test_auditor_sees_the_chain_sealed_and_verified_intact(api):
    _seed(api)
    api.app.state.integrity.sealer.run_once()
    report = api.get("auditor", "/audit/integrity", refresh="true").json()
    assert report["intact"] is True
    assert report["sealed_position"] == report["log_head"] > 0
    assert "audit_chain_intact 1.0" in api.client.get("/metrics").text


def test_after_erasure_nothing_decrypts_and_the_chain_still_verifies(api):
    did, tid = _seed(api)
    party_id = api.get("staff", f"/disputes/{did}").json()["claimants"][0]["party_id"]
    api.app.state.integrity.sealer.run_once()
    api.post("staff", f"/disputes/{did}/parties/{party_id}/erase", {"legal_basis": "个人信息保护法 第47条"})
    api.post("staff", f"/complaints/{tid}/erase-caller", {"legal_basis": "个人信息保护法 第47条"})
    api.app.state.integrity.sealer.run_once()
    vault = api.engine.vault
    sealed = [p for e in api.engine.app.events.get(api.engine.app.load_id(did)) for p in _persons(vars(e))]
    sealed += [p for e in api.engine.app.events.get(api.engine.app.load_id(tid)) for p in _persons(vars(e))]
    assert sealed and all(vault.open(p)["erased"] for p in sealed)
    assert api.get("auditor", "/audit/integrity", refresh="true").json()["intact"] is True


def _persons(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "person" and isinstance(item, dict) and item.get("sealed"):
                yield item
            else:
                yield from _persons(item)
    elif isinstance(value, list):
        for item in value:
            yield from _persons(item)
