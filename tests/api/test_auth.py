"""Sign-in, bearer tokens and ``current_actor`` over HTTP, on SQLite and PostgreSQL (``settings`` fixture)."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator

import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from structlog.testing import capture_logs

from api.auth import AuthComponents, CurrentActor, build_auth
from dispute_engine.clock import FixedClock
from dispute_engine.config import ConfigurationError, Settings
from projections.engine import create_read_model_engine as make_engine
from dispute_engine.secrets import load_jwt_secret
from dispute_engine.users import UserStore, users, validate_new_user

SECRET = "test-signing-secret-of-at-least-32-bytes"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def auth(settings: Settings, clock: FixedClock) -> Iterator[AuthComponents]:
    engine = make_engine(settings)
    try:
        components = build_auth(settings, engine, clock, environ={"DISPUTE_ENGINE_JWT_SECRET": SECRET})
        components.users.create(validate_new_user("alice", "staff", None), PASSWORD)
        yield components
    finally:
        engine.dispose()


@pytest.fixture
def client(auth: AuthComponents) -> Iterator[TestClient]:
    app = FastAPI()
    auth.install(app)

    @app.get("/whoami")
    def whoami(actor: CurrentActor) -> dict[str, str]:
        return actor.record()

    with TestClient(app) as test_client:
        yield test_client


def sign_in(client: TestClient, name: str = "alice", password: str = PASSWORD):
    return client.post("/auth/token", data={"username": name, "password": password})


def token_of(client: TestClient, name: str = "alice", password: str = PASSWORD) -> str:
    response = sign_in(client, name, password)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def whoami(client: TestClient, token: str):
    return client.get("/whoami", headers={"Authorization": f"Bearer {token}"})


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --------------------------------------------------------------------------- signing in


def test_signed_in_staff_reaches_a_protected_route_as_a_union_actor(client):
    response = sign_in(client)

    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["role"], body["agency"]) == ("bearer", 1800, "staff", "union")
    assert response.headers["cache-control"] == "no-store"
    assert whoami(client, body["access_token"]).json() == {"user_id": "alice", "role": "staff", "agency": "union"}


def test_token_is_hs256_with_subject_role_agency_and_a_30_minute_expiry(client, clock):
    token = token_of(client)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
    assert (claims["sub"], claims["role"], claims["agency"]) == ("alice", "staff", "union")
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert claims["jti"] != jwt.decode(
        token_of(client), SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
    )["jti"]


def test_user_name_is_case_insensitive_at_sign_in(client):
    assert sign_in(client, "  Alice ").status_code == 200


def test_wrong_password_and_unknown_user_get_identical_401s(client):
    wrong_password = sign_in(client, "alice", "not the password at all")
    unknown_user = sign_in(client, "mallory", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json() == {"detail": "incorrect user name or password"}
    assert wrong_password.headers["www-authenticate"] == unknown_user.headers["www-authenticate"] == "Bearer"


def test_disabled_user_cannot_sign_in(client, auth):
    auth.users.disable("alice")

    response = sign_in(client)

    assert (response.status_code, response.json()["detail"]) == (401, "incorrect user name or password")


def test_partner_token_carries_its_agency(client, auth):
    auth.users.create(validate_new_user("zhang.court", "partner", "court"), PASSWORD)

    response = sign_in(client, "zhang.court")

    assert (response.json()["role"], response.json()["agency"]) == ("partner", "court")
    claims = jwt.decode(response.json()["access_token"], SECRET, algorithms=["HS256"],
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["agency"] == "court"
    assert whoami(client, response.json()["access_token"]).json() == {
        "user_id": "zhang.court", "role": "partner", "agency": "court",
    }


def test_token_lifetime_follows_the_token_minutes_setting(settings, clock):
    engine = make_engine(settings)
    try:
        auth = build_auth(settings, engine, clock, environ={
            "DISPUTE_ENGINE_JWT_SECRET": SECRET, "DISPUTE_ENGINE_TOKEN_MINUTES": "5",
        })
        user = auth.users.create(validate_new_user("alice", "staff", None), PASSWORD)
        assert auth.tokens.issue(user).expires_in == 300
    finally:
        engine.dispose()


def test_password_hash_made_with_old_parameters_is_replaced_at_sign_in(settings):
    engine = make_engine(settings)
    try:
        old = UserStore(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
        old.create_tables()
        old.create(validate_new_user("alice", "staff", None), PASSWORD)
        current = UserStore(engine)
        assert current.hasher.check_needs_rehash(_stored_hash(engine, "alice"))

        assert current.verify_password("alice", PASSWORD) is not None

        assert not current.hasher.check_needs_rehash(_stored_hash(engine, "alice"))
        assert current.verify_password("alice", PASSWORD) is not None
    finally:
        engine.dispose()


def _stored_hash(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar_one()


# --------------------------------------------------------------------------- using tokens


def test_request_without_token_is_refused_with_a_bearer_challenge(client):
    response = client.get("/whoami")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_refused(client, clock):
    token = token_of(client)
    clock.advance(minutes=29, seconds=59)
    assert whoami(client, token).status_code == 200

    clock.advance(seconds=1)
    response = whoami(client, token)

    assert (response.status_code, response.json()["detail"]) == (401, "token expired")
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_tampered_token_is_refused(client):
    header, payload, signature = token_of(client).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"

    response = whoami(client, f"{header}.{b64(claims)}.{signature}")

    assert (response.status_code, response.json()["detail"]) == (401, "invalid token")


def test_token_signed_with_another_secret_is_refused(client):
    claims = jwt.decode(token_of(client), SECRET, algorithms=["HS256"],
                        options={"verify_exp": False, "verify_iat": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-too", algorithm="HS256")

    assert whoami(client, forged).status_code == 401


def test_unsigned_token_with_alg_none_is_refused(client):
    claims = jwt.decode(token_of(client), SECRET, algorithms=["HS256"],
                        options={"verify_exp": False, "verify_iat": False})
    unsigned = jwt.encode(claims, None, algorithm="none")

    response = whoami(client, unsigned)

    assert (response.status_code, response.json()["detail"]) == (401, "invalid token")


def test_disabled_user_is_refused_on_the_next_request_with_an_unexpired_token(client, auth):
    token = token_of(client)
    assert whoami(client, token).status_code == 200

    auth.users.disable("alice")
    response = whoami(client, token)

    assert (response.status_code, response.json()["detail"]) == (401, "user disabled")


# --------------------------------------------------------------------------- throttling


def test_five_failures_then_sign_in_is_throttled_with_retry_after(client, clock):
    for _ in range(5):
        assert sign_in(client, password="wrong password guess").status_code == 401
    clock.advance(minutes=2)

    response = sign_in(client)

    assert response.status_code == 429
    assert response.headers["retry-after"] == str(13 * 60)


def test_throttle_lifts_when_the_failures_leave_the_15_minute_window(client, clock):
    for _ in range(5):
        sign_in(client, password="wrong password guess")
    clock.advance(minutes=14, seconds=59)
    assert sign_in(client).status_code == 429

    clock.advance(seconds=1)

    assert sign_in(client).status_code == 200


def test_successful_sign_in_resets_the_failure_count(client):
    for _ in range(4):
        sign_in(client, password="wrong password guess")
    assert sign_in(client).status_code == 200
    for _ in range(4):
        sign_in(client, password="wrong password guess")

    assert sign_in(client).status_code == 200


def test_throttle_applies_to_one_user_name_only(client, auth):
    auth.users.create(validate_new_user("bob", "auditor", None), PASSWORD)
    for _ in range(5):
        sign_in(client, password="wrong password guess")

    assert sign_in(client, "bob").status_code == 200


def test_unknown_user_names_are_throttled_like_known_ones(client):
    for _ in range(5):
        assert sign_in(client, "mallory", "guess number one").status_code == 401

    assert sign_in(client, "mallory", "guess number two").status_code == 429


def test_throttle_is_shared_by_workers_through_the_database(client, settings, clock):
    for _ in range(5):
        sign_in(client, password="wrong password guess")
    other_engine = make_engine(settings)
    try:
        other_worker = UserStore(other_engine, clock=clock)

        assert other_worker.throttled("alice") == 15 * 60
    finally:
        other_engine.dispose()


# --------------------------------------------------------------------------- secrets


def test_development_secret_is_generated_once_with_owner_only_permissions(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="development")
    with capture_logs() as logs:
        first = load_jwt_secret(settings, environ={})
        second = load_jwt_secret(settings, environ={})

    key = tmp_path / "secrets" / "jwt.key"
    assert first == second == key.read_text().strip()
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert [(entry["event"], entry["log_level"], entry["path"]) for entry in logs] == [
        ("development_secret_generated", "warning", str(key)),
    ]
    assert first not in repr(logs)


def test_secret_from_the_environment_wins_and_writes_no_file(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="development")

    assert load_jwt_secret(settings, environ={"DISPUTE_ENGINE_JWT_SECRET": SECRET}) == SECRET
    assert not (tmp_path / "secrets").exists()


def test_production_without_secret_stops_start_up_naming_the_variable(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="production")

    with pytest.raises(ConfigurationError, match="^DISPUTE_ENGINE_JWT_SECRET: required"):
        load_jwt_secret(settings, environ={})
    assert not (tmp_path / "secrets").exists()


def test_short_secret_is_refused_naming_the_variable(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="production")

    with pytest.raises(ConfigurationError, match="^DISPUTE_ENGINE_JWT_SECRET: .* at least 32 bytes"):
        load_jwt_secret(settings, environ={"DISPUTE_ENGINE_JWT_SECRET": "short"})


@pytest.mark.parametrize("minutes", ["0", "abc", "1441"])
def test_bad_token_minutes_stops_start_up_naming_the_variable(tmp_path, minutes):
    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings)
    try:
        with pytest.raises(ConfigurationError, match="^DISPUTE_ENGINE_TOKEN_MINUTES: "):
            build_auth(settings, engine, environ={
                "DISPUTE_ENGINE_JWT_SECRET": SECRET, "DISPUTE_ENGINE_TOKEN_MINUTES": minutes,
            })
    finally:
        engine.dispose()
