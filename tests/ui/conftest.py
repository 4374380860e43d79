"""The UI on a fresh store: signed-in HTTP clients per role (both stores), and for the browser tests a
live server (uvicorn in a thread, SQLite) driven by Playwright through Debian's chromium.

Browser tests are marked ``browser``. Without chromium they are skipped with the reason shown, except
under CI (``CI`` set), where a missing chromium fails the run.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.users import validate_new_user
from projections.caseload import CaseloadView
from projections.cases import CaseListView
from projections.inbox import InboxView
from projections.tickets import TicketListView
from projections.timeliness import TimelinessView
from tests.conftest import make_settings

PASSWORD = "correct horse battery staple"
USERS = {
    "staff": ("u-staff", "staff", None),
    "hr": ("u-hr", "partner", "hr"),
    "court": ("u-court", "partner", "court"),
    "auditor": ("u-auditor", "auditor", None),
    "admin": ("u-admin", "admin", None),
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
HTML = {"Accept": "text/html,application/xhtml+xml"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the UI in a real browser (Playwright and Debian's chromium)")


# --------------------------------------------------------------------------- the engine


def with_list_views(engine: Engine) -> Engine:
    """The views the pages read, added to the engine's follower if bootstrap does not build them yet."""
    for view in (CaseListView(), InboxView(), TicketListView(), CaseloadView(), TimelinessView()):
        engine.views.setdefault(view.name, view)
    return engine


def add_users(app: Any) -> None:
    auth = app.state.auth
    auth.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast hashing in tests
    for name, role, agency in USERS.values():
        auth.users.create(validate_new_user(name, role, agency), PASSWORD)


def head_of(engine: Engine) -> int:
    """The notification log's last id: unchanged means nothing was recorded."""
    return engine.app.recorder.max_notification_id() or 0


# --------------------------------------------------------------------------- HTTP clients


@dataclass
class Ui:
    app: Any
    clients: dict[str, TestClient]

    @property
    def engine(self) -> Engine:
        return self.app.state.runtime.engine

    def head(self) -> int:
        return head_of(self.engine)

    def catch_up(self) -> None:
        self.engine.follower().run_once()

    def csrf(self, role: str, path: str = "/ui/") -> str:
        page = self.clients[role].get(path, headers=HTML)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def post(self, role: str, path: str, data: dict[str, Any], *, csrf: bool = True, **kwargs: Any):
        body = {**data, "csrf_token": self.csrf(role)} if csrf else data
        return self.clients[role].post(path, data=body, headers=HTML, follow_redirects=False, **kwargs)

    def get(self, role: str, path: str, **kwargs: Any):
        return self.clients[role].get(path, headers=HTML, follow_redirects=False, **kwargs)


def sign_in(client: TestClient, user: str) -> None:
    page = client.get("/ui/login", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/ui/login", data={"username": user, "password": PASSWORD, "csrf_token": token},
                         headers=HTML, follow_redirects=False)
    assert answer.status_code == 303, answer.text


@pytest.fixture
def ui(settings: Settings) -> Iterator[Ui]:
    """The app on a fresh store (SQLite and PostgreSQL), one signed-in cookie client per role."""
    clock = FixedClock()
    clock.set_local(date(2026, 3, 2))
    engine = with_list_views(bootstrap(settings, clock=clock))
    app = create_app(settings, clock=clock, engine=engine, background=False)
    add_users(app)
    with TestClient(app) as anonymous:  # runs the app's start-up and shut-down, once
        clients = {"anonymous": anonymous}
        for role, (user, _, _) in USERS.items():
            clients[role] = TestClient(app)  # its own cookie jar; the app is already started
            sign_in(clients[role], user)
        yield Ui(app, clients)


# --------------------------------------------------------------------------- the live server


@dataclass
class LiveServer:
    url: str
    app: Any
    clock: FixedClock

    @property
    def engine(self) -> Engine:
        return self.app.state.runtime.engine

    def head(self) -> int:
        return head_of(self.engine)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole app served by uvicorn on 127.0.0.1 (SQLite store), views and clock running."""
    import uvicorn

    settings = next(make_settings("sqlite", tmp_path_factory.mktemp("ui-live")))
    # The store stamps events with the real time; business dates default to the same day, so only
    # entries given an earlier date show as back-dated.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    engine = with_list_views(bootstrap(settings, clock=clock))
    app = create_app(settings, clock=clock, engine=engine, background=True, poll_interval=0.05)
    add_users(app)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="ui-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


# --------------------------------------------------------------------------- the browser


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    reason = f"chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
