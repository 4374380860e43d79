"""The request path's shortcuts change no answer: the user's row is still read on every request (in the
endpoint's own trip to the thread pool), a token is still checked for expiry every time, and a token whose
claims its row no longer confirms is refused. Both stores (``api`` fixture)."""

from __future__ import annotations

import dataclasses

from domain.values import Role
from tests.api.conftest import DISPUTE


def test_a_disabled_users_command_is_refused_and_records_nothing(api):
    case = api.post("staff", "/disputes", DISPUTE).json()["id"]
    head = api.head()
    api.app.state.auth.users.disable("u-staff")

    response = api.post("staff", f"/disputes/{case}/assign-caseworker", {"caseworker": "centre-1"})

    assert (response.status_code, response.json()["message"]) == (401, "user disabled")
    assert api.head() == head


def test_a_disabled_user_can_no_longer_read_lists_or_cases(api):
    case = api.post("staff", "/disputes", DISPUTE).json()["id"]
    api.app.state.auth.users.disable("u-staff")

    answers = [api.get("staff", "/disputes").status_code, api.get("staff", f"/disputes/{case}").status_code,
               api.get("staff", "/views/caseload").status_code]

    assert answers == [401, 401, 401]


def test_a_token_accepted_before_is_refused_once_it_expires(api):
    case = api.post("staff", "/disputes", DISPUTE).json()["id"]
    assert api.get("staff", f"/disputes/{case}").status_code == 200
    api.engine.clock.advance(minutes=31)

    response = api.get("staff", f"/disputes/{case}")

    assert (response.status_code, response.json()["message"]) == (401, "token expired")


def test_a_token_whose_role_its_user_row_does_not_confirm_is_refused(api):
    auth = api.app.state.auth
    partner = auth.users.get("u-hr")
    forged_role = auth.tokens.issue(dataclasses.replace(partner, role=Role.STAFF)).access_token
    headers = {"Authorization": f"Bearer {forged_role}"}
    case = api.post("staff", "/disputes", DISPUTE).json()["id"]
    head = api.head()

    command = api.client.post("/disputes", json=DISPUTE, headers=headers)
    read = api.client.get(f"/disputes/{case}", headers=headers)

    assert [command.status_code, read.status_code] == [401, 401]
    assert command.json()["message"] == "the token no longer matches the user"
    assert api.head() == head
