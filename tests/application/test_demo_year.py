"""The demo district year: loaded through the application's commands, on SQLite and PostgreSQL.

One small year (40 disputes, 60 tickets) is loaded per store and shared by the tests that only read it.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from argon2 import PasswordHasher

from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.demo_year import (
    DEMO_USERS,
    SMALL_DISPUTES,
    SMALL_TICKETS,
    DemoStoreNotEmpty,
    DemoSummary,
    create_demo_users,
    load_demo_year,
)
from dispute_engine.users import UserStore, validate_new_user
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.stages import KINDS, ProceedingKind
from domain.values import id_number_checksum_ok, uscc_checksum_ok
from projections.engine import create_read_model_engine
from tests.conftest import STORES, make_settings

COMMAND = Path(sys.executable).with_name("dispute-engine")
SEED = 2024
KNOWN_PASSWORD = "a password chosen beforehand"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # Argon2 at test strength
TIERS = {"NEGOTIATION", "MEDIATION", "ARBITRATION", "LITIGATION", "ADMINISTRATIVE"}


@pytest.fixture(scope="module", params=STORES)
def year_settings(request, tmp_path_factory) -> Iterator[Settings]:
    yield from make_settings(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def loaded(year_settings: Settings) -> Iterator[tuple[Engine, DemoSummary]]:
    with bootstrap(year_settings, clock=FixedClock()) as engine:
        summary = load_demo_year(engine, seed=SEED, year=2026, disputes=SMALL_DISPUTES, tickets=SMALL_TICKETS)
        yield engine, summary


def _state(aggregate) -> dict:
    return {k: v for k, v in aggregate.__dict__.items() if k != "_pending_events"}


def _disputes(engine: Engine, summary: DemoSummary) -> list[Dispute]:
    return [engine.app.load(Dispute, dispute_id) for dispute_id in summary.dispute_ids]


def _tickets(engine: Engine, summary: DemoSummary) -> list[HotlineComplaint]:
    return [engine.app.load(HotlineComplaint, complaint_id) for complaint_id in summary.complaint_ids]


def _fingerprint(engine: Engine, summary: DemoSummary) -> tuple[list, list]:
    """Case numbers with the outcome sequence of each case, tickets with their path, in number order."""
    disputes = sorted(
        (
            d.case_number,
            d.status,
            [(p["kind"], p["org_type"], p["outcome"] or p["state"]) for p in d.proceedings],
            [(h["to_agency"], h["state"]) for h in d.handoffs],
            len(d.claimants),
        )
        for d in _disputes(engine, summary)
    )
    tickets = sorted(
        (
            t.ticket_no,
            t.state,
            t.category,
            [link["to_org"] for link in t.dispatch_chain],
            len(t.escalations),
            t.reopen_count,
            (t.callback or {}).get("satisfaction"),
        )
        for t in _tickets(engine, summary)
    )
    return disputes, tickets


def test_the_year_has_the_numbers_asked_for(loaded):
    engine, summary = loaded
    assert len(summary.dispute_ids) == SMALL_DISPUTES
    assert len(summary.complaint_ids) == SMALL_TICKETS
    numbers = sorted(d.case_number for d in _disputes(engine, summary))
    assert numbers == [f"（2026）区工调字第{n:04d}号" for n in range(1, SMALL_DISPUTES + 1)]


def test_every_case_replays_to_the_state_the_store_gives_back(loaded):
    engine, summary = loaded
    app = engine.app
    for kind, ids in ((Dispute, summary.dispute_ids), (HotlineComplaint, summary.complaint_ids)):
        for case_id in ids:
            events = list(app.events.get(UUID(case_id)))
            replayed = functools.reduce(lambda aggregate, event: event.mutate(aggregate), events, None)
            assert _state(replayed) == _state(app.load(kind, case_id)), case_id


def test_the_summary_counts_what_the_cases_hold(loaded):
    engine, summary = loaded
    rules = engine.app.policy.rules
    disputes, tickets = _disputes(engine, summary), _tickets(engine, summary)
    proceedings = Counter(
        (KINDS[ProceedingKind(p["kind"])].tier, p["kind"], p["outcome"] if p["outcome"] else p["state"])
        for d in disputes
        for p in d.proceedings
    )
    missed = Counter(
        r["rule_id"]
        for case in [*disputes, *tickets]
        for r in case.deadlines
        if r["status"] == "MISSED" or (r["status"] == "MET" and r["on_time"] is False and r["missed_on"])
    )
    assert summary.proceedings == dict(proceedings)
    assert summary.disputes_by_status == dict(Counter(d.status for d in disputes))
    assert summary.collective_disputes == sum(1 for d in disputes if len(d.claimants) >= 10)
    assert summary.handoffs == dict(Counter((h["to_agency"], h["state"]) for d in disputes for h in d.handoffs))
    assert summary.tickets_by_state == dict(Counter(t.state for t in tickets))
    assert summary.tickets_converted == sum(1 for d in disputes if d.origin == "HOTLINE")
    assert summary.tickets_answered_on_call == sum(
        1 for t in tickets if t.state == "CLOSED" and not t.dispatch_chain and t.dispute_id is None
    )
    assert summary.tickets_escalated == sum(1 for t in tickets if t.escalations)
    assert summary.tickets_reopened == sum(1 for t in tickets if t.reopen_count)
    assert summary.callbacks == dict(Counter(t.callback["satisfaction"] for t in tickets if t.callback))
    assert {**summary.overdue, **summary.windows_lapsed} == dict(missed)
    assert all(rules[rule].owner != "PARTY" for rule in summary.overdue)


def test_collective_cases_overdue_deadlines_and_every_tier_occur(loaded):
    engine, summary = loaded
    disputes = _disputes(engine, summary)
    collective = [d for d in disputes if d.is_collective]
    assert collective and all(len(d.claimants) >= 10 for d in collective)
    assert set(summary.tiers) == TIERS
    assert {h["to_agency"] for d in disputes for h in d.handoffs} == {"court", "justice", "hr"}
    # Overdue means an organisation's deadline MISSED, recorded by the clock as the system user.
    overdue = [
        (case, r)
        for case in [*disputes, *_tickets(engine, summary)]
        for r in case.deadlines
        if r["missed_on"] and engine.app.policy.rules[r["rule_id"]].owner != "PARTY"
    ]
    assert overdue
    case, record = overdue[0]
    missed_by = [
        e
        for e in engine.app.events.get(case.id)
        if type(e).__name__ == "DeadlineMissed" and e.deadline_id == record["deadline_id"]
    ]
    assert missed_by and missed_by[0].actor["user_id"] == "system"


def test_the_clock_lapses_mediations_and_escalates_late_tickets(loaded):
    engine, summary = loaded
    lapsed = [p for d in _disputes(engine, summary) for p in d.proceedings if p["outcome"] == "LAPSED_15D"]
    assert lapsed
    escalated_by_clock = [e for t in _tickets(engine, summary) for e in t.escalations if "overdue" in e["reason"]]
    assert escalated_by_clock


def test_personal_data_is_synthetic_but_well_formed(loaded):
    engine, summary = loaded
    for dispute in _disputes(engine, summary):
        for claimant in dispute.claimants:
            person = engine.vault.open(claimant["person"])  # sealed per person in the events
            assert id_number_checksum_ok(person["id_number"])
            assert re.fullmatch(r"1[3-9]\d{9}", person["phone"])
            assert 2 <= len(person["name"]) <= 3
        for respondent in dispute.respondents:
            assert uscc_checksum_ok(respondent["organisation"]["uscc"])
        assert dispute.workplace["street"].endswith("街道")
    for ticket in _tickets(engine, summary):
        caller = engine.vault.open(ticket.caller["person"])
        assert ticket.caller["anonymous"] or re.fullmatch(r"1[3-9]\d{9}", caller["phone"])


def test_platform_and_partner_firm_answer_for_riders(loaded):
    engine, summary = loaded
    riders = [d for d in _disputes(engine, summary) if "NEW_EMPLOYMENT_FORM" in d.case_types]
    assert riders
    for dispute in riders:
        assert [r["kind"] for r in dispute.respondents] == ["PLATFORM", "PLATFORM_PARTNER"]


def test_the_same_seed_gives_the_same_year_in_another_fresh_store(loaded, tmp_path):
    """Compared with a fresh SQLite store: SQLite against SQLite, and PostgreSQL against SQLite."""
    engine, summary = loaded
    for settings in make_settings("sqlite", tmp_path):
        with bootstrap(settings, clock=FixedClock()) as again:
            repeat = load_demo_year(again, seed=SEED, year=2026, disputes=SMALL_DISPUTES, tickets=SMALL_TICKETS)
            assert _fingerprint(again, repeat) == _fingerprint(engine, summary)
            # Overdue counts are left out: when two deadlines of one case fall due on the same day the clock
            # takes them in deadline-id order, so whether a lapse cancels the centre's F1 target first can vary.
            assert repeat.proceedings == summary.proceedings


def test_a_store_that_holds_events_is_refused(loaded):
    engine, _ = loaded
    before = engine.app.recorder.max_notification_id()
    with pytest.raises(DemoStoreNotEmpty):
        load_demo_year(engine, seed=SEED, disputes=1, tickets=1)
    assert engine.app.recorder.max_notification_id() == before


def test_demo_users_are_created_once_per_role_and_agency(loaded):
    engine, _ = loaded
    store = UserStore(engine.read_engine, hasher=FAST_HASHER)
    first = create_demo_users(store)
    assert [(u.name, u.role, u.agency) for u in first] == [
        ("demo-staff", "staff", "union"),
        ("demo-court", "partner", "court"),
        ("demo-justice", "partner", "justice"),
        ("demo-hr", "partner", "hr"),
        ("demo-auditor", "auditor", "union"),
        ("demo-admin", "admin", "union"),
    ]
    assert len({u.password for u in first}) == len(DEMO_USERS)
    assert store.verify_password("demo-court", first[1].password) is not None
    again = create_demo_users(store)
    assert [u.password for u in again] == [None] * len(DEMO_USERS)


def test_demo_load_small_runs_from_the_command_line_and_prints_the_credentials_once(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    users_engine = create_read_model_engine(Settings(data_dir=data))
    users = UserStore(users_engine, hasher=FAST_HASHER)
    users.create_tables()
    users.create(validate_new_user("demo-hr", "partner", "hr"), KNOWN_PASSWORD)  # made beforehand: kept as it is
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTE_ENGINE_") and k != "DATABASE_URL"}
    env.update(DISPUTE_ENGINE_DATA=str(data), PYTHONIOENCODING="utf-8")
    result = _demo_load(env)
    assert result.returncode == 0, result.stderr
    assert "District year 2026 (seed 2024): 40 disputes" in result.stdout
    assert result.stdout.count("Demo users (passwords are shown only this once)") == 1
    shown = dict(re.findall(r"│ (demo-[a-z]+) +│[^│]+│[^│]+│ (\S+)", result.stdout))
    assert sorted(shown) == sorted(name for name, _, _ in DEMO_USERS)
    assert shown["demo-hr"] == "(already"  # skipped, saying so
    assert "already exists: skipped" in result.stdout
    assert len({password for name, password in shown.items() if name != "demo-hr"}) == len(DEMO_USERS) - 1
    assert users.verify_password("demo-staff", shown["demo-staff"]) is not None
    assert users.verify_password("demo-hr", KNOWN_PASSWORD) is not None
    users_engine.dispose()
    again = _demo_load(env)  # the store now holds the year: refused, nothing loaded, no passwords shown
    assert again.returncode == 1
    assert "error: the store already holds" in again.stderr
    assert "Demo users" not in again.stdout


def _demo_load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), "demo", "load", "--small"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=180,
        check=False,
    )
