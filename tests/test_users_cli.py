"""``dispute-engine users``, run as a real subprocess on a SQLite data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispute_engine.config import Settings
from projections.engine import create_read_model_engine as make_engine
from dispute_engine.users import UserStore

COMMAND = Path(sys.executable).with_name("dispute-engine")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def user_store(data_dir: Path) -> Iterator[UserStore]:
    engine = make_engine(Settings(data_dir=data_dir))
    try:
        yield UserStore(engine)
    finally:
        engine.dispose()


def run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTE_ENGINE_") and k != "DATABASE_URL"}
    env["DISPUTE_ENGINE_DATA"] = str(data_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(COMMAND), "users", *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
        env=env, timeout=60, check=False,
    )


def listed(data_dir: Path) -> list[dict]:
    result = run(data_dir, "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_usage_error(result: subprocess.CompletedProcess[str], prefix: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]


def test_create_with_password_stdin_stores_that_password(data_dir, user_store):
    result = run(data_dir, "create", "alice", "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "created user alice: role staff, agency union\n"
    user = user_store.verify_password("alice", PASSWORD)
    assert user is not None
    assert (user.role.value, user.agency.value) == ("staff", "union")


def test_create_without_password_prints_a_generated_password_once(data_dir, user_store):
    result = run(data_dir, "create", "bob", "--role", "admin")

    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("password")]
    password = line.split(": ", 1)[1]
    assert len(password) >= 20
    assert result.stdout.count(password) == 1
    assert password not in result.stderr
    assert user_store.verify_password("bob", password) is not None
    assert password not in run(data_dir, "list").stdout + run(data_dir, "list", "--json").stdout


def test_create_partner_with_agency(data_dir):
    result = run(data_dir, "create", "wang.hr", "--role", "partner", "--agency", "hr",
                 "--password-stdin", stdin=PASSWORD)

    assert result.returncode == 0, result.stderr
    assert [(u["name"], u["role"], u["agency"]) for u in listed(data_dir)] == [("wang.hr", "partner", "hr")]


def test_duplicate_name_exits_2_and_keeps_the_first_user(data_dir, user_store):
    run(data_dir, "create", "alice", "--role", "staff", "--password-stdin", stdin=PASSWORD)

    result = run(data_dir, "create", "alice", "--role", "admin", "--password-stdin", stdin="another long password")

    assert_usage_error(result, "error: NAME: a user named 'alice' already exists")
    assert [(u["name"], u["role"]) for u in listed(data_dir)] == [("alice", "staff")]
    assert user_store.verify_password("alice", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        pytest.param(["carol", "--role", "partner"], "error: --agency: is required for a partner", id="partner-without-agency"),
        pytest.param(["carol", "--role", "staff", "--agency", "court"], "error: --agency: only a partner", id="staff-with-agency"),
        pytest.param(["carol", "--role", "partner", "--agency", "petition"], "error: --agency: 'petition' is not one of: court, justice, hr", id="non-partner-agency"),
        pytest.param(["carol", "--role", "boss"], "error: --role: 'boss' is not one of: staff, partner, auditor, admin", id="bad-role"),
        pytest.param(["carol", "--role", "system"], "error: --role: 'system' is not one of", id="system-role"),
        pytest.param(["carol"], "error: --role: is required", id="missing-role"),
        pytest.param(["Carol Smith", "--role", "staff"], "error: NAME: 'Carol Smith' is not a valid user name", id="bad-name"),
    ],
)
def test_invalid_create_exits_2_naming_the_option_and_creates_nothing(data_dir, args, prefix):
    result = run(data_dir, "create", *args)

    assert_usage_error(result, prefix)
    assert listed(data_dir) == []


def test_short_password_on_stdin_exits_2_and_creates_nothing(data_dir):
    result = run(data_dir, "create", "carol", "--role", "auditor", "--password-stdin", stdin="short\n")

    assert_usage_error(result, "error: --password-stdin: at least 12 characters are required, got 5")
    assert listed(data_dir) == []


def test_empty_password_stdin_exits_2(data_dir):
    result = run(data_dir, "create", "carol", "--role", "auditor", "--password-stdin", stdin="")

    assert_usage_error(result, "error: --password-stdin: standard input is empty")


def test_list_json_shows_each_user_with_role_agency_and_state(data_dir):
    run(data_dir, "create", "bob", "--role", "auditor", "--password-stdin", stdin=PASSWORD)
    run(data_dir, "create", "alice", "--role", "partner", "--agency", "justice", "--password-stdin", stdin=PASSWORD)

    users = listed(data_dir)

    assert [(u["name"], u["role"], u["agency"], u["enabled"], u["disabled_at"]) for u in users] == [
        ("alice", "partner", "justice", True, None),
        ("bob", "auditor", "union", True, None),
    ]
    assert all(u["created_at"].endswith("+00:00") for u in users)
    assert all("password" not in key for u in users for key in u)


def test_list_prints_a_table_of_users(data_dir):
    run(data_dir, "create", "alice", "--role", "staff", "--password-stdin", stdin=PASSWORD)

    result = run(data_dir, "list")

    assert result.returncode == 0, result.stderr
    assert "1 users" in result.stdout
    [row] = [line for line in result.stdout.splitlines() if "alice" in line]
    assert ["alice", "staff", "union", "yes"] == [cell.strip() for cell in row.strip("│ ").split("│")][:4]


def test_disable_marks_the_user_disabled_and_refuses_their_password(data_dir, user_store):
    run(data_dir, "create", "alice", "--role", "staff", "--password-stdin", stdin=PASSWORD)

    result = run(data_dir, "disable", "alice")

    assert (result.returncode, result.stdout) == (0, "disabled user alice\n")
    [user] = listed(data_dir)
    assert user["enabled"] is False
    assert user["disabled_at"] is not None
    assert user_store.verify_password("alice", PASSWORD) is None


def test_disable_twice_keeps_the_first_disable_time(data_dir):
    run(data_dir, "create", "alice", "--role", "staff", "--password-stdin", stdin=PASSWORD)
    run(data_dir, "disable", "alice")
    first = listed(data_dir)[0]["disabled_at"]

    result = run(data_dir, "disable", "alice")

    assert result.returncode == 0
    assert result.stdout.startswith("user alice was already disabled at ")
    assert listed(data_dir)[0]["disabled_at"] == first


def test_disable_unknown_user_exits_2(data_dir):
    assert_usage_error(run(data_dir, "disable", "nobody"), "error: NAME: no user named 'nobody'")
