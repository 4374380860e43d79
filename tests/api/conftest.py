"""An API on a fresh store (both stores), with one signed-in client header per role."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.app import create_app
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.users import validate_new_user

PASSWORD = "correct horse battery staple"
ROLES = {
    "staff": ("staff", None),
    "hr": ("partner", "hr"),
    "court": ("partner", "court"),
    "justice": ("partner", "justice"),
    "auditor": ("auditor", None),
    "admin": ("admin", None),
}


@dataclass
class Api:
    client: TestClient
    headers: dict[str, dict[str, str]]
    app: object

    @property
    def engine(self):
        return self.app.state.runtime.engine

    def head(self) -> int:
        """The notification log's last id: unchanged means nothing was recorded."""
        return self.engine.app.recorder.max_notification_id() or 0

    def post(self, role: str, path: str, body: dict | None = None, **headers: str):
        return self.client.post(path, json=body if body is not None else {}, headers={**self.headers[role], **headers})

    def get(self, role: str, path: str, **params):
        return self.client.get(path, params=params, headers=self.headers[role])


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    clock = FixedClock()
    clock.set_local(date(2026, 3, 2))
    app = create_app(settings, clock=clock, background=False)
    auth = app.state.auth
    auth.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast hashing in tests
    headers = {}
    for name, (role, agency) in ROLES.items():
        user = auth.users.create(validate_new_user(f"u-{name}", role, agency), PASSWORD)
        headers[name] = {"Authorization": f"Bearer {auth.tokens.issue(user).access_token}"}
    headers["anonymous"] = {}
    with TestClient(app) as client:
        yield Api(client, headers, app)


def doc(title: str, doc_type: str = "APPLICATION") -> dict:
    return {"doc_type": doc_type, "title": title, "sha256": hashlib.sha256(title.encode()).hexdigest()}


DISPUTE = {
    "summary": "three months of unpaid wages",
    "claimants": [{"kind": "WORKER", "person": {"name": "陈建国", "id_number": "11010519491231002X",
                                                "phone": "13800138000"}}],
    "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "恒达家具有限公司"}}],
    "claims": [{"kind": "WAGE", "amount_cny": "18600.00"}],
}

ARBITRATION_HANDOFF = {
    "kind": "ARBITRATION", "org_type": "ARBITRATION_COMMISSION", "org_name": "区劳动人事争议仲裁委员会",
    "reason": "PARTY_APPLICATION", "dossier": [doc("仲裁申请书")],
}


def all_routes(app) -> list:
    """Every APIRoute of the app. FastAPI keeps included routers as wrapper entries in ``app.routes``
    (with the router under ``original_router``), so walk into them."""
    from fastapi.routing import APIRoute

    def flat(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from flat(route.original_router.routes)
            else:
                yield route

    return [route for route in flat(app.routes) if isinstance(route, APIRoute)]
