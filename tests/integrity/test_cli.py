"""``seal``, ``verify``, ``checkpoints export``, ``export`` and ``db harden`` as an operator runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.conftest import make_settings

EXECUTABLE = Path(sys.executable).with_name("dispute-engine")


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DISPUTE_ENGINE_DATA": str(data_dir), "DISPUTE_ENGINE_CHECKPOINT_EVERY": "10",
                   **env}
    for name in ("DATABASE_URL", "DISPUTE_ENGINE_CHECKPOINT_KEY", "DISPUTE_ENGINE_ENV"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True, env=environment, timeout=120)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("sealed")
    story = run(data_dir, "demo", "story")
    assert story.returncode == 0, story.stderr
    dispute_id = re.search(r"dispute id (\S+);", story.stdout).group(1)
    sealed = run(data_dir, "seal", "--once")
    assert sealed.returncode == 0, sealed.stderr
    assert json.loads(sealed.stdout)["sealed"] > 0
    return data_dir, dispute_id


def copy_of(store: tuple[Path, str], tmp_path: Path, name: str = "copy") -> Path:
    return Path(shutil.copytree(store[0], tmp_path / name))


def test_seal_once_again_seals_nothing_new(store):
    again = json.loads(run(store[0], "seal", "--once").stdout)
    assert again["sealed"] == 0 and again["unsealed"] == 0 and again["position"] >= 50


def test_verify_prints_one_line_and_exits_0_when_intact(store):
    result = run(store[0], "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intact: log,") and result.stdout.count("\n") == 1
    report = json.loads(run(store[0], "verify", "--json").stdout)
    assert report["ok"] and report["problem"] is None and report["events"] == report["sealed_position"]


def test_verify_names_the_first_bad_position_and_case_and_exits_1(store, tmp_path):
    data_dir = copy_of(store, tmp_path)
    connection = sqlite3.connect(data_dir / "dispute-engine.sqlite", isolation_level=None)
    connection.execute("DROP TRIGGER stored_events_append_only_update")
    connection.execute("UPDATE stored_events SET state = CAST('{}' AS BLOB) WHERE rowid = 17")
    connection.close()
    result = run(data_dir, "verify")
    assert result.returncode == 1
    assert result.stdout.startswith("TAMPERED at position 17 (case ")
    assert json.loads(run(data_dir, "verify", "--json").stdout)["problem"]["position"] == 17


def test_exported_checkpoints_catch_an_older_copy_of_the_store(store, tmp_path):
    older = copy_of(store, tmp_path, "older")
    current = copy_of(store, tmp_path, "current")
    assert run(current, "demo", "story").returncode == 0
    assert run(current, "seal", "--once").returncode == 0
    exported = tmp_path / "checkpoints.jsonl"
    assert json.loads(run(current, "checkpoints", "export", str(exported)).stdout)["checkpoints"] >= 10
    assert run(older, "verify").returncode == 0
    result = run(older, "verify", "--checkpoints", str(exported))
    assert result.returncode == 1
    assert "older copy of the database was restored" in result.stdout


def test_export_writes_a_bundle_that_verifies_offline(store, tmp_path):
    data_dir, dispute_id = store
    bundle = tmp_path / "case.zip"
    exported = run(data_dir, "export", dispute_id, "-o", str(bundle))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["case_id"] == dispute_id
    verified = run(tmp_path / "nowhere", "verify", "--bundle", str(bundle))
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith(f"intact: bundle of case {dispute_id}")

    with zipfile.ZipFile(bundle) as source:
        files = {name: source.read(name) for name in source.namelist()}
    files["events.jsonl"] = files["events.jsonl"].replace(b'"originator_version":2', b'"originator_version":3', 1)
    with zipfile.ZipFile(tmp_path / "modified.zip", "w") as target:
        for name, body in files.items():
            target.writestr(name, body)
    assert run(tmp_path, "verify", "--bundle", str(tmp_path / "modified.zip")).returncode == 1


def test_verify_one_case(store):
    data_dir, dispute_id = store
    result = run(data_dir, "verify", "--case", dispute_id)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith(f"intact: case {dispute_id}")
    unknown = run(data_dir, "verify", "--case", str(uuid.uuid4()))
    assert unknown.returncode == 2 and "--case" in unknown.stderr


def test_production_without_a_checkpoint_key_stops_naming_the_variable(store, tmp_path):
    result = run(copy_of(store, tmp_path), "seal", "--once", DISPUTE_ENGINE_ENV="production")
    assert result.returncode == 2
    assert "DISPUTE_ENGINE_CHECKPOINT_KEY" in result.stderr


def test_the_public_key_is_printed_for_auditors_and_trusted_by_verify(store, tmp_path):
    printed = run(store[0], "checkpoints", "public-key")
    assert printed.returncode == 0 and printed.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    public = tmp_path / "checkpoint.pub.pem"
    public.write_text(printed.stdout)
    assert run(store[0], "verify", "--public-key", str(public)).returncode == 0


def test_db_harden_needs_postgresql(store):
    result = run(store[0], "db", "harden", "--app-role", "de_app")
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


def test_db_harden_creates_the_application_role(tmp_path):
    settings = next(iter(settings_gen := make_settings("postgres", tmp_path)))
    role = f"de_app_{uuid.uuid4().hex[:10]}"
    pg = settings.postgres
    url = f"postgresql://{pg.user}@{pg.host}:{pg.port}/{pg.dbname}"
    try:
        result = run(tmp_path, "db", "harden", "--app-role", role, DATABASE_URL=url,
                     DISPUTE_ENGINE_POSTGRES_SCHEMA=settings.postgres_schema)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["app_role"] == role and report["role_created"]
        assert "event_chain" in report["append_only"]
    finally:
        import psycopg

        with psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user, autocommit=True) as admin:
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f'DROP OWNED BY "{role}" CASCADE')
                admin.execute(f'DROP ROLE "{role}"')
        next(settings_gen, None)
