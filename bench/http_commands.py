"""Commands per second through the whole HTTP stack on PostgreSQL, against the same commands in-process.

    .venv/bin/python -m bench.http_commands                    # 500 cases × 12 commands, 8 clients
    .venv/bin/python -m bench.http_commands --cases 100 --workers 4
    .venv/bin/python -m bench.http_commands --server-workers 1 # one server process only

1. A fresh schema; one staff member and one HR clerk (partner, HR bureau) per client thread, each
   with a bearer token (the API caps the requests each user has in progress, ``api.fairness``).
2. The API (``api.app.create_app``, views and clock threads off, as ``serve --no-background``) is
   served by uvicorn in a child process on 127.0.0.1 at a free port; every request goes through token
   check, role and partner guards, request validation, load, decide and save, as in production. A
   second server runs ``--server-workers`` (default 2) uvicorn worker processes on one socket, started
   as ``serve --workers N --no-background`` starts them (the production layout); both are measured in
   every run.
3. A bounded load generator — ``--workers`` threads, each with its own ``httpx.Client`` — takes
   cases from a queue and walks each through the same 12 commands: intake (``POST /disputes``),
   caseworker, risk flag raised, handoff to arbitration requested, received and accepted by HR,
   award, service on both sides, risk flag lowered, resolved, closed. A case's commands go one after
   another (each needs the ids the previous answered); different cases run concurrently. A fixed
   count of commands, and a hard cap of ``--time-cap`` seconds per phase. Traffic goes to 127.0.0.1 only.
4. **Baseline**, in the same run and database: the same scripts with the same number of threads,
   in-process, through ``DisputeEngine.register_dispute`` / ``dispute_command`` (request bodies
   validated with the same pydantic models, partner guard included) — what HTTP adds is the ratio.
5. CPU per command: the CPU time of the server's processes (read from ``/proc``) over an HTTP phase,
   or of this process over the in-process phase, divided by the commands. The client's own CPU in
   the HTTP phases is printed beside it: on a small machine the load generator competes with the server.

Median of ``--runs`` runs (each run: HTTP to each server, then in-process, on new cases).
"""

from __future__ import annotations

import argparse
import itertools
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
DEFAULT_SERVER_WORKERS = 2  # the production layout measured beside one process; 1 measures one process only
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
    server_cpu: float = 0.0  # CPU seconds of the server processes (HTTP) or of this process (in-process)
    client_cpu: float = 0.0  # CPU seconds of this process while it drove the HTTP load

    def cpu_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.commands if self.commands else float("nan")

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


SERVER_ENV = {"data_dir": "DISPUTE_ENGINE_DATA", "postgres_url": "DATABASE_URL",
              "schema": "DISPUTE_ENGINE_POSTGRES_SCHEMA"}


def bench_app() -> Any:
    """The app every server process serves (uvicorn's factory): the API as in production, its settings
    from the environment, with the clock fixed at the day the scripts' dates assume."""
    from api.app import create_app
    from dispute_engine.bootstrap import startup_lock
    from dispute_engine.clock import FixedClock
    from dispute_engine.config import Settings

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    clock = FixedClock()
    clock.set_local(DAY)
    settings = Settings.from_env()
    with startup_lock(settings):
        return create_app(settings, clock=clock, background=False)


def serve(port: int, server_workers: int) -> None:
    """uvicorn on 127.0.0.1: one process, or ``server_workers`` worker processes on one socket, started
    as ``dispute-engine serve --workers N --no-background`` starts them."""
    import uvicorn

    from api.serving import prepare_store, run_workers
    from dispute_engine.config import Settings

    if server_workers == 1:
        uvicorn.run(bench_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    else:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        prepare_store(Settings.from_env())
        run_workers("bench.http_commands:bench_app", host="127.0.0.1", port=port, workers=server_workers,
                    log_level="warning", access_log=False)


def start_server(settings: Any, postgres_url: str, server_workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """A server child process on a free port, answering ``/healthz``; its base URL."""
    import httpx

    port = free_port()
    environment = {**os.environ, SERVER_ENV["data_dir"]: str(settings.data_dir),
                   SERVER_ENV["postgres_url"]: postgres_url, SERVER_ENV["schema"]: settings.postgres_schema}
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.http_commands", "--serve", str(port), "--server-workers", str(server_workers)],
        cwd=Path(__file__).resolve().parent.parent, env=environment)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return child, base
        except httpx.HTTPError:
            pass
        if child.poll() is not None:
            raise RuntimeError("the server exited at start-up")
        time.sleep(0.1)
    stop_server(child)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def stop_server(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, from /proc; 0 where unavailable."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grown = {pid}, True
    while grown:
        grown = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grown = True
    return sum(times.get(p, 0.0) for p in tree)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the benchmark


@dataclass
class Result:
    version: str
    http: dict[int, list[Phase]]  # by the number of server processes
    inproc: list[Phase]
    workers: int
    cases: int
    load: tuple[float, float]

    def median(self, phases: list[Phase], what: Callable[[Phase], float]) -> float:
        return statistics.median(what(p) for p in phases)

    def ratios(self, server_workers: int) -> list[float]:
        return [h.rate / i.rate for h, i in zip(self.http[server_workers], self.inproc, strict=True) if i.rate]


def measure(postgres_url: str, cases: int, workers: int, runs: int, time_cap: float,
            say: Callable[[str], None], server_workers: int = DEFAULT_SERVER_WORKERS) -> Result:
    """Each run: HTTP to one server process, then (with ``server_workers`` > 1) to a server of that many
    uvicorn worker processes, then the in-process baseline; every phase on new cases."""
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

    layouts = [1] if server_workers == 1 else [1, server_workers]
    for settings in postgres_settings(postgres_url):
        version = store_version("postgres", settings)
        clock = FixedClock()
        clock.set_local(DAY)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        read_engine = create_read_model_engine(settings)
        auth = build_auth(settings, read_engine, clock)
        # One staff member and one HR clerk per client thread, as in a real office: the API caps the
        # requests each user has in progress at once (api.fairness).
        tokens: dict[tuple[str, int], dict[str, str]] = {}
        for role, (kind, agency) in {"staff": ("staff", None), "hr": ("partner", "hr")}.items():
            for index in range(workers):
                user = auth.users.create(validate_new_user(f"bench-{role}-{index}", kind, agency),
                                         "bench password 0123456789")
                tokens[role, index] = {"Authorization": f"Bearer {auth.tokens.issue(user).access_token}"}
        read_engine.dispose()
        servers: dict[int, tuple[subprocess.Popen[bytes], str]] = {}
        vault = open_vault(settings)
        app = None
        try:
            for layout in layouts:
                servers[layout] = start_server(settings, postgres_url, layout)
            local = threading.local()
            thread_numbers = itertools.count()

            def over_http(base: str) -> Callable[[str, str, str | None, dict[str, Any]], dict[str, Any]]:
                def send(role: str, command: str, case_id: str | None, body: dict[str, Any]) -> dict[str, Any]:
                    clients = getattr(local, "clients", None)
                    if clients is None:
                        clients = local.clients = {}
                        local.index = next(thread_numbers) % workers
                    client = clients.get(base)
                    if client is None:
                        client = clients[base] = httpx.Client(base_url=base, timeout=10.0)
                    path = "/disputes" if command == "register" else f"/disputes/{case_id}/{command.replace('_', '-')}"
                    response = client.post(path, json=body, headers=tokens[role, local.index])
                    if response.status_code >= 300:
                        raise RuntimeError(f"{response.status_code} {response.text[:200]}")
                    out = response.json()
                    return {"id": out["id"], **out.get("data", {})}

                return send

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

            def over_http_measured(layout: int, first_case: int, count: int) -> Phase:
                child, base = servers[layout]
                server_before, client_before = cpu_seconds(child.pid), time.process_time()
                phase = drive(f"http-{layout}", over_http(base), first_case, count, workers, time_cap)
                phase.server_cpu = cpu_seconds(child.pid) - server_before
                phase.client_cpu = time.process_time() - client_before
                return phase

            def in_process_measured(first_case: int, count: int) -> Phase:
                before = time.process_time()
                phase = drive("in-process", in_process, first_case, count, workers, time_cap)
                phase.server_cpu = time.process_time() - before
                return phase

            # warm-up (not counted): a few cases each way; every server process gets some
            for layout in layouts:
                drive("warm-up", over_http(servers[layout][1]), 10_000_000 * layout, 2 * workers, workers, time_cap)
            drive("warm-up", in_process, 9_000_000, workers, workers, time_cap)
            load = os.getloadavg()[0]
            http: dict[int, list[Phase]] = {layout: [] for layout in layouts}
            inproc: list[Phase] = []
            step = (len(layouts) + 1) * cases
            for run in range(runs):
                for index, layout in enumerate(layouts):
                    http[layout].append(over_http_measured(layout, run * step + index * cases, cases))
                inproc.append(in_process_measured(run * step + len(layouts) * cases, cases))
                i = inproc[-1]
                parts = [f"{_label(layout)} {_figures(http[layout][-1])}; ratio "
                         f"{http[layout][-1].rate / i.rate if i.rate else 0:.2f}" for layout in layouts]
                say(f"http commands run {run + 1}: " + "; ".join(parts) + f"; in-process {_figures(i)}")
            return Result(version, http, inproc, workers, cases, (load, os.getloadavg()[0]))
        finally:
            if app is not None:
                app.close()
            vault.close()
            for child, _ in servers.values():
                stop_server(child)
    raise AssertionError("unreachable")


def _label(server_workers: int) -> str:
    return "HTTP, 1 process" if server_workers == 1 else f"HTTP, {server_workers} worker processes"


def _figures(phase: Phase) -> str:
    client = f", client CPU {phase.cpu_ms(phase.client_cpu):.2f} ms/command" if phase.client_cpu else ""
    return (f"{phase.rate:,.0f}/s p50 {phase.pct(0.5):.1f} ms p99 {phase.pct(0.99):.1f} ms ({phase.commands} ok, "
            f"{phase.errors} errors{'; ' + phase.first_error if phase.errors else ''}; "
            f"CPU {phase.cpu_ms(phase.server_cpu):.2f} ms/command{client})")


def section(result: Result, runs: int, time_cap: float) -> str:
    r = result
    rate_i = r.median(r.inproc, lambda p: p.rate)
    errors_i = sum(p.errors for p in r.inproc)
    phases = [p for layout in r.http.values() for p in layout] + r.inproc
    first = next((p.first_error for p in phases if p.first_error), "")
    layouts = sorted(r.http)
    several = f" and {layouts[-1]} uvicorn worker processes on one socket" if len(layouts) > 1 else ""
    lines = [
        "## 2. HTTP commands per second (PostgreSQL, full stack)",
        "",
        f"{r.version}. uvicorn (one process{several}; views and clock off, as in `serve --no-background`) on "
        f"127.0.0.1; {r.workers} client threads "
        f"(httpx), {r.cases:,} cases × {COMMANDS_PER_CASE} commands per run (intake, caseworker, risk flag "
        "raised, arbitration handoff requested/received/accepted by HR, award, service ×2, risk flag lowered, "
        f"resolved, closed), cap {time_cap:.0f} s per phase. Baseline: the same scripts on the same number of threads "
        "in-process through `register_dispute`/`dispute_command` (same pydantic models, partner guard), same "
        f"run and database. Median of {runs} runs; load 1-min {r.load[0]:.1f} → {r.load[1]:.1f}. CPU per command: "
        "the server processes' CPU time (HTTP) or the benchmark process's (in-process) over the phase, divided "
        "by the commands — steadier than the rates on a shared machine.",
        "",
        "| path | commands/s | p50 ms | p99 ms | CPU ms/command | commands ok / errors (all runs) | × baseline "
        "| goals |",
        "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for layout in layouts:
        http = r.http[layout]
        rate_h = r.median(http, lambda p: p.rate)
        p99 = r.median(http, lambda p: p.pct(0.99))
        ratio = statistics.median(r.ratios(layout)) if r.ratios(layout) else 0.0
        what = "uvicorn" if layout == 1 else f"uvicorn × {layout} workers"
        lines.append(
            f"| HTTP ({what} + auth + guards + save) | {rate_h:,.0f} | {r.median(http, lambda p: p.pct(0.5)):.1f} | "
            f"{p99:.1f} | {r.median(http, lambda p: p.cpu_ms(p.server_cpu)):.2f} | "
            f"{sum(p.commands for p in http):,} / {sum(p.errors for p in http)} | {ratio:.2f} | "
            f"≥{GOAL_RATE}/s {'met' if rate_h >= GOAL_RATE else '**missed**'}; "
            f"p99 <{GOAL_P99_MS:g} ms {'met' if p99 < GOAL_P99_MS else '**missed**'}; "
            f"≥{GOAL_RATIO}× {'met' if ratio >= GOAL_RATIO else '**missed**'} |")
    lines += [
        f"| in-process `dispute_command` (baseline) | {rate_i:,.0f} | {r.median(r.inproc, lambda p: p.pct(0.5)):.1f} | "
        f"{r.median(r.inproc, lambda p: p.pct(0.99)):.1f} | "
        f"{r.median(r.inproc, lambda p: p.cpu_ms(p.server_cpu)):.2f} | "
        f"{sum(p.commands for p in r.inproc):,} / {errors_i} | 1.00 | — |",
        "",
    ]
    if first:
        lines += [f"First error seen: `{first}`", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="client threads")
    parser.add_argument("--server-workers", type=int, default=DEFAULT_SERVER_WORKERS,
                        help="also measure a server of this many uvicorn worker processes (the production "
                             "layout); 1: one process only")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--time-cap", type=float, default=DEFAULT_TIME_CAP)
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.server_workers < 1:
        parser.error("--server-workers: at least 1")
    if options.serve:
        serve(options.serve, options.server_workers)
        return
    if not options.postgres_url:
        parser.error("give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    result = measure(options.postgres_url, options.cases, options.workers, options.runs, options.time_cap, print,
                     server_workers=options.server_workers)
    print("\n".join(f"| {k} | {v} |" for k, v in machine()))
    print(section(result, options.runs, options.time_cap))


if __name__ == "__main__":
    main()
