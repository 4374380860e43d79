"""Backup and restore of the embedded store, as an operator runs them: restore, verify, same views."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXECUTABLE = Path(sys.executable).with_name("dispute-engine")


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISPUTE_ENGINE_DATA": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True, env=env, timeout=180)


def _status(data_dir: Path) -> dict:
    return {row["view"]: row for row in json.loads(run(data_dir, "projections", "status", "--json").stdout)}


def test_a_restored_backup_verifies_and_rebuilds_to_the_same_views(tmp_path):
    live, folder, restored = tmp_path / "live", tmp_path / "backup", tmp_path / "restored"
    assert run(live, "demo", "story").returncode == 0
    assert run(live, "projections", "run", "--once").returncode == 0
    assert run(live, "seal", "--once").returncode == 0
    taken = run(live, "backup", str(folder), "--include-keys")
    assert taken.returncode == 0, taken.stderr
    assert json.loads(taken.stdout)["events"] > 0

    back = run(restored, "restore", str(folder))
    assert back.returncode == 0, back.stderr
    # The secrets (token, checkpoint and vault master keys) are configuration, kept outside backups.
    (restored / "secrets").mkdir()
    for key in (live / "secrets").iterdir():
        (restored / "secrets" / key.name).write_bytes(key.read_bytes())
    verified = run(restored, "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for view in _status(live):
        assert run(restored, "projections", "rebuild", view).returncode == 0
    live_status, restored_status = _status(live), _status(restored)
    assert {v: s["position"] for v, s in restored_status.items()} == {v: s["position"] for v, s in live_status.items()}
    story = run(restored, "demo", "story")  # the restored store keeps working: the next numbers follow on
    assert story.returncode == 0 and "（2026）区工调字第0002号" in story.stdout


def test_restore_refuses_to_overwrite_a_live_store(tmp_path):
    live, folder = tmp_path / "live", tmp_path / "backup"
    assert run(live, "demo", "story").returncode == 0
    assert run(live, "backup", str(folder)).returncode == 0
    refused = run(live, "restore", str(folder))
    assert refused.returncode == 2 and "already exists" in refused.stderr


def test_backup_into_a_non_empty_folder_is_refused(tmp_path):
    live, folder = tmp_path / "live", tmp_path / "backup"
    assert run(live, "demo", "story").returncode == 0
    folder.mkdir()
    (folder / "something").write_text("x")
    refused = run(live, "backup", str(folder))
    assert refused.returncode == 2 and "must be empty" in refused.stderr
