"""How fast ``Application.save`` writes events, against a bare INSERT loop of the same rows.

    .venv/bin/python -m bench.write_path                      # 2,000 disputes × ≈12 events, both stores
    .venv/bin/python -m bench.write_path --cases 500 --stores sqlite

1. **Aggregates.** ``--cases`` disputes are taken in and walked through mediation, a handoff to the
   arbitration commission, an award and its service — every step a command of the real ``Dispute``
   with the application's deadline policy and personal data sealed through the vault, in memory.
2. **Baseline**: the same pending events mapped to stored events with the application's own mapper
   (``app.mapper.to_stored_event``, so with the cipher on they are encrypted too) *before* the clock
   starts, then inserted with bare ``sqlite3`` / ``psycopg`` into a table created with the recorder's
   own DDL, one transaction per aggregate, on the same database.
3. **Write path**: a fresh set of the same aggregates, each saved with ``app.save(aggregate)`` (one
   transaction per aggregate, mapping, compression, cipher and the recorder's locking included).
4. Both with and without ``DISPUTE_ENGINE_EVENT_CIPHER=aes``. Within a run the two alternate aggregate
   by aggregate (which goes first alternates too), each timed on its own, so a change of machine load
   during the run weighs on both sides alike. The median of ``--runs`` runs and the median of the
   per-run ratios are reported.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import statistics
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from time import perf_counter
from typing import Any

import psycopg
import structlog

from bench.projection_catchup import CENTRE, HR, STAFF, machine, postgres_settings, sqlite_settings
from dispute_engine.cases import DisputeEngine
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.secrets import EVENT_CIPHER_ENV, EVENT_CIPHER_KEY_ENV
from dispute_engine.vault import open_vault
from domain.dispute import Dispute
from domain.values import parse_intake

DEFAULT_CASES = 2000
DEFAULT_RUNS = 3
DAY = date(2026, 3, 2)
GOALS = {False: 0.5, True: 0.3}  # × baseline, without and with the cipher


def build_dispute(app: DisputeEngine, n: int, day: date = DAY) -> Dispute:
    """One dispute through mediation, arbitration, an award and its service (≈12 events), unsaved."""
    policy = app.policy
    intake = parse_intake({
        "origin": "WALK_IN", "summary": "拖欠工资三个月", "received_on": day.isoformat(),
        "claimants": [{"kind": "WORKER", "person": {"name": f"工人{n}", "phone": "13800138000"}}],
        "respondents": [{"organisation": {"name": f"企业{n % 400}有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": f"{(n % 500 + 20) * 100}.00"}],
        "case_types": ["WAGE_ARREARS"],
        "workplace": {"street": "城关街道", "industry": "制造业"},
    }, default_received_on=day, new_party_id=lambda: uuid.uuid4().hex[:12])
    dispute = Dispute.register(intake, case_number=f"（{day.year}）区工调字第{n:06d}号", actor=STAFF,
                               protect=app.protect)
    dispute.assign_caseworker(f"centre-{n % 12}", actor=STAFF)
    mediation = dispute.open_proceeding(kind="MEDIATION", org_type="UNION_MEDIATION_CENTRE", org_name=CENTRE,
                                        received_on=day, consent={"worker": True, "employer": True},
                                        policy=policy, actor=STAFF)
    dispute.accept_proceeding(mediation, on=day, case_no=dispute.case_number, policy=policy, actor=STAFF)
    dispute.hold_mediation_session(mediation, mode="IN_PERSON", on=day, actor=STAFF)
    dispute.conclude_proceeding(mediation, outcome="FAILED", on=day, policy=policy, actor=STAFF)
    handoff, arbitration = dispute.request_handoff(
        kind="ARBITRATION", org_type="ARBITRATION_COMMISSION", org_name="区劳动人事争议仲裁委员会",
        reason="PREVIOUS_TIER_FAILED", dossier=[{"doc_type": "APPLICATION", "title": "仲裁申请书",
                                                 "sha256": uuid.uuid5(uuid.NAMESPACE_URL, "a").hex * 2}],
        on=day, policy=policy, actor=STAFF)
    dispute.receive_handoff(handoff, on=day, policy=policy, actor=HR)
    dispute.accept_handoff(handoff, receiving_case_no=f"仲案{n}号", on=day, policy=policy, actor=HR)
    dispute.conclude_proceeding(arbitration, outcome="AWARD_NON_FINAL", on=day, amounts_awarded_cny="18600.00",
                                policy=policy, actor=HR)
    for side in ("WORKER", "EMPLOYER"):
        dispute.record_service(arbitration, doc_type="ARB_AWARD_NON_FINAL", party_side=side, method="DIRECT",
                               served_on=day, policy=policy, actor=HR)
    return dispute


@contextmanager
def cipher(on: bool) -> Iterator[None]:
    """``DISPUTE_ENGINE_EVENT_CIPHER`` set (with a fresh key) or unset while the application is built."""
    saved = {name: os.environ.get(name) for name in (EVENT_CIPHER_ENV, EVENT_CIPHER_KEY_ENV)}
    os.environ[EVENT_CIPHER_ENV] = "aes" if on else "off"
    if on:
        import base64
        os.environ[EVENT_CIPHER_KEY_ENV] = base64.b64encode(os.urandom(32)).decode()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --------------------------------------------------------------------------- bare inserts


class BareSQLite:
    def __init__(self, app: DisputeEngine, settings: Settings) -> None:
        recorder = app.recorder
        self.connection = sqlite3.connect(str(settings.sqlite_path), isolation_level=None, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        table = recorder.events_table_name
        for statement in recorder.create_table_statements:
            if table in statement:
                self.connection.execute(statement.replace(table, "bench_bare"))
        self.insert = "INSERT INTO bench_bare VALUES (?,?,?,?)"

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        c = self.connection
        c.execute("BEGIN")
        c.executemany(self.insert, rows)
        c.execute("COMMIT")

    def row(self, s: Any) -> tuple[Any, ...]:
        return (s.originator_id.hex, s.originator_version, s.topic, s.state)

    def close(self) -> None:
        self.connection.close()


class BarePostgres:
    def __init__(self, app: DisputeEngine, settings: Settings) -> None:
        pg = settings.postgres
        assert pg is not None
        schema = settings.postgres_schema
        self.connection = psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user,
                                          password=pg.password or None, autocommit=True)
        self.connection.execute(f'SET search_path TO "{schema}"')
        recorder = app.recorder
        table = recorder.events_table_name
        for statement in recorder.sql_create_statements:
            text_ = statement.as_string(self.connection)
            if table in text_ and "CREATE" in text_:
                self.connection.execute(text_.replace(table, "bench_bare"))
        self.insert = (f'INSERT INTO "{schema}".bench_bare (originator_id, originator_version, topic, state) '
                       "VALUES (%s, %s, %s, %s)")

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.executemany(self.insert, rows)

    def row(self, s: Any) -> tuple[Any, ...]:
        return (s.originator_id, s.originator_version, s.topic, s.state)

    def close(self) -> None:
        self.connection.close()


# --------------------------------------------------------------------------- measuring


@dataclass
class Figure:
    store: str
    encrypted: bool
    events: int = 0
    aggregates: int = 0
    baseline: list[float] = field(default_factory=list)
    save: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)

    @property
    def baseline_rate(self) -> float:
        return self.events / statistics.median(self.baseline)

    @property
    def rate(self) -> float:
        return self.events / statistics.median(self.save)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def goal(self) -> float:
        return GOALS[self.encrypted]


def build_all(app: DisputeEngine, cases: int, offset: int) -> list[Dispute]:
    return [build_dispute(app, offset + n) for n in range(cases)]


def measure(store: str, settings: Settings, cases: int, runs: int, encrypted: bool,
            say: Callable[[str], None]) -> Figure:
    clock = FixedClock()
    clock.set_local(DAY)
    vault = open_vault(settings)
    with cipher(encrypted):
        app = DisputeEngine(settings, clock, vault)
    bare = BareSQLite(app, settings) if store == "sqlite" else BarePostgres(app, settings)
    figure = Figure(store, encrypted, aggregates=cases)
    try:
        load = os.getloadavg()[0]
        for run in range(runs):
            # baseline: the same kind of aggregates, mapped before the clock starts
            batches = []
            for dispute in build_all(app, cases, run * cases * 2):
                events = dispute.collect_events()
                batches.append([bare.row(app.mapper.to_stored_event(e)) for e in events])
            figure.events = sum(len(b) for b in batches)
            aggregates = build_all(app, cases, run * cases * 2 + cases)
            baseline, save = _alternate(batches, bare.write, aggregates, app.save)
            figure.baseline.append(baseline)
            figure.save.append(save)
            figure.ratios.append(figure.baseline[-1] / figure.save[-1])
            say(f"write path {store} cipher={'aes' if encrypted else 'off'} run {run + 1}: "
                f"bare {figure.events / figure.baseline[-1]:,.0f} events/s, "
                f"save {figure.events / figure.save[-1]:,.0f} events/s, ratio {figure.ratios[-1]:.2f}")
        figure.load = (load, os.getloadavg()[0])
        return figure
    finally:
        bare.close()
        app.close()
        vault.close()


def _alternate(batches: list[Any], write: Callable[[Any], Any], aggregates: list[Dispute],
               save: Callable[[Dispute], Any]) -> tuple[float, float]:
    """Seconds spent in ``write`` (all batches) and in ``save`` (all aggregates), taken in turns."""
    seconds = [0.0, 0.0]
    for n, (rows, dispute) in enumerate(zip(batches, aggregates, strict=True)):
        turns = ((0, write, rows), (1, save, dispute))
        for side, call, argument in (turns if n % 2 == 0 else reversed(turns)):
            started = perf_counter()
            call(argument)
            seconds[side] += perf_counter() - started
    return seconds[0], seconds[1]


def store_version(store: str, settings: Settings) -> str:
    if store == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    pg = settings.postgres
    assert pg is not None
    with psycopg.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user,
                         password=pg.password or None) as connection:
        return f"PostgreSQL {connection.execute('show server_version').fetchone()[0]}"


def stores(names: str, postgres_url: str | None) -> Iterator[tuple[str, Settings]]:
    for store in names.split(","):
        if store == "sqlite":
            for settings in sqlite_settings():
                yield store, settings
        elif store == "postgres":
            if not postgres_url:
                raise SystemExit("postgres: give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
            for settings in postgres_settings(postgres_url):
                yield store, settings
        else:
            raise SystemExit(f"unknown store {store!r}")


def run(cases: int, runs: int, store_names: str, postgres_url: str | None,
        say: Callable[[str], None] = print) -> tuple[list[Figure], dict[str, str]]:
    figures: list[Figure] = []
    versions: dict[str, str] = {}
    for store, settings in stores(store_names, postgres_url):
        versions[store] = store_version(store, settings)
        for encrypted in (False, True):
            figures.append(measure(store, settings, cases, runs, encrypted, say))
    return figures, versions


def section(figures: list[Figure], versions: dict[str, str], cases: int, runs: int) -> str:
    lines = [
        "## 1. Write path: `app.save` vs a bare INSERT loop",
        "",
        f"{cases:,} disputes per run, each ≈{figures[0].events / max(figures[0].aggregates, 1):.1f} events "
        "(intake, mediation, handoff to arbitration, award, service), built in memory through the domain "
        "commands; one transaction per aggregate on both sides. Baseline: the same events mapped beforehand "
        "with `app.mapper.to_stored_event` and inserted with bare `sqlite3`/`psycopg` `executemany` into a "
        "table made with the recorder's own DDL, same database, same run, alternating with the saves "
        f"aggregate by aggregate. Median of {runs} runs; "
        "ratio = median of per-run (baseline seconds / save seconds).",
        "",
        "| store | cipher | events/run | bare INSERT events/s | `app.save` events/s | × baseline | goal | load 1-min start/end |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for f in figures:
        met = "met" if f.ratio >= f.goal else "**missed**"
        lines.append(f"| {versions[f.store]} | {'AES' if f.encrypted else 'off'} | {f.events:,} | "
                     f"{f.baseline_rate:,.0f} | {f.rate:,.0f} | {f.ratio:.2f} | ≥{f.goal}× {met} | "
                     f"{f.load[0]:.1f} / {f.load[1]:.1f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    options = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    figures, versions = run(options.cases, options.runs, options.stores, options.postgres_url)
    print("\n".join(f"| {k} | {v} |" for k, v in machine()))
    print(section(figures, versions, options.cases, options.runs))


if __name__ == "__main__":
    main()
