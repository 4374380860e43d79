"""The timeliness view and the seed plan's targets on SQLite and PostgreSQL.

Random histories come from the driver of test_caseload.py (disputes and tickets moved through
the application, the deadline clock ticking, each history in a street of its own). The view
followed incrementally must equal it rebuilt from scratch, and its figures must equal a count
made here from the aggregates: deadlines from each case's deadline records, latencies from its
handoffs, mediation outcomes from its proceedings, percentiles by ``statistics.median`` and a
nearest-rank 90th percentile over the raw days.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from test_caseload import (
    DOCUMENT,
    STAFF,
    History,
    YEAR_PERIODS,
    World,
    assert_rebuild_equals,
    assert_rollups_agree,
    closure,
    histories,
    in_period,
    make_world,
    new_street,
    register,
    run_history,
    snapshot,
    year_period,
)

from dispute_engine.bootstrap import Engine
from domain.complaint import HotlineComplaint
from domain.deadlines import default_rules
from domain.dispute import Dispute
from domain.errors import DomainError
from domain.stages import PROCEEDING
from projections import dashboards
from projections.caseload import CaseloadView
from projections.follower import Follower
from projections.timeliness import TimelinessView
from tests.conftest import STORES

HOTLINE_RULES = ("H2", "H3", "H3D", "H3C", "H4")


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from make_world(request.param, tmp_path_factory)


def follow(world: World, batch_size: int = 1000) -> Follower:
    return Follower(world.engine.app, [TimelinessView(), CaseloadView()], world.engine.read_engine,
                    batch_size=batch_size)


# --------------------------------------------------------------------------- counting from the aggregates


def month(day: date | str) -> date:
    return (day if isinstance(day, date) else date.fromisoformat(day)).replace(day=1)


def nearest_rank_p90(values: list[int]) -> int | None:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1] if values else None


def median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def deadline_status(record: dict[str, Any]) -> str:
    if record["status"] == "MET":
        return "on_time" if record["on_time"] else "late"
    if record["status"] == "MISSED":
        return "missed"
    if record["status"] == "CANCELLED":
        return "cancelled"
    return "at_risk" if record["warned"] else "open"


@dataclass
class ExpectedTimeliness:
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    days: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    centre: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    handoffs: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    mediations: Counter[str] = field(default_factory=Counter)
    amounts: dict[str, list[Decimal | int]] = field(default_factory=dict)
    satisfaction: Counter[str] = field(default_factory=Counter)
    closures: Counter[str] = field(default_factory=Counter)

    def deadline(self, record: dict[str, Any], agency: str, org_type: str) -> None:
        rule_id, status = record["rule_id"], deadline_status(record)
        self.statuses[rule_id][status] += 1
        if record["status"] == "MET":
            self.days[rule_id].append((date.fromisoformat(record["met_on"]) - date.fromisoformat(record["start"])).days)
        if org_type == "UNION_MEDIATION_CENTRE":
            self.centre[rule_id][status] += 1

    def amount(self, when: date, column: int, amount: Decimal) -> None:
        row = self.amounts.setdefault(f"{when:%Y-%m}", [Decimal("0.00"), 0, Decimal("0.00"), 0])
        row[column] += amount
        row[column + 1] += 1


def count_timeliness(engine: Engine, history: History, *, agency: str | None, case_type: str | None,
                     period: tuple[date, date] | None) -> ExpectedTimeliness:
    expected = ExpectedTimeliness()
    owners = {rule.id: rule.owner for rule in default_rules()}
    for dispute_id in history.disputes:
        dispute = engine.app.load(Dispute, dispute_id)
        typed = case_type is None or case_type in dispute.case_types
        for record in dispute.deadlines:
            proceeding = dispute.proceeding(record["subject_id"])
            party = owners[record["rule_id"]] == "PARTY"
            responsible = "party" if party else proceeding["agency"]
            if typed and agency in (None, responsible) and in_period(month(record["start"]), period):
                expected.deadline(record, responsible, "" if party else proceeding["org_type"])
        for handoff in dispute.handoffs:
            if handoff["state"] not in ("ACCEPTED", "REJECTED") or not typed:
                continue
            if agency in (None, handoff["to_agency"]) and in_period(month(handoff["requested_on"]), period):
                requested, received, decided = handoff["requested_on"], handoff["received_on"], handoff["decided_on"]
                for stage, days in (("receive", received - requested), ("decide", decided - received),
                                    ("total", decided - requested)):
                    expected.handoffs[(handoff["to_agency"], stage)].append(days.days)
        for proceeding in dispute.proceedings:
            ended = proceeding["kind"] == "MEDIATION" and proceeding["state"] in PROCEEDING.terminal
            if ended and typed and agency in (None, proceeding["agency"]) and in_period(
                month(proceeding["concluded_on"]), period
            ):
                expected.mediations[proceeding["outcome"]] += 1
        resolution = dispute.resolution or {}
        recovered = resolution.get("amount_recovered_cny")
        if recovered is not None and typed and in_period(month(resolution["on"]), period):
            expected.amount(resolution["on"], 0, recovered)
        if dispute.stage != "OPEN" and typed and in_period(month(dispute.received_on), period):
            expected.closures[closure(dispute)] += 1
    for complaint_id in history.tickets:
        ticket = engine.app.load(HotlineComplaint, complaint_id)
        for record in ticket.deadlines:
            if agency in (None, "union") and in_period(month(record["start"]), period):
                expected.deadline(record, "union", "")
        reply = ticket.reply or {}
        if reply.get("amount_recovered_cny") is not None and in_period(month(reply["on"]), period):
            expected.amount(reply["on"], 2, reply["amount_recovered_cny"])
        callback = ticket.callback
        if callback and agency in (None, "union") and in_period(month(callback["on"]), period):
            expected.satisfaction[callback["satisfaction"]] += 1
    return expected


def rule_view(figures: dashboards.RuleFigures) -> tuple[Any, ...]:
    return (figures.on_time, figures.met_late, figures.missed, figures.at_risk, figures.open, figures.cancelled,
            figures.median_days, figures.p90_days)


def rule_expected(expected: ExpectedTimeliness, *rule_ids: str) -> tuple[Any, ...]:
    statuses = sum((expected.statuses.get(rule_id, Counter()) for rule_id in rule_ids), Counter())
    days = [d for rule_id in rule_ids for d in expected.days.get(rule_id, [])]
    return (statuses["on_time"], statuses["late"], statuses["missed"], statuses["at_risk"], statuses["open"],
            statuses["cancelled"], median(days), nearest_rank_p90(days))


def check_timeliness(engine: Engine, history: History, *, agency: str | None, case_type: str | None,
                     period: tuple[date, date] | None) -> None:
    bounds = {"period_from": period[0], "period_to": period[1]} if period else {}
    figures = dashboards.timeliness(engine.read_engine, street=history.street, agency=agency,
                                    case_type=case_type, **bounds)
    expected = count_timeliness(engine, history, agency=agency, case_type=case_type, period=period)

    assert {r.rule_id: rule_view(r) for r in figures.rules} == {
        rule_id: rule_expected(expected, rule_id) for rule_id, statuses in expected.statuses.items() if statuses
    }
    assert rule_view(figures.hotline.sign_for) == rule_expected(expected, "H2")
    assert rule_view(figures.hotline.reply) == rule_expected(expected, "H3", "H3D", "H3C")
    assert rule_view(figures.hotline.callback) == rule_expected(expected, "H4")
    assert {(h.agency, h.stage): (h.handoffs, h.median_days, h.p90_days) for h in figures.handoffs} == {
        key: (len(days), median(days), nearest_rank_p90(days)) for key, days in expected.handoffs.items()
    }
    assert {o.value: o.count for o in figures.mediation.by_outcome} == +expected.mediations
    ended = sum(expected.mediations.values())
    assert figures.mediation.success_rate == (expected.mediations["AGREEMENT_SIGNED"] / ended if ended else None)
    amounts = {m.month: [m.disputes_cny, m.disputes, m.tickets_cny, m.tickets] for m in figures.amounts}
    assert amounts == expected.amounts
    assert {s.value: s.count for s in figures.hotline.satisfaction} == +expected.satisfaction

    if agency is None:
        targets = {t.figure: (t.numerator, t.denominator) for t in dashboards.seed_targets(
            engine.read_engine, street=history.street, case_type=case_type, **bounds).targets}
        decided = lambda s: s["on_time"] + s["late"] + s["missed"]  # noqa: E731
        assert targets == {
            "closed_at_mediation_tier": (expected.closures["MEDIATION_TIER"], sum(expected.closures.values())),
            "centre_mediations_within_15_days": (expected.centre["M3"]["on_time"], decided(expected.centre["M3"])),
            "centre_service_target_f1": (expected.centre["F1"]["on_time"], decided(expected.centre["F1"])),
        }
    for read in (dashboards.timeliness, dashboards.seed_targets):
        assert_rollups_agree(read, engine, history, agency=agency, case_type=case_type, period=period)


# --------------------------------------------------------------------------- the property

filters = st.tuples(
    st.sampled_from([None, None, "union", "hr", "court", "justice", "party"]),
    st.sampled_from([None, None, "INDIVIDUAL", "WAGE_ARREARS", "TERMINATION"]),
    st.sampled_from(["none", "none", "first month", "second month", *YEAR_PERIODS]),
)


def period_of(history: History, choice: str) -> tuple[date, date] | None:
    """A period that starts and ends inside months, to show that whole months are selected."""
    if choice == "none":
        return None
    if choice in YEAR_PERIODS:
        return year_period(history, choice)
    first = history.started_on.replace(day=1)
    if choice == "second month":
        first = (first + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=9), first + timedelta(days=20)


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=histories, chosen=filters)
def test_timeliness_followed_incrementally_equals_it_rebuilt_and_counts_the_aggregates(world, plan, chosen):
    engine = world.engine
    follower = follow(world, plan.batch_size)
    history = run_history(world, plan, follower)
    follower.run_once()
    followed = snapshot(engine, TimelinessView())

    assert_rebuild_equals(engine, TimelinessView(), followed)
    agency, case_type, period = chosen
    check_timeliness(engine, history, agency=agency, case_type=case_type, period=period_of(history, period))


@given(st.lists(st.tuples(st.integers(-3, 400), st.integers(1, 50)), max_size=30))
def test_percentiles_from_a_histogram_equal_those_of_the_raw_values(histogram):
    raw = [value for value, count in histogram for _ in range(count)]
    assert dashboards.histogram_median(histogram) == median(raw)
    assert dashboards.histogram_percentile(histogram, 0.9) == nearest_rank_p90(raw)


# --------------------------------------------------------------------------- examples


def mediation_at_the_centre(world: World, street: str) -> tuple[str, str]:
    app = world.engine.app
    dispute_id = register(world, street)
    opened = app.dispute_command(dispute_id, "open_proceeding", {
        "kind": "MEDIATION", "org_type": "UNION_MEDIATION_CENTRE", "org_name": "调解中心",
        "received_on": world.clock.today(), "consent": {"worker": True, "employer": True}}, actor=STAFF)
    mediation = opened.data["proceeding_id"]
    app.dispute_command(dispute_id, "accept_proceeding", {"proceeding_id": mediation}, actor=STAFF)
    return dispute_id, mediation


def figures_of(world: World, street: str, rule_id: str) -> dashboards.RuleFigures:
    follow(world).run_once()
    figures = dashboards.timeliness(world.engine.read_engine, street=street)
    return next(rule for rule in figures.rules if rule.rule_id == rule_id)


def test_a_deadline_warned_then_missed_then_met_late_moves_from_bucket_to_bucket(world):
    street = new_street()
    app, clock = world.engine.app, world.clock
    dispute_id, mediation = mediation_at_the_centre(world, street)
    m3 = next(d for d in app.load(Dispute, dispute_id).deadlines if d["rule_id"] == "M3")
    assert rule_view(figures_of(world, street, "M3"))[:6] == (0, 0, 0, 0, 1, 0)

    world.deadline_clock.tick(date.fromisoformat(m3["yellow_on"]))
    assert rule_view(figures_of(world, street, "M3"))[:6] == (0, 0, 0, 1, 0, 0)

    clock.set_local(date.fromisoformat(m3["due_date"]) + timedelta(days=1))
    app.dispute_command(dispute_id, "suspend_proceeding", {"proceeding_id": mediation, "ground": "当事人住院"},
                        actor=STAFF)  # keeps the mediation from lapsing when the clock records the miss
    world.deadline_clock.tick(clock.today())
    red = figures_of(world, street, "M3")
    assert (red.missed, red.overdue, red.at_risk, red.on_time_rate) == (1, 1, 0, 0.0)

    clock.advance(days=2)
    app.dispute_command(dispute_id, "resume_proceeding", {"proceeding_id": mediation}, actor=STAFF)
    app.dispute_command(dispute_id, "conclude_proceeding", {"proceeding_id": mediation,
                                                            "outcome": "AGREEMENT_SIGNED"}, actor=STAFF)
    late = figures_of(world, street, "M3")
    used = (clock.today() - date.fromisoformat(m3["start"])).days
    assert (late.missed, late.met_late, late.overdue, late.median_days, late.p90_days) == (0, 1, 1, used, used)


def test_handoff_latency_runs_from_request_to_receipt_to_decision(world):
    street = new_street()
    app, clock = world.engine.app, world.clock
    dispute_id = register(world, street)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT]}, actor=STAFF).data["handoff_id"]
    clock.advance(days=2)
    app.dispute_command(dispute_id, "receive_handoff", {"handoff_id": handoff}, actor=STAFF)
    app.dispute_command(dispute_id, "return_handoff_for_supplement", {"handoff_id": handoff, "missing": ["合同"]},
                        actor=STAFF)
    clock.advance(days=3)
    app.dispute_command(dispute_id, "resubmit_handoff", {"handoff_id": handoff, "added": [DOCUMENT]}, actor=STAFF)
    clock.advance(days=4)
    app.dispute_command(dispute_id, "accept_handoff", {"handoff_id": handoff, "receiving_case_no": "仲案1号"},
                        actor=STAFF)
    follow(world).run_once()

    figures = dashboards.timeliness(world.engine.read_engine, street=street, agency="hr")

    # Receipt is the completed file's (A2: it resets when the missing materials arrive).
    assert {(h.stage, h.handoffs, h.median_days) for h in figures.handoffs} == {
        ("receive", 1, 5.0), ("decide", 1, 4.0), ("total", 1, 9.0)}


def test_reopening_a_dispute_takes_back_its_recovered_amount(world):
    street = new_street()
    app = world.engine.app
    dispute_id = register(world, street)
    app.dispute_command(dispute_id, "resolve", {"how": "和解", "amount_recovered_cny": "1200.50"}, actor=STAFF)
    follow(world).run_once()
    resolved = dashboards.timeliness(world.engine.read_engine, street=street).amounts
    assert [(m.disputes_cny, m.disputes) for m in resolved] == [(Decimal("1200.50"), 1)]

    app.dispute_command(dispute_id, "reopen", {"reason": "未履行"}, actor=STAFF)
    follow(world).run_once()

    assert dashboards.timeliness(world.engine.read_engine, street=street).amounts == []


def test_timeliness_rows_export_every_figure_with_one_shape(world):
    street = new_street()
    mediation_at_the_centre(world, street)
    follow(world).run_once()

    timeliness_rows = dashboards.timeliness(world.engine.read_engine, street=street).as_rows()
    target_rows = dashboards.seed_targets(world.engine.read_engine, street=street).as_rows()

    assert {tuple(row) for row in timeliness_rows} == {("section", "item", "metric", "value")}
    assert {"section": "deadlines", "item": "M3", "metric": "open", "value": 1} in timeliness_rows
    assert [row["figure"] for row in target_rows] == [
        "closed_at_mediation_tier", "centre_mediations_within_15_days", "centre_service_target_f1"]


def test_party_is_an_agency_for_deadlines_only(world):
    with pytest.raises(DomainError, match="agency"):
        dashboards.caseload(world.engine.read_engine, agency="party")
    follow(world).run_once()
    assert dashboards.timeliness(world.engine.read_engine, agency="party", street=new_street()).rules == []


def test_restarted_deadline_moves_to_the_month_of_its_new_start(world):
    street = new_street()
    app, clock = world.engine.app, world.clock
    dispute_id = register(world, street)
    handoff = app.dispute_command(dispute_id, "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "仲裁委",
        "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT]}, actor=STAFF).data["handoff_id"]
    app.dispute_command(dispute_id, "accept_handoff", {"handoff_id": handoff, "receiving_case_no": "仲案2号"},
                        actor=STAFF)
    accepted_on = clock.today()
    clock.advance(days=35)
    app.dispute_command(dispute_id, "amend_claims", {"add": [{"kind": "SEVERANCE"}], "remove": []}, actor=STAFF)
    follow(world).run_once()

    def a8_open(day: date) -> int:
        figures = dashboards.timeliness(world.engine.read_engine, street=street, period_from=day, period_to=day)
        return sum(rule.open for rule in figures.rules if rule.rule_id == "A8")

    assert (a8_open(accepted_on), a8_open(clock.today())) == (0, 1)


def test_mediation_success_rate_counts_every_ended_mediation(world):
    street = new_street()
    app = world.engine.app

    def mediation(outcome: str) -> None:
        dispute_id, proceeding = mediation_at_the_centre(world, street)
        app.dispute_command(dispute_id, "conclude_proceeding", {"proceeding_id": proceeding, "outcome": outcome},
                            actor=STAFF)

    def handed_to_peoples_mediation(command: str, **arguments: Any) -> None:
        dispute_id = register(world, street)
        handoff = app.dispute_command(dispute_id, "request_handoff", {
            "kind": "MEDIATION", "org_type": "PEOPLES_MEDIATION_COMMITTEE", "org_name": "人民调解委员会",
            "reason": "PARTY_APPLICATION", "dossier": [DOCUMENT], "consent": {"worker": True, "employer": True},
        }, actor=STAFF).data["handoff_id"]
        app.dispute_command(dispute_id, command, {"handoff_id": handoff, **arguments}, actor=STAFF)

    mediation("AGREEMENT_SIGNED")
    mediation("FAILED")
    handed_to_peoples_mediation("reject_handoff", reason="OUT_OF_SCOPE", legal_basis="人民调解法第十八条",
                                advice_to_party="申请仲裁")
    handed_to_peoples_mediation("withdraw_handoff")
    follow(world).run_once()

    figures = dashboards.timeliness(world.engine.read_engine, street=street)
    justice = dashboards.timeliness(world.engine.read_engine, street=street, agency="justice")

    assert {o.value: o.count for o in figures.mediation.by_outcome} == {
        "AGREEMENT_SIGNED": 1, "FAILED": 1, "NON_ACCEPTED": 1, "WITHDRAWN": 1}
    assert (figures.mediation.ended, figures.mediation.agreements, figures.mediation.success_rate) == (4, 1, 0.25)
    assert (justice.mediation.ended, justice.mediation.success_rate) == (2, 0.0)
