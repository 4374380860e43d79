"""How long the state of a 1,000-event case takes to load, at its head and as of a version.

    .venv/bin/python -m bench.case_state                       # 1,000 events, 200 loads each, both stores
    .venv/bin/python -m bench.case_state --stores sqlite --loads 50

Two identical disputes of ``--events`` events each (intake, an open mediation, then alternating
caseworker assignments, risk-flag changes and mediation sessions — real commands, saved every 20
events) are written to the same store. One has a snapshot at every 50th version (what the
application's ``snapshot_interval`` of 50 leaves behind), the other none. Measured with
``app.load`` (``repository.get``), caches off, each figure the median of ``--loads`` loads in a run
and the median of ``--runs`` runs:

* **head** — the current state;
* **version** — the state as of version ``events // 2 + 7`` (an arbitrary, non-snapshot version);
* **exact snapshot** — the state as of a version that has a snapshot (snapshotted case only).

The baseline is the bare read of the same case's rows (``recorder.select_events``, no decoding, no
mutation), measured in the same run: what any load must at least cost.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import structlog

from bench.projection_catchup import CENTRE, STAFF, machine
from bench.write_path import DAY, store_version, stores
from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.vault import open_vault
from domain.dispute import Dispute

DEFAULT_EVENTS = 1000
DEFAULT_LOADS = 200
DEFAULT_RUNS = 3
GOAL_MS = 10.0
GOAL_SNAPSHOT_MS = 1.0


def _intake() -> Any:
    import uuid

    from domain.values import parse_intake

    intake = parse_intake({
        "origin": "WALK_IN", "summary": "长期案件", "received_on": DAY.isoformat(),
        "claimants": [{"kind": "WORKER", "person": {"name": "工人"}}],
        "respondents": [{"organisation": {"name": "企业有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}],
    }, default_received_on=DAY, new_party_id=lambda: uuid.uuid4().hex[:12])
    return intake


@dataclass
class Timing:
    name: str
    runs: list[float] = field(default_factory=list)  # median ms per run
    ratios: list[float] = field(default_factory=list)
    goal: float | None = None
    replayed: str = ""

    @property
    def ms(self) -> float:
        return statistics.median(self.runs)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0


def _median_ms(fn: Callable[[], Any], loads: int) -> float:
    fn()
    samples = []
    for _ in range(loads):
        started = perf_counter()
        fn()
        samples.append((perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(store: str, settings: Settings, events: int, loads: int, runs: int,
            say: Callable[[str], None]) -> tuple[list[Timing], int, tuple[float, float]]:
    clock = FixedClock()
    clock.set_local(DAY)
    vault = open_vault(settings)
    app = DisputeEngine(settings, clock, vault)
    app.snapshotting_intervals = {}  # snapshots are taken explicitly below, for one case only
    try:
        intake = _intake()
        plain = _long_case(app, intake, events)
        snapped = _long_case(app, intake, events)
        head = app.repository.get(snapped).version
        for version in range(50, head + 1, 50):
            app.take_snapshot(snapped, version=version)
        middle = events // 2 + 7
        exact = (head // 50) * 50 - 50 if head % 50 == 0 else (head // 50) * 50
        timings = [
            Timing("bare read of the rows (baseline)"),
            Timing("head, no snapshots", goal=GOAL_MS, replayed=f"{head} events"),
            Timing(f"as of version {middle}, no snapshots", goal=GOAL_MS, replayed=f"{middle} events"),
            Timing("head, snapshot every 50", goal=GOAL_MS,
                   replayed=f"snapshot + {head - (head // 50) * 50} events"),
            Timing(f"as of version {middle}, snapshot every 50", goal=GOAL_MS,
                   replayed=f"snapshot + {middle - (middle // 50) * 50} events"),
            Timing(f"as of version {exact} (has a snapshot)", goal=GOAL_SNAPSHOT_MS, replayed="snapshot only"),
        ]
        calls: list[Callable[[], Any]] = [
            lambda: app.recorder.select_events(plain),
            lambda: app.load(Dispute, plain),
            lambda: app.load(Dispute, plain, version=middle),
            lambda: app.load(Dispute, snapped),
            lambda: app.load(Dispute, snapped, version=middle),
            lambda: app.load(Dispute, snapped, version=exact),
        ]
        assert app.load(Dispute, plain).version == head
        load = os.getloadavg()[0]
        for run in range(runs):
            for timing, call in zip(timings, calls, strict=True):
                timing.runs.append(_median_ms(call, loads))
            for timing in timings[1:]:
                timing.ratios.append(timings[0].runs[-1] / timing.runs[-1])
            say(f"case state {store} run {run + 1}: " + "; ".join(f"{t.name} {t.runs[-1]:.2f} ms" for t in timings))
        return timings, head, (load, os.getloadavg()[0])
    finally:
        app.close()
        vault.close()


def _long_case(app: DisputeEngine, intake: Any, events: int) -> Any:
    policy = app.policy
    dispute = Dispute.register(intake, case_number="（2026）区工调字第999999号", actor=STAFF, protect=app.protect)
    mediation = dispute.open_proceeding(kind="MEDIATION", org_type="UNION_MEDIATION_CENTRE", org_name=CENTRE,
                                        received_on=DAY, consent={"worker": True, "employer": True},
                                        policy=policy, actor=STAFF)
    dispute.accept_proceeding(mediation, on=DAY, case_no=dispute.case_number, policy=policy, actor=STAFF)
    step = 0
    while dispute.version < events:
        kind = step % 3
        if kind == 0:
            dispute.assign_caseworker(f"centre-{step % 7}", actor=STAFF)
        elif kind == 1:
            flag = ["GROUP_INCIDENT_RISK"]
            dispute.change_risk_flags(add=flag if step % 2 else [], remove=[] if step % 2 else flag,
                                      reason="复核", actor=STAFF)
        else:
            dispute.hold_mediation_session(mediation, mode="VIDEO", on=DAY, actor=STAFF)
        step += 1
        if len(dispute._pending_events) >= 20:  # noqa: SLF001 - save in batches, as a busy case is
            app.save(dispute)
    app.save(dispute)
    return dispute.id


def run(events: int, loads: int, runs: int, store_names: str, postgres_url: str | None,
        say: Callable[[str], None] = print) -> list[tuple[str, list[Timing], int, tuple[float, float]]]:
    results = []
    for store, settings in stores(store_names, postgres_url):
        version = store_version(store, settings)
        timings, head, load = measure(store, settings, events, loads, runs, say)
        results.append((version, timings, head, load))
    return results


def section(results: list[tuple[str, list[Timing], int, tuple[float, float]]], loads: int, runs: int) -> str:
    lines = [
        "## 3. State of a long case (load time)",
        "",
        "Two identical disputes, saved in batches of ≈20 events, one with a snapshot at every 50th version "
        "and one without; `app.load` (`repository.get`, no cache). Figures are the median of "
        f"{loads} loads per run, then the median of {runs} runs. Baseline: the bare `recorder.select_events` "
        "of the same rows in the same run (no decoding). Goal: ≤10 ms; ≤1 ms from a snapshot.",
        "",
    ]
    for version, timings, head, load in results:
        lines += [
            f"**{version}** — case of {head:,} events; load 1-min {load[0]:.1f} → {load[1]:.1f}.",
            "",
            "| load | replays | ms (median) | × baseline time | goal |",
            "|---|---|---:|---:|---|",
        ]
        base = timings[0]
        lines.append(f"| {base.name} | {head:,} rows, undecoded | {base.ms:.2f} | 1.00 | — |")
        for t in timings[1:]:
            met = "met" if t.goal is None or t.ms <= t.goal else "**missed**"
            lines.append(f"| {t.name} | {t.replayed} | {t.ms:.2f} | {1 / t.ratio:.2f} | ≤{t.goal:g} ms {met} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--loads", type=int, default=DEFAULT_LOADS)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    options = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    results = run(options.events, options.loads, options.runs, options.stores, options.postgres_url)
    print("\n".join(f"| {k} | {v} |" for k, v in machine()))
    print(section(results, options.loads, options.runs))


if __name__ == "__main__":
    main()
