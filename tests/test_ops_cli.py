"""The operations commands as a user runs them: demo story, clock, projections (SQLite, real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXECUTABLE = Path(sys.executable).with_name("dispute-engine")


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISPUTE_ENGINE_DATA": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def story_store(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("story")
    result = run(data_dir, "demo", "story")
    assert result.returncode == 0, result.stderr
    return data_dir


def test_demo_story_prints_both_case_histories(story_store, tmp_path):
    result = run(tmp_path, "demo", "story")
    assert result.returncode == 0
    assert "12351-2026-000001" in result.stdout
    assert "ProceedingLapsed" in result.stdout  # mediation lapsed at M3, recorded by the clock
    assert "HandoffAccepted" in result.stdout
    assert "arbitration_precedes_litigation" in result.stdout
    assert "11010519491231002X" not in result.stdout and "13800138000" not in result.stdout


def test_projections_status_reports_every_view_as_json(story_store):
    result = run(story_store, "projections", "status", "--json")
    assert result.returncode == 0, result.stderr
    views = {row["view"]: row for row in json.loads(result.stdout)}
    assert "deadlines" in views
    assert views["deadlines"]["head"] >= views["deadlines"]["position"] >= 0


def test_projections_run_once_then_rebuild_catches_up_to_the_head(story_store):
    assert run(story_store, "projections", "run", "--once").returncode == 0
    rebuilt = run(story_store, "projections", "rebuild", "deadlines", "cases")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["views"] == ["deadlines", "cases"]
    status = {row["view"]: row for row in json.loads(run(story_store, "projections", "status", "--json").stdout)}
    for view in ("deadlines", "cases"):
        assert status[view]["lag_events"] == 0
        assert status[view]["position"] == status[view]["head"]


def test_unknown_view_is_a_usage_error(story_store):
    result = run(story_store, "projections", "rebuild", "no_such_view")
    assert result.returncode == 2
    assert "unknown view" in result.stderr


def test_clock_once_on_a_given_day_reports_what_it_recorded_and_twice_records_nothing(story_store):
    first = run(story_store, "clock", "--once", "--today", "2027-06-01")
    assert first.returncode == 0, first.stderr
    again = json.loads(run(story_store, "clock", "--once", "--today", "2027-06-01").stdout)
    assert again == {"today": "2027-06-01", "examined": 0, "recorded": 0}


def test_clock_rejects_a_malformed_date(story_store):
    result = run(story_store, "clock", "--once", "--today", "2027-02-30")
    assert result.returncode == 2
    assert "--today" in result.stderr


def test_adopting_an_unchanged_calendar_recomputes_nothing(tmp_path):
    assert run(tmp_path, "demo", "story").returncode == 0
    result = run(tmp_path, "deadlines", "adopt-calendar")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["deadlines_recomputed"] == 0
    assert report["calendar_version"].startswith("cal-")
