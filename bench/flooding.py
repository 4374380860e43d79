"""One agency floods the API: how much slower does another agency's clerk get?

    .venv/bin/python -m bench.flooding                                    # SQLite and PostgreSQL
    .venv/bin/python -m bench.flooding --stores sqlite --flood-clients 96 --seconds 30 --output -

Per store:

1. A fresh store with the users ``hr-1`` (the HR bureau: the clerk measured), ``court-1`` … ``court-4`` (the
   court: the agency flooding) and ``staff``, each with a bearer token. ``dispute-engine serve`` — the API with
   the views, the deadline clock and the audit sealer in-process, as in production, logging one JSON line per
   request — runs in a child process on a free loopback port. Staff take ``--cases`` disputes in over HTTP and
   hand half to the arbitration commission (HR), half to the court.
2. **Alone**: ``--victim-clients`` threads, each with its own connection, send the HR clerk's reads — a case
   handed to HR (``GET /disputes/{id}``, which also writes the personal-data access log) and the HR inbox
   (``GET /handoffs``) — for ``--seconds`` (at most ``--victim-requests`` each per round); every latency is
   kept. The clerk is measured twice: **paced**, each client sending one request every
   ``--victim-interval-ms`` (a busy office, well below what the server can serve), and **back to back**, each
   sending its next request as soon as the last is answered — which alone keeps the server busy, so that any
   fair share of it during a flood at least halves the clerk's rate and, one request after another, doubles
   its latency.
3. **Flooded**: the same, while a second child process runs ``--flood-clients`` threads spread over the four
   court users, each sending the court's reads (its case list, a case handed to it, its inbox) back to back,
   with no pause and ignoring ``Retry-After``: a runaway script. Phases 2 and 3 alternate in three rounds of a
   third of ``--seconds`` each, so that the load of the rest of the machine weighs on both alike.
4. Phases 2 and 3 again against a server started with the fair shares off (``DISPUTE_ENGINE_FAIR_*=0``):
   what they buy.

The caps measured are those of ``DISPUTE_ENGINE_FAIR_*`` when set, else the defaults. The clients run on the
same machine as the server and take CPU from it; the 1-minute load average before and after is reported.

Figures: the HR clerk's p50 and p99 alone and flooded and the ratio of the p99s (the goal: at most 2), its
requests per second, its 429s and errors (which must be 0), and how the court's requests were answered. The
ratio is measured against the "alone" phase of the same run on the same server. The section is written into
``--output`` (``docs/benchmarks-flooding.md``) in place of the section with the same ``--heading``. Traffic
goes to 127.0.0.1 only; every phase is bounded by ``--seconds`` and a request count.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import structlog

from api.fairness import FairShare
from dispute_engine.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = 40
DEFAULT_SECONDS = 15.0
DEFAULT_VICTIM_CLIENTS = 2
DEFAULT_VICTIM_REQUESTS = 5000
DEFAULT_FLOOD_CLIENTS = 48
DEFAULT_ROUNDS = 3
DEFAULT_VICTIM_INTERVAL = 0.05  # seconds: each of the clerk's clients sends a request every 50 ms
FLOOD_USERS = 4
GOAL_RATIO = 2.0
PASSWORD = "flooding bench password 0123"
OFF = FairShare(**{name: 0 for name in FairShare.VARIABLES if name != "wait_ms"})  # every cap off


# --------------------------------------------------------------------------- figures


@dataclass
class Sample:
    """One client group's requests in one phase."""

    latencies: list[float] = field(default_factory=list)  # ms, answered requests
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0  # no answer (connection error, timeout)
    first_problem: str = ""
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.errors

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def count(self, low: int, high: int) -> int:
        return sum(n for status, n in self.statuses.items() if low <= status < high)

    def add(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.errors += other.errors
        self.seconds += other.seconds
        self.first_problem = self.first_problem or other.first_problem

    def as_json(self) -> dict[str, Any]:
        return {"statuses": {str(k): v for k, v in self.statuses.items()}, "errors": self.errors,
                "first_problem": self.first_problem, "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sample:
        return cls(statuses=Counter({int(k): v for k, v in data["statuses"].items()}), errors=data["errors"],
                   first_problem=data["first_problem"], seconds=data["seconds"])


@dataclass
class Phases:
    """The clerk alone, the clerk during the flood, and the flood itself, on one server."""

    share: FairShare
    alone: Sample
    flooded: Sample
    flood: Sample
    interval: float = 0.0  # the clerk's clients' pace, seconds between requests; 0: back to back

    @property
    def ratio(self) -> float:
        return self.flooded.pct(0.99) / self.alone.pct(0.99)

    @property
    def clerk_refused(self) -> int:
        return self.alone.statuses[429] + self.flooded.statuses[429]

    @property
    def clerk_errors(self) -> int:
        """Answers other than 200 and 429, and requests with no answer."""
        return sum(s.requests - s.statuses[200] - s.statuses[429] for s in (self.alone, self.flooded))


@dataclass
class StoreFigures:
    store: str
    version: str
    capped: list[Phases]  # the paced clerk, then the clerk back to back
    uncapped: list[Phases]
    load: tuple[float, float]  # 1-minute load average before and after


# --------------------------------------------------------------------------- the server (child process)


def server_environment(settings: Settings, share: FairShare) -> dict[str, str]:
    """The child's environment: this store and these caps, nothing inherited from ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTE_ENGINE_") and k != "DATABASE_URL"}
    env.update({"DISPUTE_ENGINE_DATA": str(settings.data_dir), "DISPUTE_ENGINE_ENV": "development"})
    if settings.postgres is not None:
        pg = settings.postgres
        password = f":{quote(pg.password, safe='')}" if pg.password else ""
        env["DATABASE_URL"] = f"postgresql://{quote(pg.user, safe='')}{password}@{pg.host}:{pg.port}/{quote(pg.dbname)}"
        env["DISPUTE_ENGINE_POSTGRES_SCHEMA"] = settings.postgres_schema
        env["DISPUTE_ENGINE_POSTGRES_POOL_SIZE"] = str(settings.postgres_pool_size)
    for name, variable in FairShare.VARIABLES.items():
        env[variable] = str(getattr(share, name))
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base: str
    port: int
    tokens: dict[str, str]  # user name → bearer token
    share: FairShare

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def create_users(settings: Settings, environ: dict[str, str]) -> dict[str, str]:
    """``staff``, ``hr-1``, ``court-1`` … with tokens signed by the secret the server will use."""
    from api.auth import build_auth
    from dispute_engine.users import validate_new_user
    from projections.engine import create_read_model_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_read_model_engine(settings)
    try:
        auth = build_auth(settings, engine, environ=environ)
        users = {"staff": ("staff", None), "hr-1": ("partner", "hr"),
                 **{f"court-{n}": ("partner", "court") for n in range(1, FLOOD_USERS + 1)}}
        tokens = {}
        for name, (role, agency) in users.items():
            user = auth.users.get(name) or auth.users.create(validate_new_user(name, role, agency), PASSWORD)
            tokens[name] = auth.tokens.issue(user).access_token
        return tokens
    finally:
        engine.dispose()


@contextmanager
def serving(settings: Settings, share: FairShare) -> Iterator[Server]:
    """``dispute-engine serve`` on a free loopback port in a child process, stopped on leaving."""
    import httpx

    environ = server_environment(settings, share)
    tokens = create_users(settings, environ)
    port = free_port()
    log_path = settings.data_dir / "server.log"
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-c", "from dispute_engine.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(port)], env=environ, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if child.poll() is not None:
                raise RuntimeError(f"the server exited at start-up: {_tail(log_path)}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the server did not answer /healthz within 30 s: {_tail(log_path)}")
        yield Server(base, port, tokens, share)
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _tail(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-2000:]


# --------------------------------------------------------------------------- the cases


def seed(server: Server, cases: int) -> dict[str, list[str]]:
    """``cases`` disputes taken in by staff, half handed to HR, half to the court; waits for the views."""
    import httpx

    handed: dict[str, list[str]] = {"hr": [], "court": []}
    with httpx.Client(base_url=server.base, headers=server.headers("staff"), timeout=30) as client:
        for n in range(cases):
            taken = client.post("/disputes", json={
                "summary": "三个月工资未发",
                "claimants": [{"kind": "WORKER", "person": {"name": f"工人{n}", "phone": "13800138000"}}],
                "respondents": [{"kind": "EMPLOYER", "organisation": {"name": f"企业{n}有限公司"}}],
                "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}]})
            taken.raise_for_status()
            dispute = taken.json()["id"]
            agency = "hr" if n % 2 == 0 else "court"
            handoff = {"reason": "PARTY_APPLICATION",
                       "dossier": [{"doc_type": "APPLICATION", "title": "申请书", "sha256": f"{n:064x}"}]}
            if agency == "hr":
                handoff |= {"kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION",
                            "org_name": "区劳动人事争议仲裁委员会"}
            else:
                handoff |= {"kind": "LITIGATION_FIRST", "org_type": "BASIC_COURT", "org_name": "区人民法院",
                            "override_reason": "court-originated case referred back by the court"}
            client.post(f"/disputes/{dispute}/request-handoff", json=handoff).raise_for_status()
            handed[agency].append(dispute)
        for _ in range(300):
            inbox = client.get("/handoffs", params={"limit": 1}).json()
            if inbox["total"] >= cases:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("the views did not show the handoffs within 30 s")
    return handed


# --------------------------------------------------------------------------- clients


def run_clients(base: str, headers: list[dict[str, str]], paths: list[str], clients: int, seconds: float,
                max_requests: int, stop: threading.Event | None = None, interval: float = 0.0) -> Sample:
    """``clients`` threads, each with its own connection and the headers ``headers[i % len]``, sending
    ``paths`` in turn, one request after another — each at most every ``interval`` seconds, when given —
    until ``seconds`` pass, ``max_requests`` are sent or ``stop``."""
    import httpx

    stop = stop or threading.Event()
    total = Sample()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        mine = Sample()
        with httpx.Client(base_url=base, headers=headers[index % len(headers)], timeout=30) as http:
            sent = 0
            due = time.perf_counter() + interval * index / clients  # paced clients spread over the interval
            while sent < max_requests and not stop.is_set() and time.perf_counter() < deadline:
                if interval:
                    time.sleep(max(0.0, due - time.perf_counter()))
                    due = max(due + interval, time.perf_counter())  # late: the next one is not sent sooner
                path = paths[(index + sent) % len(paths)]
                sent += 1
                started = time.perf_counter()
                try:
                    response = http.get(path)
                except httpx.HTTPError as error:
                    mine.errors += 1
                    mine.first_problem = mine.first_problem or f"GET {path}: {type(error).__name__} {error}"
                    continue
                mine.latencies.append((time.perf_counter() - started) * 1000)
                mine.statuses[response.status_code] += 1
                if response.status_code not in (200, 429) and not mine.first_problem:
                    mine.first_problem = f"GET {path}: {response.status_code} {response.text[:200]}"
        with lock:
            total.add(mine)

    threads = [threading.Thread(target=client, args=(i,), name=f"client-{i}") for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    total.seconds = time.perf_counter() - started
    return total


def clerk_paths(handed: dict[str, list[str]]) -> list[str]:
    """The HR clerk's reads: its cases, one by one, and its inbox."""
    return [path for dispute in handed["hr"][:10] for path in (f"/disputes/{dispute}", "/handoffs?limit=20")]


def flood_paths(handed: dict[str, list[str]]) -> list[str]:
    return ["/disputes?limit=50", *(f"/disputes/{dispute}" for dispute in handed["court"][:5]), "/handoffs?limit=50"]


@contextmanager
def flooding(server: Server, handed: dict[str, list[str]], clients: int, seconds: float) -> Iterator[Sample]:
    """The court's runaway script, in a child process of its own, for at most ``seconds`` or until the
    block ends; the yielded sample is filled in when it has stopped."""
    config = {"base": server.base, "headers": [server.headers(f"court-{n}") for n in range(1, FLOOD_USERS + 1)],
              "paths": flood_paths(handed), "clients": clients, "seconds": seconds}
    child = subprocess.Popen([sys.executable, "-m", "bench.flooding", "--flood"], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    result = Sample()
    try:
        child.stdin.write(json.dumps(config) + "\n")
        child.stdin.flush()
        if child.stdout.readline().strip() != "flooding":
            raise RuntimeError("the flood did not start")
        yield result
        child.stdin.write("stop\n")
        child.stdin.flush()
        finished = Sample.from_json(json.loads(child.stdout.readline()))
        result.add(finished)
        child.wait(seconds + 60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def flood_main() -> None:
    """The flood's child process: configuration on stdin, "flooding" once under way, figures when stopped."""
    config = json.loads(sys.stdin.readline())
    stop = threading.Event()
    box: list[Sample] = []
    runner = threading.Thread(target=lambda: box.append(run_clients(
        config["base"], config["headers"], config["paths"], config["clients"], config["seconds"], 10**9, stop)))
    runner.start()
    time.sleep(0.5)  # every client connected and sending
    print("flooding", flush=True)
    sys.stdin.readline()  # "stop", or end of input
    stop.set()
    runner.join()
    print(json.dumps(box[0].as_json()), flush=True)


# --------------------------------------------------------------------------- the measurement


def measure_phases(server: Server, handed: dict[str, list[str]], *, victim_clients: int, victim_requests: int,
                   flood_clients: int, seconds: float, rounds: int = DEFAULT_ROUNDS, interval: float = 0.0) -> Phases:
    """The clerk alone, then during the flood, on ``server``: ``rounds`` times in turn, ``seconds`` of each
    in all, so that the load of the rest of the machine weighs on both alike."""
    clerk = [server.headers("hr-1")]
    paths = clerk_paths(handed)
    run_clients(server.base, clerk, paths, victim_clients, min(seconds, 2.0), 50)  # warm-up, not counted
    alone, flooded, flood = Sample(), Sample(), Sample()
    for _ in range(rounds):
        alone.add(run_clients(server.base, clerk, paths, victim_clients, seconds / rounds, victim_requests,
                              interval=interval))
        with flooding(server, handed, flood_clients, seconds / rounds + 30) as flooding_now:
            flooded.add(run_clients(server.base, clerk, paths, victim_clients, seconds / rounds, victim_requests,
                                    interval=interval))
        flood.add(flooding_now)
    return Phases(server.share, alone, flooded, flood, interval)


def measure_store(store: str, settings: Settings, *, cases: int = DEFAULT_CASES, seconds: float = DEFAULT_SECONDS,
                  victim_clients: int = DEFAULT_VICTIM_CLIENTS, victim_requests: int = DEFAULT_VICTIM_REQUESTS,
                  victim_interval: float = DEFAULT_VICTIM_INTERVAL, flood_clients: int = DEFAULT_FLOOD_CLIENTS,
                  share: FairShare | None = None, uncapped: bool = True,
                  say: Callable[[str], None] = print) -> StoreFigures:
    """Both phases, for the paced clerk and the clerk back to back, with the caps ``share`` (else those of
    ``DISPUTE_ENGINE_FAIR_*``, else the defaults), then, with ``uncapped``, with the caps off."""
    from bench.write_path import store_version

    sizes = {"victim_clients": victim_clients, "victim_requests": victim_requests, "flood_clients": flood_clients,
             "seconds": seconds}
    runs: list[list[Phases]] = []
    handed: dict[str, list[str]] = {}
    load = os.getloadavg()[0]
    for caps in [share or FairShare.from_env(), *([OFF] if uncapped else [])]:
        with serving(settings, caps) as server:  # one after the other, on the same store
            handed = handed or seed(server, cases)
            runs.append([])
            for interval in (victim_interval, 0.0):
                runs[-1].append(measure_phases(server, handed, interval=interval, **sizes))
                say(describe(store, runs[-1][-1]))
    return StoreFigures(store, store_version(store, settings), runs[0], runs[1] if uncapped else [],
                        (load, os.getloadavg()[0]))


def caps_text(share: FairShare) -> str:
    if share == OFF:
        return "caps off"
    total = getattr(share, "total", None)  # (not in the caps before turns were taken)
    return (f"caps user {share.per_user} / agency {share.per_agency} / address {share.per_address}"
            + (f" / total {total}" if total is not None else " / agency cap shared"))


def pace_text(interval: float) -> str:
    return f"every {interval * 1000:g} ms" if interval else "back to back"


def describe(store: str, phases: Phases) -> str:
    p, a, f, flood = phases, phases.alone, phases.flooded, phases.flood
    return (f"flooding {store} ({caps_text(p.share)}; clerk {pace_text(p.interval)}): clerk alone p50 "
            f"{a.pct(0.5):.1f} ms p99 {a.pct(0.99):.1f} ms ({a.requests} requests); flooded p50 {f.pct(0.5):.1f} ms "
            f"p99 {f.pct(0.99):.1f} ms ({f.requests} requests); p99 ratio {p.ratio:.2f}; clerk 429s "
            f"{p.clerk_refused}, errors {p.clerk_errors}"
            f"{' (' + (a.first_problem or f.first_problem) + ')' if p.clerk_errors else ''}; flood "
            f"{flood.requests} requests in {flood.seconds:.1f} s: 2xx {flood.count(200, 300)}, 429 "
            f"{flood.statuses[429]}, other {flood.requests - flood.count(200, 300) - flood.statuses[429]}")


def run(stores: str, postgres_url: str | None, say: Callable[[str], None] = print,
        **sizes: Any) -> list[StoreFigures]:
    from bench.write_path import stores as store_settings

    return [measure_store(store, settings, say=say, **sizes)
            for store, settings in store_settings(stores, postgres_url)]


# --------------------------------------------------------------------------- the report


def section(figures: list[StoreFigures], *, seconds: float = DEFAULT_SECONDS,
            victim_clients: int = DEFAULT_VICTIM_CLIENTS, flood_clients: int = DEFAULT_FLOOD_CLIENTS,
            heading: str = "## Fair shares under a flood (`bench/flooding.py`)") -> str:
    """A markdown section for ``docs/benchmarks-flooding.md``."""
    share = figures[0].capped[0].share if figures else FairShare()
    lines = [
        heading,
        "",
        f"`dispute-engine serve` (one process, views and clock on) on 127.0.0.1. The HR bureau's clerk: "
        f"{victim_clients} clients reading its cases and inbox, paced (each client one request every "
        f"{figures[0].capped[0].interval * 1000:g} ms) and back to back; {seconds:g} s alone and {seconds:g} s "
        f"while the court floods — {flood_clients} clients over {FLOOD_USERS} court users, back to back, ignoring "
        f"`Retry-After` — in {DEFAULT_ROUNDS} alternating rounds. Fair shares: {caps_text(share)}; the same "
        "phases with the caps off for comparison. Ratio = clerk's p99 during the flood / clerk's p99 alone, "
        f"same run and server; goal ≤ {GOAL_RATIO:g}. Clerk req/s: its requests answered per second alone → "
        "flooded.",
        "",
        "| store | caps | clerk | clerk p50 / p99 alone, ms | clerk p50 / p99 flooded, ms | p99 ratio | clerk req/s "
        "| clerk 429s / errors | court requests: 2xx / 429 / other | goal |",
        "|---|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    for figure in figures:
        for phases in (*figure.capped, *figure.uncapped):
            a, f, flood = phases.alone, phases.flooded, phases.flood
            other = flood.requests - flood.count(200, 300) - flood.statuses[429]
            capped = phases.share != OFF
            goal = ("met" if phases.ratio <= GOAL_RATIO else "**missed**") if capped else "—"
            rates = f"{a.requests / max(a.seconds, 1e-9):.0f} → {f.requests / max(f.seconds, 1e-9):.0f}"
            lines.append(
                f"| {figure.version} | {'on' if capped else 'off'} | {pace_text(phases.interval)} | "
                f"{a.pct(0.5):.1f} / {a.pct(0.99):.1f} | {f.pct(0.5):.1f} / {f.pct(0.99):.1f} | {phases.ratio:.2f} | "
                f"{rates} | {phases.clerk_refused} / {phases.clerk_errors} | {flood.count(200, 300):,} / "
                f"{flood.statuses[429]:,} / {other:,} | {goal} |")
    lines += ["", "Load average (1 min) before → after: " + "; ".join(
        f"{figure.version} {figure.load[0]:.1f} → {figure.load[1]:.1f}" for figure in figures) + ".", ""]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Put ``text`` (a ``## `` section) into ``path``: in place of the section with its heading, else at the end."""
    heading = text.splitlines()[0]
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark: fair shares under a flood\n"
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        following = old.find("\n## ", start + len(heading))
        new = old[:start] + text + ("\n" + old[following + 1:] if following >= 0 else "")
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="length of each phase, all rounds")
    parser.add_argument("--victim-clients", type=int, default=DEFAULT_VICTIM_CLIENTS)
    parser.add_argument("--victim-requests", type=int, default=DEFAULT_VICTIM_REQUESTS,
                        help="at most, per client and round")
    parser.add_argument("--victim-interval-ms", type=float, default=DEFAULT_VICTIM_INTERVAL * 1000,
                        help="the paced clerk: ms between one client's requests")
    parser.add_argument("--flood-clients", type=int, default=DEFAULT_FLOOD_CLIENTS)
    parser.add_argument("--output", default="docs/benchmarks-flooding.md",
                        help="the report file whose section (by heading) is replaced ('-': print only)")
    parser.add_argument("--heading", default="## Fair shares under a flood (`bench/flooding.py`)")
    parser.add_argument("--flood", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.flood:
        flood_main()
        return
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sizes = {"cases": options.cases, "seconds": options.seconds, "victim_clients": options.victim_clients,
             "victim_requests": options.victim_requests, "victim_interval": options.victim_interval_ms / 1000,
             "flood_clients": options.flood_clients}
    figures = run(options.stores, options.postgres_url, **sizes)
    text = section(figures, seconds=options.seconds, victim_clients=options.victim_clients,
                   flood_clients=options.flood_clients, heading=options.heading)
    if options.output != "-":
        write_section(ROOT / options.output, text)
    print(text)


if __name__ == "__main__":
    main()
