"""Commands per second through the whole HTTP stack on PostgreSQL, against the same commands in-process.

    .venv/bin/python -m bench.http_commands                    # 500 cases × 12 commands, 8 clients
    .venv/bin/python -m bench.http_commands --cases 100 --workers 4

1. A fresh schema; users ``staff`` and ``hr`` (partner, HR bureau) are created and given bearer tokens.
2. The API (``api.app.create_app``, views and clock threads off) is served by uvicorn in a child
   process on 127.0.0.1 at a free port; every request goes through token check, role and partner
   guards, request validation, load, decide and save, as in production.
3. A bounded load generator — ``--workers`` threads, each with its own ``httpx.Client`` — takes
   cases from a queue and walks each through the same 12 commands: intake (``POST /disputes``),
   caseworker, risk flag raised, handoff to arbitration requested, received and accepted by HR,
   award, service on both sides, risk flag lowered, resolved, closed. A case's commands go one after
   another (each needs the ids the previous answered); different cases run concurrently. A fixed
   count of commands, and a hard cap of ``--time-cap`` seconds per phase. Traffic goes to 127.0.0.1 only.
4. **Baseline**, in the same run and database: the same scripts with the same number of threads,
   in-process, through ``DisputeEngine.register_dispute`` / ``dispute_command`` (request bodies
   validated with the same pydantic models, partner guard included) — what HTTP adds is the ratio.

Median of ``--runs`` runs (each run: HTTP, then in-process, on new cases).
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from bench.projection_catchup import machine, postgres_settings
from bench.write_path import DAY, store_version

DEFAULT_CASES = 500
DEFAULT_WORKERS = 8
DEFAULT_RUNS = 3
DEFAULT_TIME_CAP = 120.0
GOAL_RATE = 600
GOAL_P99_MS = 50.0
GOAL_RATIO = 0.6

Step = tuple[str, str, dict[str, Any]]  # role, command ("register" or a dispute command), body


def script(n: int) -> Generator[Step, dict[str, Any], None]:
    """One case's 12 commands (``open_proceeding`` is left out: over HTTP its request model requires
    ``handoff_id``, so a mediation cannot be opened directly through the API); each ``yield`` answers
    the command's response data (with ``id``)."""
    sha = f"{n:064x}"
    answer = yield ("staff", "register", {
        "summary": "三个月工资未发",
        "claimants": [{"kind": "WORKER", "person": {"name": f"工人{n}", "phone": "13800138000"}}],
        "respondents": [{"kind": "EMPLOYER", "organisation": {"name": f"企业{n % 400}有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}],
    })
    yield ("staff", "assign_caseworker", {"caseworker": f"centre-{n % 12}"})
    yield ("staff", "change_risk_flags", {"add": ["GROUP_INCIDENT_RISK"], "remove": [], "reason": "多人"})
    answer = yield ("staff", "request_handoff", {
        "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
        "reason": "PARTY_APPLICATION", "dossier": [{"doc_type": "APPLICATION", "title": "仲裁申请书",
                                                     "sha256": sha}]})
    handoff, arbitration = answer["handoff_id"], answer["proceeding_id"]
    yield ("hr", "receive_handoff", {"handoff_id": handoff})
    yield ("hr", "accept_handoff", {"handoff_id": handoff, "receiving_case_no": f"仲案{n}号"})
    yield ("hr", "conclude_proceeding", {"proceeding_id": arbitration, "outcome": "AWARD_NON_FINAL",
                                         "amounts_awarded_cny": "18600.00"})
    for side in ("WORKER", "EMPLOYER"):
        yield ("hr", "record_service", {"proceeding_id": arbitration, "doc_type": "ARB_AWARD_NON_FINAL",
                                        "party_side": side, "method": "DIRECT", "served_on": DAY.isoformat()})
    yield ("staff", "change_risk_flags", {"add": [], "remove": ["GROUP_INCIDENT_RISK"], "reason": "已稳定"})
    yield ("staff", "resolve", {"how": "裁决已履行", "amount_recovered_cny": "18600.00"})
    yield ("staff", "close", {"reason": "RESOLVED"})


COMMANDS_PER_CASE = 12


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    commands: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # ms
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.commands / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(name: str, send: Callable[[str, str, str | None, dict[str, Any]], dict[str, Any]], first_case: int,
          cases: int, workers: int, time_cap: float) -> Phase:
    """Run ``cases`` scripts on ``workers`` threads; stop taking new cases after ``time_cap`` seconds."""
    phase = Phase(name)
    todo: queue.Queue[int] = queue.Queue()
    for n in range(first_case, first_case + cases):
        todo.put(n)
    lock = threading.Lock()
    deadline = time.perf_counter() + time_cap

    def worker() -> None:
        latencies: list[float] = []
        done = errors = 0
        while time.perf_counter() < deadline:
            try:
                n = todo.get_nowait()
            except queue.Empty:
                break
            steps = script(n)
            case_id: str | None = None
            answer: dict[str, Any] | None = None
            try:
                while True:
                    role, command, body = steps.send(answer) if answer is not None else next(steps)
                    started = time.perf_counter()
                    try:
                        answer = send(role, command, case_id, body)
                    except Exception as error:  # noqa: BLE001 - counted, the case is abandoned
                        errors += 1
                        with lock:
                            phase.first_error = phase.first_error or f"{command}: {error}"[:300]
                        break
                    latencies.append((time.perf_counter() - started) * 1000)
                    done += 1
                    case_id = case_id or answer["id"]
            except StopIteration:
                pass
        with lock:
            phase.latencies += latencies
            phase.commands += done
            phase.errors += errors

    threads = [threading.Thread(target=worker, name=f"{name}-{i}") for i in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_cap + 60)
    phase.seconds = time.perf_counter() - started
    return phase


# --------------------------------------------------------------------------- the server (child process)


def serve(port: int, data_dir: str, postgres_url: str, schema: str) -> None:
    import uvicorn

    from api.app import create_app
    from dispute_engine.clock import FixedClock
    from dispute_engine.config import PostgresLocation, Settings

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    clock = FixedClock()
    clock.set_local(DAY)
    settings = Settings(data_dir=Path(data_dir), postgres=PostgresLocation.from_url(postgres_url),
                        postgres_schema=schema)
    app = create_app(settings, clock=clock, background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the benchmark


@dataclass
class Result:
    version: str
    http: list[Phase]
    inproc: list[Phase]
    workers: int
    cases: int
    load: tuple[float, float]

    def median(self, phases: list[Phase], what: Callable[[Phase], float]) -> float:
        return statistics.median(what(p) for p in phases)

    @property
    def ratios(self) -> list[float]:
        return [h.rate / i.rate for h, i in zip(self.http, self.inproc, strict=True) if i.rate]


def measure(postgres_url: str, cases: int, workers: int, runs: int, time_cap: float,
            say: Callable[[str], None]) -> Result:
    import httpx

    from api.access import partner_guard
    from api.auth import build_auth
    from api.routers.cases import _command_model
    from api.schemas import DisputeIn
    from dispute_engine.cases import DISPUTE_COMMANDS, DisputeEngine
    from dispute_engine.clock import FixedClock
    from dispute_engine.users import validate_new_user
    from dispute_engine.vault import open_vault
    from domain.values import Actor, Agency, Role
    from projections.engine import create_read_model_engine

    for settings in postgres_settings(postgres_url):
        version = store_version("postgres", settings)
        clock = FixedClock()
        clock.set_local(DAY)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        read_engine = create_read_model_engine(settings)
        auth = build_auth(settings, read_engine, clock)
        tokens = {}
        for role, (kind, agency) in {"staff": ("staff", None), "hr": ("partner", "hr")}.items():
            user = auth.users.create(validate_new_user(f"bench-{role}", kind, agency), "bench password 0123456789")
            tokens[role] = {"Authorization": f"Bearer {auth.tokens.issue(user).access_token}"}
        read_engine.dispose()
        port = free_port()
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.http_commands", "--serve", str(port), "--data-dir", str(settings.data_dir),
             "--postgres-url", postgres_url, "--schema", settings.postgres_schema],
            cwd=Path(__file__).resolve().parent.parent)
        vault = open_vault(settings)
        app = None
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if child.poll() is not None:
                    raise RuntimeError("the server exited at start-up")
                time.sleep(0.1)
            else:
                raise RuntimeError("the server did not answer /healthz within 30 s")
            local = threading.local()

            def over_http(role: str, command: str, case_id: str | None, body: dict[str, Any]) -> dict[str, Any]:
                client = getattr(local, "client", None)
                if client is None:
                    client = local.client = httpx.Client(base_url=base, timeout=10.0)
                path = "/disputes" if command == "register" else f"/disputes/{case_id}/{command.replace('_', '-')}"
                response = client.post(path, json=body, headers=tokens[role])
                if response.status_code >= 300:
                    raise RuntimeError(f"{response.status_code} {response.text[:200]}")
                out = response.json()
                return {"id": out["id"], **out.get("data", {})}

            app = DisputeEngine(settings, clock, vault)
            actors = {"staff": Actor("bench-staff", Role.STAFF, Agency.UNION),
                      "hr": Actor("bench-hr", Role.PARTNER, Agency.HR)}
            models = {name: _command_model(name, method) for name, method in DISPUTE_COMMANDS.items()}

            def in_process(role: str, command: str, case_id: str | None, body: dict[str, Any]) -> dict[str, Any]:
                actor = actors[role]
                if command == "register":
                    data = DisputeIn.model_validate(body).model_dump(mode="json", exclude_none=True)
                    result = app.register_dispute(data, actor=actor)
                else:
                    arguments = models[command].model_validate(body).model_dump(exclude_unset=True)
                    arguments.pop("expected_version", None)
                    result = app.dispute_command(case_id, command, arguments, actor=actor,
                                                 authorize=partner_guard(command, arguments, actor))
                return {"id": result.id, **result.data}

            # warm-up (not counted): a few cases each way
            drive("warm-up", over_http, 10_000_000, workers, workers, time_cap)
            drive("warm-up", in_process, 20_000_000, workers, workers, time_cap)
            load = os.getloadavg()[0]
            http, inproc = [], []
            for run in range(runs):
                http.append(drive("http", over_http, run * 2 * cases, cases, workers, time_cap))
                inproc.append(drive("in-process", in_process, run * 2 * cases + cases, cases, workers, time_cap))
                h, i = http[-1], inproc[-1]
                say(f"http commands run {run + 1}: HTTP {h.rate:,.0f}/s p50 {h.pct(0.5):.1f} ms p99 {h.pct(0.99):.1f} ms "
                    f"({h.commands} ok, {h.errors} errors{'; ' + h.first_error if h.errors else ''}); in-process "
                    f"{i.rate:,.0f}/s p50 {i.pct(0.5):.1f} ms p99 {i.pct(0.99):.1f} ms ({i.commands} ok, {i.errors} errors"
                    f"{'; ' + i.first_error if i.errors else ''}); ratio {h.rate / i.rate if i.rate else 0:.2f}")
            return Result(version, http, inproc, workers, cases, (load, os.getloadavg()[0]))
        finally:
            if app is not None:
                app.close()
            vault.close()
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    raise AssertionError("unreachable")


def section(result: Result, runs: int, time_cap: float) -> str:
    r = result
    rate_h = r.median(r.http, lambda p: p.rate)
    rate_i = r.median(r.inproc, lambda p: p.rate)
    p50 = r.median(r.http, lambda p: p.pct(0.5))
    p99 = r.median(r.http, lambda p: p.pct(0.99))
    ratio = statistics.median(r.ratios) if r.ratios else 0.0
    errors_h = sum(p.errors for p in r.http)
    errors_i = sum(p.errors for p in r.inproc)
    first = next((p.first_error for p in r.http + r.inproc if p.first_error), "")
    lines = [
        "## 2. HTTP commands per second (PostgreSQL, full stack)",
        "",
        f"{r.version}. uvicorn (one process, views and clock threads off) on 127.0.0.1; {r.workers} client threads "
        f"(httpx), {r.cases:,} cases × {COMMANDS_PER_CASE} commands per run (intake, caseworker, risk flag "
        "raised, arbitration handoff requested/received/accepted by HR, award, service ×2, risk flag lowered, "
        f"resolved, closed), cap {time_cap:.0f} s per phase. Baseline: the same scripts on the same number of threads "
        "in-process through `register_dispute`/`dispute_command` (same pydantic models, partner guard), same "
        f"run and database. Median of {runs} runs; load 1-min {r.load[0]:.1f} → {r.load[1]:.1f}.",
        "",
        "| path | commands/s | p50 ms | p99 ms | commands ok / errors (all runs) | × baseline | goals |",
        "|---|---:|---:|---:|---|---:|---|",
        f"| HTTP (uvicorn + auth + guards + save) | {rate_h:,.0f} | {p50:.1f} | {p99:.1f} | "
        f"{sum(p.commands for p in r.http):,} / {errors_h} | {ratio:.2f} | "
        f"≥{GOAL_RATE}/s {'met' if rate_h >= GOAL_RATE else '**missed**'}; "
        f"p99 <{GOAL_P99_MS:g} ms {'met' if p99 < GOAL_P99_MS else '**missed**'}; "
        f"≥{GOAL_RATIO}× {'met' if ratio >= GOAL_RATIO else '**missed**'} |",
        f"| in-process `dispute_command` (baseline) | {rate_i:,.0f} | {r.median(r.inproc, lambda p: p.pct(0.5)):.1f} | "
        f"{r.median(r.inproc, lambda p: p.pct(0.99)):.1f} | {sum(p.commands for p in r.inproc):,} / {errors_i} | 1.00 | — |",
        "",
    ]
    if first:
        lines += [f"First error seen: `{first}`", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--time-cap", type=float, default=DEFAULT_TIME_CAP)
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.serve, options.data_dir, options.postgres_url, options.schema)
        return
    if not options.postgres_url:
        parser.error("give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    result = measure(options.postgres_url, options.cases, options.workers, options.runs, options.time_cap, print)
    print("\n".join(f"| {k} | {v} |" for k, v in machine()))
    print(section(result, options.runs, options.time_cap))


if __name__ == "__main__":
    main()
