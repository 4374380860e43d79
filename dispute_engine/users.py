"""User accounts: who may sign in, with which role and agency; failed-login throttling.

Passwords are hashed with Argon2 (argon2-cffi's ``PasswordHasher``); a hash made with
older parameters is replaced at the next successful sign-in. Failed sign-ins are kept
in the database, one row each, so the throttle holds across worker processes.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from dispute_engine.clock import Clock
from domain.errors import InvalidInput
from domain.values import PARTNER_AGENCIES, Actor, Agency, Role

USER_ROLES = (Role.STAFF, Role.PARTNER, Role.AUDITOR, Role.ADMIN)
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
NAME_RULE = "2 to 32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
GENERATED_PASSWORD_BYTES = 18
FAILURE_LIMIT = 5
FAILURE_WINDOW = timedelta(minutes=15)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both stores (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a timezone-aware datetime is required")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("agency", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime, nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    # The name as submitted (normalised), whether or not such a user exists.
    Column("name", String(64), nullable=False),
    Column("failed_at", UtcDateTime, nullable=False),
    Index("ix_login_failures_name_failed_at", "name", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)


class UserExists(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__("name", f"a user named {name!r} already exists")


class UnknownUser(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__("name", f"no user named {name!r}")


@dataclass(frozen=True)
class User:
    """An account as stored, without its password hash."""

    id: int
    name: str
    role: Role
    agency: Agency
    enabled: bool
    created_at: datetime
    disabled_at: datetime | None

    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.agency)

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "agency": self.agency.value,
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat(),
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
        }


@dataclass(frozen=True)
class NewUser:
    """A validated account request: name, role and the agency that role implies."""

    name: str
    role: Role
    agency: Agency


def normalise_name(name: str) -> str:
    """User names are compared in lower case, so ``Alice`` signs in as ``alice``."""
    return name.strip().lower()


def is_valid_name(name: str) -> bool:
    return NAME_PATTERN.fullmatch(name) is not None


def validate_new_user(name: str, role: str | None, agency: str | None) -> NewUser:
    """Check name, role and agency together; each error names its field."""
    if not is_valid_name(name):
        raise InvalidInput("name", f"{name!r} is not a valid user name ({NAME_RULE})")
    roles = ", ".join(r.value for r in USER_ROLES)
    if role is None or role == "":
        raise InvalidInput("role", f"is required (one of: {roles})")
    parsed_role = next((r for r in USER_ROLES if r.value == role), None)
    if parsed_role is None:
        raise InvalidInput("role", f"{role!r} is not one of: {roles}")
    partners = ", ".join(a.value for a in PARTNER_AGENCIES)
    if parsed_role is not Role.PARTNER:
        if agency is not None:
            raise InvalidInput("agency", f"only a partner has an agency; {role} users belong to the union")
        return NewUser(name, parsed_role, Agency.UNION)
    if agency is None or agency == "":
        raise InvalidInput("agency", f"is required for a partner (one of: {partners})")
    parsed_agency = next((a for a in PARTNER_AGENCIES if a.value == agency), None)
    if parsed_agency is None:
        raise InvalidInput("agency", f"{agency!r} is not one of: {partners}")
    return NewUser(name, parsed_role, parsed_agency)


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"at least {MIN_PASSWORD_LENGTH} characters are required, got {len(password)}")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("password", f"at most {MAX_PASSWORD_LENGTH} characters, got {len(password)}")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


class UserStore:
    """Accounts and failed sign-ins in the ``users`` and ``login_failures`` tables of ``engine``."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        hasher: PasswordHasher | None = None,
        failure_limit: int = FAILURE_LIMIT,
        failure_window: timedelta = FAILURE_WINDOW,
    ) -> None:
        self.engine = engine
        self.clock = clock or Clock()
        self.hasher = hasher or PasswordHasher()
        self.failure_limit = failure_limit
        self.failure_window = failure_window

    def create_tables(self) -> None:
        """Create the tables if they are missing; safe to call on every start."""
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except DBAPIError:
            # Another worker created them between our check and our CREATE; the check now sees them.
            metadata.create_all(self.engine, checkfirst=True)

    # ------------------------------------------------------------------ accounts

    def create(self, new: NewUser, password: str) -> User:
        """Store a new account; raises :class:`UserExists` when the name is taken."""
        password_hash = self.hasher.hash(validate_password(password))
        row = {
            "name": new.name,
            "role": new.role.value,
            "agency": new.agency.value,
            "password_hash": password_hash,
            "enabled": True,
            "created_at": self.clock.now().astimezone(timezone.utc),
            "disabled_at": None,
        }
        try:
            with self.engine.begin() as conn:
                result = conn.execute(insert(users).values(**row))
        except IntegrityError:
            raise UserExists(new.name) from None
        return User(
            id=result.inserted_primary_key[0], name=new.name, role=new.role, agency=new.agency,
            enabled=True, created_at=row["created_at"], disabled_at=None,
        )

    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_USER_COLUMNS).where(users.c.name == name)).first()
        return _user(row) if row is not None else None

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_USER_COLUMNS).order_by(users.c.name)).all()
        return [_user(row) for row in rows]

    def disable(self, name: str) -> User:
        """Disable the account from its next request on. Disabling twice keeps the first time."""
        with self.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.name == name, users.c.enabled.is_(True))
                .values(enabled=False, disabled_at=self.clock.now())
            )
        user = self.get(name)
        if user is None:
            raise UnknownUser(name)
        return user

    # ------------------------------------------------------------------ sign-in

    def verify_password(self, name: str, password: str) -> User | None:
        """The enabled user with this name and password, else None — the same for every reason.

        An unknown name is checked against a dummy hash so that it costs as long as a wrong password.
        """
        with self.engine.connect() as conn:
            row = conn.execute(
                select(*_USER_COLUMNS, users.c.password_hash).where(users.c.name == name)
            ).first()
        if row is None or len(password) > MAX_PASSWORD_LENGTH:
            self._matches(self._dummy_hash, password[:MAX_PASSWORD_LENGTH])
            return None
        if not self._matches(row.password_hash, password):
            return None
        user = _user(row)
        if not user.enabled:
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            self._rehash(user.id, row.password_hash, password)
        return user

    def throttled(self, name: str) -> int | None:
        """Seconds until ``name`` may try again, or None when it may try now."""
        now = self.clock.now()
        with self.engine.connect() as conn:
            recent = conn.execute(
                select(login_failures.c.failed_at)
                .where(login_failures.c.name == name, login_failures.c.failed_at > now - self.failure_window)
                .order_by(login_failures.c.failed_at.desc())
                .limit(self.failure_limit)
            ).scalars().all()
        if len(recent) < self.failure_limit:
            return None
        # The oldest of the last ``failure_limit`` failures leaving the window frees one attempt.
        wait = (recent[-1] + self.failure_window - now).total_seconds()
        return max(1, math.ceil(wait))

    def record_failure(self, name: str) -> None:
        now = self.clock.now()
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.failed_at <= now - self.failure_window))
            conn.execute(insert(login_failures).values(name=name, failed_at=now))

    def clear_failures(self, name: str) -> None:
        """A successful sign-in starts the count again."""
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.name == name))

    # ------------------------------------------------------------------ internals

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _rehash(self, user_id: int, old_hash: str, password: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id, users.c.password_hash == old_hash)
                .values(password_hash=self.hasher.hash(password))
            )


_USER_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.role,
    users.c.agency,
    users.c.enabled,
    users.c.created_at,
    users.c.disabled_at,
)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        agency=Agency(row.agency),
        enabled=bool(row.enabled),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )

