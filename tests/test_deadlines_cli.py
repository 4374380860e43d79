"""``dispute-engine deadlines``, run as a real subprocess (``python -m dispute_engine``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from domain.calendar import default_calendar

OVERRIDES_ENV = "DISPUTE_ENGINE_RULE_OVERRIDES"
REQUIRED_KEYS = {
    "rule", "from", "due_date", "day_type", "provisional", "source", "confidence", "unit", "period",
    "rule_version", "calendar_version", "step", "unverified",
}


def environment(overrides: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != OVERRIDES_ENV}
    env["PYTHONIOENCODING"] = "utf-8"
    if overrides is not None:
        env[OVERRIDES_ENV] = str(overrides)
    return env


def run(*args: str, overrides: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dispute_engine", "deadlines", *args],
        capture_output=True, text=True, encoding="utf-8", env=environment(overrides), timeout=60, check=False,
    )


def assert_one_line_usage_error(result: subprocess.CompletedProcess[str], prefix: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    assert "Traceback" not in result.stderr


def test_compute_prints_one_json_object_with_the_due_date_and_its_provenance():
    result = run("compute", "--rule", "A8", "--from", "2026-01-05")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert REQUIRED_KEYS <= payload.keys()
    assert (payload["rule"], payload["from"], payload["due_date"]) == ("A8", "2026-01-05", "2026-02-24")
    assert (payload["day_type"], payload["provisional"], payload["confidence"]) == ("calendar", False, "V")
    assert "第43条" in payload["source"]
    assert payload["calendar_version"] == default_calendar().version


def test_compute_applies_an_extension():
    payload = json.loads(run("compute", "--rule", "A8", "--from", "2026-01-05", "--extension", "15").stdout)
    assert (payload["due_date"], payload["extension"]) == ("2026-03-06", 15)


def test_compute_applies_suspended_days():
    payload = json.loads(run("compute", "--rule", "A8", "--from", "2026-01-05", "--suspended-days", "10").stdout)
    assert (payload["due_date"], payload["suspended_days"]) == ("2026-03-02", 10)


def test_compute_marks_an_unverified_policy_rule():
    payload = json.loads(run("compute", "--rule", "H3", "--from", "2024-04-26").stdout)
    assert (payload["due_date"], payload["confidence"], payload["unverified"]) == ("2024-05-07", "P", True)


def test_compute_marks_a_deadline_in_an_uncovered_year_provisional():
    last = max(default_calendar().covered_years)
    payload = json.loads(run("compute", "--rule", "M3", "--from", f"{last}-12-20").stdout)
    assert payload["provisional"] is True


def test_unknown_rule_exits_2_with_one_line_naming_it():
    result = run("compute", "--rule", "Z99", "--from", "2026-01-05")
    assert_one_line_usage_error(result, "error: --rule: unknown rule 'Z99'")
    assert "deadlines rules" in result.stderr


def test_malformed_date_exits_2_with_one_line_naming_the_option():
    result = run("compute", "--rule", "A8", "--from", "2024-13-01")
    assert_one_line_usage_error(result, "error: --from: expected YYYY-MM-DD, got '2024-13-01'")


def test_compact_iso_date_is_refused():
    assert_one_line_usage_error(run("compute", "--rule", "A8", "--from", "20240101"), "error: --from:")


def test_non_numeric_extension_exits_2_with_one_line():
    result = run("compute", "--rule", "A8", "--from", "2026-01-05", "--extension", "two")
    assert_one_line_usage_error(result, "error: --extension: expected a whole number")


def test_extension_beyond_the_maximum_exits_2_with_one_line():
    result = run("compute", "--rule", "A8", "--from", "2026-01-05", "--extension", "16")
    assert_one_line_usage_error(result, "error: --extension: rule A8 allows at most 15 days")


def test_rules_json_lists_the_table_with_confidence_and_unverified_marker():
    result = run("rules", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert {"A8", "L6R", "L7R", "H3C", "LA1A"} <= rows.keys()
    assert (rows["A8"]["confidence"], rows["A8"]["unverified"]) == ("V", False)
    assert (rows["LA1"]["confidence"], rows["LA1"]["unverified"]) == ("R", True)
    assert rows["A3"]["day_type_basis"] == "A0" and rows["A3"]["unverified"] is True


def test_rules_table_marks_unverified_rows_and_states_the_a0_setting():
    result = run("rules", "--table")
    assert result.returncode == 0, result.stderr
    assert "UNVERIFIED" in result.stdout
    assert "A0: arbitration 3/5/10-day periods count working days" in " ".join(result.stdout.split())


def test_rules_default_to_json_when_stdout_is_not_a_terminal():
    assert isinstance(json.loads(run("rules").stdout), list)


def test_district_overrides_file_changes_a_policy_rule(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"H3": {"period": 3}}), encoding="utf-8")
    payload = json.loads(run("compute", "--rule", "H3", "--from", "2024-04-26", overrides=path).stdout)
    assert (payload["period"], payload["due_date"], payload["overridden"]) == (3, "2024-04-30", True)


def test_district_override_of_a_statutory_rule_exits_2_naming_the_variable(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"A8": {"period": 60}}), encoding="utf-8")
    result = run("compute", "--rule", "A8", "--from", "2026-01-05", overrides=path)
    assert_one_line_usage_error(result, f"error: {OVERRIDES_ENV}: rule 'A8' is statutory")


def test_missing_overrides_file_exits_2_naming_the_variable(tmp_path):
    result = run("rules", "--json", overrides=tmp_path / "absent.json")
    assert_one_line_usage_error(result, f"error: {OVERRIDES_ENV}: cannot read")


def test_installed_console_script_runs_the_deadlines_command():
    script = shutil.which("dispute-engine", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the dispute-engine console script is not installed next to this interpreter")
    result = subprocess.run(
        [script, "deadlines", "compute", "--rule", "M8", "--from", "2026-09-01"],
        capture_output=True, text=True, encoding="utf-8", env=environment(), timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["due_date"] == "2026-10-08"
