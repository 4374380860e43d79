"""The production layout on PostgreSQL: two API worker processes and one background worker, as real processes.

``dispute-engine serve --workers 2 --no-background`` serves the API; ``dispute-engine worker`` keeps the views,
the deadline clock and the audit sealer. Clients sign in and send intakes (each one sent twice with the same
Idempotency-Key, on new connections, so that both API processes take requests) and handoffs concurrently.
Then: every acknowledged command is in the store exactly once, the views the worker process writes show every
case (read with ``?after=POSITION``), its sealer has linked every event into the audit chain, a partner agency
sees only the cases handed to it, ``/metrics`` counts the commands of both API processes, and SIGTERM stops
every process cleanly. Figures are printed, never asserted as timings. Skipped without PostgreSQL (failed
under CI, see tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from dispute_engine.bootstrap import bootstrap, startup_lock
from dispute_engine.config import Settings
from dispute_engine.users import UserStore, validate_new_user
from projections.engine import create_read_model_engine
from tests.conftest import _create_schema, _drop_schema, postgres_location

pytestmark = pytest.mark.postgres

FULL = os.environ.get("RELIABILITY_PROFILE") == "full"
CASES = 200 if FULL else 24  # intakes; each is sent twice (the second a repeat of the first)
HANDOFF_SHARE = 3  # every third case is handed to the HR bureau's arbitration commission
CLIENTS = 6  # concurrent requests: within every user's fair share (api.fairness) even in one process
PASSWORD = "multi process password 0123"
START_TIMEOUT = 120.0
VIEW_TIMEOUT = 60.0

INTAKE = {
    "summary": "three months of unpaid wages",
    "claimants": [{"kind": "WORKER", "person": {"name": "陈建国", "phone": "13800138000"}}],
    "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "恒达家具有限公司"}}],
    "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}],
}
HANDOFF = {
    "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
    "reason": "PARTY_APPLICATION",
    "dossier": [{"doc_type": "APPLICATION", "title": "仲裁申请书", "sha256": hashlib.sha256(b"application").hexdigest()}],
}


@dataclass
class Layout:
    base: str
    serve: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    serve_log: Path
    worker_log: Path
    settings: Settings


@pytest.fixture
def layout(tmp_path: Path) -> Iterator[Layout]:
    location = postgres_location()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _create_schema(location, schema)
    settings = Settings(data_dir=tmp_path / "data", postgres=location, postgres_schema=schema, postgres_pool_size=4)
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("DISPUTE_ENGINE_") and key != "DATABASE_URL"}
    environment.update({
        "DATABASE_URL": os.environ["TEST_POSTGRES_URL"],
        "DISPUTE_ENGINE_POSTGRES_SCHEMA": schema,
        "DISPUTE_ENGINE_POSTGRES_POOL_SIZE": "4",
        "DISPUTE_ENGINE_DATA": str(settings.data_dir),
        "DISPUTE_ENGINE_ENV": "development",
    })
    _create_users(settings)
    port = _free_port()
    serve_log, worker_log = tmp_path / "serve.log", tmp_path / "worker.log"
    command = [sys.executable, "-m", "dispute_engine"]
    serve = _start([*command, "serve", "--workers", "2", "--no-background", "--port", str(port)], environment,
                   serve_log)
    worker = _start([*command, "worker", "--views-interval", "0.2"], environment, worker_log)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(base, serve, serve_log)
        yield Layout(base, serve, worker, serve_log, worker_log, settings)
    finally:
        for process in (serve, worker):
            if process.poll() is None:
                process.kill()
                process.wait()
        _drop_schema(location, schema)


def test_two_api_workers_and_a_background_worker_serve_every_command_once(layout: Layout) -> None:
    tokens = {name: _sign_in(layout.base, name) for name in ("mp-staff", "mp-hr", "mp-court")}
    started = time.perf_counter()
    intakes = _send_intakes(layout.base, tokens["mp-staff"])
    handed = sorted(intakes)[::HANDOFF_SHARE]
    positions = _hand_off(layout.base, tokens, handed)
    seconds = time.perf_counter() - started
    acknowledged = sorted(intakes)
    position = max(positions + [p for p, _ in intakes.values()])

    # Each intake was sent twice with one Idempotency-Key: both answers name the same case, one recorded it.
    assert len(acknowledged) == CASES
    assert all(replayed for _, replayed in intakes.values())

    # The views, written by the worker process, show every case to staff, and to a partner only its own.
    waited = time.perf_counter()
    staff_view = _view(layout.base, tokens["mp-staff"], position)
    view_seconds = time.perf_counter() - waited
    assert sorted(row["dispute_id"] for row in staff_view) == acknowledged
    assert sorted(row["dispute_id"] for row in _view(layout.base, tokens["mp-hr"], position)) == sorted(handed)
    assert _view(layout.base, tokens["mp-court"], position) == []
    with httpx.Client(base_url=layout.base, headers=_bearer(tokens["mp-court"])) as court:
        assert court.get(f"/disputes/{handed[0]}").status_code == 404
    with httpx.Client(base_url=layout.base, headers=_bearer(tokens["mp-hr"])) as hr:
        assert hr.get(f"/disputes/{handed[0]}").status_code == 200
        assert hr.get(f"/disputes/{sorted(set(acknowledged) - set(handed))[0]}").status_code == 404

    # /metrics, answered by either API process, counts the commands of both.
    assert _commands_counted(layout.base) == {"recorded": CASES + 2 * len(handed), "replayed": CASES}

    # The worker's sealer links every event into the audit chain.
    assert _sealed_up_to(layout.base, tokens["mp-staff"], position) >= position

    # SIGTERM stops the API (its supervisor and both workers) and the background worker, cleanly.
    stopping = time.perf_counter()
    for process in (layout.serve, layout.worker):
        process.send_signal(signal.SIGTERM)
    codes = [process.wait(timeout=60) for process in (layout.serve, layout.worker)]
    stop_seconds = time.perf_counter() - stopping
    assert codes == [0, 0]
    serve_lines, worker_lines = _log_lines(layout.serve_log), _log_lines(layout.worker_log)
    for path in (layout.serve_log, layout.worker_log):
        assert "Traceback" not in path.read_text(encoding="utf-8")

    # Both API processes took commands, neither ran a background duty; the worker ran them all.
    serving = Counter(line["pid"] for line in serve_lines if line.get("event") == "request"
                      and line.get("method") == "POST" and line.get("status") in (200, 201))
    assert len(serving) == 2
    assert [line["background"] for line in serve_lines if line.get("event") == "api_started"] == [False, False]
    assert [line["duties"] for line in worker_lines if line.get("event") == "background_duties_started"] == [
        ["views", "clock", "sealer", "verify"]]

    # The store, read after the processes stopped: every acknowledged case registered exactly once, nothing else.
    registered, handoffs = _recorded(layout.settings)
    assert sorted(registered) == acknowledged and set(registered.values()) == {1}
    assert sorted(handoffs) == sorted(handed) and set(handoffs.values()) == {1}

    commands = 2 * CASES + 2 * len(handed)
    print(f"\nmulti-process layout: {commands} commands ({CASES} intakes each sent twice, {len(handed)} handoffs "
          f"requested and received) on {CLIENTS} clients in {seconds:.2f} s ({commands / seconds:.0f}/s); "
          f"requests per API process {dict(serving)}; views caught up {view_seconds:.2f} s after the last "
          f"command; SIGTERM to exit {stop_seconds:.2f} s")


# --------------------------------------------------------------------------- the clients


def _send_intakes(base: str, token: str) -> dict[str, tuple[int, bool]]:
    """CASES intakes, each sent twice with the same key on new connections: {case id: (position, replayed)}."""

    def intake(n: int) -> tuple[str, int, bool]:
        headers = {**_bearer(token), "Idempotency-Key": f"intake-{n}", "Connection": "close"}
        body = {**INTAKE, "summary": f"{INTAKE['summary']} #{n}"}
        first = httpx.post(f"{base}/disputes", json=body, headers=headers, timeout=30)
        again = httpx.post(f"{base}/disputes", json=body, headers=headers, timeout=30)
        assert first.status_code == 201, first.text
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"], again.text
        replayed = again.headers.get("Idempotent-Replayed") == "true"
        return first.json()["id"], int(first.headers["X-Log-Position"]), replayed

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(intake, range(CASES)))
    return {case: (position, replayed) for case, position, replayed in results}


def _hand_off(base: str, tokens: dict[str, str], cases: list[str]) -> list[int]:
    """Staff hand each case to the HR bureau, whose clerk receives it; the log positions of the commands."""

    def hand_off(case: str) -> list[int]:
        with httpx.Client(base_url=base, timeout=30, headers={"Connection": "close"}) as client:
            requested = client.post(f"/disputes/{case}/request-handoff", json=HANDOFF,
                                    headers=_bearer(tokens["mp-staff"]))
            assert requested.status_code == 200, requested.text
            received = client.post(f"/disputes/{case}/receive-handoff",
                                   json={"handoff_id": requested.json()["data"]["handoff_id"]},
                                   headers=_bearer(tokens["mp-hr"]))
            assert received.status_code == 200, received.text
            return [int(requested.headers["X-Log-Position"]), int(received.headers["X-Log-Position"])]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return [position for pair in pool.map(hand_off, cases) for position in pair]


def _view(base: str, token: str, position: int) -> list[dict]:
    """``GET /disputes?after=POSITION``, retried while the views are behind (503)."""
    deadline = time.monotonic() + VIEW_TIMEOUT
    with httpx.Client(base_url=base, headers=_bearer(token), timeout=30) as client:
        while True:
            response = client.get("/disputes", params={"after": position, "limit": 500})
            if response.status_code != 503 or time.monotonic() > deadline:
                break
        assert response.status_code == 200, response.text
        return response.json()["items"]


def _sealed_up_to(base: str, token: str, position: int) -> int:
    """The audit chain's sealed position, once it reaches ``position`` or the time is up."""
    deadline = time.monotonic() + VIEW_TIMEOUT
    with httpx.Client(base_url=base, headers=_bearer(token), timeout=30) as client:
        while True:
            response = client.get("/audit/integrity")
            assert response.status_code == 200, response.text
            sealed = response.json()["sealed_position"]
            if sealed >= position or time.monotonic() > deadline:
                return sealed
            time.sleep(0.2)


def _commands_counted(base: str) -> dict[str, int]:
    """``commands_total`` from ``GET /metrics``, summed by outcome."""
    counted: Counter[str] = Counter()
    for family in text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=30).text):
        for sample in family.samples:
            if sample.name == "commands_total":
                counted[sample.labels["outcome"]] += int(sample.value)
    return dict(counted)


def _sign_in(base: str, name: str) -> str:
    response = httpx.post(f"{base}/auth/token", data={"username": name, "password": PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------- the processes and the store


def _create_users(settings: Settings) -> None:
    engine = create_read_model_engine(settings)
    try:
        with startup_lock(settings):
            users = UserStore(engine)
            users.create_tables()
        for name, role, agency in (("mp-staff", "staff", None), ("mp-hr", "partner", "hr"),
                                   ("mp-court", "partner", "court")):
            users.create(validate_new_user(name, role, agency), PASSWORD)
    finally:
        engine.dispose()


def _start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:  # the child keeps its own descriptor
        return subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


def _wait_until_serving(base: str, serve: subprocess.Popen[bytes], log: Path) -> None:
    """Until ``/healthz`` answers and both API processes have started."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            pytest.fail(f"serve exited with {serve.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        started = [line for line in _log_lines(log) if line.get("event") == "api_started"]
        try:
            healthy = httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            healthy = False
        if healthy and len(started) == 2:
            return
        time.sleep(0.2)
    pytest.fail(f"the API did not start within {START_TIMEOUT:.0f} s:\n{log.read_text(encoding='utf-8')[-3000:]}")


def _log_lines(path: Path) -> list[dict]:
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if text.startswith("{"):
            try:
                lines.append(json.loads(text))
            except ValueError:
                continue
    return lines


def _recorded(settings: Settings) -> tuple[Counter[str], Counter[str]]:
    """Per case: how many registrations and how many handoffs to HR the store holds."""
    registered: Counter[str] = Counter()
    handoffs: Counter[str] = Counter()
    with startup_lock(settings), bootstrap(settings) as engine:
        recorder = engine.app.recorder
        start = 1
        while notifications := recorder.select_notifications(start, 500):
            for notification in notifications:
                if notification.topic.endswith(":Dispute.Registered"):
                    registered[str(notification.originator_id)] += 1
                elif notification.topic.endswith(":Dispute.HandoffRequested"):
                    handoffs[str(notification.originator_id)] += 1
            start = notifications[-1].id + 1
    return registered, handoffs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
