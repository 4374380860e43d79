"""Sign-in and bearer tokens: ``POST /auth/token`` (OAuth2 password flow) and ``current_actor``.

Tokens are HS256 JWTs signed with the secret from :mod:`dispute_engine.secrets`; only
HS256 is accepted when verifying, so ``alg: none`` and algorithm swaps are refused.
Every authenticated request reads the user's row: a disabled user is refused on the
next request even with an unexpired token. The actor's role and agency come from
that row, and a token whose claims the row no longer confirms is refused. The token
is checked on the event loop; the row is read in the thread pool, for most routes in
the endpoint's own trip there (:mod:`api.access`, :mod:`api.blocking`).

Wiring (in the API factory): ``build_auth(settings, engine, clock).install(app)``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

import jwt
import structlog
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import Engine, bindparam, select

from dispute_engine.clock import Clock
from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.secrets import MIN_SECRET_BYTES, load_jwt_secret
from dispute_engine.users import User, UserStore, is_valid_name, normalise_name, users
from domain.values import Actor, Agency, Role

TOKEN_MINUTES_ENV = "DISPUTE_ENGINE_TOKEN_MINUTES"
DEFAULT_TOKEN_MINUTES = 30
MAX_TOKEN_MINUTES = 24 * 60
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "role", "agency", "exp", "iat", "jti")
BAD_CREDENTIALS = "incorrect user name or password"
VERIFIED_TOKENS_KEPT = 4096

log = structlog.get_logger(__name__)


def token_minutes(environ: Mapping[str, str] | None = None) -> int:
    """``DISPUTE_ENGINE_TOKEN_MINUTES``: token lifetime, 1 to 1440 minutes; 30 when unset."""
    env = os.environ if environ is None else environ
    raw = env.get(TOKEN_MINUTES_ENV, "").strip()
    if not raw:
        return DEFAULT_TOKEN_MINUTES
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TOKEN_MINUTES:
        raise ConfigurationError(
            f"{TOKEN_MINUTES_ENV}: expected a whole number of minutes from 1 to {MAX_TOKEN_MINUTES}, got {raw!r}"
        )
    return int(raw)


# --------------------------------------------------------------------------- tokens


class InvalidToken(Exception):
    """The token is malformed, wrongly signed, or lacks a claim."""


class TokenExpired(InvalidToken):
    """The token was valid but its ``exp`` has passed."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    claims: dict[str, Any]


@dataclass(frozen=True)
class TokenClaims:
    name: str
    role: str
    agency: str
    issued_at: datetime
    expires_at: datetime
    token_id: str


class TokenService:
    """Issues and verifies HS256 JWTs; time comes from ``clock`` for both."""

    def __init__(self, secret: str, minutes: int = DEFAULT_TOKEN_MINUTES, clock: Clock | None = None) -> None:
        if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"the signing secret must be at least {MIN_SECRET_BYTES} bytes")
        if minutes < 1:
            raise ValueError("the token lifetime must be at least one minute")
        self._secret = secret
        self.minutes = minutes
        self.clock = clock or Clock()
        self._verified: dict[str, TokenClaims] = {}

    def issue(self, user: User) -> IssuedToken:
        issued_at = int(self.clock.now().timestamp())
        lifetime = self.minutes * 60
        claims = {
            "sub": user.name,
            "role": user.role.value,
            "agency": user.agency.value,
            "iat": issued_at,
            "exp": issued_at + lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=ALGORITHM), lifetime, claims)

    def verify(self, token: str) -> TokenClaims:
        """The token's claims; raises :class:`TokenExpired` or :class:`InvalidToken`.

        A token's signature and shape are checked once and remembered (a bounded set of recent
        tokens: a client sends the same one with every request); its expiry is checked every time.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token)
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()
            self._verified[token] = claims
        if self.clock.now().timestamp() >= claims.expires_at.timestamp():
            raise TokenExpired("token expired")
        return claims

    def _decode(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                # Time claims are checked in verify() against the injected clock, not PyJWT's wall clock.
                options={"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        issued_at, expires_at = claims["iat"], claims["exp"]
        if not all(type(value) is int for value in (issued_at, expires_at)):
            raise InvalidToken("iat and exp must be whole seconds")
        if not all(isinstance(claims[key], str) for key in ("sub", "role", "agency", "jti")):
            raise InvalidToken("sub, role, agency and jti must be strings")
        return TokenClaims(
            name=claims["sub"],
            role=claims["role"],
            agency=claims["agency"],
            issued_at=datetime.fromtimestamp(issued_at, timezone.utc),
            expires_at=datetime.fromtimestamp(expires_at, timezone.utc),
            token_id=claims["jti"],
        )


# --------------------------------------------------------------------------- wiring


@dataclass(frozen=True)
class AuthComponents:
    users: UserStore
    tokens: TokenService
    router: APIRouter

    def install(self, app: FastAPI) -> None:
        """Mount ``POST /auth/token`` and make ``current_actor`` work for every route of ``app``."""
        app.state.auth = self
        app.include_router(self.router)


def build_auth(
    settings: Settings,
    engine: Engine,
    clock: Clock | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> AuthComponents:
    """User store (tables created if missing), token service and router, from settings and the environment."""
    clock = clock or Clock()
    users = UserStore(engine, clock=clock)
    users.create_tables()
    tokens = TokenService(load_jwt_secret(settings, environ), token_minutes(environ), clock)
    return AuthComponents(users=users, tokens=tokens, router=_token_router())


def get_auth(request: Request) -> AuthComponents:
    auth = getattr(request.app.state, "auth", None)
    if auth is None:
        raise RuntimeError("authentication is not installed: call build_auth(...).install(app)")
    return auth


async def _auth(request: Request) -> AuthComponents:
    # async: a plain lookup, not worth a trip through the thread pool on every request
    return get_auth(request)


Auth = Annotated[AuthComponents, Depends(_auth)]
_bearer = OAuth2PasswordBearer(tokenUrl="auth/token", auto_error=False)
BearerToken = Annotated[str | None, Depends(_bearer)]
PasswordForm = Annotated[OAuth2PasswordRequestForm, Depends()]


# --------------------------------------------------------------------------- the token endpoint


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: Literal["staff", "partner", "auditor", "admin"]
    agency: Literal["union", "court", "justice", "hr"]


def _error_model() -> type:
    from api.schemas import ErrorOut

    return ErrorOut


def _token_router() -> APIRouter:
    router = APIRouter(prefix="/auth", tags=["auth"])

    @router.post(
        "/token",
        response_model=TokenResponse,
        responses={
            status.HTTP_401_UNAUTHORIZED: {"description": "Unknown user name or wrong password"},
            status.HTTP_429_TOO_MANY_REQUESTS: {"description": "Too many failed sign-ins for this user name"},
            status.HTTP_400_BAD_REQUEST: {"model": _error_model(), "description": "The form could not be parsed"},
            422: {"model": _error_model(), "description": "A field is missing"},
        },
    )
    def issue_token(form: PasswordForm, auth: Auth, response: Response) -> TokenResponse:
        """Exchange a user name and password for a bearer token (OAuth2 password flow)."""
        name = normalise_name(form.username)
        if not is_valid_name(name):
            raise _bad_credentials()
        retry_after = auth.users.throttled(name)
        if retry_after is not None:
            # No user name in the log: people type passwords into the name field.
            log.warning("sign_in_throttled")
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail="too many failed sign-ins for this user name; try again later",
                headers={"Retry-After": str(retry_after)},
            )
        user = auth.users.verify_password(name, form.password)
        if user is None:
            auth.users.record_failure(name)
            log.info("sign_in_failed")
            raise _bad_credentials()
        auth.users.clear_failures(name)
        issued = auth.tokens.issue(user)
        log.info("token_issued", user_id=user.name, token_id=issued.claims["jti"])
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return TokenResponse(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            role=user.role.value,
            agency=user.agency.value,
        )

    return router


def _bad_credentials() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=BAD_CREDENTIALS, headers={"WWW-Authenticate": "Bearer"}
    )


# --------------------------------------------------------------------------- the dependency


async def token_claims(auth: Auth, token: BearerToken) -> TokenClaims:
    """The bearer token's claims, signature and expiry checked (on the event loop: no I/O); 401 otherwise."""
    if not token:
        raise _unauthorized("not authenticated", None)
    try:
        return auth.tokens.verify(token)
    except TokenExpired:
        raise _unauthorized("token expired", "invalid_token") from None
    except InvalidToken:
        raise _unauthorized("invalid token", "invalid_token") from None


# Built once: SQLAlchemy then reuses its compiled form without rebuilding it on every request.
_USER_ROW = select(users.c.role, users.c.agency, users.c.enabled).where(users.c.name == bindparam("name"))


def confirm_user(auth: AuthComponents, claims: TokenClaims) -> Actor:
    """The token's user, read from its row (blocking): 401 when disabled, or when the row no longer says
    what the token does. The actor's role and agency are the row's."""
    with auth.users.engine.connect() as connection:
        row = connection.execute(_USER_ROW, {"name": claims.name}).first()
    if row is None or not row.enabled:
        raise _unauthorized("user disabled", "invalid_token")
    if (row.role, row.agency) != (claims.role, claims.agency):
        raise _unauthorized("the token no longer matches the user", "invalid_token")
    return Actor(claims.name, Role(row.role), Agency(row.agency))


def claimed_actor(claims: TokenClaims) -> Actor:
    """The actor the token names, before its row is read; 401 for a role or agency this API does not know."""
    try:
        return Actor(claims.name, Role(claims.role), Agency(claims.agency))
    except ValueError:
        raise _unauthorized("invalid token", "invalid_token") from None


async def current_actor(auth: Auth, claims: Annotated[TokenClaims, Depends(token_claims)]) -> Actor:
    """The signed-in user as an :class:`Actor`; 401 for a missing, expired or invalid token or a disabled user."""
    return await run_in_threadpool(confirm_user, auth, claims)


CurrentActor = Annotated[Actor, Depends(current_actor)]


def _unauthorized(detail: str, error: str | None) -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}", error_description="{detail}"'
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge})
